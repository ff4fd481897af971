import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { APP_USERS_DOC, getAppUser } from "../app-users.ts";
import type { OktaClient } from "../client.ts";

const Input = z
  .object({
    appId: z.string().min(1).max(64),
    scope: z.enum(["USER", "GROUP"]).optional(),
    profile: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/**
 * `POST /api/v1/apps/{appId}/users` (spec `assignUserToApplication`, body `AppUserAssignRequest` `{ id, scope,
 * profile }`, 200 AppUser): gives the user this app back, with the scope and app profile the unassignment
 * snapshotted. No credentials are sent (SSO assignment; the spec lets apps that need none omit them).
 */
export const assignAppUser = defineAction<OktaClient, z.infer<typeof Input>, { assigned: boolean }>({
  id: "okta.assign_app_user",
  title: "Assign user to an app",
  docUrl: `${APP_USERS_DOC}#tag/ApplicationUsers/operation/assignUserToApplication`,
  kind: "uncontain",
  inverse: "okta.unassign_app_user",
  idempotent: true,
  affects: ["login"],
  scopes: ["okta.apps.manage"],
  risk: "medium",
  input: Input,
  snapshot: async () => ({ assigned: false }),
  async execute({ client, account, signal }, input) {
    if (await getAppUser(client, input.appId, account.id, signal))
      return { outcome: "already_in_state", output: undefined };
    await client.call(
      {
        method: "POST",
        path: ["/api/v1/apps/", { id: input.appId }, "/users"],
        json: {
          id: account.id,
          scope: input.scope ?? "USER",
          ...(input.profile !== undefined ? { profile: input.profile } : {}),
        },
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/apps/{appId}/users",
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }, input) {
    const appUser = await getAppUser(client, input.appId, account.id, signal);
    return appUser
      ? { state: "verified", observed: `assigned to app ${input.appId} (scope ${appUser.scope ?? "?"})` }
      : { state: "pending", observed: `not assigned to app ${input.appId} (404)` };
  },
});
