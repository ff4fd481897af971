import type { Hono } from "hono";
import { isMember, isOwner, jsonBody, orgOf, requireScopes, SCOPES } from "../access.ts";
import { apiBase, type GithubEnv } from "../env.ts";
import { GithubErrors } from "../errors.ts";
import { pageOf } from "../pagination.ts";
import { renderTeam, renderTeamMembership } from "../render.ts";

const REST = "https://docs.github.com/rest";
const DOCS = {
  list: `${REST}/teams/teams#list-teams`,
  get: `${REST}/teams/teams#get-a-team-by-name`,
  getMembership: `${REST}/teams/members#get-team-membership-for-a-user`,
  setMembership: `${REST}/teams/members#add-or-update-team-membership-for-a-user`,
  removeMembership: `${REST}/teams/members#remove-team-membership-for-a-user`,
};

/** Teams and team memberships by slug (docs.github.com/rest/teams). */
export function mountTeamRoutes(app: Hono<GithubEnv>): void {
  app.get("/orgs/:org/teams", (c) => {
    const org = orgOf(c, DOCS.list);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.list);
    if (refused) return refused;
    const teams = isMember(c, org) ? [...org.teams.values()].sort((a, b) => a.id - b.id) : [];
    return c.json(pageOf(c, teams).map((t) => renderTeam(c.var.state, org, t, apiBase(c))));
  });

  app.get("/orgs/:org/teams/:team_slug", (c) => {
    const org = orgOf(c, DOCS.get);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.get);
    if (refused) return refused;
    const team = c.var.state.team(org, c.req.param("team_slug"));
    if (!team || !isMember(c, org)) return GithubErrors.notFound(c, DOCS.get);
    return c.json(renderTeam(c.var.state, org, team, apiBase(c)));
  });

  /** 404 "if user has no team membership"; members of child teams count, and owners read `maintainer`. */
  app.get("/orgs/:org/teams/:team_slug/memberships/:username", (c) => {
    const org = orgOf(c, DOCS.getMembership);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.getMembership);
    if (refused) return refused;
    const state = c.var.state;
    const team = state.team(org, c.req.param("team_slug"));
    const login = c.req.param("username");
    const membership = team && isMember(c, org) ? state.teamMembership(org, team, login) : undefined;
    if (!team || !membership) return GithubErrors.notFound(c, DOCS.getMembership);
    const user = state.user(login);
    return c.json(renderTeamMembership(org, team, user?.login ?? login, membership, apiBase(c)));
  });

  /** Body `{"role": "member" | "maintainer"}` (default `member`); non-members get a pending membership and an invitation. */
  app.put("/orgs/:org/teams/:team_slug/memberships/:username", async (c) => {
    const org = orgOf(c, DOCS.setMembership);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.manageTeams, DOCS.setMembership);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.setMembership);
    const body = await jsonBody(c);
    if (body === null) return GithubErrors.problemsParsingJson(c, DOCS.setMembership);
    const role = body.role ?? "member";
    if (role !== "member" && role !== "maintainer")
      return GithubErrors.validation(c, "TeamMember", "role", DOCS.setMembership);
    const state = c.var.state;
    const team = state.team(org, c.req.param("team_slug"));
    const user = state.user(c.req.param("username"));
    if (!team || !user) return GithubErrors.notFound(c, DOCS.setMembership);
    const membership = state.setTeamMembership(org, team, user.login, role, c.var.actor.login);
    return c.json(renderTeamMembership(org, team, user.login, membership, apiBase(c)));
  });

  app.delete("/orgs/:org/teams/:team_slug/memberships/:username", (c) => {
    const org = orgOf(c, DOCS.removeMembership);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.manageTeams, DOCS.removeMembership);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.removeMembership);
    const team = c.var.state.team(org, c.req.param("team_slug"));
    if (!team?.members.delete(c.req.param("username").toLowerCase()))
      return GithubErrors.notFound(c, DOCS.removeMembership);
    return c.body(null, 204);
  });
}
