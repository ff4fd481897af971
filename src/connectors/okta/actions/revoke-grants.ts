import { defineAction } from "../../../core/action.ts";
import type { OktaClient } from "../client.ts";
import { NoInput } from "../lifecycle.ts";

interface OktaGrant {
  id: string;
  clientId?: string;
  scopeId?: string;
}

async function listGrants(client: OktaClient, userId: string, signal: AbortSignal): Promise<OktaGrant[]> {
  const grants: OktaGrant[] = [];
  for await (const grant of client.paginate<OktaGrant>(
    {
      method: "GET",
      path: ["/api/v1/users/", { id: userId }, "/grants"],
      query: { limit: 200 },
      bucket: "other",
      idempotent: true,
      operation: "/api/v1/users/{id}/grants",
    },
    signal,
  )) {
    grants.push(grant);
  }
  return grants;
}

/** `DELETE /api/v1/users/{userId}/grants` (204): every OAuth consent grant the user gave. Cannot be undone. */
export const revokeGrants = defineAction<OktaClient, NoInput, { grants: OktaGrant[] }>({
  id: "okta.revoke_grants",
  title: "Revoke all OAuth consent grants",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserGrant/#tag/UserGrant/operation/revokeUserGrants",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["oauth_tokens"],
  scopes: ["okta.users.manage"],
  risk: "low",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    grants: (await listGrants(client, account.id, signal)).map(({ id, clientId, scopeId }) => ({
      id,
      clientId,
      scopeId,
    })),
  }),
  async execute({ client, account, signal }, _input, snapshot) {
    if (snapshot && snapshot.grants.length === 0) return { outcome: "already_in_state", output: undefined };
    await client.call(
      {
        method: "DELETE",
        path: ["/api/v1/users/", { id: account.id }, "/grants"],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/users/{id}/grants",
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = (await listGrants(client, account.id, signal)).length;
    const observed = `${left} grants left`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
