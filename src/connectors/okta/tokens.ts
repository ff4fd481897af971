import type { OktaClient } from "./client.ts";

interface OktaClientRef {
  client_id: string;
}

/** The OAuth clients a user holds tokens for (`GET /api/v1/users/{userId}/clients`). */
export async function listUserClients(
  client: OktaClient,
  userId: string,
  signal: AbortSignal,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of client.paginate<OktaClientRef>(
    {
      method: "GET",
      path: ["/api/v1/users/", { id: userId }, "/clients"],
      bucket: "other",
      idempotent: true,
      operation: "/api/v1/users/{id}/clients",
    },
    signal,
  )) {
    ids.push(entry.client_id);
  }
  return ids;
}

/** Refresh tokens across every client of the user, all pages. */
export async function countRefreshTokens(
  client: OktaClient,
  userId: string,
  signal: AbortSignal,
): Promise<number> {
  let count = 0;
  for (const clientId of await listUserClients(client, userId, signal)) {
    for await (const _token of client.paginate(
      {
        method: "GET",
        path: ["/api/v1/users/", { id: userId }, "/clients/", { id: clientId }, "/tokens"],
        query: { limit: 200 },
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/users/{id}/clients/{clientId}/tokens",
      },
      signal,
    )) {
      count += 1;
    }
  }
  return count;
}
