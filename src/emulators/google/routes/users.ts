import type { Hono } from "hono";
import { guard } from "../auth.ts";
import { DIRECTORY_BASE, type GoogleContext, type GoogleEnv } from "../env.ts";
import { GoogleErrors, googleError } from "../errors.ts";
import { matchesQuery, parseUserQuery, QueryError } from "../query.ts";
import { etag, renderUser, respond } from "../render.ts";
import type { UserRecord } from "../state.ts";

/**
 * Directory API users methods. Reference pages (developers.google.com/workspace/admin/directory/reference/rest/v1/):
 * `users/get`, `users/list`, `users/update`, `users/patch`, `users/signOut`; the wire contract is the Discovery
 * document ../shared/specs/google-workspace/admin.directory_v1.json. Where this file and those pages disagree, this
 * file is wrong.
 */

/** Discovery `users.list.maxResults`: default 100, minimum 1, maximum 500. */
const MAX_RESULTS = { default: 100, min: 1, max: 500 };

const ENUMS: Record<string, readonly string[]> = {
  projection: ["basic", "custom", "full"],
  viewType: ["admin_view", "domain_public"],
  orderBy: ["email", "familyName", "givenName"],
  sortOrder: ["ASCENDING", "DESCENDING"],
};

/** A query parameter outside its Discovery `enum` (Google's wording, unverified). */
function badEnum(c: GoogleContext): Response | undefined {
  for (const [name, values] of Object.entries(ENUMS)) {
    const value = c.req.query(name);
    if (value !== undefined && !values.includes(value)) {
      return googleError(c, 400, `Invalid value for: ${name} is not a valid value`, {
        reason: "invalidParameter",
        location: name,
        locationType: "parameter",
      });
    }
  }
  return undefined;
}

/**
 * The user a `userKey` names: "the user's primary email address, alias email address, or unique user ID"
 * (Discovery). An address in a domain the customer does not own is refused with 403 "Not Authorized to access this
 * resource/api" rather than 404 (Google's behaviour for foreign domains; unverified, no doc states it).
 */
export function userOf(c: GoogleContext): UserRecord | Response {
  const key = c.req.param("userKey") ?? "";
  const user = c.var.state.findUser(key);
  if (user) return user;
  const domain = key.includes("@") ? key.split("@").pop()?.toLowerCase() : undefined;
  if (domain && !c.var.state.domains().has(domain)) return GoogleErrors.notAuthorized(c);
  return GoogleErrors.notFound(c, "userKey");
}

/** The page token is opaque to clients; here it is the offset plus a digest of the query it belongs to. */
function encodePageToken(offset: number, digest: string): string {
  return Buffer.from(JSON.stringify({ o: offset, d: digest })).toString("base64url");
}

function decodePageToken(token: string, digest: string): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      o?: unknown;
      d?: unknown;
    };
    return typeof value.o === "number" && Number.isInteger(value.o) && value.o >= 0 && value.d === digest
      ? value.o
      : undefined;
  } catch {
    return undefined;
  }
}

function sortKey(user: UserRecord, orderBy: string | undefined): string {
  if (orderBy === "givenName") return user.givenName.toLowerCase();
  if (orderBy === "familyName") return user.familyName.toLowerCase();
  return user.primaryEmail.toLowerCase();
}

/**
 * `GET /admin/directory/v1/users` (Discovery `directory.users.list`): `customer` (`my_customer` or the customer
 * id) or `domain` is required; `query` (search-users guide), `orderBy`/`sortOrder`, `maxResults` (1–500,
 * default 100), `pageToken` → `nextPageToken`. An empty result carries no `users` member (Google omits empty
 * lists). Without `orderBy`, users come in primary-email order (Google documents no default order).
 */
function listUsers(c: GoogleContext): Response {
  const denied = guard(c, "directory.users.list");
  if (denied) return denied;
  const invalid = badEnum(c);
  if (invalid) return invalid;
  const state = c.var.state;
  const { customer, domain, query, orderBy, sortOrder, pageToken, showDeleted } = c.req.query();
  if (customer === undefined && domain === undefined) return GoogleErrors.badRequest(c);
  if (customer !== undefined && customer !== "my_customer" && customer !== state.customerId)
    return GoogleErrors.notAuthorized(c);
  if (domain !== undefined && !state.domains().has(domain.toLowerCase()))
    return GoogleErrors.notAuthorized(c);

  const rawMax = c.req.query("maxResults");
  const maxResults = rawMax === undefined ? MAX_RESULTS.default : Number(rawMax);
  if (!Number.isInteger(maxResults) || maxResults < MAX_RESULTS.min || maxResults > MAX_RESULTS.max)
    return GoogleErrors.outOfRange(c, "maxResults", rawMax ?? "", MAX_RESULTS.min, MAX_RESULTS.max);

  let clauses: ReturnType<typeof parseUserQuery> = [];
  try {
    clauses = query ? parseUserQuery(query) : [];
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return GoogleErrors.invalidInput(c, "query");
  }

  // This emulator keeps no deleted users: showDeleted=true lists none.
  let users =
    showDeleted === "true"
      ? []
      : state
          .listUsers()
          .filter(
            (u) => domain === undefined || u.primaryEmail.toLowerCase().endsWith(`@${domain.toLowerCase()}`),
          )
          .filter((u) => matchesQuery(u, clauses));
  const direction = sortOrder === "DESCENDING" ? -1 : 1;
  users = users.sort((a, b) => {
    const ka = sortKey(a, orderBy);
    const kb = sortKey(b, orderBy);
    return ka === kb ? a.seq - b.seq : ka < kb ? -direction : direction;
  });

  const digest = etag(
    customer ?? "",
    domain ?? "",
    query ?? "",
    orderBy ?? "",
    sortOrder ?? "",
    showDeleted ?? "",
  );
  const offset = pageToken ? decodePageToken(pageToken, digest) : 0;
  if (offset === undefined) return GoogleErrors.invalidInput(c, "pageToken");
  const page = users.slice(offset, offset + maxResults);
  const next = offset + maxResults < users.length ? encodePageToken(offset + maxResults, digest) : undefined;
  return respond(c, {
    kind: "admin#directory#users",
    etag: etag("users", digest, offset, ...page.map((u) => `${u.id}:${u.version}`)),
    ...(page.length > 0 ? { users: page.map((u) => renderUser(u, state)) } : {}),
    ...(next ? { nextPageToken: next } : {}),
  });
}

/** `GET /admin/directory/v1/users/{userKey}` (Discovery `directory.users.get`). */
function getUser(c: GoogleContext): Response {
  const denied = guard(c, "directory.users.get");
  if (denied) return denied;
  const invalid = badEnum(c);
  if (invalid) return invalid;
  const user = userOf(c);
  if (user instanceof Response) return user;
  return respond(c, renderUser(user, c.var.state));
}

type Body = Record<string, unknown>;
const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/** A boolean member of an update: absent → undefined; null clears it (false); anything else but a boolean is invalid. */
function booleanMember(body: Body, name: string): boolean | undefined | "invalid" {
  if (!(name in body)) return undefined;
  const value = body[name];
  if (value === null) return false;
  return typeof value === "boolean" ? value : "invalid";
}

/**
 * `PUT` (`directory.users.update`) and `PATCH` (`directory.users.patch`) `/admin/directory/v1/users/{userKey}`:
 * "This method supports patch semantics, meaning that you only need to include the fields you wish to update.
 * Fields that are not present in the request will be preserved, and fields set to `null` will be cleared"
 * (Discovery `users.update`). Modelled members: suspended, changePasswordAtNextLogin, archived, name,
 * orgUnitPath; output-only members (isAdmin, suspensionReason, …) are ignored, as Google ignores them.
 */
function updateUser(method: "directory.users.update" | "directory.users.patch") {
  return async (c: GoogleContext): Promise<Response> => {
    const denied = guard(c, method);
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const body: unknown = await c.req.json().catch(() => undefined);
    if (!isObject(body))
      return googleError(c, 400, "Invalid JSON payload received.", { reason: "parseError" });
    const suspended = booleanMember(body, "suspended");
    const changePassword = booleanMember(body, "changePasswordAtNextLogin");
    const archived = booleanMember(body, "archived");
    for (const [name, value] of [
      ["suspended", suspended],
      ["changePasswordAtNextLogin", changePassword],
      ["archived", archived],
    ] as const) {
      if (value === "invalid") return GoogleErrors.invalidInput(c, name);
    }
    if ("primaryEmail" in body && String(body.primaryEmail).toLowerCase() !== user.primaryEmail.toLowerCase())
      return GoogleErrors.invalidInput(c, "primaryEmail (renaming is not emulated)");
    if ("orgUnitPath" in body && (typeof body.orgUnitPath !== "string" || !body.orgUnitPath.startsWith("/")))
      return GoogleErrors.invalidInput(c, "orgUnitPath");
    const state = c.var.state;
    if (suspended !== undefined && suspended !== "invalid") state.setSuspended(user, suspended);
    if (changePassword !== undefined && changePassword !== "invalid")
      state.setChangePasswordAtNextLogin(user, changePassword);
    if (archived !== undefined && archived !== "invalid" && archived !== user.archived) {
      user.archived = archived;
      state.touch(user);
    }
    if (typeof body.orgUnitPath === "string" && body.orgUnitPath !== user.orgUnitPath) {
      user.orgUnitPath = body.orgUnitPath;
      state.touch(user);
    }
    if (isObject(body.name)) {
      if (typeof body.name.givenName === "string") user.givenName = body.name.givenName;
      if (typeof body.name.familyName === "string") user.familyName = body.name.familyName;
      state.touch(user);
    }
    return respond(c, renderUser(user, state));
  };
}

/**
 * `POST /admin/directory/v1/users/{userKey}/signOut` (Discovery `directory.users.signOut`): "Signs a user out of
 * all web and device sessions and reset their sign-in cookies." No response schema: 204 with an empty body
 * (contracts §3.6).
 */
function signOut(c: GoogleContext): Response {
  const denied = guard(c, "directory.users.signOut");
  if (denied) return denied;
  const user = userOf(c);
  if (user instanceof Response) return user;
  c.var.state.signOut(user.id);
  return c.body(null, 204);
}

export function mountUserRoutes(app: Hono<GoogleEnv>): void {
  app.get(`${DIRECTORY_BASE}/users`, listUsers);
  app.get(`${DIRECTORY_BASE}/users/:userKey`, getUser);
  app.put(`${DIRECTORY_BASE}/users/:userKey`, updateUser("directory.users.update"));
  app.patch(`${DIRECTORY_BASE}/users/:userKey`, updateUser("directory.users.patch"));
  app.post(`${DIRECTORY_BASE}/users/:userKey/signOut`, signOut);
}
