import { defineAction } from "../../../core/action.ts";
import type { GoogleClient } from "../client.ts";
import { GOOGLE_SCOPES } from "../errors.ts";
import { NoInput, USERS_UPDATE_DOC } from "../suspension.ts";

/** The prior value, under a name the ledger's redaction keeps (a key containing "password" would be redacted). */
export interface ChangeAtNextLoginSnapshot {
  changeAtNextLogin: boolean;
}

/**
 * Sets `changePasswordAtNextLogin: true` with `users.update` (`PUT /admin/directory/v1/users/{userKey}`). The user
 * must choose a new password at the next sign-in. It does not lock out whoever knows the current password (they
 * choose the new one), and "doesn't apply when the user signs in via a third-party identity provider" (Discovery
 * `User.changePasswordAtNextLogin`): pair it with suspension or a reset. The prior value is snapshotted so
 * google.clear_password_change restores exactly what was there.
 */
export const forcePasswordChange = defineAction<GoogleClient, NoInput, ChangeAtNextLoginSnapshot>({
  id: "google.force_password_change",
  title: "Require a password change at next sign-in",
  docUrl: USERS_UPDATE_DOC,
  kind: "contain",
  inverse: "google.clear_password_change",
  idempotent: true,
  affects: ["password"],
  scopes: [GOOGLE_SCOPES.user],
  risk: "medium",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    changeAtNextLogin: (await client.requireUser(account.id, signal)).changePasswordAtNextLogin === true,
  }),
  restoreInput: (snapshot) => ({ changeAtNextLogin: snapshot.changeAtNextLogin }),
  async execute({ client, account, signal }, _input, snapshot) {
    if (snapshot?.changeAtNextLogin) return { outcome: "already_in_state", output: undefined };
    await client.updateUser(account.id, { changePasswordAtNextLogin: true }, signal);
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const value = (await client.requireUser(account.id, signal)).changePasswordAtNextLogin === true;
    const observed = `changePasswordAtNextLogin ${value}`;
    return value ? { state: "verified", observed } : { state: "pending", observed };
  },
});
