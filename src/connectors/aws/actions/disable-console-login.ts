import { defineAction } from "../../../core/action.ts";
import type { AwsIamClient } from "../client.ts";
import { DENY_ALL_POLICY, denyAllDocument, isCordonDenyAll } from "../policies.ts";
import { API, NoInput } from "./common.ts";

export interface ConsoleSnapshot {
  /** Whether the user had a console password (login profile). */
  loginProfile: boolean;
  /** Its `PasswordResetRequired` before containment; null without a login profile. */
  passwordResetRequired: boolean | null;
  /** The inline policy `cordon-deny-all` as it was before, or null when the user had none. */
  previousDenyAllDocument: string | null;
}

async function readConsoleState(
  client: AwsIamClient,
  userName: string,
  signal: AbortSignal,
): Promise<ConsoleSnapshot> {
  const profile = await client.getLoginProfile(userName, signal);
  return {
    loginProfile: profile !== null,
    passwordResetRequired: profile === null ? null : profile.PasswordResetRequired === true,
    previousDenyAllDocument: await client.getUserPolicy(userName, DENY_ALL_POLICY, signal),
  };
}

/**
 * Blocks console sign-in without deleting anything. IAM has no "disable" for a console password: the only
 * switch is `DeleteLoginProfile`, which destroys the password for good (undo could only set a new one). So cordon
 * does the closest reversible thing:
 * 1. `PutUserPolicy` `cordon-deny-all`: an explicit deny of every action, whatever the credential, so a console
 *    session (new or old) can do nothing, and the explicit deny also covers `iam:ChangePassword`;
 * 2. `UpdateLoginProfile PasswordResetRequired=true`: the next console sign-in must change the password first,
 *    which needs `iam:ChangePassword` (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html),
 *    now explicitly denied, so the sign-in cannot complete, even with the right password.
 * The password itself is unchanged; undo removes the policy (only if cordon added it) and restores the flag.
 * A user without a console password is already unable to sign in to the console: `already_in_state`.
 */
export const disableConsoleLogin = defineAction<
  AwsIamClient,
  NoInput,
  ConsoleSnapshot,
  { denyPolicyAdded: boolean; passwordResetRequiredSet: boolean }
>({
  id: "aws.disable_console_login",
  title: "Block console sign-in (deny everything, require a password change)",
  docUrl: `${API}/API_UpdateLoginProfile.html`,
  kind: "contain",
  inverse: "aws.enable_console_login",
  idempotent: true,
  affects: ["login"],
  scopes: ["iam:GetLoginProfile", "iam:UpdateLoginProfile", "iam:GetUserPolicy", "iam:PutUserPolicy"],
  risk: "medium",
  input: NoInput,
  snapshot: ({ client, account, signal }) => readConsoleState(client, account.id, signal),
  async execute({ client, account, signal }, _input, snapshot) {
    const before = snapshot ?? (await readConsoleState(client, account.id, signal));
    const nothing = { denyPolicyAdded: false, passwordResetRequiredSet: false };
    if (!before.loginProfile) return { outcome: "already_in_state", output: nothing };
    const denyPresent =
      before.previousDenyAllDocument !== null && isCordonDenyAll(before.previousDenyAllDocument);
    if (!denyPresent) await client.putUserPolicy(account.id, DENY_ALL_POLICY, denyAllDocument(), signal);
    if (!before.passwordResetRequired) await client.setPasswordResetRequired(account.id, true, signal);
    const output = { denyPolicyAdded: !denyPresent, passwordResetRequiredSet: !before.passwordResetRequired };
    return {
      outcome: output.denyPolicyAdded || output.passwordResetRequiredSet ? "applied" : "already_in_state",
      output,
    };
  },
  restoreInput: (snapshot) => ({
    passwordResetRequired: snapshot.loginProfile ? snapshot.passwordResetRequired : null,
    previousDenyAllDocument: snapshot.previousDenyAllDocument,
  }),
  async verify({ client, account, signal }) {
    const profile = await client.getLoginProfile(account.id, signal);
    if (profile === null) return { state: "verified", observed: "the user has no console password" };
    const deny = await client.getUserPolicy(account.id, DENY_ALL_POLICY, signal);
    const denies = deny !== null && isCordonDenyAll(deny);
    const reset = profile.PasswordResetRequired === true;
    const observed =
      `console password ${reset ? "must be changed at next sign-in" : "is not marked for reset"}; ` +
      `inline policy ${DENY_ALL_POLICY} ${denies ? "denies every action, iam:ChangePassword included" : "is not in place"}`;
    return denies && reset ? { state: "verified", observed } : { state: "pending", observed };
  },
});
