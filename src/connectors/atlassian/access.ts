import { z } from "zod";
import { type ActionDefinition, defineAction, type RiskTier } from "../../core/action.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { AtlassianClient } from "./client.ts";

export const NoInput = z.object({}).strict();
export type NoInput = z.infer<typeof NoInput>;

/** The directory membership before the change, for exact undo and for the ledger. */
export interface AccessSnapshot {
  membershipStatus: string;
  status: string;
}

export const DIRECTORY_DOC =
  "https://developer.atlassian.com/cloud/admin/organization/rest/api-group-directory/";

/** Suspend or restore a user's access across the org's directories, declared as data. */
export interface AccessSpec {
  id: string;
  title: string;
  change: "suspend-access" | "restore-access";
  kind: "contain" | "uncontain";
  inverse: string;
  /** The `membershipStatus` the action leaves behind (and in which it has nothing to do). */
  target: "suspended" | "active";
  risk: RiskTier;
  docAnchor: string;
}

/**
 * The user's `membershipStatus` is the read that shows the effect: "suspended – the account is suspended in all
 * directories within the organization, to which the requestor has permission to access" (`MembershipStatus`).
 * An account with `no_membership` is in none of the directories: there is no access to suspend or restore, and
 * cordon says so rather than calling it done.
 */
export function accessAction(
  spec: AccessSpec,
): ActionDefinition<AtlassianClient, NoInput, AccessSnapshot, undefined> {
  return defineAction<AtlassianClient, NoInput, AccessSnapshot>({
    id: spec.id,
    title: spec.title,
    docUrl: `${DIRECTORY_DOC}#${spec.docAnchor}`,
    kind: spec.kind,
    inverse: spec.inverse,
    idempotent: true,
    affects: ["login"],
    scopes: ["organization admin API key (Organizations REST API)"],
    risk: spec.risk,
    input: NoInput,
    async snapshot({ client, account, signal }) {
      const user = await client.requireUser(account.id, signal);
      return { membershipStatus: user.membershipStatus ?? "unknown", status: user.status ?? "unknown" };
    },
    async execute({ client, account, signal }, _input, snapshot) {
      if (snapshot?.membershipStatus === spec.target)
        return { outcome: "already_in_state", output: undefined };
      if (snapshot?.membershipStatus === "no_membership") {
        throw new CordonError(
          { kind: "conflict", vendor: "atlassian" },
          `atlassian: ${account.email || account.id} is in none of the organization's directories (status ${snapshot.status}); there is no access to ${spec.change === "suspend-access" ? "suspend" : "restore"}`,
        );
      }
      try {
        await client.changeAccess(account.id, spec.change, signal);
      } catch (error) {
        // A refusal after an earlier attempt landed (or a racing admin): read what is true before failing.
        if (!isKind(error, "conflict") && !isKind(error, "vendor")) throw error;
        const now = await client.requireUser(account.id, signal);
        if (now.membershipStatus !== spec.target) throw error;
      }
      return { outcome: "applied", output: undefined };
    },
    async verify({ client, account, signal }) {
      const user = await client.requireUser(account.id, signal);
      const observed = `membershipStatus ${user.membershipStatus ?? "unknown"} (status ${user.status ?? "unknown"})`;
      return user.membershipStatus === spec.target
        ? { state: "verified", observed }
        : { state: "pending", observed };
    },
  });
}
