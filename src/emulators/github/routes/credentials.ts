import type { Hono } from "hono";
import { isOwner, orgOf, requireScopes, SCOPES } from "../access.ts";
import type { GithubEnv } from "../env.ts";
import { GithubErrors } from "../errors.ts";
import { pageOf } from "../pagination.ts";
import { renderCredentialAuthorization } from "../render.ts";

const GHEC = "https://docs.github.com/enterprise-cloud@latest/rest/orgs/orgs";
const DOCS = {
  list: `${GHEC}#list-saml-sso-authorizations-for-an-organization`,
  remove: `${GHEC}#remove-a-saml-sso-authorization-for-an-organization`,
};

/**
 * SAML SSO credential authorizations (GitHub Enterprise Cloud): "The authenticated user must be an organization
 * owner"; listing needs `read:org`, removal `admin:org`. Listing takes `per_page`, `page` and `login` ("Limits the
 * list of credentials authorizations for an organization to a specific login"). Removal answers 204, or 404.
 */
export function mountCredentialRoutes(app: Hono<GithubEnv>): void {
  app.get("/orgs/:org/credential-authorizations", (c) => {
    const org = orgOf(c, DOCS.list);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.readOrg, DOCS.list);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.list);
    const login = c.req.query("login");
    const all = [...org.credentialAuthorizations.values()]
      .filter((a) => login === undefined || a.login.toLowerCase() === login.toLowerCase())
      .sort((a, b) => a.credentialId - b.credentialId);
    return c.json(pageOf(c, all).map(renderCredentialAuthorization));
  });

  app.delete("/orgs/:org/credential-authorizations/:credential_id", (c) => {
    const org = orgOf(c, DOCS.remove);
    if (org instanceof Response) return org;
    const refused = requireScopes(c, SCOPES.adminOrg, DOCS.remove);
    if (refused) return refused;
    if (!isOwner(c, org)) return GithubErrors.mustBeOwner(c, DOCS.remove);
    const raw = c.req.param("credential_id");
    const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!org.credentialAuthorizations.delete(id)) return GithubErrors.notFound(c, DOCS.remove);
    return c.body(null, 204);
  });
}
