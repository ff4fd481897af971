import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { type GithubClient, loginOf } from "../client.ts";
import { type TeamSnapshot, teamMembershipsOf, teamsToRestore } from "../teams.ts";

const NoInput = z.object({}).strict();

export interface MembershipSnapshot {
  /** `active` member, `pending` invitation, or `none` (not in the org: nothing to do). */
  state: "active" | "pending" | "none";
  role: "admin" | "member" | "billing_manager" | null;
  teams: TeamSnapshot[];
}

/**
 * Removes the user from the organization: "Removing a user from this list will remove them from all teams and
 * they will no longer have any access to the organization's repositories" (`DELETE /orgs/{org}/members/{username}`,
 * 204). A pending invitation is cancelled instead (`DELETE /orgs/{org}/memberships/{username}`), so the attacker
 * cannot accept it later. The role and every team membership (slug and team role) are snapshotted first, so
 * `github.reinvite_to_org` can restore them. GitHub also deletes the user's forks of the org's private
 * repositories; the re-invitation does not bring those back, and the user must accept it to regain access.
 */
export const removeFromOrg = defineAction<
  GithubClient,
  z.infer<typeof NoInput>,
  MembershipSnapshot,
  { removed: "member" | "invitation" | null }
>({
  id: "github.remove_from_org",
  title: "Remove from the organization (snapshot role and teams)",
  docUrl: "https://docs.github.com/rest/orgs/members#remove-an-organization-member",
  kind: "contain",
  inverse: "github.reinvite_to_org",
  idempotent: true,
  affects: ["login"],
  /** `write:org`: "Read and write access to organization membership" (listing teams needs only `read:org`). */
  scopes: ["write:org"],
  risk: "high",
  input: NoInput,
  async snapshot({ client, account, signal }) {
    const login = loginOf(account);
    const membership = await client.getMembership(login, signal);
    if (!membership) return { state: "none", role: null, teams: [] };
    return {
      state: membership.state,
      role: membership.role,
      teams: await teamMembershipsOf(client, login, signal),
    };
  },
  async execute({ client, account, signal }, _input, snapshot) {
    const login = loginOf(account);
    if (!snapshot || snapshot.state === "none")
      return { outcome: "already_in_state", output: { removed: null } };
    if (snapshot.state === "pending") {
      await client.removeMembership(login, signal);
      return { outcome: "applied", output: { removed: "invitation" } };
    }
    await client.removeMember(login, signal);
    return { outcome: "applied", output: { removed: "member" } };
  },
  restoreInput: (snapshot) => ({ role: snapshot.role, teams: teamsToRestore(snapshot.teams) }),
  async verify({ client, account, signal }) {
    const membership = await client.getMembership(loginOf(account), signal);
    if (!membership) return { state: "verified", observed: "no membership or invitation (404)" };
    return { state: "pending", observed: `membership still ${membership.state}, role ${membership.role}` };
  },
});
