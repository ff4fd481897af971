import { z } from "zod";
import { type ActionDefinition, defineAction } from "../../core/action.ts";
import { CordonError } from "../../core/errors.ts";
import type { SlackClient } from "./client.ts";

const NoInput = z.object({}).strict();

/**
 * Sets SCIM `active` with an RFC 7644 PatchOp (`PATCH /scim/v2/Users/{id}`), the documented way to deactivate and
 * reactivate a Slack user org-wide (docs.slack.dev/admins/scim-api). The seed library called `admin.users.remove`,
 * which only removes the user from one workspace (seeds.md §1.2).
 */
export function scimActiveAction(spec: {
  id: string;
  title: string;
  active: boolean;
  inverse: string;
  kind: "contain" | "uncontain";
}): ActionDefinition<SlackClient, z.infer<typeof NoInput>, { active: boolean }, undefined> {
  return defineAction<SlackClient, z.infer<typeof NoInput>, { active: boolean }>({
    id: spec.id,
    title: spec.title,
    docUrl: "https://docs.slack.dev/admins/scim-api#patch-users-id",
    kind: spec.kind,
    inverse: spec.inverse,
    idempotent: true,
    affects: ["login", "web_sessions", "mobile_sessions"],
    scopes: ["admin"],
    risk: spec.active ? "low" : "medium",
    input: NoInput,
    async snapshot({ client, account, signal }) {
      const user = await client.getScimUser(account.id, signal);
      if (!user)
        throw new CordonError(
          { kind: "not_found", vendor: "slack", what: "user" },
          `slack: SCIM user ${account.id} not found`,
        );
      return { active: user.active };
    },
    async execute({ client, account, signal }, _input, snapshot) {
      if (snapshot && snapshot.active === spec.active)
        return { outcome: "already_in_state", output: undefined };
      await client.scim(
        {
          method: "PATCH",
          path: ["/Users/", { id: account.id }],
          json: {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", path: "active", value: spec.active }],
          },
          bucket: "writeUser",
          idempotent: true,
          operation: "/Users/{id}",
        },
        signal,
      );
      return { outcome: "applied", output: undefined };
    },
    async verify({ client, account, signal }) {
      const user = await client.getScimUser(account.id, signal);
      const observed = user ? `active ${user.active}` : "user not found";
      return user?.active === spec.active ? { state: "verified", observed } : { state: "pending", observed };
    },
  });
}
