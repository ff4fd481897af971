import { z } from "zod";
import { type ActionDefinition, defineAction } from "../../core/action.ts";
import type { GoogleClient } from "./client.ts";
import { GOOGLE_SCOPES } from "./errors.ts";

export const NoInput = z.object({}).strict();
export type NoInput = z.infer<typeof NoInput>;

/** developers.google.com/workspace/admin/directory/reference/rest/v1/users/update (`directory.users.update`). */
export const USERS_UPDATE_DOC =
  "https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/update";

export interface SuspensionSnapshot {
  suspended: boolean;
}

/**
 * Sets `suspended` with `users.update` (`PUT /admin/directory/v1/users/{userKey}` `{"suspended": …}`; contracts
 * §3.6). A suspended user cannot sign in; the change is exactly reversible. Verified by reading the user back.
 */
export function suspensionAction(spec: {
  id: string;
  title: string;
  suspended: boolean;
  inverse: string;
  kind: "contain" | "uncontain";
}): ActionDefinition<GoogleClient, NoInput, SuspensionSnapshot, undefined> {
  return defineAction<GoogleClient, NoInput, SuspensionSnapshot>({
    id: spec.id,
    title: spec.title,
    docUrl: USERS_UPDATE_DOC,
    kind: spec.kind,
    inverse: spec.inverse,
    idempotent: true,
    affects: ["login"],
    scopes: [GOOGLE_SCOPES.user],
    risk: spec.suspended ? "medium" : "low",
    input: NoInput,
    snapshot: async ({ client, account, signal }) => ({
      suspended: (await client.requireUser(account.id, signal)).suspended === true,
    }),
    async execute({ client, account, signal }, _input, snapshot) {
      if (snapshot && snapshot.suspended === spec.suspended)
        return { outcome: "already_in_state", output: undefined };
      await client.updateUser(account.id, { suspended: spec.suspended }, signal);
      return { outcome: "applied", output: undefined };
    },
    async verify({ client, account, signal }) {
      const user = await client.requireUser(account.id, signal);
      const suspended = user.suspended === true;
      const observed = `suspended ${suspended}${user.suspensionReason ? ` (${user.suspensionReason})` : ""}`;
      return suspended === spec.suspended ? { state: "verified", observed } : { state: "pending", observed };
    },
  });
}
