import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AtlassianContext, familyOf } from "./env.ts";

/**
 * The Organizations REST API's error envelope (`Errors`: `{errors: [{id, status, code, title, detail}]}`, `status`
 * a string) and its application codes (`ApplicationError.code`: ADMIN-400-1 "Invalid page cursor", ADMIN-400-24
 * "Invalid request body", ADMIN-403-3 "Not allowed to manage the org", ADMIN-404-1 "Unknown resource", ADMIN-404-2
 * "Organization not found", ADMIN-404-8 "User not found", ADMIN-405-1 "Method not supported", ADMIN-409-28
 * "Conflict", ADMIN-429-1 "Rate limit exceeded", ADMIN-500-1 "Internal error"). Source: the schema of
 * developer.atlassian.com/cloud/admin/organization/swagger.v3.json as generated into public clients
 * (jira.js `src/admin/models/{errors,error}.ts`; a Rust client's `ApplicationError`). The `detail` wording is
 * the emulator's own.
 */
export function adminError(
  c: AtlassianContext,
  status: ContentfulStatusCode,
  code: string,
  title: string,
  detail?: string,
): Response {
  const error = {
    id: c.var.state.nextErrorId(),
    status: String(status),
    code,
    title,
    detail: detail ?? title,
  };
  return c.json({ errors: [error] }, status);
}

export const AdminErrors = {
  invalidCursor: (c: AtlassianContext) =>
    adminError(c, 400, "ADMIN-400-1", "Invalid page cursor", "The cursor is not one this API issued."),
  invalidBody: (c: AtlassianContext, detail: string) =>
    adminError(c, 400, "ADMIN-400-24", "Invalid request body", detail),
  orgNotFound: (c: AtlassianContext) => adminError(c, 404, "ADMIN-404-2", "Organization not found"),
  userNotFound: (c: AtlassianContext) => adminError(c, 404, "ADMIN-404-8", "User not found"),
  unknownResource: (c: AtlassianContext) => adminError(c, 404, "ADMIN-404-1", "Unknown resource"),
  methodNotSupported: (c: AtlassianContext) => adminError(c, 405, "ADMIN-405-1", "Method not supported"),
  rateLimited: (c: AtlassianContext) => adminError(c, 429, "ADMIN-429-1", "Rate limit exceeded"),
  internal: (c: AtlassianContext) => adminError(c, 500, "ADMIN-500-1", "Internal error"),
};

/**
 * The user management API answers refusals with a `key` (`ForbiddenResponse` `{"key":"forbidden"}` "You are not
 * authorized to access this resource"; `TargetUnverifiedResponse` `forbidden.targetUnverified`; jira.js
 * `src/userManagement/models/*`, generated from developer.atlassian.com/cloud/admin/user-management/swagger.v3.json).
 * Its 404 body is not documented: `{"key":"notFound"}` is the emulator's (unverified).
 */
export function userManagementError(
  c: AtlassianContext,
  status: ContentfulStatusCode,
  key: string,
): Response {
  return c.json({ key }, status);
}

/**
 * A refusal at the api.atlassian.com gateway, before either API sees the request (missing or unknown key).
 * `{code, message}` is the gateway's shape as public clients see it; the exact wording is unverified.
 */
export function gatewayError(c: AtlassianContext, status: ContentfulStatusCode, message: string): Response {
  return c.json({ code: status, message }, status);
}

/** An error of `status` in the envelope of the API the request was for (used for injected faults). */
export function errorForStatus(c: AtlassianContext, status: ContentfulStatusCode): Response {
  const family = familyOf(new URL(c.req.url).pathname);
  if (status === 401) return gatewayError(c, 401, "Unauthorized");
  if (family === "user-management") {
    const key =
      status === 403 ? "forbidden" : status === 404 ? "notFound" : status === 429 ? "rateLimited" : "error";
    return userManagementError(c, status, key);
  }
  if (status === 400) return AdminErrors.invalidBody(c, "Bad request");
  if (status === 403) return adminError(c, 403, "ADMIN-403-3", "Not allowed to manage the org");
  if (status === 404) return AdminErrors.unknownResource(c);
  if (status === 409) return adminError(c, 409, "ADMIN-409-28", "Conflict");
  if (status === 429) return AdminErrors.rateLimited(c);
  if (status >= 500) return adminError(c, status, "ADMIN-500-1", "Internal error");
  return adminError(c, status, `ADMIN-${status}-1`, "Error");
}
