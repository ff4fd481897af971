import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { isKind } from "../../../core/errors.ts";
import { APP_USERS_DOC, getAppUser } from "../app-users.ts";
import type { OktaClient } from "../client.ts";

const Input = z.object({ appId: z.string().min(1).max(64) }).strict();

/** What re-assigning needs: the app, the assignment's scope and app profile (null: not assigned); never credentials. */
export interface AppAssignmentSnapshot {
  appId: string;
  assignment: { scope: "USER" | "GROUP"; profile: Record<string, unknown> } | null;
}

/**
 * `DELETE /api/v1/apps/{appId}/users/{userId}?sendEmail=false` (spec `unassignUserFromApplication`, 204): the
 * user may no longer use this one app. The spec warns the app profile cannot be recovered, so the snapshot keeps
 * `scope` and `profile` for `okta.assign_app_user` to put back.
 */
export const unassignAppUser = defineAction<OktaClient, z.infer<typeof Input>, AppAssignmentSnapshot>({
  id: "okta.unassign_app_user",
  title: "Unassign user from an app",
  docUrl: `${APP_USERS_DOC}#tag/ApplicationUsers/operation/unassignUserFromApplication`,
  kind: "contain",
  inverse: "okta.assign_app_user",
  idempotent: true,
  affects: ["login"],
  scopes: ["okta.apps.manage"],
  risk: "medium",
  input: Input,
  async snapshot({ client, account, signal }, input) {
    const current = await getAppUser(client, input.appId, account.id, signal);
    return {
      appId: input.appId,
      assignment: current
        ? { scope: current.scope ?? "USER", profile: { ...(current.profile ?? {}) } }
        : null,
    };
  },
  async execute({ client, account, signal }, input, snapshot) {
    if (snapshot && !snapshot.assignment) return { outcome: "already_in_state", output: undefined };
    try {
      await client.call(
        {
          method: "DELETE",
          path: ["/api/v1/apps/", { id: input.appId }, "/users/", { id: account.id }],
          query: { sendEmail: false },
          bucket: "other",
          idempotent: true,
          operation: "/api/v1/apps/{appId}/users/{userId}",
        },
        signal,
      );
    } catch (error) {
      // A retried DELETE whose first attempt landed answers 404: the user is unassigned, which is the goal.
      if (!isKind(error, "not_found")) throw error;
    }
    return { outcome: "applied", output: undefined };
  },
  restoreInput: (snapshot) => ({
    appId: snapshot.appId,
    ...(snapshot.assignment
      ? { scope: snapshot.assignment.scope, profile: snapshot.assignment.profile }
      : {}),
  }),
  async verify({ client, account, signal }, input) {
    return (await getAppUser(client, input.appId, account.id, signal))
      ? { state: "pending", observed: `still assigned to app ${input.appId}` }
      : { state: "verified", observed: `not assigned to app ${input.appId} (404)` };
  },
});
