import { isKind } from "../../core/errors.ts";
import type { OktaClient } from "./client.ts";

/** Okta's ApiToken object (spec `ApiToken`), the fields cordon uses. Never contains the token value. */
export interface OktaApiToken {
  id: string;
  name: string;
  userId: string;
  clientName?: string;
  created?: string;
  expiresAt?: string;
}

/**
 * Every API token of the org, all pages (`GET /api/v1/api-tokens`, Link pagination). The seed library read only the
 * first page and so missed tokens (seeds.md §1.5).
 */
export async function listApiTokens(client: OktaClient, signal: AbortSignal): Promise<OktaApiToken[]> {
  const tokens: OktaApiToken[] = [];
  for await (const token of client.paginate<OktaApiToken>(
    {
      method: "GET",
      path: ["/api/v1/api-tokens"],
      query: { limit: 200 },
      bucket: "other",
      idempotent: true,
      operation: "/api/v1/api-tokens",
    },
    signal,
  )) {
    tokens.push(token);
  }
  return tokens;
}

/** One API token's metadata (`GET /api/v1/api-tokens/{apiTokenId}`), or null when the org has no such token. */
export async function getApiToken(
  client: OktaClient,
  tokenId: string,
  signal: AbortSignal,
): Promise<OktaApiToken | null> {
  try {
    const response = await client.call(
      {
        method: "GET",
        path: ["/api/v1/api-tokens/", { id: tokenId }],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/api-tokens/{id}",
      },
      signal,
    );
    return response.body as OktaApiToken;
  } catch (error) {
    if (isKind(error, "not_found")) return null;
    throw error;
  }
}

export async function deleteApiToken(
  client: OktaClient,
  tokenId: string,
  signal: AbortSignal,
): Promise<"revoked" | "absent"> {
  try {
    await client.call(
      {
        method: "DELETE",
        path: ["/api/v1/api-tokens/", { id: tokenId }],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/api-tokens/{id}",
      },
      signal,
    );
    return "revoked";
  } catch (error) {
    if (isKind(error, "not_found")) return "absent";
    throw error;
  }
}
