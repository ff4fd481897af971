import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { paginate } from "../pagination.ts";
import { parseLimit } from "../params.ts";
import { iso } from "../render.ts";
import type { UserRecord } from "../state.ts";

/**
 * Spec listUsersWithRoleAssignments `limit`: "Defaults to `100`". The spec gives no maximum; capping at 100 is
 * **unverified** (a client following `_links.next` reads every page whatever the cap).
 */
const ASSIGNEES_DEFAULT = 100;
const ASSIGNEES_MAX = 100;

/** The emulated org's id, for ORNs (`orn:okta:{orgId}:users:{userId}`, spec example); 20 characters like Okta's. */
const ORG_ID = "00o1cordonemulator01";

/**
 * `GET /api/v1/iam/assignees/users` (spec `listUsersWithRoleAssignments`, scope okta.roles.read; rated in the
 * "other /api/v1" bucket): every user with a role assignment, as a `RoleAssignedUsers` object
 * `{ value: RoleAssignedUser[], _links: { next: { href } } }`, each user `{ id, orn, _links: { self, roles } }`
 * (spec example `RoleAssignedUsersResponseExample`). The cursor is the last user's id, as in the example's
 * `next` href (`…/iam/assignees/users?after=00u118oQYT4TBGuay0g4&limit=1`); `_links.next` is absent on the last
 * page. Seeded `admin: true` users are the ones holding a role (SUPER_ADMIN, see `/users/{id}/roles`). The org
 * id in the ORN is a fixed placeholder (unverified format beyond the example).
 */
function listUsersWithRoleAssignments(c: OktaContext): Response {
  const limit = parseLimit(c.req.query("limit"), ASSIGNEES_DEFAULT, ASSIGNEES_MAX);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);
  const admins = c.var.state.listUsers().filter((u) => u.admin);
  const page = paginate(admins, c.req.query("after"), limit, (id) => c.var.state.seqOf(id));
  const org = orgUrl(c);
  const links: { next?: { href: string } } = {};
  if (page.next !== undefined) {
    links.next = {
      href: `${org}/api/v1/iam/assignees/users?after=${encodeURIComponent(page.next)}&limit=${limit}`,
    };
  }
  return c.json({
    value: page.items.map((u) => ({
      id: u.id,
      orn: `orn:okta:${ORG_ID}:users:${u.id}`,
      _links: {
        self: { href: `${org}/api/v1/users/${u.id}` },
        roles: { href: `${org}/api/v1/users/${u.id}/roles` },
      },
    })),
    _links: links,
  });
}

function userOf(c: OktaContext): UserRecord | Response {
  const userId = c.req.param("userId") ?? "";
  return c.var.state.userById(userId) ?? OktaErrors.notFound(c, userId);
}

/**
 * Spec `listAssignedRolesForUser` (`GET /api/v1/users/{userId}/roles`, scope okta.roles.read): the admin roles
 * assigned to a user, as `StandardRole` objects. A seeded `admin: true` user holds SUPER_ADMIN.
 */
export function mountRoleRoutes(app: Hono<OktaEnv>): void {
  app.get("/api/v1/users/:userId/roles", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    if (!user.admin) return c.json([]);
    return c.json([
      {
        id: `ra1${user.id.slice(3)}`,
        label: "Super Administrator",
        type: "SUPER_ADMIN",
        status: "ACTIVE",
        created: iso(user.created),
        lastUpdated: iso(user.created),
        assignmentType: "USER",
        _links: { assignee: { href: `${orgUrl(c)}/api/v1/users/${user.id}` } },
      },
    ]);
  });
  app.get("/api/v1/iam/assignees/users", listUsersWithRoleAssignments);
}
