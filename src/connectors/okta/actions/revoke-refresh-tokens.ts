import { defineAction } from "../../../core/action.ts";
import type { OktaClient } from "../client.ts";
import { NoInput } from "../lifecycle.ts";
import { countRefreshTokens, listUserClients } from "../tokens.ts";

/** For each client the user holds tokens for: `DELETE /api/v1/users/{userId}/clients/{clientId}/tokens` (204). */
export const revokeRefreshTokens = defineAction<OktaClient, NoInput, { clientIds: string[] }>({
  id: "okta.revoke_refresh_tokens",
  title: "Revoke OAuth refresh tokens for every client",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserOAuth/#tag/UserOAuth/operation/revokeTokensForUserAndClient",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["refresh_tokens", "oauth_tokens"],
  scopes: ["okta.users.manage"],
  risk: "low",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    clientIds: await listUserClients(client, account.id, signal),
  }),
  async execute({ client, account, signal }, _input, snapshot) {
    const clientIds = snapshot?.clientIds ?? [];
    if (clientIds.length === 0) return { outcome: "already_in_state", output: undefined };
    for (const clientId of clientIds) {
      await client.call(
        {
          method: "DELETE",
          path: ["/api/v1/users/", { id: account.id }, "/clients/", { id: clientId }, "/tokens"],
          bucket: "other",
          idempotent: true,
          operation: "/api/v1/users/{id}/clients/{clientId}/tokens",
        },
        signal,
      );
    }
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = await countRefreshTokens(client, account.id, signal);
    const observed = `${left} refresh tokens left`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
