import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { OktaClient } from "../client.ts";
import { requireUser } from "../lifecycle.ts";

const Input = z
  .object({
    /** Okta requires this parameter. Explicit on purpose: mailing a reset link to a compromised mailbox helps the attacker. */
    sendEmail: z.boolean(),
    revokeSessions: z.boolean().default(true),
  })
  .strict();

/**
 * `POST /api/v1/users/{id}/lifecycle/reset_password?sendEmail=…` puts the user in RECOVERY. With sendEmail=false
 * Okta returns a one-time `resetPasswordUrl`: a secret, so cordon neither records nor prints it; an admin
 * hands the user a new link from the Okta console. Cannot be undone (the old password is gone).
 */
export const resetPassword = defineAction<
  OktaClient,
  z.infer<typeof Input>,
  undefined,
  { emailSent: boolean }
>({
  id: "okta.reset_password",
  title: "Reset password",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserCred/#tag/UserCred/operation/resetPassword",
  kind: "contain",
  inverse: null,
  idempotent: false,
  affects: ["password"],
  scopes: ["okta.users.manage"],
  risk: "high",
  input: Input,
  async execute({ client, account, signal }, input) {
    await client.call(
      {
        method: "POST",
        path: ["/api/v1/users/", { id: account.id }, "/lifecycle/reset_password"],
        query: { sendEmail: input.sendEmail, revokeSessions: input.revokeSessions },
        bucket: "other",
        idempotent: false,
        operation: "/api/v1/users/{id}/lifecycle/reset_password",
      },
      signal,
    );
    return { outcome: "applied", output: { emailSent: input.sendEmail } };
  },
  async verify({ client, account, signal }) {
    const user = await requireUser(client, account.id, signal);
    const observed = `status ${user.status}`;
    return user.status === "RECOVERY" ? { state: "verified", observed } : { state: "pending", observed };
  },
});
