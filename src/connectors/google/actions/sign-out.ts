import { defineAction } from "../../../core/action.ts";
import type { GoogleClient } from "../client.ts";
import { GOOGLE_SCOPES } from "../errors.ts";
import { NoInput } from "../suspension.ts";

/**
 * `POST /admin/directory/v1/users/{userKey}/signOut` (`directory.users.signOut`, 204): "Signs a user out of all
 * web and device sessions and reset their sign-in cookies. User will have to sign in by authenticating again."
 * It does not revoke OAuth grants or app passwords (google.revoke_oauth_tokens and google.delete_asps do).
 *
 * Verification says `not_observable`, honestly: the Directory API has no read of a user's sessions. signOut
 * returns no body, the `User` resource has no session field (`lastLoginTime` only tells the last sign-in), and
 * sign-outs appear only in the Admin audit log of the Reports API, minutes later and under another scope, which
 * this connector does not hold. The 204 is the only evidence, and cordon reports it as that.
 */
export const signOut = defineAction<GoogleClient, NoInput>({
  id: "google.sign_out",
  title: "Sign out of all web and device sessions",
  docUrl: "https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/signOut",
  kind: "contain",
  inverse: null,
  // Signing out twice ends nothing more: a retried 5xx cannot do harm.
  idempotent: true,
  affects: ["web_sessions", "mobile_sessions"],
  scopes: [GOOGLE_SCOPES.userSecurity],
  risk: "low",
  input: NoInput,
  async execute({ client, account, signal }) {
    await client.call(
      {
        method: "POST",
        path: ["/users/", { id: account.id }, "/signOut"],
        idempotent: true,
        operation: "/users/{userKey}/signOut",
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify() {
    return {
      state: "not_observable",
      why:
        "Google's Directory API has no read of a user's sessions: users.signOut answered 204, and no API " +
        "cordon holds can show the sessions ended (only the Admin audit log records sign-outs, later)",
    };
  },
});
