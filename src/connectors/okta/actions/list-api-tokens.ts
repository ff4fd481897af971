import { defineAction } from "../../../core/action.ts";
import { listApiTokens, type OktaApiToken } from "../api-tokens.ts";
import type { OktaClient } from "../client.ts";
import { NoInput } from "../lifecycle.ts";

/** Lists the API tokens the account owns, across every page of the org's tokens. */
export const listUserApiTokens = defineAction<OktaClient, NoInput, undefined, { tokens: OktaApiToken[] }>({
  id: "okta.list_api_tokens",
  title: "List the user's API tokens",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApiToken/#tag/ApiToken/operation/listApiTokens",
  kind: "read",
  inverse: null,
  idempotent: true,
  affects: [],
  scopes: ["okta.apiTokens.read"],
  risk: "low",
  input: NoInput,
  async execute({ client, account, signal }) {
    const tokens = (await listApiTokens(client, signal)).filter((t) => t.userId === account.id);
    return { outcome: "applied", output: { tokens } };
  },
});
