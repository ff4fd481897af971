import type { Clock } from "../../core/clock.ts";
import type { RateWindows } from "../kit/rate-window.ts";

/**
 * Slack's Web API tiers (https://docs.slack.dev/apis/web-api/rate-limits): Tier 1 1+/min, Tier 2 20+/min,
 * Tier 3 50+/min, Tier 4 100+/min, "per API method per workspace/team per app". The emulator enforces the floor
 * of each tier, per method per token, in fixed one-minute windows (compressed by `timeScale`).
 */
export const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;
export type Tier = keyof typeof TIER_PER_MINUTE | "special";

/**
 * Slack SCIM limits (https://docs.slack.dev/reference/scim-api/rate-limits), org-wide across all SCIM apps.
 * Every request counts against its class (reads or writes) and, for single-user endpoints, its own bucket.
 * Documented bursts (writes 180, per-endpoint writes 20) are not modelled: fixed one-minute windows only.
 * Keys double as `rateLimitOverrides` names.
 */
export const SCIM_LIMITS = {
  "scim.reads": 1000,
  "scim.writes": 600,
  /** GET /Users/<id> */
  "scim.users.get": 300,
  /** POST /Users */
  "scim.users.create": 180,
  /** PUT and PATCH /Users/<id> (one shared bucket, as the docs list them together) */
  "scim.users.update": 180,
  /** DELETE /Users/<id> */
  "scim.users.delete": 180,
} as const;
export type ScimBucket = keyof typeof SCIM_LIMITS;

export const MINUTE_MS = 60_000;

/**
 * The header pair sent with every 429. `Retry-After` is integer seconds as Slack documents it, rounded up and at
 * least 1, so a client honouring it never retries early. Under `timeScale` the real wait can be far below a second,
 * so `X-Cordon-Retry-After-Ms` (emulator-only) carries the exact wait in milliseconds for cordon's own connector,
 * which reads it before `Retry-After`. Off-the-shelf clients (@slack/web-api) only see `Retry-After`: correct,
 * just slower under compression.
 */
export function retryHeaders(waitMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(waitMs));
  return { "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))), "X-Cordon-Retry-After-Ms": String(ms) };
}

export interface Throttle {
  allowed: boolean;
  /** Until the request could succeed, in (compressed) milliseconds. */
  waitMs: number;
}

/** One fixed-window check on the shared kit limiter. */
export function takeWindow(windows: RateWindows, clock: Clock, key: string, perMinute: number): Throttle {
  const decision = windows.take(key, { limit: perMinute, windowMs: MINUTE_MS });
  return { allowed: decision.allowed, waitMs: decision.allowed ? 0 : decision.resetAtMs - clock.now() };
}

/** Back-to-back chat.postMessage calls allowed per channel before the 1/s pace applies (Slack publishes none). */
export const POST_MESSAGE_BURST = 5;

/**
 * Token buckets for `chat.postMessage`, which Slack limits to "one message per second per channel", allowing
 * "short bursts >1" (https://docs.slack.dev/apis/web-api/rate-limits, "Posting messages"). The burst size is not
 * published: the emulator allows 5 back-to-back posts per channel, then one per second. The workspace-wide cap
 * Slack mentions is unpublished too and is not modelled.
 */
export class TokenBuckets {
  readonly #clock: Clock;
  readonly #timeScale: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(clock: Clock, timeScale = 1) {
    this.#clock = clock;
    this.#timeScale = timeScale;
  }

  /** `capacity` tokens, one added every `refillMs` (real time; compressed by `timeScale`). */
  take(key: string, capacity: number, refillMs: number): Throttle {
    const interval = Math.max(1, refillMs / this.#timeScale);
    const now = this.#clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) / interval);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, waitMs: 0 };
    }
    return { allowed: false, waitMs: (1 - bucket.tokens) * interval };
  }
}
