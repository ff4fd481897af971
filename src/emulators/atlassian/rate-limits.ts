import type { MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.ts";
import { CONTROL_PREFIX } from "../kit/control.ts";
import type { RateWindows } from "../kit/rate-window.ts";
import { type AtlassianEnv, familyOf, type RateHeaders } from "./env.ts";
import { AdminErrors, userManagementError } from "./errors.ts";

/**
 * Atlassian documents *that* the admin APIs are rate limited, not *how much*: "all API requests are subjected to
 * rate limits … clients get HTTP 429 Too Many Requests … The client has to wait for the rate limit counter to reset",
 * with `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` ("Next period reset time (ISO 8601 -
 * Date and time in UTC)") on responses (developer.atlassian.com/cloud/admin/organization/rest/intro/ and
 * …/admin/api-access/rest/intro/, "Rate limits"). No number is published, so these per-minute budgets, one per API
 * for the whole org, are the emulator's assumption (**unverified**); tests override them.
 */
export type AtlassianBucket = "admin" | "user-management";
export const DEFAULT_LIMITS: Record<AtlassianBucket, number> = { admin: 500, "user-management": 500 };
export type RateLimitOverrides = Partial<Record<AtlassianBucket, number>>;

const MINUTE_MS = 60_000;

export function setRateHeaders(headers: Headers, rate: RateHeaders): void {
  headers.set("X-RateLimit-Limit", String(rate.limit));
  headers.set("X-RateLimit-Remaining", String(rate.remaining));
  headers.set("X-RateLimit-Reset", new Date(rate.resetAtMs).toISOString());
}

/**
 * On a 429: `Retry-After` in whole seconds (the Atlassian Cloud convention documented for Jira and Confluence,
 * developer.atlassian.com/cloud/jira/platform/rate-limiting/; not spelled out for the admin APIs, **unverified**
 * there), and the emulator-only `X-Cordon-Retry-After-Ms` with the exact wait, which matters once windows are
 * compressed by `timeScale`. Atlassian never sends the latter.
 */
export function setRetryHeaders(headers: Headers, resetAtMs: number, now: number): void {
  const waitMs = Math.max(0, Math.round(resetAtMs - now));
  headers.set("Retry-After", String(Math.ceil(waitMs / 1000)));
  headers.set("X-Cordon-Retry-After-Ms", String(waitMs));
}

export interface RateLimiterOptions {
  windows: RateWindows;
  clock: Clock;
  enforce: boolean;
  overrides?: RateLimitOverrides;
}

/**
 * Counts each request against its API's per-minute window (fixed windows, compressed by `timeScale`), refuses
 * with 429 when it is spent, and stamps the X-RateLimit-* headers on whatever comes back.
 */
export function rateLimiter(options: RateLimiterOptions): MiddlewareHandler<AtlassianEnv> {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const bucket = familyOf(path);
    if (path.startsWith(CONTROL_PREFIX) || !bucket) return next();
    const limit = options.overrides?.[bucket] ?? DEFAULT_LIMITS[bucket];
    const decision = options.windows.take(bucket, { limit, windowMs: MINUTE_MS });
    const rate: RateHeaders = { limit, remaining: decision.remaining, resetAtMs: decision.resetAtMs };
    c.set("rate", rate);
    if (options.enforce && !decision.allowed) {
      const response =
        bucket === "admin" ? AdminErrors.rateLimited(c) : userManagementError(c, 429, "rateLimited");
      setRateHeaders(response.headers, rate);
      setRetryHeaders(response.headers, rate.resetAtMs, options.clock.now());
      return response;
    }
    await next();
    if (!c.res.headers.has("X-RateLimit-Limit")) setRateHeaders(c.res.headers, rate);
  };
}
