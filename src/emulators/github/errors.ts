import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { GithubContext } from "./env.ts";

/** GitHub's REST reference root; error bodies point there when no operation page applies. */
export const DOCS_REST = "https://docs.github.com/rest";

/**
 * GitHub's REST error body (`basic-error` schema: `message`, `documentation_url`, `url`, `status`). GitHub sends
 * `status` as a string, e.g. `{"message":"Not Found","documentation_url":"…","status":"404"}`.
 */
export function githubError(
  c: GithubContext,
  status: ContentfulStatusCode,
  message: string,
  documentationUrl: string = DOCS_REST,
  extra: Record<string, unknown> = {},
): Response {
  return c.json({ message, ...extra, documentation_url: documentationUrl, status: String(status) }, status);
}

/** The errors the emulator returns, with the doc page each one links. */
export const GithubErrors = {
  /** No Authorization header ("Requires authentication", `requires_authentication` response in the REST description). */
  requiresAuthentication: (c: GithubContext) => githubError(c, 401, "Requires authentication"),
  /** A token GitHub does not know (or a malformed Authorization header). */
  badCredentials: (c: GithubContext) => githubError(c, 401, "Bad credentials"),
  notFound: (c: GithubContext, documentationUrl: string = DOCS_REST) =>
    githubError(c, 404, "Not Found", documentationUrl),
  /**
   * A classic token without the scope the endpoint accepts. The reply carries `X-Accepted-OAuth-Scopes` (what the
   * endpoint accepts) and `X-OAuth-Scopes` (what the token has) (docs.github.com/apps/oauth-apps/
   * building-oauth-apps/scopes-for-oauth-apps). The message wording is unverified.
   */
  insufficientScope: (c: GithubContext, documentationUrl: string) =>
    githubError(
      c,
      403,
      "Your token has not been granted the required scopes to access this resource.",
      documentationUrl,
    ),
  /** The caller is not an organization owner (wording unverified; the docs say only "must be an organization owner"). */
  mustBeOwner: (c: GithubContext, documentationUrl: string) =>
    githubError(c, 403, "You must be an organization owner to perform this action.", documentationUrl),
  /** `PUT …/memberships` and friends with a body that does not validate (`validation_failed`, 422). */
  validation: (c: GithubContext, resource: string, field: string, documentationUrl: string) =>
    githubError(c, 422, "Validation Failed", documentationUrl, {
      errors: [{ resource, code: "invalid", field }],
    }),
  /** A body that is not JSON (GitHub: 400 "Problems parsing JSON"). */
  problemsParsingJson: (c: GithubContext, documentationUrl: string) =>
    githubError(c, 400, "Problems parsing JSON", documentationUrl),
  internal: (c: GithubContext) => githubError(c, 500, "Server Error"),
};
