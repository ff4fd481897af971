import { defineAction } from "../../../core/action.ts";
import { NoInput } from "../access.ts";
import type { AtlassianClient } from "../client.ts";

/**
 * Revokes every API token of a managed account: tokens authenticate as the user to Jira, Confluence and the
 * other products (Basic auth) whatever happens to their sessions. `GET /users/{account_id}/manage/api-tokens`
 * into the snapshot (ids and labels, never secrets), then `DELETE …/api-tokens/{tokenId}` for each
 * (developer.atlassian.com/cloud/admin/user-management/rest/api-group-api-tokens/). "We permanently delete the API
 * token. You're unable to undo this action." (support.atlassian.com/organization-administration/docs/revoke-user-api-tokens/):
 * no inverse; integrations using them need new tokens, which is why the snapshot names each one. Only managed
 * accounts: Atlassian answers 403 for others.
 */
export const revokeApiTokens = defineAction<
  AtlassianClient,
  NoInput,
  { tokens: Array<{ id: string; label: string }> },
  { revoked: number; alreadyGone: number }
>({
  id: "atlassian.revoke_api_tokens",
  title: "Revoke all of the user's API tokens",
  docUrl: "https://developer.atlassian.com/cloud/admin/user-management/rest/api-group-api-tokens/",
  kind: "contain",
  inverse: null,
  // Deleting a deleted token changes nothing (404 is read as already gone): safe to retry.
  idempotent: true,
  affects: ["api_tokens"],
  scopes: ["organization admin API key (user management REST API, managed accounts)"],
  risk: "high",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    tokens: (await client.listApiTokens(account.id, signal)).map(({ id, label }) => ({ id, label })),
  }),
  async execute({ client, account, signal }, _input, snapshot) {
    const tokens = snapshot?.tokens ?? [];
    if (tokens.length === 0) return { outcome: "already_in_state", output: { revoked: 0, alreadyGone: 0 } };
    let revoked = 0;
    let alreadyGone = 0;
    for (const token of tokens) {
      if ((await client.deleteApiToken(account.id, token.id, signal)) === "revoked") revoked += 1;
      else alreadyGone += 1;
    }
    return { outcome: "applied", output: { revoked, alreadyGone } };
  },
  async verify({ client, account, signal }) {
    const left = (await client.listApiTokens(account.id, signal)).length;
    const observed = `${left} API tokens left`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
