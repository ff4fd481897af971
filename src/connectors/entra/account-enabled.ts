import { type ActionDefinition, defineAction } from "../../core/action.ts";
import type { EntraClient } from "./client.ts";
import { GRAPH_DOCS, NoInput } from "./shared.ts";

export interface EnabledSnapshot {
  accountEnabled: boolean;
}

/**
 * Sets `accountEnabled` with `PATCH /users/{id}` (204; user-update). User.EnableDisableAccount.All is the least
 * privileged permission for this property (with User.Read.All for the reads); disabling an administrator also
 * needs the app to hold a privileged Entra role (user-update, "sensitive actions"). Disabling blocks new sign-ins;
 * it does not end existing sessions, which is why the `lock` profile revokes them next.
 */
export function accountEnabledAction(spec: {
  id: string;
  title: string;
  enabled: boolean;
  inverse: string;
  kind: "contain" | "uncontain";
}): ActionDefinition<EntraClient, NoInput, EnabledSnapshot, undefined> {
  return defineAction<EntraClient, NoInput, EnabledSnapshot>({
    id: spec.id,
    title: spec.title,
    docUrl: GRAPH_DOCS.updateUser,
    kind: spec.kind,
    inverse: spec.inverse,
    idempotent: true,
    affects: ["login"],
    scopes: ["User.EnableDisableAccount.All", "User.Read.All"],
    risk: spec.enabled ? "low" : "medium",
    input: NoInput,
    async snapshot({ client, account, signal }) {
      const user = await client.requireUser(account.id, "id,accountEnabled", signal);
      return { accountEnabled: user.accountEnabled === true };
    },
    async execute({ client, account, signal }, _input, snapshot) {
      if (snapshot && snapshot.accountEnabled === spec.enabled)
        return { outcome: "already_in_state", output: undefined };
      await client.call(
        {
          method: "PATCH",
          path: ["/users/", { id: account.id }],
          json: { accountEnabled: spec.enabled },
          bucket: "identityWrite",
          idempotent: true,
          operation: "/users/{id} accountEnabled",
          permission: "User.EnableDisableAccount.All",
          sensitive: true,
        },
        signal,
      );
      return { outcome: "applied", output: undefined };
    },
    async verify({ client, account, signal }) {
      const user = await client.requireUser(account.id, "id,accountEnabled", signal);
      const observed = `accountEnabled ${user.accountEnabled}`;
      return user.accountEnabled === spec.enabled
        ? { state: "verified", observed }
        : { state: "pending", observed };
    },
  });
}
