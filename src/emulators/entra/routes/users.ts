import type { Hono } from "hono";
import { type EntraContext, type EntraEnv, originOf } from "../env.ts";
import { GraphErrors } from "../errors.ts";
import { type FilterSchema, matchesFilter, pageOf, parseFilter, parseSelect } from "../odata.ts";
import {
  GROUP_PROPERTIES,
  ROLE_PROPERTIES,
  renderDirectoryObject,
  renderUser,
  USER_PROPERTIES,
  userFilterValue,
} from "../render.ts";
import type { UserRecord } from "../state.ts";
import { requireRole } from "../token.ts";
import { contextUrl, getEntity, jsonObject, withQuery } from "./query.ts";

/**
 * Application permissions per operation, least privileged first (the "Permissions" table of each doc page:
 * user-get, user-list, user-update, user-revokesigninsessions, user-list-memberof).
 */
export const PERMISSIONS = {
  readUsers: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  /** user-update: `accountEnabled` — User.EnableDisableAccount.All is the least privileged for it. */
  enableDisable: ["User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  /** user resource, passwordProfile: "User-PasswordProfile.ReadWrite.All is the least privileged permission to update this property". */
  passwordProfile: ["User-PasswordProfile.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  writeUsers: ["User.ReadWrite.All", "Directory.ReadWrite.All"],
  revokeSessions: ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  readMemberships: [
    "User.Read.All",
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "User.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  /** Reading group objects in full (otherwise memberOf returns them "with limited information"). */
  readGroups: [
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
} as const;

/** `$filter` on users (user resource, "Supports $filter"): the properties finding a person needs. */
const USER_FILTER: FilterSchema = {
  scalars: {
    id: "string",
    userPrincipalName: "string",
    mail: "string",
    displayName: "string",
    givenName: "string",
    surname: "string",
    jobTitle: "string",
    userType: "string",
    accountEnabled: "boolean",
  },
  collections: ["proxyAddresses", "otherMails"],
  resource: "User",
};

function userOf(c: EntraContext): UserRecord | Response {
  const param = c.req.param("id") ?? "";
  return c.var.state.findUser(param) ?? GraphErrors.notFound(c, param);
}

/** `GET /users` (https://learn.microsoft.com/graph/api/user-list?view=graph-rest-1.0): `$filter`, `$select`, `$top` and `@odata.nextLink` paging. */
function listUsers(c: EntraContext): Promise<Response> {
  return withQuery(c, () => {
    const denied = requireRole(c, PERMISSIONS.readUsers);
    if (denied) return denied;
    const url = new URL(c.req.url);
    const select = parseSelect(url.searchParams.get("$select"), USER_PROPERTIES, "microsoft.graph.user");
    const raw = url.searchParams.get("$filter");
    const filter = raw === null ? undefined : parseFilter(raw, USER_FILTER);
    const users = c.var.state
      .listUsers()
      .filter((u) => !filter || matchesFilter(filter, (p) => userFilterValue(u, p)));
    const page = pageOf(users, url);
    return c.json({
      "@odata.context": contextUrl(originOf(c), "users", select),
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      value: page.items.map((u) => renderUser(u, select)),
    });
  });
}

/** `GET /users/{id | userPrincipalName}` (https://learn.microsoft.com/graph/api/user-get?view=graph-rest-1.0). */
function getUser(c: EntraContext): Promise<Response> {
  return getEntity(c, {
    roles: PERMISSIONS.readUsers,
    set: "users",
    type: "microsoft.graph.user",
    properties: USER_PROPERTIES,
    find: userOf,
    render: renderUser,
  });
}

const isBool = (v: unknown): v is boolean => typeof v === "boolean";

/**
 * `PATCH /users/{id}` (https://learn.microsoft.com/graph/api/user-update?view=graph-rest-1.0): 204 No Content. Each property needs its own permission: `accountEnabled`
 * (User.EnableDisableAccount.All…), `passwordProfile` (User-PasswordProfile.ReadWrite.All…), the rest
 * User.ReadWrite.All. Properties the emulator does not model are refused rather than silently dropped
 * (Graph's text for them is **unverified**).
 */
async function patchUser(c: EntraContext): Promise<Response> {
  const body = await jsonObject(c);
  if (!body) return GraphErrors.badQuery(c, "Empty Payload. JSON content expected.");
  const needs: Array<readonly string[]> = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === "accountEnabled") {
      if (!isBool(value))
        return GraphErrors.badQuery(c, "Cannot convert the literal to the expected type 'Edm.Boolean'.");
      needs.push(PERMISSIONS.enableDisable);
    } else if (key === "passwordProfile") {
      if (typeof value !== "object" || value === null)
        return GraphErrors.badQuery(
          c,
          "Cannot convert the value to the expected type 'microsoft.graph.passwordProfile'.",
        );
      needs.push(PERMISSIONS.passwordProfile);
    } else if (key === "displayName" || key === "jobTitle") {
      if (typeof value !== "string") return GraphErrors.badQuery(c, `Invalid value for property '${key}'.`);
      needs.push(PERMISSIONS.writeUsers);
    } else if (key === "id" || key === "userType" || key === "signInSessionsValidFromDateTime") {
      return GraphErrors.badRequest(c, `Property '${key}' is read-only and cannot be set.`);
    } else {
      return GraphErrors.badRequest(c, `Invalid property '${key}'.`);
    }
  }
  for (const accepted of needs) {
    const denied = requireRole(c, accepted);
    if (denied) return denied;
  }
  const user = userOf(c);
  if (user instanceof Response) return user;
  if (isBool(body.accountEnabled)) user.accountEnabled = body.accountEnabled;
  const profile = body.passwordProfile as Record<string, unknown> | undefined;
  if (profile) {
    if (isBool(profile.forceChangePasswordNextSignIn))
      user.forceChangePasswordNextSignIn = profile.forceChangePasswordNextSignIn;
    if (isBool(profile.forceChangePasswordNextSignInWithMfa))
      user.forceChangePasswordNextSignInWithMfa = profile.forceChangePasswordNextSignInWithMfa;
    // A new `password` is accepted and never stored: nothing in the emulator signs in with it.
  }
  if (typeof body.displayName === "string") user.displayName = body.displayName;
  if (typeof body.jobTitle === "string") user.jobTitle = body.jobTitle;
  return c.body(null, 204);
}

/**
 * `POST /users/{id}/revokeSignInSessions` (https://learn.microsoft.com/graph/api/user-revokesigninsessions?view=graph-rest-1.0; CSDL: bound action returning Edm.Boolean):
 * 200 `{"@odata.context":"…$metadata#Edm.Boolean","value":true}`, and `signInSessionsValidFromDateTime` becomes now.
 * "This API doesn't revoke sign-in sessions for external users": for a guest it answers the same and changes nothing.
 */
function revokeSignInSessions(c: EntraContext): Response {
  const denied = requireRole(c, PERMISSIONS.revokeSessions);
  if (denied) return denied;
  const user = userOf(c);
  if (user instanceof Response) return user;
  c.var.state.revokeSignInSessions(user);
  return c.json({ "@odata.context": `${originOf(c)}/v1.0/$metadata#Edm.Boolean`, value: true });
}

/**
 * `GET /users/{id}/memberOf` and `/transitiveMemberOf` (https://learn.microsoft.com/graph/api/user-list-memberof?view=graph-rest-1.0,
 * https://learn.microsoft.com/graph/api/user-list-transitivememberof?view=graph-rest-1.0), with
 * the OData casts `/microsoft.graph.group` and `/microsoft.graph.directoryRole`. Paged like every directory
 * collection (default 100, `$top` up to 999).
 */
function listMemberships(
  c: EntraContext,
  nav: "memberOf" | "transitiveMemberOf",
  cast: "microsoft.graph.group" | "microsoft.graph.directoryRole" | undefined,
): Promise<Response> {
  return withQuery(c, () => {
    const denied = requireRole(c, PERMISSIONS.readMemberships);
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const transitive = nav === "transitiveMemberOf";
    const url = new URL(c.req.url);
    const known =
      cast === "microsoft.graph.directoryRole"
        ? ROLE_PROPERTIES
        : cast === "microsoft.graph.group"
          ? GROUP_PROPERTIES
          : [...new Set([...GROUP_PROPERTIES, ...ROLE_PROPERTIES])];
    const type = cast ?? "microsoft.graph.directoryObject";
    const select = parseSelect(url.searchParams.get("$select"), known, type);
    const state = c.var.state;
    const objects = (transitive ? state.transitiveMemberOf(user.id) : state.memberOf(user.id)).filter(
      (o) =>
        cast === undefined || (cast === "microsoft.graph.group" ? o.kind === "group" : o.kind === "role"),
    );
    const canReadGroups = c.var.claims.roles.some((r) =>
      (PERMISSIONS.readGroups as readonly string[]).includes(r),
    );
    const page = pageOf(objects, url);
    const set =
      cast === "microsoft.graph.group"
        ? "groups"
        : cast === "microsoft.graph.directoryRole"
          ? "directoryRoles"
          : "directoryObjects";
    return c.json({
      "@odata.context": contextUrl(originOf(c), set, select),
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      value: page.items.map((o) => renderDirectoryObject(o, select, canReadGroups)),
    });
  });
}

export function mountUserRoutes(app: Hono<EntraEnv>): void {
  app.get("/v1.0/users", listUsers);
  app.get("/v1.0/users/:id", getUser);
  app.patch("/v1.0/users/:id", patchUser);
  app.post("/v1.0/users/:id/revokeSignInSessions", revokeSignInSessions);
  app.post("/v1.0/users/:id/microsoft.graph.revokeSignInSessions", revokeSignInSessions);
  // Literal routes, not one regex parameter: Hono's routers do not group an alternation inside `{a|b}`.
  for (const nav of ["memberOf", "transitiveMemberOf"] as const) {
    app.get(`/v1.0/users/:id/${nav}`, (c) => listMemberships(c, nav, undefined));
    for (const cast of ["microsoft.graph.group", "microsoft.graph.directoryRole"] as const)
      app.get(`/v1.0/users/:id/${nav}/${cast}`, (c) => listMemberships(c, nav, cast));
  }
}
