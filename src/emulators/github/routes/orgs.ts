import type { Hono } from "hono";
import { isMember, isOwner, jsonBody, orgOf, requireScopes, SCOPES } from "../access.ts";
import { apiBase, type GithubEnv } from "../env.ts";
import { GithubErrors, githubError } from "../errors.ts";
import { pageOf } from "../pagination.ts";
import { renderInvitation, renderOrgFull, renderOrgMembership, renderSimpleUser } from "../render.ts";

const REST = "https://docs.github.com/rest";
const DOCS = {
  org: `${REST}/orgs/orgs#get-an-organization`,
  listMembers: `${REST}/orgs/members#list-organization-members`,
  removeMember: `${REST}/orgs/members#remove-an-organization-member`,
  getMembership: `${REST}/orgs/members#get-organization-membership-for-a-user`,
  setMembership: `${REST}/orgs/members#set-organization-membership-for-a-user`,
  removeMembership: `${REST}/orgs/members#remove-organization-membership-for-a-user`,
  invitations: `${REST}/orgs/members#list-pending-organization-invitations`,
};

/**
 * `GET /orgs/{org}`, organization members, memberships and pending invitations
 * (docs.github.com/rest/orgs/members). Owner-only operations answer 403 to members.
 */
export function mountOrgRoutes(app: Hono<GithubEnv>): void {
  app.get("/orgs/:org", (c) => {
    const org = orgOf(c, DOCS.org);
    if (org instanceof Response) return org;
    requireScopes(c, SCOPES.none, DOCS.org);
    return c.json(renderOrgFull(org, apiBase(c)));
  });

  /**
   * `role`: `all` (default), `admin` or `member`; `filter`: `all` or `2fa_disabled` (every emulated member has 2FA).
   * Anything else is 422. Concealed members are listed to members only; the emulator lists nobody to outsiders.
   */
  app.get("/orgs/:org/members", (c) => {
    const org = orgOf(c, DOCS.listMembers);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.listMembers);
    if (refused) return refused;
    const role = c.req.query("role") ?? "all";
    const filter = c.req.query("filter") ?? "all";
    if (!["all", "admin", "member"].includes(role))
      return GithubErrors.validation(c, "Organization", "role", DOCS.listMembers);
    if (!["all", "2fa_disabled"].includes(filter))
      return GithubErrors.validation(c, "Organization", "filter", DOCS.listMembers);
    const state = c.var.state;
    const members = !isMember(c, org)
      ? []
      : [...org.members.values()]
          .filter((m) => filter === "all" && (role === "all" || m.role === role))
          .map((m) => state.user(m.login))
          .filter((u) => u !== undefined)
          .sort((a, b) => a.id - b.id);
    return c.json(pageOf(c, members).map((u) => renderSimpleUser(u, apiBase(c))));
  });

  app.get("/orgs/:org/memberships/:username", (c) => {
    const org = orgOf(c, DOCS.getMembership);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.getMembership);
    if (refused) return refused;
    const username = c.req.param("username");
    if (!isMember(c, org)) {
      // "the authenticated user must be an organization member" (get-membership-for-user).
      return githubError(
        c,
        403,
        `You must be a member of ${org.login} to see membership information for ${username}.`,
        DOCS.getMembership,
      );
    }
    const state = c.var.state;
    const user = state.user(username);
    const member = user && state.member(org, user.login);
    if (user && member) return c.json(renderOrgMembership(org, user, "active", member.role, apiBase(c)));
    const invitation = user && org.invitations.get(user.login.toLowerCase());
    if (user && invitation)
      return c.json(renderOrgMembership(org, user, "pending", invitation.role, apiBase(c)));
    return GithubErrors.notFound(c, DOCS.getMembership);
  });

  /**
   * Body `{"role": "admin" | "member"}` (default `member`). A `role` in the query string is ignored, as GitHub
   * ignores it (seed 000 sent it there and every re-added owner came back a plain member). An existing member's
   * role is updated; anyone else gets a pending invitation.
   */
  app.put("/orgs/:org/memberships/:username", async (c) => {
    const org = orgOf(c, DOCS.setMembership);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.writeOrg, DOCS.setMembership);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.setMembership);
    const body = await jsonBody(c);
    if (body === null) return GithubErrors.problemsParsingJson(c, DOCS.setMembership);
    const role = body.role ?? "member";
    if (role !== "admin" && role !== "member")
      return GithubErrors.validation(c, "Membership", "role", DOCS.setMembership);
    const state = c.var.state;
    const user = state.user(c.req.param("username"));
    if (!user) return GithubErrors.notFound(c, DOCS.setMembership);
    if (state.member(org, user.login)) {
      state.addMember(org, user.login, role);
      return c.json(renderOrgMembership(org, user, "active", role, apiBase(c)));
    }
    state.invite(org, user.login, role, c.var.actor.login);
    return c.json(renderOrgMembership(org, user, "pending", role, apiBase(c)));
  });

  /**
   * Removes an active member (and so their team memberships). For a login that is not a member GitHub documents
   * nothing; the emulator answers 204 and changes nothing (a pending invitation is cancelled through
   * `DELETE /orgs/{org}/memberships/{username}`, not here). Unknown users are 404.
   */
  app.delete("/orgs/:org/members/:username", (c) => {
    const org = orgOf(c, DOCS.removeMember);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.writeOrg, DOCS.removeMember);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.removeMember);
    const user = c.var.state.user(c.req.param("username"));
    if (!user) return GithubErrors.notFound(c, DOCS.removeMember);
    c.var.state.removeMember(org, user.login);
    return c.body(null, 204);
  });

  /**
   * "If the specified user is an active member of the organization, this will remove them from the organization.
   * If the specified user has been invited to the organization, this will cancel their invitation."
   */
  app.delete("/orgs/:org/memberships/:username", (c) => {
    const org = orgOf(c, DOCS.removeMembership);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.writeOrg, DOCS.removeMembership);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.removeMembership);
    const state = c.var.state;
    const login = c.req.param("username");
    if (state.removeMember(org, login) || state.cancelInvitation(org, login)) return c.body(null, 204);
    return GithubErrors.notFound(c, DOCS.removeMembership);
  });

  app.get("/orgs/:org/invitations", (c) => {
    const org = orgOf(c, DOCS.invitations);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.invitations);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.invitations);
    const invitations = [...org.invitations.values()].sort((a, b) => a.id - b.id);
    return c.json(pageOf(c, invitations).map((i) => renderInvitation(c.var.state, org, i, apiBase(c))));
  });
}
