import type { MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.ts";
import type { RateWindows } from "../kit/rate-window.ts";
import type { GoogleEnv } from "./env.ts";
import { GoogleErrors } from "./errors.ts";

/**
 * The Directory API's documented limits (developers.google.com/workspace/admin/directory/v1/limits; contracts §4):
 * - 403 `userRateLimitExceeded`: "The default value set in the Google Cloud console is 2,400 queries per minute
 *   per user per Google Cloud project." The user is the one the token acts for (the impersonated admin), or the
 *   `quotaUser` parameter when given (Discovery: "Available to use for quota purposes for server-side
 *   applications").
 * - 429 `rateLimitExceeded`: "the limit of concurrent requests for a certain operation has been reached … per
 *   Google Workspace account … can't be increased". Google publishes no number, so it is enforced only when a
 *   test sets `concurrent`.
 * Google sends no rate-limit headers; these replies also carry `X-Cordon-Retry-After-Ms` (emulator-only), the
 * exact wait until the window opens, so compressed windows (timeScale) stay exact.
 */
export const DIRECTORY_LIMITS = { perUserPerMinute: 2400 } as const;

export interface GoogleRateLimitOverrides {
  /** Replaces the 2,400 queries per minute per user per project. */
  perUserPerMinute?: number;
  /** Concurrent Directory requests per customer before 429 rateLimitExceeded. Default: not enforced. */
  concurrent?: number;
}

const MINUTE_MS = 60_000;

export function setPreciseRetry(headers: Headers, waitMs: number): void {
  headers.set("X-Cordon-Retry-After-Ms", String(Math.max(0, Math.round(waitMs))));
}

export interface LimiterOptions {
  windows: RateWindows;
  clock: Clock;
  enforce: boolean;
  timeScale: number;
  overrides?: GoogleRateLimitOverrides;
}

/**
 * Concurrent Directory requests of the customer (429 `rateLimitExceeded`). Mounted before the fault middleware,
 * so a request slowed by an injected latency holds its slot, as a slow request does at Google.
 */
export function concurrencyLimiter(options: LimiterOptions): MiddlewareHandler<GoogleEnv> {
  const concurrent = options.overrides?.concurrent;
  let inFlight = 0;
  return async (c, next) => {
    if (!options.enforce || concurrent === undefined) return next();
    if (inFlight >= concurrent) {
      const response = GoogleErrors.rateLimited(c);
      // No window to wait for: a short pause, compressed like everything else.
      setPreciseRetry(response.headers, 1000 / options.timeScale);
      return response;
    }
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  };
}

/** The per-user-per-project minute window (403 `userRateLimitExceeded`); runs after authentication. */
export function quotaLimiter(options: LimiterOptions): MiddlewareHandler<GoogleEnv> {
  const limit = options.overrides?.perUserPerMinute ?? DIRECTORY_LIMITS.perUserPerMinute;
  return async (c, next) => {
    if (!options.enforce) return next();
    const grant = c.var.grant;
    const user = c.req.query("quotaUser") ?? grant.subjectId ?? grant.clientEmail;
    const decision = options.windows.take(`${grant.projectId}\u0000${user}`, { limit, windowMs: MINUTE_MS });
    if (!decision.allowed) {
      const response = GoogleErrors.userRateLimited(c);
      setPreciseRetry(response.headers, decision.resetAtMs - options.clock.now());
      return response;
    }
    return next();
  };
}
