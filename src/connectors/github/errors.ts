import { CordonError } from "../../core/errors.ts";
import type { HttpResponse, VendorPolicy } from "../../http/client.ts";
import type { RateObservation } from "../../http/governor.ts";
import { headerNumber } from "../../http/headers.ts";
import { SECONDARY_DEFAULT_WAIT_MS } from "./rate-limits.ts";

function bodyOf(response: HttpResponse): Record<string, unknown> {
  return typeof response.body === "object" && response.body !== null && !Array.isArray(response.body)
    ? (response.body as Record<string, unknown>)
    : {};
}

/** The GraphQL errors of a 200 reply (`{"errors":[{"type":"RATE_LIMITED","message":…}]}`), if any. */
function graphqlErrors(response: HttpResponse): Array<{ type?: string; message?: string }> {
  const errors = bodyOf(response).errors;
  return Array.isArray(errors) ? (errors as Array<{ type?: string; message?: string }>) : [];
}

/** When `x-ratelimit-reset` (UTC epoch seconds) falls, or the exact wait cordon's emulators add. */
function resetAtMs(response: HttpResponse, now: number): number | undefined {
  // cordon's emulators add the exact wait of a limit reply when windows are compressed; GitHub never sends it.
  const precise = headerNumber(response, "x-cordon-retry-after-ms");
  if (precise !== undefined) return now + precise;
  const reset = headerNumber(response, "x-ratelimit-reset");
  return reset === undefined ? undefined : reset * 1000;
}

/**
 * How long a refused request must wait, per GitHub's rate-limit docs: "If the `retry-after` response header is
 * present, you should not retry your request until after that many seconds has elapsed. If the
 * `x-ratelimit-remaining` header is `0`, you should not retry your request until after the time, in UTC epoch
 * seconds, specified by the `x-ratelimit-reset` header. Otherwise, wait for at least one minute before retrying."
 * Null when the reply is not a rate-limit refusal.
 */
function rateLimitWaitMs(response: HttpResponse, now: number): number | null {
  const precise = headerNumber(response, "x-cordon-retry-after-ms");
  if (precise !== undefined) return Math.max(0, precise);
  const retryAfter = headerNumber(response, "retry-after");
  if (retryAfter !== undefined) return Math.max(0, retryAfter * 1000);
  if (headerNumber(response, "x-ratelimit-remaining") === 0) {
    const reset = resetAtMs(response, now);
    return reset === undefined ? SECONDARY_DEFAULT_WAIT_MS : Math.max(0, reset - now);
  }
  const message = String(bodyOf(response).message ?? "");
  if (response.status === 429 || /rate limit/i.test(message)) return SECONDARY_DEFAULT_WAIT_MS;
  return null;
}

function classifyGraphql(response: HttpResponse, operation: string, now: number): CordonError | null {
  const errors = graphqlErrors(response);
  if (errors.length === 0) return null;
  const where = `github ${operation}`;
  const types = errors.map((e) => (typeof e.type === "string" ? e.type : "ERROR"));
  if (types.includes("RATE_LIMITED")) {
    const reset = resetAtMs(response, now);
    return new CordonError(
      {
        kind: "rate_limited",
        vendor: "github",
        retryAfterMs: reset === undefined ? SECONDARY_DEFAULT_WAIT_MS : Math.max(0, reset - now),
        vendorCode: "RATE_LIMITED",
      },
      `${where}: GraphQL rate limit exceeded`,
    );
  }
  const first = types[0] ?? "ERROR";
  if (first === "INSUFFICIENT_SCOPES" || first === "FORBIDDEN")
    return new CordonError(
      { kind: "forbidden", vendor: "github", vendorCode: first, neededScope: "read:org" },
      `${where}: not allowed (${first}); reading SAML identities needs an organization owner's token with read:org`,
    );
  if (first === "NOT_FOUND")
    return new CordonError({ kind: "not_found", vendor: "github", vendorCode: first }, `${where}: not found`);
  // GraphQL validation messages name fields, not secrets; they are what a developer searches for.
  const message = typeof errors[0]?.message === "string" ? `: ${errors[0].message.slice(0, 200)}` : "";
  return new CordonError(
    { kind: "vendor", vendor: "github", status: response.status, vendorCode: first },
    `${where}: GraphQL error ${first}${message}`,
  );
}

/**
 * GitHub's REST and GraphQL replies → error kinds. Every reply carries `x-ratelimit-limit`, `-remaining`, `-used`,
 * `-reset` (UTC epoch seconds) and `-resource`. A rate-limit refusal is a 403 or a 429; it is told apart from a
 * permission 403 by `retry-after`, `x-ratelimit-remaining: 0` or GitHub's "rate limit" message. A permission 403
 * names the scopes the endpoint accepts (`X-Accepted-OAuth-Scopes`) and those the token has (`X-OAuth-Scopes`);
 * a token not authorized for the org's SAML SSO gets `X-GitHub-SSO`.
 */
export const githubPolicy: VendorPolicy = {
  vendor: "github",
  readRateLimit(response, now): RateObservation {
    // No `limit`: cordon's buckets are per endpoint (secondary limits), the hourly primary limit is shared by all,
    // so the header's hourly figure must not replace a bucket's per-minute one. Remaining 0 blocks until reset.
    return {
      remaining: headerNumber(response, "x-ratelimit-remaining"),
      resetAtMs: resetAtMs(response, now),
    };
  },
  classify(response, operation, now) {
    const { status } = response;
    const where = `github ${operation}`;
    if (status < 400)
      return operation.endsWith("/graphql") ? classifyGraphql(response, operation, now) : null;
    if (status === 401)
      return new CordonError({ kind: "auth", vendor: "github" }, `${where}: the token was refused (401)`);
    if (status === 403 || status === 429) {
      const wait = rateLimitWaitMs(response, now);
      if (wait !== null)
        return new CordonError(
          { kind: "rate_limited", vendor: "github", retryAfterMs: wait, vendorCode: String(status) },
          `${where}: rate limited (${status})`,
        );
      if (response.headers.has("x-github-sso"))
        return new CordonError(
          { kind: "forbidden", vendor: "github", vendorCode: "sso_required" },
          `${where}: the token is not authorized for the organization's SAML single sign-on; an owner must authorize it (token settings → Configure SSO)`,
        );
      const accepted = response.headers.get("x-accepted-oauth-scopes")?.trim() || undefined;
      const has = response.headers.get("x-oauth-scopes")?.trim();
      const scope = accepted ? `; the endpoint accepts ${accepted}, the token has ${has || "no scopes"}` : "";
      return new CordonError(
        { kind: "forbidden", vendor: "github", neededScope: accepted?.split(",")[0]?.trim() },
        `${where}: not allowed (403)${scope}`,
      );
    }
    if (status === 404)
      return new CordonError({ kind: "not_found", vendor: "github" }, `${where}: not found (404)`);
    if (status === 409)
      return new CordonError({ kind: "conflict", vendor: "github" }, `${where}: conflict (409)`);
    if (status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "github", status },
        `${where}: GitHub failed with ${status}`,
      );
    // GitHub's own message ("Validation Failed", "Problems parsing JSON") names fields, never secrets.
    const message =
      typeof bodyOf(response).message === "string"
        ? `: ${String(bodyOf(response).message).slice(0, 200)}`
        : "";
    return new CordonError({ kind: "vendor", vendor: "github", status }, `${where}: ${status}${message}`);
  },
};
