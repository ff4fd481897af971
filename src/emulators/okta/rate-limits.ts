import type { MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.ts";
import { CONTROL_PREFIX } from "../kit/control.ts";
import type { RateWindows } from "../kit/rate-window.ts";
import type { OktaEnv, RateHeaders } from "./env.ts";
import { OktaErrors } from "./errors.ts";

export type OktaPlan = "workforce" | "free_developer";

/**
 * Per-minute org-wide buckets (contracts §4; developer.okta.com/docs/reference/rl-global-mgmt). Okta rates the most
 * specific matching endpoint only ("a more specific limit is considered separately from a more general limit on the
 * same base URI", rate-limits doc), so each request counts against exactly one bucket.
 */
export type OktaBucket = "users" | "user-get" | "user-write" | "groups" | "logs" | "api-v1";
export type RateLimitOverrides = Partial<Record<OktaBucket | "concurrent", number>>;

export const BUCKET_LIMITS: Record<OktaBucket, Record<OktaPlan, number>> = {
  /** `GET|POST /api/v1/users` (list, search, create): 600 Workforce; 100 free developer (contracts §4). */
  users: { workforce: 600, free_developer: 100 },
  /**
   * `GET /api/v1/users/{idOrLogin}`: 2,000 Workforce (contracts §4). No free-developer figure is published; the
   * 1,000 is the older Enterprise table's value (unverified for free developer).
   */
  "user-get": { workforce: 2000, free_developer: 1000 },
  /** `POST|PUT|DELETE /api/v1/users/{id}`: 600 Workforce; 100 free developer (contracts §4). */
  "user-write": { workforce: 600, free_developer: 100 },
  /**
   * `/api/v1/groups` and the endpoints of the form `/api/v1/groups*` without a more specific line (list groups,
   * list a group's members): rl-global-mgmt has a "Create, list, or other group actions" line beside the apps one
   * ("API endpoints that end with an asterisk … refer to calls that use that base schema and don't match a
   * specific endpoint"). Figures: 500 Workforce, 100 free developer, as recalled from that page's table; neither
   * contracts §4 nor the spec states them (**unverified**; the connector paces by the org's own
   * `X-Rate-Limit-Limit` whatever the figure).
   */
  groups: { workforce: 500, free_developer: 100 },
  /** `GET /api/v1/logs` (System Log): 120 Workforce; 20 free developer (contracts §4 "Okta `/api/v1/logs`"). */
  logs: { workforce: 120, free_developer: 20 },
  /**
   * Every other `/api/v1` endpoint (lifecycle, sessions, grants, clients, factors, api-tokens, app users): 1,200 Workforce;
   * 600 Enterprise (contracts §4 "most other /api/v1"; bucket mapping **unverified**, as contracts says).
   */
  "api-v1": { workforce: 1200, free_developer: 600 },
};

/**
 * Concurrent in-flight requests per org: 75 Workforce; 35 "Integrator Free plan"
 * (developer.okta.com/docs/reference/rl2-concurrency). Contracts §4 gives 75 for orgs in general.
 */
export const CONCURRENCY_LIMITS: Record<OktaPlan, number> = { workforce: 75, free_developer: 35 };

const MINUTE_MS = 60_000;
const USER_PATH = /^\/api\/v1\/users\/[^/]+$/;

export function bucketFor(method: string, path: string): OktaBucket {
  const m = method.toUpperCase();
  if (path === "/api/v1/users" && (m === "GET" || m === "POST")) return "users";
  if (USER_PATH.test(path)) return m === "GET" ? "user-get" : "user-write";
  if (path === "/api/v1/logs") return "logs";
  if (path === "/api/v1/groups" || path.startsWith("/api/v1/groups/")) return "groups";
  return "api-v1";
}

/**
 * Sets `X-Rate-Limit-Limit`, `-Remaining` and `-Reset` (UTC epoch seconds), as Okta does on every response
 * (developer.okta.com/docs/reference/rl-best-practices). No Retry-After: Okta never sends one.
 */
export function setRateHeaders(headers: Headers, rate: RateHeaders): void {
  headers.set("X-Rate-Limit-Limit", String(rate.limit));
  headers.set("X-Rate-Limit-Remaining", String(rate.remaining));
  headers.set("X-Rate-Limit-Reset", String(Math.ceil(rate.resetAtMs / 1000)));
}

/**
 * Emulator-only: the exact wait of a 429 in milliseconds. Okta's reset is whole epoch seconds, which is fine for
 * real one-minute windows but is the whole window once windows are compressed for a benchmark; cordon's Okta
 * connector reads this header when present (Okta never sends it). Same convention as the Slack emulator.
 */
export function setPreciseRetry(headers: Headers, resetAtMs: number, now: number): void {
  headers.set("X-Cordon-Retry-After-Ms", String(Math.max(0, Math.round(resetAtMs - now))));
}

export interface RateLimiterOptions {
  plan: OktaPlan;
  windows: RateWindows;
  clock: Clock;
  enforce: boolean;
  overrides?: RateLimitOverrides;
}

/**
 * Enforces the concurrency limit, then the endpoint's per-minute bucket, and stamps the X-Rate-Limit-* headers on
 * whatever response comes back (unless an injected fault already set its own). The in-flight counter lives in
 * this closure, i.e. in the emulator instance (one emulator = one org).
 */
export function rateLimiter(options: RateLimiterOptions): MiddlewareHandler<OktaEnv> {
  const concurrent = options.overrides?.concurrent ?? CONCURRENCY_LIMITS[options.plan];
  let inFlight = 0;
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith(CONTROL_PREFIX)) return next();

    if (options.enforce && inFlight >= concurrent) {
      // rl-best-practices: on a concurrency breach the headers report the concurrent values, and the reset is
      // only an estimate; we announce the next second.
      const response = OktaErrors.rateLimited(c);
      setRateHeaders(response.headers, {
        limit: concurrent,
        remaining: 0,
        resetAtMs: options.clock.now() + 1000,
      });
      setPreciseRetry(response.headers, options.clock.now() + 1000, options.clock.now());
      return response;
    }

    const bucket = bucketFor(c.req.method, path);
    const limit = options.overrides?.[bucket] ?? BUCKET_LIMITS[bucket][options.plan];
    const decision = options.windows.take(bucket, { limit, windowMs: MINUTE_MS });
    const rate: RateHeaders = { limit, remaining: decision.remaining, resetAtMs: decision.resetAtMs };
    c.set("rate", rate);
    if (options.enforce && !decision.allowed) {
      const response = OktaErrors.rateLimited(c);
      setRateHeaders(response.headers, rate);
      setPreciseRetry(response.headers, rate.resetAtMs, options.clock.now());
      return response;
    }

    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
    if (!c.res.headers.has("X-Rate-Limit-Limit")) setRateHeaders(c.res.headers, rate);
  };
}
