import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { respondPage } from "../pagination.ts";
import { renderApiToken, renderClient, renderGrant, renderRefreshToken } from "../render.ts";
import type { ClientRecord, UserRecord } from "../state.ts";

/** Spec `listUserGrants`, `listGrantsForUserAndClient`, `listRefreshTokensForUserAndClient`: limit 1–200, default 20. */
const USER_RESOURCE_LIMITS = { defaultLimit: 20, maxLimit: 200 };
/**
 * `listApiTokens`: the current spec declares no parameters; Okta's earlier spec (okta-sdk-nodejs ≤7,
 * okta-sdk-java 10) had `after`, `limit` (default 20) and `q` ("Finds a token that matches the name or
 * clientName"). We keep those; the maximum of 200 is **unverified**.
 */
const API_TOKEN_LIMITS = { defaultLimit: 20, maxLimit: 200 };

/** Spec `pathUserId`: "ID of an existing Okta user" — these paths take an id only, not a login. */
function userOf(c: OktaContext): UserRecord | Response {
  const userId = c.req.param("userId") ?? "";
  return c.var.state.userById(userId) ?? OktaErrors.notFound(c, userId);
}

function clientOf(c: OktaContext): ClientRecord | Response {
  const clientId = c.req.param("clientId") ?? "";
  return c.var.state.clients.get(clientId) ?? OktaErrors.notFound(c, clientId, "AppInstance");
}

const wantsScope = (c: OktaContext) => (c.req.query("expand") ?? "").split(",").includes("scope");

function mountGrants(app: Hono<OktaEnv>): void {
  /** Spec `listUserGrants` (`scopeId`, `expand=scope`, `after`, `limit`). */
  app.get("/api/v1/users/:userId/grants", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const scopeId = c.req.query("scopeId");
    const grants = c.var.state
      .grantsOf(user.id)
      .filter((g) => scopeId === undefined || g.scopeId === scopeId);
    const org = orgUrl(c);
    return respondPage(c, grants, USER_RESOURCE_LIMITS, (g) => renderGrant(g, org, wantsScope(c)));
  });
  /** Spec `revokeUserGrants`: 204. */
  app.delete("/api/v1/users/:userId/grants", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    c.var.state.revokeGrants(user.id);
    return c.body(null, 204);
  });
  /** Spec `getUserGrant`. */
  app.get("/api/v1/users/:userId/grants/:grantId", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const grant = c.var.state.grants.get(c.req.param("grantId"));
    if (!grant || grant.userId !== user.id)
      return OktaErrors.notFound(c, c.req.param("grantId"), "OAuth2ScopeConsentGrant");
    return c.json(renderGrant(grant, orgUrl(c), wantsScope(c)));
  });
  /** Spec `revokeUserGrant`: 204; an unknown grant is 404. */
  app.delete("/api/v1/users/:userId/grants/:grantId", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const grant = c.var.state.grants.get(c.req.param("grantId"));
    if (!grant || grant.userId !== user.id)
      return OktaErrors.notFound(c, c.req.param("grantId"), "OAuth2ScopeConsentGrant");
    c.var.state.revokeGrant(grant.id);
    return c.body(null, 204);
  });
}

function mountClients(app: Hono<OktaEnv>): void {
  /** Spec `listUserClients`: clients the user has grants or tokens for; not paginated. */
  app.get("/api/v1/users/:userId/clients", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const org = orgUrl(c);
    return c.json(c.var.state.clientsOf(user.id).map((client) => renderClient(client, user.id, org)));
  });
  /** Spec `listGrantsForUserAndClient`. */
  app.get("/api/v1/users/:userId/clients/:clientId/grants", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const client = clientOf(c);
    if (client instanceof Response) return client;
    const org = orgUrl(c);
    const grants = c.var.state.grantsOf(user.id, client.clientId);
    return respondPage(c, grants, USER_RESOURCE_LIMITS, (g) => renderGrant(g, org, wantsScope(c)));
  });
  /** Spec `revokeGrantsForUserAndClient`: 204. */
  app.delete("/api/v1/users/:userId/clients/:clientId/grants", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const client = clientOf(c);
    if (client instanceof Response) return client;
    c.var.state.revokeGrants(user.id, client.clientId);
    return c.body(null, 204);
  });
  /** Spec `listRefreshTokensForUserAndClient`. */
  app.get("/api/v1/users/:userId/clients/:clientId/tokens", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const client = clientOf(c);
    if (client instanceof Response) return client;
    const org = orgUrl(c);
    const tokens = c.var.state.refreshTokensOf(user.id, client.clientId);
    return respondPage(c, tokens, USER_RESOURCE_LIMITS, (t) => renderRefreshToken(t, org));
  });
  /** Spec `revokeTokensForUserAndClient`: 204; revokes the client's refresh (and access) tokens for the user. */
  app.delete("/api/v1/users/:userId/clients/:clientId/tokens", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const client = clientOf(c);
    if (client instanceof Response) return client;
    c.var.state.revokeOAuthTokens(user.id, client.clientId);
    return c.body(null, 204);
  });
  /** Spec `getRefreshTokenForUserAndClient`. */
  app.get("/api/v1/users/:userId/clients/:clientId/tokens/:tokenId", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const token = c.var.state.refreshTokens.get(c.req.param("tokenId"));
    if (!token || token.userId !== user.id || token.clientId !== c.req.param("clientId")) {
      return OktaErrors.notFound(c, c.req.param("tokenId"), "OAuth2RefreshToken");
    }
    return c.json(renderRefreshToken(token, orgUrl(c)));
  });
  /** Spec `revokeTokenForUserAndClient`: 204. */
  app.delete("/api/v1/users/:userId/clients/:clientId/tokens/:tokenId", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const token = c.var.state.refreshTokens.get(c.req.param("tokenId"));
    if (!token || token.userId !== user.id || token.clientId !== c.req.param("clientId")) {
      return OktaErrors.notFound(c, c.req.param("tokenId"), "OAuth2RefreshToken");
    }
    c.var.state.revokeRefreshToken(token.id);
    return c.body(null, 204);
  });
}

function mountApiTokens(app: Hono<OktaEnv>): void {
  /** Spec `listApiTokens`: the org's active API tokens, Link-paginated; `q` matches name or clientName. */
  app.get("/api/v1/api-tokens", (c) => {
    const q = c.req.query("q")?.toLowerCase();
    const tokens = [...c.var.state.apiTokens.values()].filter(
      (t) => q === undefined || t.name.toLowerCase().startsWith(q) || "okta api".startsWith(q),
    );
    const org = orgUrl(c);
    return respondPage(c, tokens, API_TOKEN_LIMITS, (t) => renderApiToken(t, org));
  });
  /** Spec `revokeCurrentApiToken`: 204; the calling token stops working. Registered before `{apiTokenId}`. */
  app.delete("/api/v1/api-tokens/current", (c) => {
    c.var.state.revokedTokens.add(c.var.token);
    return c.body(null, 204);
  });
  /** Spec `getApiToken`: 404 for an unknown id. */
  app.get("/api/v1/api-tokens/:apiTokenId", (c) => {
    const token = c.var.state.apiTokens.get(c.req.param("apiTokenId"));
    if (!token) return OktaErrors.notFound(c, c.req.param("apiTokenId"), "ApiToken");
    return c.json(renderApiToken(token, orgUrl(c)));
  });
  /** Spec `revokeApiToken`: 204; 404 E0000007 for an unknown id. */
  app.delete("/api/v1/api-tokens/:apiTokenId", (c) => {
    const id = c.req.param("apiTokenId");
    if (!c.var.state.revokeApiToken(id)) return OktaErrors.notFound(c, id, "ApiToken");
    return c.body(null, 204);
  });
}

export function mountTokenRoutes(app: Hono<OktaEnv>): void {
  mountGrants(app);
  mountClients(app);
  mountApiTokens(app);
}
