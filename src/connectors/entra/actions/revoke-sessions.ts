import { defineAction } from "../../../core/action.ts";
import { CordonError } from "../../../core/errors.ts";
import type { EntraClient } from "../client.ts";
import { GRAPH_DOCS, NoInput } from "../shared.ts";

/** Graph stamps `signInSessionsValidFromDateTime` in whole seconds on its own clock; one second of skew is tolerated. */
const SKEW_TOLERANCE_MS = 1000;

/**
 * `POST /users/{id}/revokeSignInSessions` (200 `{"value":true}`): Entra resets `signInSessionsValidFromDateTime` to
 * now, which invalidates every refresh token and browser session cookie issued before it ("a small delay of a few
 * minutes" before tokens are revoked). Access tokens already issued live until they expire (up to about an hour)
 * unless the app supports continuous access evaluation.
 *
 * Guests: "This API doesn't revoke sign-in sessions for external users, because external users sign in through
 * their home tenant." Graph still answers 200 `true`; cordon reports such an account as `partial`, never verified.
 */
export const revokeSessions = defineAction<EntraClient, NoInput, undefined, { revokedAfter: string }>({
  id: "entra.revoke_sessions",
  title: "Revoke all sign-in sessions and refresh tokens",
  docUrl: GRAPH_DOCS.revokeSignInSessions,
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["web_sessions", "mobile_sessions", "refresh_tokens"],
  scopes: ["User.RevokeSessions.All"],
  risk: "low",
  input: NoInput,
  async execute({ client, account, clock, signal }) {
    const startedAt = clock.now();
    const response = await client.call(
      {
        method: "POST",
        path: ["/users/", { id: account.id }, "/revokeSignInSessions"],
        bucket: "identityWrite",
        idempotent: true,
        operation: "/users/{id}/revokeSignInSessions",
        permission: "User.RevokeSessions.All",
      },
      signal,
    );
    if ((response.body as { value?: unknown }).value !== true)
      throw new CordonError(
        { kind: "vendor", vendor: "entra", status: response.status },
        "entra POST /users/{id}/revokeSignInSessions: Graph did not answer true",
      );
    const after = Math.floor(startedAt / 1000) * 1000 - SKEW_TOLERANCE_MS;
    return { outcome: "applied", output: { revokedAfter: new Date(after).toISOString() } };
  },
  async verify({ client, account, signal }, _input, output) {
    const user = await client.requireUser(account.id, "id,userType,signInSessionsValidFromDateTime", signal);
    const validFrom = user.signInSessionsValidFromDateTime ?? null;
    if (user.userType === "Guest")
      return {
        state: "partial",
        observed: `guest (B2B) account: Entra does not revoke the sessions of external users, who sign in through their home tenant (signInSessionsValidFromDateTime ${validFrom ?? "absent"}); revoke them in the home tenant, or disable the guest here`,
      };
    // The call's time comes from the recorded output, so a verification in another process (a resumed run) works.
    const since = output ? Date.parse(output.revokedAfter) : Number.NaN;
    if (Number.isNaN(since))
      return { state: "pending", observed: "no recorded revokeSignInSessions call to compare with" };
    const observed = `signInSessionsValidFromDateTime ${validFrom ?? "absent"}`;
    return validFrom !== null && Date.parse(validFrom) >= since
      ? {
          state: "verified",
          observed: `${observed}: refresh tokens and sessions issued before it are invalid (Entra notes a delay of a few minutes)`,
        }
      : {
          state: "pending",
          observed: `${observed}, not yet after the call (${new Date(since).toISOString()})`,
        };
  },
});
