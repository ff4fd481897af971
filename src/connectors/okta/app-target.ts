import type { Connector } from "../../core/connector.ts";
import type { TargetAccount } from "../../core/reconcile.ts";
import { listAppUsers } from "./app-users.ts";
import type { OktaClient } from "./client.ts";

/**
 * One Okta app's assignments as a reconciliation target ("who may use this app"): the Okta connector with
 * `listAccounts` = the app's assigned users (all pages, email from `_embedded.user` via `expand=user`, or a user
 * read when a server leaves it out) and `lifecycle` = unassign / assign with `{ appId }`. Admins (any role) and
 * assignments through a group (scope GROUP: removing them means changing the group) are protected.
 * It keeps the org's connection name, so containment holds on the org protect its people here too; reconcile keeps
 * its history per (connection, app), so two apps of one org never mix their unassignments.
 */
export function oktaAppTarget(okta: Connector, appId: string): Connector {
  const client = okta.client as OktaClient;
  return {
    ...okta,
    // The org's own connection name: containment holds and rate state are the org's; reconcile history is kept
    // per (connection, app).
    lookupScopes: ["okta.apps.read", "okta.users.read", "okta.roles.read"],
    listPeople: undefined,
    appTarget: undefined,
    async listAccounts(signal?: AbortSignal): Promise<TargetAccount[]> {
      const [appUsers, admins] = await Promise.all([
        (async () => {
          const out = [];
          for await (const appUser of listAppUsers(client, appId, signal)) out.push(appUser);
          return out;
        })(),
        client.usersWithRoleAssignments(signal),
      ]);
      const accounts: TargetAccount[] = [];
      for (const appUser of appUsers) {
        const user = appUser._embedded?.user ?? (await client.getUser(appUser.id, signal));
        const protectedReasons: string[] = [];
        if (admins.has(appUser.id)) protectedReasons.push("admin");
        if (appUser.scope === "GROUP") protectedReasons.push("group_assignment");
        const name = [user?.profile.firstName, user?.profile.lastName].filter(Boolean).join(" ");
        accounts.push({
          id: appUser.id,
          email: user?.profile.email ?? "",
          active: true,
          protectedReasons,
          ...(name ? { displayName: name } : {}),
        });
      }
      return accounts;
    },
    lifecycle: {
      deactivate: { actionId: "okta.unassign_app_user", input: { appId } },
      reactivate: { actionId: "okta.assign_app_user", input: { appId } },
    },
  };
}
