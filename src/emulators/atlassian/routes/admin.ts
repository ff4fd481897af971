import type { Hono } from "hono";
import { z } from "zod";
import type { AtlassianContext, AtlassianEnv } from "../env.ts";
import { AdminErrors } from "../errors.ts";
import { renderDirectoryUser } from "../render.ts";
import type { AtlassianState, UserRecord } from "../state.ts";

/**
 * The Organizations REST API (base `https://api.atlassian.com/admin`), the parts cordon uses:
 * - `GET /v1/orgs`, `GET /v1/orgs/{orgId}` (getOrgs, getOrgById);
 * - `GET /v2/orgs/{orgId}/directories` (Get directories);
 * - `GET /v2/orgs/{orgId}/directories/{directoryId}/users` (Get users; deprecated "after June 30, 2027"),
 *   `POST …/users/search` (Search for users in an organization) and `GET …/users/{accountId}` (Get user details);
 *   `directoryId` `-` "increase[s] the operation scope to all directories the requestor has permission to manage";
 * - `POST /v1/orgs/{orgId}/directory/users/{accountId}/suspend-access` and `…/restore-access` (api-group-directory).
 * Shapes and parameter semantics: developer.atlassian.com/cloud/admin/organization/rest/ and the clients generated
 * from its OpenAPI (jira.js `src/admin/`, go-atlassian `admin/internal/organization_directory_impl.go`).
 */

/** "The number of results to return per page. Defaults to 50." The maximum is not published: 100 is assumed (unverified). */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

const Strings = z.array(z.string());
/** The search body (`MultiDirectoryUserSearchRequest`), the fields the emulator understands; others are ignored. */
const SearchBody = z.object({
  cursor: z.string().optional(),
  limit: z.number().int().optional(),
  accountIds: Strings.optional(),
  emails: Strings.optional(),
  searchTerm: z.string().optional(),
  status: Strings.optional(),
  accountStatus: Strings.optional(),
  membershipStatus: Strings.optional(),
  claimStatus: z.enum(["managed", "unmanaged"]).optional(),
  roleIds: Strings.optional(),
  expand: Strings.optional(),
});
type UserQuery = Omit<z.infer<typeof SearchBody>, "cursor" | "limit"> & { limit: number };

/** The org named in the path, or the 404 Atlassian gives for another org ("ADMIN-404-2 Organization not found"). */
function checkOrg(c: AtlassianContext): Response | undefined {
  return c.req.param("orgId") === c.var.state.orgId ? undefined : AdminErrors.orgNotFound(c);
}

/** `-` (every directory) or the org's one directory. */
function checkDirectory(c: AtlassianContext): Response | undefined {
  const id = c.req.param("directoryId");
  return id === "-" || id === c.var.state.directoryId ? undefined : AdminErrors.unknownResource(c);
}

function orgBody(c: AtlassianContext) {
  const { orgId, orgName } = c.var.state;
  const self = `${new URL(c.req.url).origin}/admin/v1/orgs/${orgId}`;
  return { id: orgId, type: "orgs", attributes: { name: orgName }, links: { self } };
}

function matches(state: AtlassianState, user: UserRecord, q: UserQuery): boolean {
  const has = (list: string[] | undefined, value: string) => list === undefined || list.includes(value);
  if (q.accountIds && !q.accountIds.includes(user.accountId)) return false;
  if (q.emails) {
    const wanted = q.emails.map((e) => e.trim().toLowerCase());
    if (!wanted.includes(user.email.toLowerCase())) return false;
  }
  if (q.searchTerm !== undefined) {
    const term = q.searchTerm.toLowerCase();
    if (![user.name, user.nickname, user.email].some((v) => v.toLowerCase().includes(term))) return false;
  }
  if (!has(q.status, state.statusOf(user))) return false;
  if (!has(q.accountStatus, user.accountStatus)) return false;
  if (!has(q.membershipStatus, user.membershipStatus)) return false;
  if (q.claimStatus && q.claimStatus !== user.claimStatus) return false;
  if (q.roleIds && !q.roleIds.some((r) => (user.platformRoles as string[]).includes(r))) return false;
  return true;
}

/**
 * The cursor is opaque to clients; here it carries the query and the position (the last account served), because
 * "if present, all other parameters are discarded" (Get users, `cursor`).
 */
function encodeCursor(query: UserQuery, afterSeq: number): string {
  return Buffer.from(JSON.stringify({ q: query, a: afterSeq })).toString("base64url");
}

function decodeCursor(cursor: string): { query: UserQuery; afterSeq: number } | undefined {
  try {
    const raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { q?: unknown; a?: unknown };
    const query = SearchBody.safeParse(raw.q);
    const limit = (raw.q as { limit?: unknown } | undefined)?.limit;
    if (!query.success || typeof raw.a !== "number" || typeof limit !== "number") return undefined;
    return { query: { ...query.data, limit }, afterSeq: raw.a };
  } catch {
    return undefined;
  }
}

/** One page of users for a query, with `links.self` and, while more remain, `links.next` (cursors). */
function respondUsers(
  c: AtlassianContext,
  query: UserQuery,
  afterSeq: number,
  selfCursor: string | undefined,
): Response {
  const state = c.var.state;
  const rest = state.listUsers().filter((u) => u.seq > afterSeq && matches(state, u, query));
  const page = rest.slice(0, query.limit);
  const last = page.at(-1);
  const next = rest.length > query.limit && last ? encodeCursor(query, last.seq) : undefined;
  const platformRoles = query.expand?.includes("platformRoles") ?? false;
  return c.json({
    data: page.map((u) => renderDirectoryUser(state, u, { platformRoles })),
    links: { self: selfCursor ?? null, ...(next ? { next } : {}) },
  });
}

/** Validates a query from the GET parameters or the search body; a string is the reason for a 400. */
function toQuery(input: z.infer<typeof SearchBody>): UserQuery | string {
  if (input.searchTerm !== undefined && input.emails !== undefined)
    return "searchTerm and emails are mutually exclusive";
  const limit = input.limit ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) return `limit must be between 1 and ${MAX_LIMIT}`;
  const { cursor: _cursor, ...rest } = input;
  return { ...rest, limit };
}

function pageFrom(c: AtlassianContext, input: z.infer<typeof SearchBody>): Response {
  if (input.cursor !== undefined) {
    const decoded = decodeCursor(input.cursor);
    if (!decoded) return AdminErrors.invalidCursor(c);
    return respondUsers(c, decoded.query, decoded.afterSeq, input.cursor);
  }
  const query = toQuery(input);
  if (typeof query === "string") return AdminErrors.invalidBody(c, query);
  return respondUsers(c, query, 0, undefined);
}

/** `GET …/directories/{directoryId}/users`: the same filters as query parameters (arrays repeat the name). */
function listUsers(c: AtlassianContext): Response {
  const many = (name: string) => {
    const values = c.req.queries(name);
    return values && values.length > 0 ? values : undefined;
  };
  const limit = c.req.query("limit");
  const parsed = SearchBody.safeParse({
    cursor: c.req.query("cursor"),
    limit: limit === undefined ? undefined : Number(limit),
    accountIds: many("accountIds"),
    searchTerm: c.req.query("searchTerm"),
    status: many("status"),
    accountStatus: many("accountStatus"),
    membershipStatus: many("membershipStatus"),
    claimStatus: c.req.query("claimStatus"),
    roleIds: many("roleIds"),
    expand: many("expand"),
  });
  if (!parsed.success) return AdminErrors.invalidBody(c, parsed.error.issues[0]?.message ?? "invalid query");
  return pageFrom(c, parsed.data);
}

async function searchUsers(c: AtlassianContext): Promise<Response> {
  const parsed = SearchBody.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return AdminErrors.invalidBody(c, "the body must be a JSON search request");
  return pageFrom(c, parsed.data);
}

/** The user named by `{accountId}`, if a member of the directory (suspended or not). */
function directoryUser(c: AtlassianContext): UserRecord | Response {
  const user = c.var.state.user(c.req.param("accountId") ?? "");
  if (!user || user.membershipStatus === "no_membership") return AdminErrors.userNotFound(c);
  return user;
}

/**
 * Suspend and restore (api-group-directory): 200 `GenericActionSuccessModel` `{message}`, whose documented example
 * begins "Access to organization 6665kc2j-…"; the rest of the wording is the emulator's. The docs name no error
 * for suspending a suspended user or restoring an active one: the emulator answers both as a success that
 * changes nothing (unverified). An account in none of the directories is "User not found" (unverified).
 */
function accessChange(c: AtlassianContext, change: "suspend" | "restore"): Response {
  const user = directoryUser(c);
  if (user instanceof Response) return user;
  const state = c.var.state;
  if (change === "suspend") state.suspend(user);
  else state.restore(user);
  const verb = change === "suspend" ? "suspended" : "restored";
  return c.json({ message: `Access to organization ${state.orgId} ${verb} for user ${user.accountId}` });
}

export function mountAdminRoutes(app: Hono<AtlassianEnv>): void {
  app.get("/admin/v1/orgs", (c) => c.json({ data: [orgBody(c)], links: { self: null } }));
  app.get("/admin/v1/orgs/:orgId", (c) => checkOrg(c) ?? c.json({ data: orgBody(c) }));
  app.get(
    "/admin/v2/orgs/:orgId/directories",
    (c) =>
      checkOrg(c) ??
      c.json({
        data: [{ directoryId: c.var.state.directoryId, name: c.var.state.orgName }],
        links: { self: null },
      }),
  );

  const users = "/admin/v2/orgs/:orgId/directories/:directoryId/users";
  app.get(users, (c) => checkOrg(c) ?? checkDirectory(c) ?? listUsers(c));
  app.post(`${users}/search`, async (c) => checkOrg(c) ?? checkDirectory(c) ?? (await searchUsers(c)));
  app.get(`${users}/:accountId`, (c) => {
    const refused = checkOrg(c) ?? checkDirectory(c);
    if (refused) return refused;
    const user = c.var.state.user(c.req.param("accountId"));
    if (!user) return AdminErrors.userNotFound(c);
    return c.json({ data: renderDirectoryUser(c.var.state, user, { platformRoles: true }) });
  });

  const directory = "/admin/v1/orgs/:orgId/directory/users/:accountId";
  app.post(`${directory}/suspend-access`, (c) => checkOrg(c) ?? accessChange(c, "suspend"));
  app.post(`${directory}/restore-access`, (c) => checkOrg(c) ?? accessChange(c, "restore"));
}

/** Paths served, so another method on one answers 405 "ADMIN-405-1 Method not supported" rather than 404. */
export const ADMIN_PATHS = [
  /^\/admin\/v1\/orgs(\/[^/]+)?$/,
  /^\/admin\/v2\/orgs\/[^/]+\/directories$/,
  /^\/admin\/v2\/orgs\/[^/]+\/directories\/[^/]+\/users(\/[^/]+)?$/,
  /^\/admin\/v1\/orgs\/[^/]+\/directory\/users\/[^/]+\/(suspend|restore)-access$/,
];
