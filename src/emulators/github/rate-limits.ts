import type { Clock } from "../../core/clock.ts";
import { RateWindows } from "../kit/rate-window.ts";
import type { RateHeaders } from "./env.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * GitHub's documented limits (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api and
 * docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
 * - primary: 5,000 requests an hour per user (personal access token) for REST (`core`), and 5,000 points an hour
 *   for GraphQL (`graphql`); GitHub Apps of Enterprise Cloud orgs get more, which `overrides` can express;
 * - secondary: no more than 100 concurrent requests; no more than 900 points a minute per REST endpoint (GET 1
 *   point, POST/PATCH/PUT/DELETE 5) and 2,000 a minute for GraphQL; no more than 80 content-generating requests
 *   a minute and 500 an hour.
 */
export const GITHUB_LIMITS = {
  core: 5000,
  graphql: 5000,
  concurrent: 100,
  restPointsPerMinute: 900,
  graphqlPointsPerMinute: 2000,
  contentPerMinute: 80,
  contentPerHour: 500,
} as const;

export type GithubRateLimitOverrides = Partial<Record<keyof typeof GITHUB_LIMITS, number>>;

/**
 * Exceeding a primary limit: "you will receive a `403` or `429` response, and the `x-ratelimit-remaining` header
 * will be `0`"; GitHub has long answered 403, which is the default here. GraphQL answers 200 with an error.
 */
export type LimitStatus = 403 | 429;

export type Decision =
  | { allowed: true }
  | { allowed: false; kind: "primary"; rate: RateHeaders }
  | { allowed: false; kind: "secondary"; retryAfterMs: number };

/** Fixed windows counting points rather than requests (the secondary limit per endpoint). */
class PointWindows {
  readonly #counters = new Map<string, { windowStart: number; used: number }>();
  readonly clock: Clock;
  readonly timeScale: number;

  constructor(clock: Clock, timeScale: number) {
    this.clock = clock;
    this.timeScale = timeScale;
  }

  take(
    key: string,
    points: number,
    limit: number,
    windowMs: number,
  ): { allowed: boolean; resetAtMs: number } {
    const scaled = Math.max(1, Math.round(windowMs / this.timeScale));
    const now = this.clock.now();
    const windowStart = Math.floor(now / scaled) * scaled;
    let counter = this.#counters.get(key);
    if (!counter || counter.windowStart !== windowStart) {
      counter = { windowStart, used: 0 };
      this.#counters.set(key, counter);
    }
    const resetAtMs = windowStart + scaled;
    if (counter.used + points > limit) return { allowed: false, resetAtMs };
    counter.used += points;
    return { allowed: true, resetAtMs };
  }
}

export interface GithubLimitsOptions {
  clock: Clock;
  timeScale?: number;
  enforce?: boolean;
  overrides?: GithubRateLimitOverrides;
}

/** Every limit of one emulated GitHub, per token (GitHub counts per user; one token stands for one user here). */
export class GithubLimits {
  readonly #clock: Clock;
  readonly #enforce: boolean;
  readonly #windows: RateWindows;
  readonly #points: PointWindows;
  readonly limits: Record<keyof typeof GITHUB_LIMITS, number>;
  #inFlight = 0;

  constructor(options: GithubLimitsOptions) {
    this.#clock = options.clock;
    this.#enforce = options.enforce ?? true;
    this.#windows = new RateWindows(options.clock, options.timeScale ?? 1);
    this.#points = new PointWindows(options.clock, options.timeScale ?? 1);
    this.limits = { ...GITHUB_LIMITS, ...options.overrides };
  }

  /**
   * Counts one request against the primary limit of its resource, and reports the headers. Requests past the limit
   * are still reported (remaining 0) and refused when limits are enforced.
   */
  primary(owner: string, resource: "core" | "graphql"): { allowed: boolean; rate: RateHeaders } {
    const limit = this.limits[resource];
    const decision = this.#windows.take(`${resource}:${owner.toLowerCase()}`, { limit, windowMs: HOUR_MS });
    const rate: RateHeaders = {
      limit,
      remaining: decision.remaining,
      used: limit - decision.remaining,
      resetAtMs: decision.resetAtMs,
      resource,
    };
    return { allowed: decision.allowed || !this.#enforce, rate };
  }

  /** The secondary limits: points per endpoint per minute, then content creation per minute and per hour. */
  secondary(
    owner: string,
    endpoint: string,
    points: number,
    graphql: boolean,
    contentCreating: boolean,
  ): Decision {
    if (!this.#enforce) return { allowed: true };
    const who = owner.toLowerCase();
    const perMinute = graphql ? this.limits.graphqlPointsPerMinute : this.limits.restPointsPerMinute;
    const byEndpoint = this.#points.take(`points:${who}:${endpoint}`, points, perMinute, MINUTE_MS);
    if (!byEndpoint.allowed) return this.#refuse(byEndpoint.resetAtMs);
    if (contentCreating) {
      const minute = this.#windows.take(`content-minute:${who}`, {
        limit: this.limits.contentPerMinute,
        windowMs: MINUTE_MS,
      });
      if (!minute.allowed) return this.#refuse(minute.resetAtMs);
      const hour = this.#windows.take(`content-hour:${who}`, {
        limit: this.limits.contentPerHour,
        windowMs: HOUR_MS,
      });
      if (!hour.allowed) return this.#refuse(hour.resetAtMs);
    }
    return { allowed: true };
  }

  /** Enters one request into the concurrency count; false when 100 (or the override) are already in flight. */
  enter(): boolean {
    if (this.#enforce && this.#inFlight >= this.limits.concurrent) return false;
    this.#inFlight += 1;
    return true;
  }

  leave(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  #refuse(resetAtMs: number): Decision {
    return { allowed: false, kind: "secondary", retryAfterMs: Math.max(0, resetAtMs - this.#clock.now()) };
  }
}

/**
 * `x-ratelimit-limit`, `-remaining`, `-used`, `-reset` (UTC epoch seconds) and `-resource`, on every reply
 * ("Checking the status of your rate limit", REST rate-limit doc).
 */
export function setRateHeaders(headers: Headers, rate: RateHeaders): void {
  headers.set("x-ratelimit-limit", String(rate.limit));
  headers.set("x-ratelimit-remaining", String(rate.remaining));
  headers.set("x-ratelimit-reset", String(Math.ceil(rate.resetAtMs / 1000)));
  headers.set("x-ratelimit-used", String(rate.used));
  headers.set("x-ratelimit-resource", rate.resource);
}

/**
 * Emulator-only: the exact wait of a limit reply in milliseconds, for compressed windows where whole seconds are
 * too coarse (same convention as the Okta and Slack emulators; GitHub never sends it).
 */
export function setPreciseRetry(headers: Headers, waitMs: number): void {
  headers.set("X-Cordon-Retry-After-Ms", String(Math.max(0, Math.round(waitMs))));
}
