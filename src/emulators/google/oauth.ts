import { verify } from "node:crypto";
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { GoogleEnv } from "./env.ts";
import type { ServiceAccountRecord } from "./state.ts";

/**
 * Google's token endpoint. google-auth-library 11 posts to this URL and puts it in the assertion's `aud` whatever
 * the key file's `token_uri` says (gtoken/getToken.js and gtoken/jwsSign.js hard-code it); the OAuth 2.0
 * service-account guide says the same of `aud`: "When making an access token request this value is always
 * https://oauth2.googleapis.com/token" (developers.google.com/identity/protocols/oauth2/service-account).
 */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
/** Older audiences Google still accepts (the legacy token URLs of the same endpoint; unverified beyond client libraries). */
const LEGACY_AUDIENCES = [
  "https://accounts.google.com/o/oauth2/token",
  "https://www.googleapis.com/oauth2/v4/token",
];
/** RFC 7523 §2.1. */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** "The expiration time of the assertion … has a maximum of 1 hour after the issued time" (service-account guide). */
const MAX_ASSERTION_LIFETIME_S = 3600;
/** Clock skew tolerated on `iat` (unverified; Google documents none, client libraries allow minutes). */
const SKEW_S = 300;
/** Google issues one-hour access tokens and reports `expires_in` 3599 (seen on the wire; the guide's example says 3600). */
const ACCESS_TOKEN_LIFETIME_S = 3599;

interface JwtClaims {
  iss?: unknown;
  sub?: unknown;
  scope?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
}

/**
 * OAuth 2.0 errors of the token endpoint (RFC 6749 §5.2 body `{error, error_description}`). Descriptions are
 * Google's wire texts where known: "Invalid JWT Signature.", "Invalid JWT: Token must be a short-lived token
 * (60 minutes) and in a reasonable timeframe…", "Invalid email or User ID" (unknown `sub`), "Client is
 * unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes
 * requested." (googleapis/google-api-php-client#1379 and many reports; its HTTP status 401 is unverified).
 */
function oauthError(c: Context, status: ContentfulStatusCode, error: string, description: string): Response {
  c.header("Cache-Control", "no-store");
  return c.json({ error, error_description: description }, status);
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readForm(c: Context): Promise<URLSearchParams> {
  const text = await c.req.text().catch(() => "");
  const type = c.req.header("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(
        Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"),
      );
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

function verifySignature(account: ServiceAccountRecord, signingInput: string, signature: string): boolean {
  try {
    return verify(
      "sha256",
      Buffer.from(signingInput),
      account.publicKey,
      Buffer.from(signature, "base64url"),
    );
  } catch {
    return false;
  }
}

/**
 * `POST /token` with the JWT-bearer grant, as a service account with domain-wide delegation uses it: the
 * assertion is an RS256 JWT signed with the key file's private key, `iss` = client_email, `sub` = the user to
 * impersonate, `scope` = space-separated scopes, `aud` = the token URL, `iat`/`exp` at most an hour apart.
 * Domain-wide delegation: with a `sub`, every requested scope must be delegated to the service account's client
 * id, or the reply is `unauthorized_client`. Any existing user may be impersonated (Google issues the token;
 * a non-admin subject is refused later, by the Directory API, with 403 "Not Authorized to access this
 * resource/api").
 */
export function mountTokenEndpoint(app: Hono<GoogleEnv>): void {
  app.post("/token", async (c) => {
    const state = c.var.state;
    const form = await readForm(c);
    const grantType = form.get("grant_type");
    if (grantType !== JWT_BEARER_GRANT) {
      return grantType
        ? oauthError(c, 400, "unsupported_grant_type", `Invalid grant_type: ${grantType.slice(0, 80)}`)
        : oauthError(c, 400, "invalid_request", "Missing required parameter: grant_type");
    }
    const assertion = form.get("assertion");
    if (!assertion) return oauthError(c, 400, "invalid_request", "Missing required parameter: assertion");

    const [headerPart, payloadPart, signaturePart, ...rest] = assertion.split(".");
    const header = decodeSegment(headerPart);
    const claims = decodeSegment(payloadPart) as JwtClaims | undefined;
    if (!header || !claims || signaturePart === undefined || rest.length > 0)
      return oauthError(c, 400, "invalid_grant", "Invalid JWT: malformed assertion");
    if (header.alg !== "RS256") return oauthError(c, 400, "invalid_grant", "Invalid JWT Signature.");

    const account =
      typeof claims.iss === "string" ? state.serviceAccounts.get(claims.iss.toLowerCase()) : undefined;
    if (!account) return oauthError(c, 400, "invalid_grant", "Invalid grant: account not found");
    if (!verifySignature(account, `${headerPart}.${payloadPart}`, signaturePart))
      return oauthError(c, 400, "invalid_grant", "Invalid JWT Signature.");

    const ownUrl = `${new URL(c.req.url).origin}/token`;
    const audience = claims.aud;
    if (
      typeof audience !== "string" ||
      !(audience === GOOGLE_TOKEN_URL || audience === ownUrl || LEGACY_AUDIENCES.includes(audience))
    ) {
      return oauthError(
        c,
        400,
        "invalid_grant",
        `Invalid JWT: Failed audience check. The right audience is ${GOOGLE_TOKEN_URL}`,
      );
    }

    const now = Math.floor(state.now() / 1000);
    const { iat, exp } = claims;
    if (
      typeof iat !== "number" ||
      typeof exp !== "number" ||
      exp <= now ||
      iat > now + SKEW_S ||
      exp - iat > MAX_ASSERTION_LIFETIME_S
    ) {
      return oauthError(
        c,
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }

    const scopes = typeof claims.scope === "string" ? claims.scope.split(/\s+/).filter(Boolean) : [];
    if (scopes.length === 0)
      return oauthError(c, 400, "invalid_scope", "Empty or missing scope not allowed.");

    let subjectId: string | null = null;
    if (claims.sub !== undefined) {
      // "The email address of the user for which the application is requesting delegated access" (guide).
      const subject =
        typeof claims.sub === "string" && claims.sub.includes("@") ? state.findUser(claims.sub) : undefined;
      if (!subject || subject.suspended)
        return oauthError(c, 400, "invalid_grant", "Invalid email or User ID");
      if (!scopes.every((scope) => account.delegatedScopes.has(scope))) {
        return oauthError(
          c,
          401,
          "unauthorized_client",
          "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
        );
      }
      subjectId = subject.id;
    }

    const grant = state.issueAccessToken({
      subjectId,
      clientEmail: account.clientEmail,
      projectId: account.projectId,
      scopes: new Set(scopes),
      expiresAt: state.now() + ACCESS_TOKEN_LIFETIME_S * 1000,
    });
    c.header("Cache-Control", "no-store");
    return c.json({ access_token: grant.token, expires_in: ACCESS_TOKEN_LIFETIME_S, token_type: "Bearer" });
  });
}
