import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { isKind } from "../../../core/errors.ts";
import type { EntraClient } from "../client.ts";
import { GRAPH_DOCS } from "../shared.ts";

const Input = z
  .object({
    /** The group ids entra.remove_from_groups removed (its snapshot). */
    groupIds: z.array(z.string().min(1).max(64)).max(5000),
  })
  .strict();

export interface RestoreOutput {
  added: number;
  alreadyMember: number;
  /** Groups that no longer exist: they cannot be restored. */
  missing: string[];
}

/**
 * Puts the user back in exactly the given groups: `POST /groups/{id}/members/$ref` with
 * `{"@odata.id":"<graph>/v1.0/directoryObjects/{userId}"}` (204). Graph answers 400 "One or more added object
 * references already exist" for a member who already is one: counted as already in state.
 */
export const restoreGroups = defineAction<EntraClient, z.infer<typeof Input>, undefined, RestoreOutput>({
  id: "entra.restore_groups",
  title: "Restore group memberships",
  docUrl: GRAPH_DOCS.addMember,
  kind: "uncontain",
  inverse: "entra.remove_from_groups",
  idempotent: true,
  affects: ["login"],
  scopes: ["GroupMember.ReadWrite.All"],
  risk: "low",
  input: Input,
  async execute({ client, account, signal }, input) {
    const output: RestoreOutput = { added: 0, alreadyMember: 0, missing: [] };
    for (const groupId of input.groupIds) {
      try {
        await client.call(
          {
            method: "POST",
            path: ["/groups/", { id: groupId }, "/members/$ref"],
            json: {
              "@odata.id": `${client.graphUrl}/v1.0/directoryObjects/${encodeURIComponent(account.id)}`,
            },
            bucket: "identityWrite",
            idempotent: true,
            operation: "/groups/{id}/members/$ref",
            permission: "GroupMember.ReadWrite.All",
          },
          signal,
        );
        output.added += 1;
      } catch (error) {
        if (isKind(error, "already_in_state")) output.alreadyMember += 1;
        else if (isKind(error, "not_found")) output.missing.push(groupId);
        else throw error;
      }
    }
    // Missing groups leave the restore incomplete: report "applied" so verification says what is missing.
    const changed = output.added > 0 || output.missing.length > 0;
    return { outcome: changed ? "applied" : "already_in_state", output };
  },
  async verify({ client, account, signal }, input) {
    const member = new Set((await client.groupsOf(account.id, signal)).map((g) => g.id));
    const missing = input.groupIds.filter((id) => !member.has(id));
    return missing.length === 0
      ? { state: "verified", observed: `member of all ${input.groupIds.length} restored group(s)` }
      : {
          state: "pending",
          observed: `not (yet) a member of ${missing.length}: ${missing.slice(0, 10).join(", ")}`,
        };
  },
});
