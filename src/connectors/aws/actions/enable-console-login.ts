import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { CordonError } from "../../../core/errors.ts";
import type { AwsIamClient } from "../client.ts";
import { DENY_ALL_POLICY, isCordonDenyAll, sameDocument } from "../policies.ts";
import { API } from "./common.ts";

const Input = z
  .object({
    /** The reset flag to put back; null: the user had no console password, leave the flag alone. */
    passwordResetRequired: z.boolean().nullable(),
    /** What `cordon-deny-all` was before containment; null: cordon added it, so undo removes it. */
    previousDenyAllDocument: z.string().min(1).max(131_072).nullable(),
  })
  .strict();
type Input = z.infer<typeof Input>;

/**
 * Undo of `aws.disable_console_login`: `UpdateLoginProfile` puts `PasswordResetRequired` back to what it was,
 * then `cordon-deny-all` is removed (`DeleteUserPolicy`, only when cordon added it and it is still cordon's
 * document) or its earlier document restored. The password was never changed, so the user signs in as before.
 * If someone set a new password meanwhile, it stays; only the reset flag is put back.
 */
export const enableConsoleLogin = defineAction<
  AwsIamClient,
  Input,
  undefined,
  { denyPolicyRemoved: boolean; passwordResetRequiredRestored: boolean; loginProfileMissing: boolean }
>({
  id: "aws.enable_console_login",
  title: "Allow console sign-in again (as before containment)",
  docUrl: `${API}/API_DeleteUserPolicy.html`,
  kind: "uncontain",
  inverse: "aws.disable_console_login",
  idempotent: true,
  affects: ["login"],
  scopes: [
    "iam:GetLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:GetUserPolicy",
    "iam:PutUserPolicy",
    "iam:DeleteUserPolicy",
  ],
  risk: "low",
  input: Input,
  async execute({ client, account, signal }, input) {
    const current = await client.getUserPolicy(account.id, DENY_ALL_POLICY, signal);
    const previous = input.previousDenyAllDocument;
    if (previous === null && current !== null && !isCordonDenyAll(current))
      throw new CordonError(
        { kind: "conflict", vendor: "aws" },
        `aws: inline policy ${DENY_ALL_POLICY} of ${account.id} is no longer the document cordon wrote; leaving it as it is`,
      );
    let passwordResetRequiredRestored = false;
    let loginProfileMissing = false;
    if (input.passwordResetRequired !== null) {
      const profile = await client.getLoginProfile(account.id, signal);
      if (profile === null) loginProfileMissing = true;
      else if ((profile.PasswordResetRequired === true) !== input.passwordResetRequired) {
        await client.setPasswordResetRequired(account.id, input.passwordResetRequired, signal);
        passwordResetRequiredRestored = true;
      }
    }
    let denyPolicyRemoved = false;
    if (previous === null && current !== null) {
      await client.deleteUserPolicy(account.id, DENY_ALL_POLICY, signal);
      denyPolicyRemoved = true;
    } else if (previous !== null && (current === null || !sameDocument(current, previous))) {
      await client.putUserPolicy(account.id, DENY_ALL_POLICY, previous, signal);
      denyPolicyRemoved = true;
    }
    const changed = passwordResetRequiredRestored || denyPolicyRemoved;
    return {
      outcome: changed ? "applied" : "already_in_state",
      output: { denyPolicyRemoved, passwordResetRequiredRestored, loginProfileMissing },
    };
  },
  async verify({ client, account, signal }, input) {
    const current = await client.getUserPolicy(account.id, DENY_ALL_POLICY, signal);
    const policyBack =
      input.previousDenyAllDocument === null
        ? current === null
        : current !== null && sameDocument(current, input.previousDenyAllDocument);
    const profile =
      input.passwordResetRequired === null ? null : await client.getLoginProfile(account.id, signal);
    const flagBack =
      input.passwordResetRequired === null ||
      (profile !== null && (profile.PasswordResetRequired === true) === input.passwordResetRequired);
    const observed =
      `inline policy ${DENY_ALL_POLICY} ${policyBack ? "as before containment" : "not yet as before"}; ` +
      (input.passwordResetRequired === null
        ? "no console password to restore"
        : profile === null
          ? "the console password no longer exists"
          : `password reset ${profile.PasswordResetRequired ? "required" : "not required"}`);
    if (policyBack && input.passwordResetRequired !== null && profile === null)
      return { state: "partial", observed };
    return policyBack && flagBack ? { state: "verified", observed } : { state: "pending", observed };
  },
});
