import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { CordonError } from "../../../core/errors.ts";
import { deleteApiToken, getApiToken, listApiTokens } from "../api-tokens.ts";
import type { OktaClient } from "../client.ts";

const Input = z.object({ tokenId: z.string().min(1).max(64) }).strict();

/**
 * `DELETE /api/v1/api-tokens/{apiTokenId}` (204): one suspicious token, as seed 000's "an API token looks like it
 * is being used to perform suspicious actions". Cannot be undone.
 * The token is read first and must belong to the account the plan names: a token id from an alert (a SIEM, a
 * webhook) that belongs to someone else is refused, so the ledger never says "revoked Dave's token" about Bob's.
 */
export const revokeApiToken = defineAction<
  OktaClient,
  z.infer<typeof Input>,
  { name: string; userId: string } | null
>({
  id: "okta.revoke_api_token",
  title: "Revoke one API token",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApiToken/#tag/ApiToken/operation/revokeApiToken",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["api_tokens"],
  scopes: ["okta.apiTokens.manage"],
  risk: "high",
  input: Input,
  async snapshot({ client, signal }, input) {
    const token = await getApiToken(client, input.tokenId, signal);
    return token ? { name: token.name, userId: token.userId } : null;
  },
  async execute({ client, account, signal }, input, snapshot) {
    if (!snapshot) return { outcome: "already_in_state", output: undefined };
    if (snapshot.userId !== account.id) {
      throw new CordonError(
        { kind: "policy", rule: "api-token-owner" },
        `API token ${input.tokenId} belongs to another Okta user (${snapshot.userId}), not ${account.email}; nothing was revoked`,
      );
    }
    const result = await deleteApiToken(client, input.tokenId, signal);
    return { outcome: result === "revoked" ? "applied" : "already_in_state", output: undefined };
  },
  async verify({ client, signal }, input) {
    const still = (await listApiTokens(client, signal)).some((t) => t.id === input.tokenId);
    return still
      ? { state: "pending", observed: "token still listed" }
      : { state: "verified", observed: "token no longer listed" };
  },
});
