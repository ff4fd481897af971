import type { Clock } from "../core/clock.ts";

/** A documented limit: `limit` requests per `windowMs` of the vendor's real time. */
export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/** Rate state keyed by (vendor, tenant, bucket): a bucket is a vendor's request class (Okta endpoint group, Slack method). */
export interface GovernorKey {
  vendor: string;
  tenant: string;
  bucket: string;
}

/** What a vendor's response headers said about the bucket. Every field is optional: vendors say different things. */
export interface RateObservation {
  limit?: number;
  remaining?: number;
  /** When the vendor's current window ends, epoch ms. */
  resetAtMs?: number;
}

export interface GovernorOptions {
  clock: Clock;
  /**
   * Compress every declared window by this factor, the same factor the emulators take, so a benchmark can run
   * a per-minute limit per second. Header-announced resets are absolute and never scaled. Default 1.
   */
  timeScale?: number;
  /**
   * Extra spacing added to each window, as a share of it, so requests that leave together but arrive apart still
   * fall inside the vendor's window. Default 0.02 (2 %).
   */
  safetyMargin?: number;
  /**
   * false: do not pace ahead of the vendor, only obey its 429s and `Remaining: 0` (what most SDKs do).
   * Exists for the naive baseline of benchmarks; cordon itself always paces. Default true.
   */
  pace?: boolean;
}

interface BucketState {
  limit: number;
  windowMs: number;
  /** Send times inside the last window (a sliding log: never more than `limit` in any window-long interval). */
  sent: number[];
  /** No request before this time (a 429's reset or Retry-After, or remaining 0 in the headers). */
  blockedUntil: number;
  /** FIFO: each acquire waits for the one before it, so no caller starves. */
  tail: Promise<void>;
  /** Per-bucket concurrency while the limit is unknown (first call learns it from headers). */
}

/**
 * Paces requests so a mass run stays at the vendor's ceiling without falling into 429 storms.
 *
 * One decision lives here: *when* the next request of a bucket may leave. A sliding log over the window
 * guarantees at most `limit` sends in any interval of the window's length, which also keeps a vendor's fixed,
 * clock-aligned windows (Okta, Slack) from overflowing, whatever their alignment. Headers refine it: Okta's
 * `X-Rate-Limit-Limit` replaces the declared default (orgs differ: 600 vs 100 a minute), `Remaining: 0` blocks
 * until `X-Rate-Limit-Reset`; a 429 blocks until the vendor's reset or Retry-After.
 * (developer.okta.com/docs/reference/rl-best-practices/; docs.slack.dev/apis/web-api/rate-limits)
 *
 * State lives in the instance; share one governor between the clients of one process.
 */
export class RateGovernor {
  readonly #clock: Clock;
  readonly #timeScale: number;
  readonly #safetyMargin: number;
  readonly #pace: boolean;
  readonly #buckets = new Map<string, BucketState>();

  constructor(options: GovernorOptions) {
    this.#clock = options.clock;
    this.#timeScale = options.timeScale ?? 1;
    this.#safetyMargin = options.safetyMargin ?? 0.02;
    this.#pace = options.pace ?? true;
    if (!(this.#timeScale > 0)) throw new Error("timeScale must be positive");
  }

  get timeScale(): number {
    return this.#timeScale;
  }

  /** Waits until a request of this bucket may leave, then counts it as sent. */
  acquire(key: GovernorKey, declared: BucketLimit, signal?: AbortSignal): Promise<void> {
    const bucket = this.#bucket(key, declared);
    const turn = bucket.tail.then(() => this.#waitForSlot(bucket, signal));
    // The next caller queues behind this one whether it succeeded or was aborted.
    bucket.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Applies what a response's headers said. */
  observe(key: GovernorKey, declared: BucketLimit, observation: RateObservation): void {
    const bucket = this.#bucket(key, declared);
    if (observation.limit !== undefined && observation.limit > 0) bucket.limit = observation.limit;
    if (observation.remaining === 0 && observation.resetAtMs !== undefined) {
      bucket.blockedUntil = Math.max(bucket.blockedUntil, observation.resetAtMs);
    }
  }

  /** After a 429: nothing leaves this bucket before `untilMs`. */
  blockUntil(key: GovernorKey, declared: BucketLimit, untilMs: number): void {
    const bucket = this.#bucket(key, declared);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, untilMs);
  }

  /** For reports and tests: the limit currently believed for a bucket, in the vendor's real (uncompressed) time. */
  limitOf(key: GovernorKey): BucketLimit | undefined {
    const bucket = this.#buckets.get(keyString(key));
    return bucket && { limit: bucket.limit, windowMs: bucket.windowMs * this.#timeScale };
  }

  #bucket(key: GovernorKey, declared: BucketLimit): BucketState {
    const id = keyString(key);
    let bucket = this.#buckets.get(id);
    if (!bucket) {
      bucket = {
        limit: declared.limit,
        windowMs: Math.max(1, declared.windowMs / this.#timeScale),
        sent: [],
        blockedUntil: 0,
        tail: Promise.resolve(),
      };
      this.#buckets.set(id, bucket);
    }
    return bucket;
  }

  async #waitForSlot(bucket: BucketState, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      const window = bucket.windowMs * (1 + this.#safetyMargin);
      while (bucket.sent.length > 0 && bucket.sent[0]! <= now - window) bucket.sent.shift();
      const waitForBlock = bucket.blockedUntil - now;
      const waitForWindow =
        this.#pace && bucket.sent.length >= bucket.limit ? bucket.sent[0]! + window - now : 0;
      const wait = Math.max(waitForBlock, waitForWindow);
      if (wait <= 0) {
        bucket.sent.push(now);
        return;
      }
      await this.#clock.sleep(wait, signal);
    }
  }
}

function keyString(key: GovernorKey): string {
  return `${key.vendor}\u0000${key.tenant}\u0000${key.bucket}`;
}
