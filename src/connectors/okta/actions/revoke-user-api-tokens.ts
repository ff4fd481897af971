import { defineAction } from "../../../core/action.ts";
import { deleteApiToken, listApiTokens } from "../api-tokens.ts";
import type { OktaClient } from "../client.ts";
import { NoInput } from "../lifecycle.ts";

/**
 * Revokes every API token the user owns: tokens act with the owner's admin rights and outlive sessions.
 * Lists all pages of the org's tokens, then one DELETE per token. Cannot be undone: integrations using them
 * need new tokens, which is why the plan names each one.
 */
export const revokeUserApiTokens = defineAction<
  OktaClient,
  NoInput,
  { tokens: Array<{ id: string; name: string }> }
>({
  id: "okta.revoke_user_api_tokens",
  title: "Revoke all of the user's API tokens",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApiToken/#tag/ApiToken/operation/revokeApiToken",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["api_tokens"],
  scopes: ["okta.apiTokens.manage"],
  risk: "high",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    tokens: (await listApiTokens(client, signal))
      .filter((t) => t.userId === account.id)
      .map(({ id, name }) => ({ id, name })),
  }),
  async execute({ client, signal }, _input, snapshot) {
    const tokens = snapshot?.tokens ?? [];
    if (tokens.length === 0) return { outcome: "already_in_state", output: undefined };
    for (const token of tokens) await deleteApiToken(client, token.id, signal);
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = (await listApiTokens(client, signal)).filter((t) => t.userId === account.id).length;
    const observed = `${left} API tokens left`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
