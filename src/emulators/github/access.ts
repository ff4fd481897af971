import type { MiddlewareHandler } from "hono";
import { CONTROL_PREFIX } from "../kit/control.ts";
import type { GithubContext, GithubEnv } from "./env.ts";
import { GithubErrors, githubError } from "./errors.ts";
import { expandScopes, type OrgRecord } from "./state.ts";

/**
 * `Authorization: token <t>` (what Octokit sends for classic tokens) or `Authorization: Bearer <t>`; schemes compare
 * case-insensitively (RFC 9110 §11.1). docs.github.com/rest/authentication/authenticating-to-the-rest-api
 */
const AUTHORIZATION = /^(token|bearer)[ \t]+(\S+)[ \t]*$/i;

/**
 * Accepted-scope lists as GitHub prints them in `X-Accepted-OAuth-Scopes` (a scope and the scopes implying it),
 * from docs.github.com/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps: `read:org` "Read-only access to
 * organization membership, organization projects, and team membership"; `write:org` "Read and write access to
 * organization membership"; `admin:org` "Fully manage the organization and its teams, projects, and memberships";
 * `repo` "also grants access to manage organization-owned resources including ... team memberships". The SSO
 * credential-authorization operations document `read:org` (list) and `admin:org` (remove) themselves.
 */
export const SCOPES = {
  none: [] as string[],
  readOrg: ["admin:org", "write:org", "read:org"],
  writeOrg: ["admin:org", "write:org"],
  manageTeams: ["admin:org", "repo"],
  adminOrg: ["admin:org"],
};

/**
 * Refuses a request without credentials (401 "Requires authentication") or with a token the instance does not know
 * (401 "Bad credentials"), and stamps `X-OAuth-Scopes` (the token's classic scopes) on every reply.
 */
export function authenticate(): MiddlewareHandler<GithubEnv> {
  return async (c, next) => {
    if (new URL(c.req.url).pathname.startsWith(CONTROL_PREFIX)) return next();
    const header = c.req.header("Authorization");
    if (header === undefined || header.trim() === "") return GithubErrors.requiresAuthentication(c);
    const token = AUTHORIZATION.exec(header)?.[2];
    const state = c.var.state;
    const record =
      token === undefined
        ? undefined
        : state.tokens
          ? state.tokens.get(token)
          : state.defaultTokenOwner
            ? { owner: state.defaultTokenOwner, scopes: state.defaultScopes, ssoOrgs: undefined }
            : undefined;
    const actor = record ? state.user(record.owner) : undefined;
    if (!token || !record || !actor) return GithubErrors.badCredentials(c);
    c.set("token", token);
    c.set("tokenRecord", record);
    c.set("actor", actor);
    await next();
    c.res.headers.set("X-OAuth-Scopes", record.scopes.join(", "));
  };
}

/** Announces what the endpoint accepts; returns the 403 to send when the token has none of it. */
export function requireScopes(c: GithubContext, accepted: string[], docUrl: string): Response | undefined {
  c.header("X-Accepted-OAuth-Scopes", accepted.join(", "));
  if (accepted.length === 0) return undefined;
  const have = expandScopes(c.var.tokenRecord.scopes);
  return accepted.some((scope) => have.has(scope)) ? undefined : GithubErrors.insufficientScope(c, docUrl);
}

/**
 * The organization of the path, or the reply to send: 404 for an unknown org; 403 with `X-GitHub-SSO` when the org
 * enforces SAML SSO and the token is not authorized for it ("Authorizing a personal access token for use with
 * SAML single sign-on", docs.github.com/enterprise-cloud@latest/authentication/authenticating-with-single-sign-on).
 */
export function orgOf(c: GithubContext, docUrl: string): OrgRecord | Response {
  const name = c.req.param("org") ?? "";
  const org = c.var.state.org(name);
  if (!org) return GithubErrors.notFound(c, docUrl);
  const sso = c.var.tokenRecord.ssoOrgs;
  if (org.ssoEnforced && sso && !sso.has(org.login.toLowerCase())) {
    c.header(
      "X-GitHub-SSO",
      `required; url=https://github.com/orgs/${org.login}/sso?authorization_request=${c.var.requestId}`,
    );
    return githubError(
      c,
      403,
      "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.",
      docUrl,
    );
  }
  return org;
}

export function isOwner(c: GithubContext, org: OrgRecord): boolean {
  return c.var.state.member(org, c.var.actor.login)?.role === "admin";
}

export function isMember(c: GithubContext, org: OrgRecord): boolean {
  return c.var.state.member(org, c.var.actor.login) !== undefined;
}

/** A JSON body, `{}` when empty; null when it does not parse. */
export async function jsonBody(c: GithubContext): Promise<Record<string, unknown> | null> {
  const raw = await c.req.text();
  if (raw.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
