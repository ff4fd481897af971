import type { CordonError } from "../core/errors.ts";

/**
 * A retry budget per connection, after the AWS SDK's standard mode: each retry spends tokens, each success
 * refunds one. During a vendor outage the budget runs dry and calls fail fast instead of multiplying traffic
 * while an analyst waits (aesthetics §9 rule 13).
 */
export class RetryBudget {
  readonly #capacity: number;
  readonly #retryCost: number;
  #tokens: number;

  constructor(options: { capacity?: number; retryCost?: number } = {}) {
    this.#capacity = options.capacity ?? 100;
    this.#retryCost = options.retryCost ?? 5;
    this.#tokens = this.#capacity;
  }

  /** Takes the cost of one retry; false when the budget cannot pay it. */
  trySpend(): boolean {
    if (this.#tokens < this.#retryCost) return false;
    this.#tokens -= this.#retryCost;
    return true;
  }

  refund(): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + 1);
  }

  get tokens(): number {
    return this.#tokens;
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First back-off for transient errors; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Containment runs while someone waits: short horizons by default (aesthetics §10 point 6). */
export const containmentRetryPolicy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5_000 };

/**
 * The one place that decides whether an error is worth another attempt, and how long to wait.
 * Returns null when it is not: only rate limits (the vendor did not process the request) and transient failures
 * of idempotent requests are retried; never invalid input, auth, forbidden, not found or conflicts.
 */
export function retryDelayMs(
  error: CordonError,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const detail = error.detail;
  if (detail.kind === "rate_limited") return detail.retryAfterMs;
  if (detail.kind === "transient" && idempotent) {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * random());
  }
  return null;
}
