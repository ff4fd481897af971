import type { Hono } from "hono";
import type { AtlassianContext, AtlassianEnv } from "../env.ts";
import { userManagementError } from "../errors.ts";
import { renderApiToken, renderProfile } from "../render.ts";
import type { UserRecord } from "../state.ts";

/**
 * The user management REST API (base `https://api.atlassian.com/users/{account_id}/manage`), for managed accounts
 * only ("Only an organization admin can edit the details of a managed account";
 * developer.atlassian.com/cloud/admin/user-management/rest/intro/):
 * - `GET …/profile` (api-group-profile) → `{account: {…}}`;
 * - `GET …/api-tokens` → `ApiTokenModel[]`, unpaginated; `DELETE …/api-tokens/{tokenId}` "The API token was deleted"
 *   (api-group-api-tokens; the status code is not shown, 204 is assumed, unverified);
 * - `POST …/lifecycle/disable` with an optional `{message}` and `POST …/lifecycle/enable`: "Everything went fine,
 *   nothing to return" (api-group-lifecycle; 204).
 * An account whose domain the org has not verified is refused with 403 `{"key":"forbidden"}`; an unknown account
 * or token with 404 `{"key":"notFound"}` (unverified body).
 */
function managedUser(c: AtlassianContext): UserRecord | Response {
  const user = c.var.state.user(c.req.param("accountId") ?? "");
  if (!user) return userManagementError(c, 404, "notFound");
  if (user.claimStatus !== "managed") return userManagementError(c, 403, "forbidden");
  return user;
}

export function mountUserManagementRoutes(app: Hono<AtlassianEnv>): void {
  const base = "/users/:accountId/manage";
  app.get(`${base}/profile`, (c) => {
    const user = managedUser(c);
    return user instanceof Response ? user : c.json(renderProfile(user));
  });
  app.get(`${base}/api-tokens`, (c) => {
    const user = managedUser(c);
    if (user instanceof Response) return user;
    return c.json([...user.apiTokens.values()].map(renderApiToken));
  });
  app.delete(`${base}/api-tokens/:tokenId`, (c) => {
    const user = managedUser(c);
    if (user instanceof Response) return user;
    if (!c.var.state.deleteApiToken(user, c.req.param("tokenId")))
      return userManagementError(c, 404, "notFound");
    return c.body(null, 204);
  });
  app.post(`${base}/lifecycle/disable`, async (c) => {
    const user = managedUser(c);
    if (user instanceof Response) return user;
    const body = (await c.req.json().catch(() => ({}))) as { message?: unknown } | null;
    const message = typeof body?.message === "string" ? body.message : null;
    c.var.state.disable(user, message);
    return c.body(null, 204);
  });
  app.post(`${base}/lifecycle/enable`, (c) => {
    const user = managedUser(c);
    if (user instanceof Response) return user;
    c.var.state.enable(user);
    return c.body(null, 204);
  });
}

export const USER_MANAGEMENT_PATHS = [
  /^\/users\/[^/]+\/manage\/profile$/,
  /^\/users\/[^/]+\/manage\/api-tokens(\/[^/]+)?$/,
  /^\/users\/[^/]+\/manage\/lifecycle\/(disable|enable)$/,
];
