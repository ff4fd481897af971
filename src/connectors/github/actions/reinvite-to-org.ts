import { z } from "zod";
import { defineAction, type VerifyResult } from "../../../core/action.ts";
import { type GithubClient, loginOf, type OrgMembership } from "../client.ts";

const Input = z
  .object({
    /** The org role to restore, sent in the JSON body (`admin` = owner). */
    role: z.enum(["admin", "member"]).default("member"),
    /** Team memberships to restore, each with its team role. */
    teams: z
      .array(z.object({ slug: z.string().min(1), role: z.enum(["member", "maintainer"]) }).strict())
      .default([]),
  })
  .strict();
type Input = z.infer<typeof Input>;

interface TeamOutcome {
  slug: string;
  role: "member" | "maintainer";
  state: "active" | "pending";
}

/** An org owner reads `maintainer` in every team ("The `role` for organization owners is set to `maintainer`"). */
function teamRoleMatches(wanted: "member" | "maintainer", seen: string, orgRole: string): boolean {
  return seen === wanted || orgRole === "admin";
}

/**
 * Undoes `github.remove_from_org`: `PUT /orgs/{org}/memberships/{username}` with `{"role": …}` in the JSON body
 * (the seed library sent it as a query parameter, which GitHub ignores), then
 * `PUT /orgs/{org}/teams/{team_slug}/memberships/{username}` with `{"role": …}` for each team. For someone who is
 * no longer a member GitHub creates a pending invitation ("The user's membership status will be `pending` until
 * they accept the invitation"), and team memberships stay pending with it: verification says so (`partial`), and
 * never reports the user as a member before they accept.
 */
export const reinviteToOrg = defineAction<
  GithubClient,
  Input,
  undefined,
  { state: string; teams: TeamOutcome[] }
>({
  id: "github.reinvite_to_org",
  title: "Re-invite to the organization with the previous role and teams",
  docUrl: "https://docs.github.com/rest/orgs/members#set-organization-membership-for-a-user",
  kind: "uncontain",
  inverse: "github.remove_from_org",
  idempotent: true,
  affects: ["login"],
  /** `write:org` covers the membership; team memberships need `admin:org` (or the far broader `repo`). */
  scopes: ["admin:org"],
  risk: "low",
  input: Input,
  async execute({ client, account, signal }, input) {
    const login = loginOf(account);
    let changed = false;
    let membership: OrgMembership | null = await client.getMembership(login, signal);
    if (!membership || membership.role !== input.role) {
      membership = await client.setMembership(login, input.role, signal);
      changed = true;
    }
    const teams: TeamOutcome[] = [];
    for (const team of input.teams) {
      let current = await client.getTeamMembership(team.slug, login, signal);
      if (!current || !teamRoleMatches(team.role, current.role, input.role)) {
        current = await client.setTeamMembership(team.slug, login, team.role, signal);
        changed = true;
      }
      teams.push({ slug: team.slug, role: current.role, state: current.state });
    }
    return { outcome: changed ? "applied" : "already_in_state", output: { state: membership.state, teams } };
  },
  async verify({ client, account, signal }, input): Promise<VerifyResult> {
    const login = loginOf(account);
    const membership = await client.getMembership(login, signal);
    if (!membership) return { state: "pending", observed: `no membership or invitation for ${login} yet` };
    if (membership.role !== input.role)
      return {
        state: "pending",
        observed: `${membership.state} with role ${membership.role}, not ${input.role}`,
      };
    const seen: string[] = [];
    let pendingTeams = 0;
    for (const team of input.teams) {
      const current = await client.getTeamMembership(team.slug, login, signal);
      if (!current) return { state: "pending", observed: `not yet in team ${team.slug}` };
      if (!teamRoleMatches(team.role, current.role, input.role))
        return { state: "pending", observed: `team ${team.slug}: role ${current.role}, not ${team.role}` };
      if (current.state === "pending") pendingTeams += 1;
      seen.push(`${team.slug} (${current.role}, ${current.state})`);
    }
    const teamText = seen.length > 0 ? `; teams ${seen.join(", ")}` : "; no teams";
    if (membership.state === "active" && pendingTeams === 0)
      return { state: "verified", observed: `active member, role ${membership.role}${teamText}` };
    return {
      state: "partial",
      observed: `pending invitation, role ${membership.role}${teamText}; ${login} regains access only after accepting the invitation`,
    };
  },
});
