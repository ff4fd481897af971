import { defineAction } from "../../../core/action.ts";
import type { OktaClient } from "../client.ts";
import { NoInput, requireUser } from "../lifecycle.ts";

/** `POST /api/v1/users/{id}/lifecycle/expire_password` (200 User): the user must change the password at next sign-in. */
export const expirePassword = defineAction<OktaClient, NoInput>({
  id: "okta.expire_password",
  title: "Expire password (change at next sign-in)",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserCred/#tag/UserCred/operation/expirePassword",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["password"],
  scopes: ["okta.users.manage"],
  risk: "medium",
  input: NoInput,
  async execute({ client, account, signal }) {
    await client.call(
      {
        method: "POST",
        path: ["/api/v1/users/", { id: account.id }, "/lifecycle/expire_password"],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/users/{id}/lifecycle/expire_password",
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const user = await requireUser(client, account.id, signal);
    const observed = `status ${user.status}`;
    return user.status === "PASSWORD_EXPIRED"
      ? { state: "verified", observed }
      : { state: "pending", observed };
  },
});
