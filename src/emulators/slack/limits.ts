import type { Clock } from "../../core/clock.ts";
import { RateWindows } from "../kit/rate-window.ts";
import {
  MINUTE_MS,
  POST_MESSAGE_BURST,
  SCIM_LIMITS,
  type ScimBucket,
  type Throttle,
  TokenBuckets,
  takeWindow,
} from "./rate-limits.ts";

const ALLOWED: Throttle = { allowed: true, waitMs: 0 };

export interface LimitsOptions {
  clock: Clock;
  timeScale?: number;
  enforce?: boolean;
  /** Per-minute limits by Web API method name or SCIM bucket name, replacing the documented ones. */
  overrides?: Record<string, number>;
}

/** The org's rate limiters: Web API per method per token, SCIM org-wide. One instance per emulator. */
export class Limits {
  readonly #clock: Clock;
  readonly #enforce: boolean;
  readonly #overrides: Record<string, number>;
  readonly #windows: RateWindows;
  readonly #buckets: TokenBuckets;

  constructor(options: LimitsOptions) {
    this.#clock = options.clock;
    this.#enforce = options.enforce ?? true;
    this.#overrides = options.overrides ?? {};
    this.#windows = new RateWindows(options.clock, options.timeScale ?? 1);
    this.#buckets = new TokenBuckets(options.clock, options.timeScale ?? 1);
  }

  perMinute(name: string, documented: number): number {
    return this.#overrides[name] ?? documented;
  }

  /** `channel` is set for chat.postMessage, whose limit is per channel (a token bucket, burst 5, 1/s). */
  webApi(method: string, token: string, spec: { perMinute: number }, channel: string): Throttle {
    if (!this.#enforce) return ALLOWED;
    const perMinute = this.perMinute(method, spec.perMinute);
    if (method === "chat.postMessage") {
      return this.#buckets.take(
        `${method}:${token}:${channel}`,
        Math.min(POST_MESSAGE_BURST, perMinute),
        MINUTE_MS / perMinute,
      );
    }
    return takeWindow(this.#windows, this.#clock, `${method}:${token}`, perMinute);
  }

  /** The endpoint's own bucket first, then the org-wide read or write bucket; the first refusal wins. */
  scim(buckets: ScimBucket[]): Throttle {
    if (!this.#enforce) return ALLOWED;
    for (const bucket of buckets) {
      const throttle = takeWindow(
        this.#windows,
        this.#clock,
        bucket,
        this.perMinute(bucket, SCIM_LIMITS[bucket]),
      );
      if (!throttle.allowed) return throttle;
    }
    return ALLOWED;
  }
}
