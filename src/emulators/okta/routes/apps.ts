import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { type LogActor, recordUserEvent } from "../events.ts";
import { paginate, setLinkHeaders } from "../pagination.ts";
import { parseBoolean, parseLimit } from "../params.ts";
import { iso, renderUser } from "../render.ts";
import type { AppAssignmentRecord, AppRecord, UserRecord } from "../state.ts";

/** Spec `queryAppLimit` (listApplicationUsers): `minimum: 1`, `maximum: 500`, `default: 50`. */
const APP_USERS_DEFAULT = 50;
const APP_USERS_MAX = 500;

/**
 * Spec `AppUser` (example `AppUserSSOResponse`): `credentials` carries `userName` only, the password is never
 * returned; `_embedded.user` is the Okta `User` when asked with `expand=user` (spec `queryAppUserExpand`).
 */
export function renderAppUser(
  app: AppRecord,
  assignment: AppAssignmentRecord,
  org: string,
  embedUser?: UserRecord,
) {
  return {
    id: assignment.id,
    externalId: null,
    created: iso(assignment.created),
    lastUpdated: iso(assignment.lastUpdated),
    scope: assignment.scope,
    status: assignment.status,
    statusChanged: iso(assignment.created),
    passwordChanged: null,
    syncState: "DISABLED",
    credentials: { userName: assignment.userName },
    profile: { ...assignment.profile },
    ...(embedUser ? { _embedded: { user: renderUser(embedUser, org) } } : {}),
    _links: {
      app: { href: `${org}/api/v1/apps/${app.id}` },
      user: { href: `${org}/api/v1/users/${assignment.id}` },
    },
  };
}

function appOf(c: OktaContext): AppRecord | Response {
  const appId = c.req.param("appId") ?? "";
  return c.var.state.apps.get(appId) ?? OktaErrors.notFound(c, appId, "AppInstance");
}

/**
 * `GET /api/v1/apps/{appId}/users` (spec `listApplicationUsers`, scope okta.apps.read): the assignments in
 * assignment order, `Link`-paged (`after`, `limit` per `queryAppLimit`); `expand=user` embeds each `User`.
 * `q` (a prefix match on profile attributes) is not emulated and answers 400 rather than being ignored.
 */
function listAppUsers(c: OktaContext): Response {
  const app = appOf(c);
  if (app instanceof Response) return app;
  if (c.req.query("q") !== undefined)
    return OktaErrors.validation(c, "q", ["q: not supported by the emulator"]);
  const limit = parseLimit(c.req.query("limit"), APP_USERS_DEFAULT, APP_USERS_MAX);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);
  const expand = c.req.query("expand") === "user";
  const page = paginate([...app.assignments.values()], c.req.query("after"), limit, (id) =>
    app.assignmentSeq.get(id),
  );
  setLinkHeaders(c, limit, page.next);
  const org = orgUrl(c);
  return c.json(
    page.items.map((a) => renderAppUser(app, a, org, expand ? c.var.state.userById(a.id) : undefined)),
  );
}

/** `GET /api/v1/apps/{appId}/users/{userId}` (spec `getApplicationUser`): 404 E0000007 when not assigned. */
function getAppUser(c: OktaContext): Response {
  const app = appOf(c);
  if (app instanceof Response) return app;
  const userId = c.req.param("userId") ?? "";
  const assignment = app.assignments.get(userId);
  if (!assignment) return OktaErrors.notFound(c, userId, "AppUser");
  const org = orgUrl(c);
  const expand = c.req.query("expand") === "user";
  return c.json(renderAppUser(app, assignment, org, expand ? c.var.state.userById(userId) : undefined));
}

/**
 * `POST /api/v1/apps/{appId}/users` (spec `assignUserToApplication`, scope okta.apps.manage, body
 * `AppUserAssignRequest`: an `AppUser` with `id` required) → 200 `AppUser`. Assigning an already assigned user
 * updates that assignment (**unverified**: the spec does not say).
 */
async function assignAppUser(c: OktaContext): Promise<Response> {
  const app = appOf(c);
  if (app instanceof Response) return app;
  const body: unknown = await c.req.json().catch(() => undefined);
  if (typeof body !== "object" || body === null || Array.isArray(body)) return OktaErrors.malformedBody(c);
  const { id, scope, profile, credentials } = body as Record<string, unknown>;
  if (typeof id !== "string" || id === "")
    return OktaErrors.validation(c, "appUser", ["id: The field cannot be left blank"]);
  if (scope !== undefined && scope !== "USER" && scope !== "GROUP")
    return OktaErrors.validation(c, "scope", ["scope: must be USER or GROUP"]);
  if (profile !== undefined && (typeof profile !== "object" || profile === null || Array.isArray(profile)))
    return OktaErrors.validation(c, "profile", ["profile: must be an object"]);
  const creds = (typeof credentials === "object" && credentials !== null ? credentials : {}) as {
    userName?: unknown;
    password?: unknown;
  };
  const user = c.var.state.userById(id);
  if (!user) return OktaErrors.notFound(c, id, "User");
  const isNew = !app.assignments.has(user.id);
  const assignment = c.var.state.assignUser(app, user, {
    scope: scope as "USER" | "GROUP" | undefined,
    profile: profile as Record<string, unknown> | undefined,
    userName: typeof creds.userName === "string" ? creds.userName : undefined,
    password: creds.password !== undefined,
  });
  if (isNew) recordUserEvent(c, "application.user_membership.add", user, [appTarget(app)]);
  return c.json(renderAppUser(app, assignment, orgUrl(c)));
}

/**
 * `DELETE /api/v1/apps/{appId}/users/{userId}` (spec `unassignUserFromApplication`, scope okta.apps.manage;
 * `sendEmail` boolean, default false) → 204; 404 E0000007 when the user is not assigned.
 */
function unassignAppUser(c: OktaContext): Response {
  const app = appOf(c);
  if (app instanceof Response) return app;
  if (parseBoolean(c.req.query("sendEmail"), false) === undefined)
    return OktaErrors.validation(c, "sendEmail", ["sendEmail: must be true or false"]);
  const userId = c.req.param("userId") ?? "";
  if (!c.var.state.unassignUser(app, userId)) return OktaErrors.notFound(c, userId, "AppUser");
  const user = c.var.state.userById(userId);
  if (user) recordUserEvent(c, "application.user_membership.remove", user, [appTarget(app)]);
  return c.body(null, 204);
}

/** The app as a System Log target (`type: "AppInstance"`, as Okta logs it). */
function appTarget(app: AppRecord): LogActor {
  return {
    id: app.id,
    type: "AppInstance",
    alternateId: app.label,
    displayName: app.label,
    detailEntry: null,
  };
}

export function mountAppRoutes(app: Hono<OktaEnv>): void {
  app.get("/api/v1/apps/:appId/users", listAppUsers);
  app.post("/api/v1/apps/:appId/users", assignAppUser);
  app.get("/api/v1/apps/:appId/users/:userId", getAppUser);
  app.delete("/api/v1/apps/:appId/users/:userId", unassignAppUser);
}
