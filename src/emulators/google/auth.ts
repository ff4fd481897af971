import type { MiddlewareHandler } from "hono";
import type { GoogleContext, GoogleEnv } from "./env.ts";
import { GoogleErrors } from "./errors.ts";
import { DEFAULT_DELEGATED_SCOPES, type DirectoryMethod, METHOD_SCOPES, SCOPE } from "./scopes.ts";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Authenticates Directory requests: `Authorization: Bearer <token>`, or the `access_token`/`oauth_token` query
 * parameters every Discovery API accepts (Discovery doc `parameters`). Missing → 401 `required`; unknown or
 * expired → 401 `authError`. A token whose impersonated user has since been suspended stops working too
 * (unverified, but a suspended user cannot act).
 */
export function authenticate(): MiddlewareHandler<GoogleEnv> {
  return async (c, next) => {
    const state = c.var.state;
    const header = c.req.header("Authorization");
    const token =
      (header ? BEARER.exec(header)?.[1] : undefined) ??
      c.req.query("access_token") ??
      c.req.query("oauth_token");
    if (!token) return header ? GoogleErrors.invalidCredentials(c) : GoogleErrors.loginRequired(c);
    if (state.acceptAnyToken) {
      c.set("grant", {
        token,
        subjectId: state.firstSuperAdmin()?.id ?? null,
        clientEmail: "any-token",
        projectId: "cordon-emulator",
        scopes: new Set([...DEFAULT_DELEGATED_SCOPES, SCOPE.cloudPlatform]),
        expiresAt: Number.POSITIVE_INFINITY,
      });
      return next();
    }
    const grant = state.accessToken(token);
    const subject = grant?.subjectId ? state.users.get(grant.subjectId) : undefined;
    if (!grant || subject?.suspended) return GoogleErrors.invalidCredentials(c);
    c.set("grant", grant);
    return next();
  };
}

/**
 * Per method: the token must carry one of the scopes the Discovery doc lists for it (403 insufficientPermissions),
 * and act as an administrator of the customer (403 forbidden "Not Authorized to access this resource/api").
 * Admin roles are not modelled beyond super admin (`isAdmin`) and delegated admin (`isDelegatedAdmin`).
 */
export function guard(c: GoogleContext, method: DirectoryMethod): Response | undefined {
  const grant = c.var.grant;
  const acceptable = METHOD_SCOPES[method];
  if (!acceptable.some((scope) => grant.scopes.has(scope)))
    return GoogleErrors.insufficientScopes(c, acceptable);
  const subject = grant.subjectId ? c.var.state.users.get(grant.subjectId) : undefined;
  if (!subject || !(subject.isAdmin || subject.isDelegatedAdmin)) return GoogleErrors.notAuthorized(c);
  return undefined;
}
