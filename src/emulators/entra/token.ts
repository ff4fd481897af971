import type { Context, Hono, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { EntraContext, EntraEnv, TokenClaims } from "./env.ts";
import { originOf } from "./env.ts";
import { GraphErrors } from "./errors.ts";
import { decodeJwt, signHs256, verifyHs256, verifyWithCertificate } from "./jwt.ts";
import type { AppRecord, EntraState } from "./state.ts";

/** Microsoft Graph's application id; `00000003-…/.default` and `https://graph.microsoft.com/.default` are the same. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
const GRAPH_RESOURCES = new Set([
  "https://graph.microsoft.com",
  "https://graph.microsoft.com/",
  GRAPH_APP_ID,
]);
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Entra's app-only tokens for Graph live 60–90 minutes; the reply says `expires_in` 3599 (contracts §3.3). */
const TOKEN_LIFETIME_S = 3599;

/** `2024-05-01 12:34:56Z`, the timestamp format of ESTS error bodies. */
function estsTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/**
 * The token endpoint's error body (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow,
 * "Error response"): `{error, error_description: "AADSTS…: … Trace ID … Correlation ID … Timestamp …",
 * error_codes, timestamp, trace_id, correlation_id, error_uri}`.
 */
function estsError(
  c: Context<EntraEnv>,
  status: ContentfulStatusCode,
  error: string,
  code: number,
  text: string,
): Response {
  const now = c.var.clock.now();
  const trace = c.var.requestId;
  const correlation = c.var.clientRequestId;
  const timestamp = estsTimestamp(now);
  return c.json(
    {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `${originOf(c)}/error?code=${code}`,
    },
    status,
    { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" },
  );
}

/** AADSTS90002: the tenant segment names no tenant this emulator holds. */
function tenantNotFound(c: Context<EntraEnv>, tenant: string): Response {
  return estsError(
    c,
    400,
    "invalid_request",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

/**
 * The OpenID Connect discovery document of a tenant (`GET /{tenant}/v2.0/.well-known/openid-configuration`;
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri), with
 * every endpoint on the emulator's own origin. MSAL (via @azure/identity with `disableInstanceDiscovery`) reads it
 * from `{authority}/v2.0/.well-known/openid-configuration`, requires `authorization_endpoint`, `token_endpoint`,
 * `issuer` and `jwks_uri`, and accepts the issuer only on the authority's own scheme and host; it takes the tenant
 * id from the first path segment of `authorization_endpoint` (msal-common Authority.replacePath).
 */
function openIdConfiguration(c: Context<EntraEnv>): Response {
  const state = c.var.state;
  const tenant = c.req.param("tenant") ?? "";
  if (!state.isTenant(tenant)) return tenantNotFound(c, tenant);
  const base = `${originOf(c)}/${state.tenantId}`;
  return c.json({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${originOf(c)}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "tid",
      "ver",
      "at_hash",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: new URL(originOf(c)).host,
    rbac_url: "https://pas.windows.net",
  });
}

type Form = Record<string, string>;

async function readForm(c: Context<EntraEnv>): Promise<Form> {
  const form: Form = {};
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded")) return form;
  for (const [key, value] of new URLSearchParams(await c.req.text())) form[key] = value;
  return form;
}

/** `Authorization: Basic base64(client_id:client_secret)` (client_secret_basic). */
function basicCredentials(c: Context<EntraEnv>): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/** Checks a client assertion (RFC 7523 §3): iss = sub = client id, aud = the token endpoint, unexpired, signed. */
function assertionProblem(
  assertion: string,
  app: AppRecord,
  endpoints: string[],
  nowS: number,
): string | null {
  const jwt = decodeJwt(assertion);
  if (!jwt) return "malformed";
  const { iss, sub, aud, exp, nbf } = jwt.payload;
  if (iss !== app.clientId && iss !== app.clientId.toUpperCase()) return "claims";
  if (sub !== iss) return "claims";
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.some((a) => typeof a === "string" && endpoints.includes(a.toLowerCase()))) return "audience";
  if (typeof exp !== "number" || exp <= nowS) return "expired";
  if (typeof nbf === "number" && nbf > nowS + 300) return "claims";
  if (app.certificates && !app.certificates.some((pem) => verifyWithCertificate(jwt, pem)))
    return "signature";
  return null;
}

/**
 * `POST /{tenant}/oauth2/v2.0/token`, client credentials grant only
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow): form
 * fields `client_id`, `scope` (`<resource>/.default`), `grant_type=client_credentials` and either `client_secret`
 * (or HTTP Basic) or `client_assertion_type` + `client_assertion`. MSAL adds telemetry fields (`x-client-SKU`,
 * `client-request-id`, `x-ms-lib-capability`…) that are accepted and ignored.
 */
async function token(c: Context<EntraEnv>): Promise<Response> {
  const state = c.var.state;
  const tenant = c.req.param("tenant") ?? "";
  if (!state.isTenant(tenant)) return tenantNotFound(c, tenant);
  const form = await readForm(c);
  const basic = basicCredentials(c);
  const grantType = form.grant_type ?? "";
  if (grantType === "")
    return estsError(
      c,
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  if (grantType !== "client_credentials")
    return estsError(
      c,
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  const clientId = form.client_id ?? basic?.clientId ?? "";
  if (clientId === "")
    return estsError(
      c,
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
  const app = state.appFor(clientId);
  if (!app)
    return estsError(
      c,
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );

  const scopes = (form.scope ?? "").split(" ").filter(Boolean);
  const scope = scopes[0] ?? "";
  if (scopes.length !== 1 || !scope.endsWith("/.default"))
    return estsError(
      c,
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${form.scope ?? ""} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  const resource = scope.slice(0, -"/.default".length);
  if (!GRAPH_RESOURCES.has(resource.toLowerCase()))
    return estsError(
      c,
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );

  const secret = form.client_secret ?? basic?.secret;
  let credentialKind: "secret" | "certificate";
  if (secret !== undefined) {
    if (secret === "" || (app.secrets && !app.secrets.includes(secret)))
      return estsError(
        c,
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    credentialKind = "secret";
  } else if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER)
      return estsError(
        c,
        400,
        "invalid_request",
        50027,
        "JWT token is invalid or malformed: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
      );
    const origin = originOf(c);
    const endpoints = [tenant, state.tenantId].map((t) => `${origin}/${t}/oauth2/v2.0/token`.toLowerCase());
    const problem = assertionProblem(form.client_assertion, app, endpoints, Math.floor(state.now() / 1000));
    if (problem === "malformed")
      return estsError(c, 400, "invalid_request", 50027, "JWT token is invalid or malformed.");
    if (problem === "expired")
      return estsError(
        c,
        401,
        "invalid_client",
        700024,
        "Client assertion is not within its valid time range.",
      );
    if (problem === "audience")
      return estsError(
        c,
        401,
        "invalid_client",
        700021,
        "Client assertion audience claim does not match Realm issuer.",
      );
    if (problem === "claims")
      return estsError(
        c,
        401,
        "invalid_client",
        700023,
        "Client assertion issuer and subject must both be the application's client id.",
      );
    if (problem === "signature")
      return estsError(
        c,
        401,
        "invalid_client",
        700027,
        "The certificate with identifier used to sign the client assertion is not registered on application. Client assertion failed signature validation.",
      );
    credentialKind = "certificate";
  } else {
    return estsError(
      c,
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }

  const nowS = Math.floor(state.now() / 1000);
  const claims = {
    aud: "https://graph.microsoft.com",
    iss: `https://sts.windows.net/${state.tenantId}/`,
    iat: nowS,
    nbf: nowS,
    exp: nowS + TOKEN_LIFETIME_S,
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: credentialKind === "secret" ? "1" : "2",
    idp: `https://sts.windows.net/${state.tenantId}/`,
    idtyp: "app",
    oid: app.servicePrincipalId,
    roles: [...app.permissions],
    sub: app.servicePrincipalId,
    tenant_region_scope: "NA",
    tid: state.tenantId,
    uti: state.ids.guid().replaceAll("-", "").slice(0, 22),
    ver: "1.0",
  };
  return c.json(
    {
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_S,
      ext_expires_in: TOKEN_LIFETIME_S,
      access_token: signHs256(claims, state.signingKey),
    },
    200,
    { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" },
  );
}

/** The login host's routes: OIDC discovery, the (empty) JWKS and the token endpoint. */
export function mountTokenRoutes(app: Hono<EntraEnv>): void {
  app.get("/:tenant/v2.0/.well-known/openid-configuration", openIdConfiguration);
  app.get("/:tenant/discovery/v2.0/keys", (c) => {
    if (!c.var.state.isTenant(c.req.param("tenant"))) return tenantNotFound(c, c.req.param("tenant"));
    // The emulator signs access tokens with a symmetric key it never publishes; no client validates them.
    return c.json({ keys: [] });
  });
  app.post("/:tenant/oauth2/v2.0/token", token);
}

export function isTokenPath(path: string): boolean {
  return /^\/[^/]+\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.test(
    path,
  );
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Graph's bearer check: missing, malformed, forged, foreign or expired tokens are 401 InvalidAuthenticationToken. */
export function authenticate(state: EntraState): MiddlewareHandler<EntraEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) return GraphErrors.tokenEmpty(c);
    const raw = BEARER.exec(header)?.[1];
    if (!raw) return GraphErrors.tokenEmpty(c);
    const jwt = decodeJwt(raw);
    if (!jwt) return GraphErrors.tokenMalformed(c);
    if (!verifyHs256(jwt, state.signingKey)) return GraphErrors.tokenInvalid(c, "Invalid signature.");
    const p = jwt.payload;
    if (p.aud !== "https://graph.microsoft.com" && p.aud !== GRAPH_APP_ID)
      return GraphErrors.tokenInvalid(c, "Invalid audience.");
    if (p.tid !== state.tenantId) return GraphErrors.tokenInvalid(c, "Invalid tenant.");
    if (typeof p.exp !== "number" || p.exp * 1000 <= state.now()) return GraphErrors.tokenExpired(c);
    const claims: TokenClaims = {
      appid: String(p.appid),
      tid: String(p.tid),
      oid: String(p.oid),
      roles: Array.isArray(p.roles) ? p.roles.map(String) : [],
      exp: p.exp,
    };
    c.set("claims", claims);
    await next();
  };
}

/** 403 unless the token holds one of the accepted application permissions (directory workloads' refusal). */
export function requireRole(c: EntraContext, accepted: readonly string[]): Response | undefined {
  if (c.var.claims.roles.some((r) => accepted.includes(r))) return undefined;
  return GraphErrors.insufficientPrivileges(c);
}
