import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { GoogleClient } from "../client.ts";
import { GOOGLE_SCOPES } from "../errors.ts";
import { USERS_UPDATE_DOC } from "../suspension.ts";
import type { ChangeAtNextLoginSnapshot } from "./force-password-change.ts";

const Input = z
  .object({
    /**
     * The value to restore: what google.force_password_change found before it acted (its `restoreInput`).
     * Default false, which is what undo passes whenever the forward action changed anything.
     */
    changeAtNextLogin: z.boolean().default(false),
  })
  .strict();

/**
 * The inverse of google.force_password_change: sets `changePasswordAtNextLogin` back to its prior value with
 * `users.update`. Exact: a user who already had to change their password keeps having to.
 */
export const clearPasswordChange = defineAction<
  GoogleClient,
  z.infer<typeof Input>,
  ChangeAtNextLoginSnapshot
>({
  id: "google.clear_password_change",
  title: "Restore the password-change-at-next-sign-in setting",
  docUrl: USERS_UPDATE_DOC,
  kind: "uncontain",
  inverse: "google.force_password_change",
  idempotent: true,
  affects: ["password"],
  scopes: [GOOGLE_SCOPES.user],
  risk: "low",
  input: Input,
  snapshot: async ({ client, account, signal }) => ({
    changeAtNextLogin: (await client.requireUser(account.id, signal)).changePasswordAtNextLogin === true,
  }),
  async execute({ client, account, signal }, input, snapshot) {
    if (snapshot && snapshot.changeAtNextLogin === input.changeAtNextLogin)
      return { outcome: "already_in_state", output: undefined };
    await client.updateUser(account.id, { changePasswordAtNextLogin: input.changeAtNextLogin }, signal);
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }, input) {
    const value = (await client.requireUser(account.id, signal)).changePasswordAtNextLogin === true;
    const observed = `changePasswordAtNextLogin ${value}`;
    return value === input.changeAtNextLogin
      ? { state: "verified", observed }
      : { state: "pending", observed };
  },
});
