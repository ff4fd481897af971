import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { type Expr, ExpressionError, parseExpression } from "../filter.ts";
import { paginate, setLinkHeaders } from "../pagination.ts";
import { parseLimit } from "../params.ts";
import { iso, renderUser } from "../render.ts";
import type { GroupRecord } from "../state.ts";

/**
 * Spec `listGroups.limit`: `maximum: 10000`, no default stated ("We recommend using a limit less than or equal to
 * 200"). The legacy Groups API doc gave 10000 as the default too (**unverified** for the current API).
 */
const GROUPS_DEFAULT = 10_000;
const GROUPS_MAX = 10_000;
/** Spec `q`: "Paging and searching are currently mutually exclusive … The default limit for a query is 300". */
const GROUPS_Q_DEFAULT = 300;
/**
 * Spec `listGroupUsers.limit`: `default: 1000` ("set to a very high number due to historical reasons … The
 * recommended page limit is now `limit=200`"). The spec states no maximum; capping at the default is
 * **unverified** (a client following the `Link` header reads every member whatever the cap).
 */
const MEMBERS_DEFAULT = 1000;
const MEMBERS_MAX = 1000;

/** Spec `Group` (properties `id, created, lastUpdated, lastMembershipUpdated, objectClass, type, profile, _links`). */
export function renderGroup(group: GroupRecord, org: string) {
  const self = `${org}/api/v1/groups/${group.id}`;
  return {
    id: group.id,
    created: iso(group.created),
    lastUpdated: iso(group.lastUpdated),
    lastMembershipUpdated: iso(group.lastMembershipUpdated),
    // Spec `addGroup`: "The objectClass for these groups is okta:user_group"; app groups carry the app's class.
    objectClass: [group.type === "APP_GROUP" ? "okta:windows_security_principal" : "okta:user_group"],
    type: group.type,
    profile: { name: group.name, description: group.description },
    _links: {
      logo: [
        { name: "medium", href: `${org}/assets/img/logos/groups/okta-medium.png`, type: "image/png" },
        { name: "large", href: `${org}/assets/img/logos/groups/okta-large.png`, type: "image/png" },
      ],
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
    },
  };
}

/**
 * Spec `listGroups.filter`: "Filtering supports the following limited number of properties: `id`, `type`,
 * `lastUpdated`, and `lastMembershipUpdated`". The emulator evaluates `id` and `type` with `eq`, joined by
 * `and`/`or` (spec examples `type eq "OKTA_GROUP"`, `id eq "00g1emaKYZTWRYYRRTSK"`); anything else is refused
 * with 400 E0000031 rather than silently ignored.
 */
function groupMatches(expr: Expr, group: GroupRecord): boolean {
  switch (expr.kind) {
    case "and":
      return groupMatches(expr.left, group) && groupMatches(expr.right, group);
    case "or":
      return groupMatches(expr.left, group) || groupMatches(expr.right, group);
    case "cmp":
      return (expr.attr === "type" ? group.type : group.id) === expr.value;
    default:
      return false;
  }
}

function supported(expr: Expr): boolean {
  if (expr.kind === "and" || expr.kind === "or") return supported(expr.left) && supported(expr.right);
  return expr.kind === "cmp" && expr.op === "eq" && (expr.attr === "type" || expr.attr === "id");
}

/**
 * `GET /api/v1/groups` (spec `listGroups`, scope okta.groups.read): every group, cursor-paged with `Link`
 * headers like the users list; `filter` on `type`/`id`; `q` a name prefix match without paging.
 */
function listGroups(c: OktaContext): Response {
  const { filter, q } = c.req.query();
  const isQ = q !== undefined;
  const limit = parseLimit(c.req.query("limit"), isQ ? GROUPS_Q_DEFAULT : GROUPS_DEFAULT, GROUPS_MAX);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);
  let groups = c.var.state.listGroups();
  if (filter !== undefined) {
    let expr: Expr;
    try {
      expr = parseExpression(filter, "search");
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return OktaErrors.invalidFilter(c, error.message);
    }
    if (!supported(expr)) return OktaErrors.invalidFilter(c, `unsupported group filter: ${filter}`);
    groups = groups.filter((g) => groupMatches(expr, g));
  }
  const org = orgUrl(c);
  if (isQ) {
    const prefix = q.toLowerCase();
    setLinkHeaders(c, limit, undefined);
    return c.json(
      groups
        .filter((g) => g.name.toLowerCase().startsWith(prefix))
        .slice(0, limit)
        .map((g) => renderGroup(g, org)),
    );
  }
  const page = paginate(groups, c.req.query("after"), limit, (id) => c.var.state.seqOf(id));
  setLinkHeaders(c, limit, page.next);
  return c.json(page.items.map((g) => renderGroup(g, org)));
}

/**
 * `GET /api/v1/groups/{groupId}/users` (spec `listGroupUsers`, scope okta.groups.read): the members as `User`
 * objects, cursor-paged with `Link` headers; 404 E0000007 for an unknown group. Members of every status are
 * listed (Okta keeps a deactivated user's group memberships; **unverified** that this list shows them).
 */
function listGroupUsers(c: OktaContext): Response {
  const groupId = c.req.param("groupId") ?? "";
  const state = c.var.state;
  const group = state.groups.get(groupId);
  if (!group) return OktaErrors.notFound(c, groupId, "UserGroup");
  const limit = parseLimit(c.req.query("limit"), MEMBERS_DEFAULT, MEMBERS_MAX);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);
  const page = paginate(state.groupMembers(group.id), c.req.query("after"), limit, (id) => state.seqOf(id));
  setLinkHeaders(c, limit, page.next);
  const org = orgUrl(c);
  return c.json(page.items.map((u) => renderUser(u, org)));
}

export function mountGroupRoutes(app: Hono<OktaEnv>): void {
  app.get("/api/v1/groups", listGroups);
  app.get("/api/v1/groups/:groupId/users", listGroupUsers);
}
