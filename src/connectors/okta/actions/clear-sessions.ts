import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { OktaClient } from "../client.ts";
import { countRefreshTokens } from "../tokens.ts";

const Input = z
  .object({
    /** Also revoke OIDC/OAuth access and refresh tokens. Okta defaults to false; cordon defaults to true. */
    oauthTokens: z.boolean().default(true),
  })
  .strict();

/**
 * `DELETE /api/v1/users/{userId}/sessions?oauthTokens=true` (204). The seed library never sent `oauthTokens`, so
 * refresh tokens survived its "containment" (seeds.md §1.5).
 * Okta's management API offers no read of a user's sessions: only the token part can be verified.
 */
export const clearSessions = defineAction<OktaClient, z.infer<typeof Input>>({
  id: "okta.clear_sessions",
  title: "Clear all sessions (and OAuth tokens)",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserSessions/#tag/UserSessions/operation/revokeUserSessions",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["web_sessions", "oauth_tokens", "refresh_tokens"],
  scopes: ["okta.users.manage"],
  risk: "low",
  input: Input,
  async execute({ client, account, signal }, input) {
    await client.call(
      {
        method: "DELETE",
        path: ["/api/v1/users/", { id: account.id }, "/sessions"],
        query: { oauthTokens: input.oauthTokens },
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/users/{id}/sessions",
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }, input) {
    if (!input.oauthTokens)
      return { state: "not_observable", why: "Okta's API has no read of a user's sessions" };
    const tokens = await countRefreshTokens(client, account.id, signal);
    const observed = `${tokens} refresh tokens left; sessions cannot be listed through Okta's API`;
    return tokens === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
