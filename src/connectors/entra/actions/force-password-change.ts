import { defineAction } from "../../../core/action.ts";
import type { EntraClient } from "../client.ts";
import { GRAPH_DOCS, NoInput } from "../shared.ts";

const SELECT = "id,passwordProfile";

/**
 * `PATCH /users/{id}` `{"passwordProfile":{"forceChangePasswordNextSignIn":true}}` (204; user-update):
 * the user must choose a new password at the next sign-in. User-PasswordProfile.ReadWrite.All is the least
 * privileged permission for the property, and the app also needs an Entra role able to manage the user's
 * password (User Administrator for non-admins; Privileged Authentication Administrator for admins).
 *
 * Caution: it does not change the current password, so whoever knows it — the attacker included — can sign in
 * once and pick the new one. Pair it with disable_account and revoke_sessions, or reset the password out of band.
 * Irreversible (no inverse): once the user has chosen a new password there is nothing to put back.
 */
export const forcePasswordChange = defineAction<EntraClient, NoInput>({
  id: "entra.force_password_change",
  title: "Force a password change at next sign-in",
  docUrl: GRAPH_DOCS.updateUser,
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["password"],
  scopes: ["User-PasswordProfile.ReadWrite.All", "User.Read.All"],
  risk: "high",
  input: NoInput,
  async execute({ client, account, signal }) {
    const user = await client.requireUser(account.id, SELECT, signal);
    if (user.passwordProfile?.forceChangePasswordNextSignIn === true)
      return { outcome: "already_in_state", output: undefined };
    await client.call(
      {
        method: "PATCH",
        path: ["/users/", { id: account.id }],
        json: { passwordProfile: { forceChangePasswordNextSignIn: true } },
        bucket: "identityWrite",
        idempotent: true,
        operation: "/users/{id} passwordProfile",
        permission: "User-PasswordProfile.ReadWrite.All",
        sensitive: true,
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const user = await client.requireUser(account.id, SELECT, signal);
    const forced = user.passwordProfile?.forceChangePasswordNextSignIn;
    const observed = `forceChangePasswordNextSignIn ${forced ?? "absent"}`;
    return forced === true ? { state: "verified", observed } : { state: "pending", observed };
  },
});
