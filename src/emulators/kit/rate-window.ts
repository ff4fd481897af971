import type { Clock } from "../../core/clock.ts";

/** A vendor rate limit: `limit` requests per `windowMs`, in the vendor's real (uncompressed) time. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** When the current window ends, in epoch milliseconds. */
  resetAtMs: number;
}

/**
 * Fixed windows aligned to multiples of the (compressed) window length, one counter per key, as Okta documents
 * its per-minute buckets ("the limit resets at X-Rate-Limit-Reset"). `timeScale` compresses every window by one
 * factor (60 turns per-minute limits into per-second ones) so benchmarks run in about a minute.
 * State lives in the instance: each emulator tenant owns one.
 */
export class RateWindows {
  readonly #clock: Clock;
  readonly #timeScale: number;
  readonly #counters = new Map<string, { windowStart: number; used: number }>();

  constructor(clock: Clock, timeScale = 1) {
    if (!(timeScale > 0)) throw new Error("timeScale must be positive");
    this.#clock = clock;
    this.#timeScale = timeScale;
  }

  take(key: string, rate: RateLimit): RateDecision {
    const windowMs = Math.max(1, Math.round(rate.windowMs / this.#timeScale));
    const now = this.#clock.now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    let counter = this.#counters.get(key);
    if (!counter || counter.windowStart !== windowStart) {
      counter = { windowStart, used: 0 };
      this.#counters.set(key, counter);
    }
    const resetAtMs = windowStart + windowMs;
    if (counter.used >= rate.limit) {
      return { allowed: false, limit: rate.limit, remaining: 0, resetAtMs };
    }
    counter.used += 1;
    return { allowed: true, limit: rate.limit, remaining: rate.limit - counter.used, resetAtMs };
  }

  reset(): void {
    this.#counters.clear();
  }
}
