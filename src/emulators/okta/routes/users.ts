import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { type Expr, ExpressionError, matches, parseExpression, sortValue } from "../filter.ts";
import { shortHash } from "../ids.ts";
import { paginate, setLinkHeaders } from "../pagination.ts";
import { parseBoolean, parseLimit } from "../params.ts";
import { renderUser } from "../render.ts";
import type { UserRecord, UserStatus } from "../state.ts";

/** Spec `listUsers.limit`: default 200; with `q`, "Defaults to 10 if `q` is provided". */
const LIST_DEFAULT = 200;
const Q_DEFAULT = 10;
const LIST_MAX = 200;

/** The user a `{id}` path parameter names: an id, a login or an unambiguous login shortname (spec `pathId`). */
export function findUserParam(c: OktaContext, param: string): UserRecord | undefined {
  const state = c.var.state;
  if (param === "me") return state.tokenOwnerId ? state.userById(state.tokenOwnerId) : undefined;
  return state.findUser(param);
}

/** Parses `search`/`filter`, or returns the 400 Okta sends for it. */
function parseQuery(c: OktaContext, text: string, mode: "search" | "filter"): Expr | Response {
  try {
    return parseExpression(text, mode);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return mode === "search"
      ? OktaErrors.invalidSearch(c, error.message)
      : OktaErrors.invalidFilter(c, error.message);
  }
}

/** Spec `sortBy`/`sortOrder` (search only): "Users with the same value for the sortBy property are ordered by id". */
function sortUsers(
  users: UserRecord[],
  sortBy: string | undefined,
  sortOrder: string | undefined,
): UserRecord[] {
  if (!sortBy) return users;
  const direction = sortOrder?.toLowerCase() === "desc" ? -1 : 1;
  return [...users].sort((a, b) => {
    const va = sortValue(a, sortBy);
    const vb = sortValue(b, sortBy);
    if (va !== vb) return va < vb ? -direction : direction;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * `GET /api/v1/users` (spec `listUsers`). `search` and `filter` return every status; without them
 * DEPROVISIONED users are omitted ("This operation omits users that have a status of DEPROVISIONED"). `q` is a
 * startsWith match on firstName, lastName or email without pagination, limit 10 by default.
 */
function listUsers(c: OktaContext): Response {
  const { search, filter, q, sortBy, sortOrder } = c.req.query();
  // Okta.Core OktaErrorCodes E0000033: "Can't specify a search query and filter in the same request."
  if (filter !== undefined && (search !== undefined || q !== undefined)) return OktaErrors.searchAndFilter(c);
  const isQ = q !== undefined && search === undefined;
  const limit = parseLimit(c.req.query("limit"), isQ ? Q_DEFAULT : LIST_DEFAULT, LIST_MAX);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);

  let users = c.var.state.listUsers();
  if (search !== undefined) {
    const expr = parseQuery(c, search, "search");
    if (expr instanceof Response) return expr;
    users = sortUsers(
      users.filter((u) => matches(expr, u, "search")),
      sortBy,
      sortOrder,
    );
  } else if (filter !== undefined) {
    const expr = parseQuery(c, filter, "filter");
    if (expr instanceof Response) return expr;
    users = users.filter((u) => matches(expr, u, "filter"));
  } else {
    users = users.filter((u) => u.status !== "DEPROVISIONED");
    if (isQ) {
      const prefix = (q ?? "").toLowerCase();
      users = users.filter((u) =>
        [u.profile.firstName, u.profile.lastName, u.profile.email].some((v) =>
          v.toLowerCase().startsWith(prefix),
        ),
      );
    }
  }

  const org = orgUrl(c);
  if (isQ) {
    // "This doesn't support pagination, but you can use limit."
    setLinkHeaders(c, limit, undefined);
    return c.json(users.slice(0, limit).map((u) => renderUser(u, org)));
  }
  const page = paginate(users, c.req.query("after"), limit, (id) => c.var.state.seqOf(id));
  setLinkHeaders(c, limit, page.next);
  return c.json(page.items.map((u) => renderUser(u, org)));
}

type Body = Record<string, unknown>;
const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);
const REQUIRED_PROFILE = ["firstName", "lastName", "email", "login"] as const;

/**
 * `POST /api/v1/users?activate=` (spec `createUser`, 200 `User`). Status per the legacy Users API creation table:
 * activate=false → STAGED; activate=true with a password → ACTIVE; without one → PROVISIONED.
 */
async function createUser(c: OktaContext): Promise<Response> {
  const body: unknown = await c.req.json().catch(() => undefined);
  if (!isObject(body)) return OktaErrors.malformedBody(c);
  const activate = parseBoolean(c.req.query("activate"), true);
  if (activate === undefined)
    return OktaErrors.validation(c, "activate", ["activate: must be true or false"]);
  const profile = isObject(body.profile) ? body.profile : {};
  // Okta's default profile schema requires these four (unverified cause wording).
  const blank = REQUIRED_PROFILE.filter((k) => typeof profile[k] !== "string" || profile[k].trim() === "");
  if (blank.length > 0) {
    return OktaErrors.validation(
      c,
      blank[0]!,
      blank.map((k) => `${k}: The field cannot be left blank`),
    );
  }
  const login = profile.login as string;
  if (c.var.state.loginTaken(login)) {
    return OktaErrors.validation(c, "login", [
      "login: An object with this field already exists in the current organization",
    ]);
  }
  const credentials = isObject(body.credentials) ? body.credentials : {};
  const hasPassword = isObject(credentials.password);
  const status: UserStatus = !activate ? "STAGED" : hasPassword ? "ACTIVE" : "PROVISIONED";
  const user = c.var.state.addUser({
    login,
    email: profile.email as string,
    firstName: profile.firstName as string,
    lastName: profile.lastName as string,
    status,
    hasPassword,
  });
  if (typeof profile.mobilePhone === "string") user.profile.mobilePhone = profile.mobilePhone;
  if (typeof profile.secondEmail === "string") user.profile.secondEmail = profile.secondEmail;
  return c.json(renderUser(user, orgUrl(c)));
}

/** `GET /api/v1/users/{id}` (spec `getUser`): by id, login or shortname, or `me`; 200 with an `ETag`. */
function getUser(c: OktaContext): Response {
  const param = c.req.param("id") ?? "";
  const user = findUserParam(c, param);
  if (!user) return OktaErrors.notFound(c, param);
  c.header("ETag", `W/"${shortHash(`${user.id}:${user.lastUpdated}:${user.status}`)}"`);
  return c.json(renderUser(user, orgUrl(c)));
}

/**
 * `DELETE /api/v1/users/{id}` (spec `deleteUser`, 204): "This operation on a user that hasn't been deactivated
 * causes that user to be deactivated. A second delete operation is required to delete the user."
 */
function deleteUser(c: OktaContext): Response {
  const param = c.req.param("id") ?? "";
  const user = findUserParam(c, param);
  if (!user) return OktaErrors.notFound(c, param);
  const state = c.var.state;
  if (user.status !== "DEPROVISIONED") {
    state.setStatus(user, "DEPROVISIONED");
    state.clearSessions(user.id);
  } else {
    state.deleteUser(user.id);
  }
  return c.body(null, 204);
}

export function mountUserRoutes(app: Hono<OktaEnv>): void {
  app.get("/api/v1/users", listUsers);
  app.post("/api/v1/users", createUser);
  app.get("/api/v1/users/:id", getUser);
  app.delete("/api/v1/users/:id", deleteUser);
}
