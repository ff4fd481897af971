import type { GithubClient } from "./client.ts";

/** One team membership as snapshotted before removal: the slug, the team role, and the team's parent. */
export interface TeamSnapshot {
  slug: string;
  role: "member" | "maintainer";
  state: "active" | "pending";
  parent: string | null;
}

/**
 * Every team the login shows up in: all of the org's teams (all pages), then one
 * `GET /orgs/{org}/teams/{team_slug}/memberships/{username}` each (404: not a member). One call per team: an org
 * with hundreds of teams makes this the slowest part of a removal.
 */
export async function teamMembershipsOf(
  client: GithubClient,
  login: string,
  signal?: AbortSignal,
): Promise<TeamSnapshot[]> {
  const found: TeamSnapshot[] = [];
  for (const team of await client.listTeams(signal)) {
    const membership = await client.getTeamMembership(team.slug, login, signal);
    if (membership)
      found.push({
        slug: team.slug,
        role: membership.role,
        state: membership.state,
        parent: team.parent?.slug ?? null,
      });
  }
  return found;
}

/**
 * The teams to re-add for an exact undo. GitHub reports members of child teams as members of the parent ("Team
 * members will include the members of child teams"), so a parent membership with role `member` next to a
 * membership of one of its descendants may be inherited only; re-adding the child restores it. Re-adding it
 * directly would grant a membership the user may never have had. (A direct `member` of both loses nothing: the
 * inherited membership gives the same access.) `maintainer` memberships are always direct and always restored.
 */
export function teamsToRestore(
  teams: readonly TeamSnapshot[],
): Array<{ slug: string; role: "member" | "maintainer" }> {
  const bySlug = new Map(teams.map((t) => [t.slug, t]));
  const ancestorsOf = (team: TeamSnapshot): Set<string> => {
    const seen = new Set<string>();
    let parent = team.parent;
    while (parent && !seen.has(parent)) {
      seen.add(parent);
      parent = bySlug.get(parent)?.parent ?? null;
    }
    return seen;
  };
  const inheritedOnly = new Set<string>();
  for (const team of teams) for (const ancestor of ancestorsOf(team)) inheritedOnly.add(ancestor);
  return teams
    .filter((t) => t.role === "maintainer" || !inheritedOnly.has(t.slug))
    .map(({ slug, role }) => ({ slug, role }));
}
