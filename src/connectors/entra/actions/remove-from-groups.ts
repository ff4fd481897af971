import { defineAction } from "../../../core/action.ts";
import { isKind } from "../../../core/errors.ts";
import type { EntraClient } from "../client.ts";
import { describeKept, type KeptGroup, keptReason } from "../groups.ts";
import { GRAPH_DOCS, NoInput } from "../shared.ts";

/** The groups removed (restored exactly by entra.restore_groups) and those Graph does not let cordon change. */
export interface GroupsSnapshot {
  groupIds: string[];
  kept: KeptGroup[];
}

export interface RemoveOutput {
  removed: number;
  /** Already gone when cordon got there. */
  absent: number;
  /** Graph refused: id and Graph's reason. */
  refused: Array<{ id: string; reason: string }>;
  kept: KeptGroup[];
}

/**
 * Removes the user from every group whose membership Graph lets cordon change: `GET /users/{id}/memberOf/
 * microsoft.graph.group` (all pages) for the snapshot, then `DELETE /groups/{id}/members/{userId}/$ref` (204) per
 * group. Group membership carries app assignments, Conditional Access inclusions and group-based licences: removing
 * it cuts access that sessions cannot, and can also remove licences. Undone exactly by entra.restore_groups with
 * the snapshot's group ids; groups kept (dynamic, synced, Exchange-managed, role-assignable) are reported, and
 * verification says `partial` while the user is still in any of them.
 */
export const removeFromGroups = defineAction<EntraClient, NoInput, GroupsSnapshot, RemoveOutput>({
  id: "entra.remove_from_groups",
  title: "Remove from all groups (assigned cloud groups)",
  docUrl: GRAPH_DOCS.removeMember,
  kind: "contain",
  inverse: "entra.restore_groups",
  idempotent: true,
  affects: ["login"],
  scopes: ["GroupMember.ReadWrite.All"],
  risk: "high",
  input: NoInput,
  async snapshot({ client, account, signal }) {
    await client.requireUser(account.id, "id", signal);
    const groupIds: string[] = [];
    const kept: KeptGroup[] = [];
    for (const group of await client.groupsOf(account.id, signal)) {
      const reason = keptReason(group);
      if (reason) kept.push({ id: group.id, displayName: group.displayName ?? group.id, reason });
      else groupIds.push(group.id);
    }
    return { groupIds, kept };
  },
  async execute({ client, account, signal }, _input, snapshot) {
    const output: RemoveOutput = { removed: 0, absent: 0, refused: [], kept: snapshot?.kept ?? [] };
    for (const groupId of snapshot?.groupIds ?? []) {
      try {
        await client.call(
          {
            method: "DELETE",
            path: ["/groups/", { id: groupId }, "/members/", { id: account.id }, "/$ref"],
            bucket: "identityWrite",
            idempotent: true,
            operation: "/groups/{id}/members/{id}/$ref",
            permission: "GroupMember.ReadWrite.All",
          },
          signal,
        );
        output.removed += 1;
      } catch (error) {
        if (isKind(error, "not_found")) output.absent += 1;
        else if (isKind(error, "vendor")) output.refused.push({ id: groupId, reason: error.message });
        else throw error;
      }
    }
    const changed = output.removed > 0 || output.refused.length > 0;
    return { outcome: changed ? "applied" : "already_in_state", output };
  },
  restoreInput: (snapshot) => ({ groupIds: [...snapshot.groupIds] }),
  async verify({ client, account, signal }) {
    const groups = await client.groupsOf(account.id, signal);
    const removable = groups.filter((g) => keptReason(g) === null);
    if (removable.length > 0)
      return { state: "pending", observed: `still a member of ${removable.length} group(s) cordon removes` };
    const kept = groups.map((g) => ({
      id: g.id,
      displayName: g.displayName ?? g.id,
      reason: keptReason(g) ?? "",
    }));
    if (kept.length > 0)
      return {
        state: "partial",
        observed: `removed from every group Graph lets cordon change; still a member of ${kept.length}: ${describeKept(kept)}`,
      };
    return { state: "verified", observed: "member of no group" };
  },
});
