import type { Clock } from "../core/clock.ts";
import { CordonError, isCordonError } from "../core/errors.ts";
import type { BucketLimit, GovernorKey, RateGovernor, RateObservation } from "./governor.ts";
import { containmentRetryPolicy, type RetryBudget, type RetryPolicy, retryDelayMs } from "./retry.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL. Never carries a credential: auth goes in a header. */
  url: URL;
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json) or a form (sent as application/x-www-form-urlencoded). */
  json?: unknown;
  form?: URLSearchParams;
  /** The vendor's rate-limit class of this request, and its documented limit. */
  bucket: string;
  limit: BucketLimit;
  /** Only idempotent requests are retried after a transient failure (a 5xx may have been applied). */
  idempotent: boolean;
  /** A short name for messages and the ledger, without ids or query: `DELETE /api/v1/users/{id}/sessions`. */
  operation: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the reply is JSON, else the text ("" for empty replies). */
  body: unknown;
}

/**
 * What a connector tells the HTTP layer about its vendor: how to read rate-limit headers and how to turn a reply
 * into an error kind. Classification happens once, here, so retry, ledger and CLI agree (aesthetics §9 rule 9).
 */
export interface VendorPolicy {
  vendor: string;
  readRateLimit(response: HttpResponse, now: number): RateObservation;
  /** Null when the reply is a success. Slack replies errors with HTTP 200 and `ok:false`. */
  classify(response: HttpResponse, operation: string, now: number): CordonError | null;
}

export type FetchFunction = (input: URL | string, init: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  policy: VendorPolicy;
  /** Identifies the credential/org for rate state: the connection name, never the secret. */
  tenant: string;
  governor: RateGovernor;
  budget: RetryBudget;
  clock: Clock;
  /** Produces the Authorization header value; called per attempt so tokens can be refreshed. */
  authorization: () => string | Promise<string>;
  fetch?: FetchFunction;
  retry?: RetryPolicy;
  /** Deadline of one whole call, all attempts and waits included. Default 30 s. */
  deadlineMs?: number;
  /** Deadline of one attempt. Default 10 s. */
  attemptTimeoutMs?: number;
  /** Vendor-wide cap on requests in flight (Okta: 75 concurrent per org). */
  maxConcurrent?: number;
  random?: () => number;
  userAgent?: string;
  /** Told of every attempt, for metrics and benchmarks; must not throw. */
  onAttempt?: (event: AttemptEvent) => void;
}

export interface AttemptEvent {
  vendor: string;
  bucket: string;
  /** The bucket's limit in force (benchmarks compute the rate-limit floor from it). */
  limit: BucketLimit;
  operation: string;
  attempt: number;
  status: number | null;
  errorKind: string | null;
}

/**
 * The one outbound HTTP layer. Layers, each owning one decision:
 * transport (injected fetch, no retries) → governor (when may it leave) → classification (VendorPolicy) →
 * retry (retryDelayMs: whether and how long) → budget (whether the connection can still afford retries) →
 * deadline (the whole call).
 */
export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #fetch: FetchFunction;
  readonly #retry: RetryPolicy;
  readonly #random: () => number;
  readonly #slots: Semaphore;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#retry = options.retry ?? containmentRetryPolicy;
    this.#random = options.random ?? Math.random;
    this.#slots = new Semaphore(options.maxConcurrent ?? 16);
  }

  get vendor(): string {
    return this.#options.policy.vendor;
  }

  async send(request: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const { policy, governor, clock, budget } = this.#options;
    const deadlineMs = this.#options.deadlineMs ?? 30_000;
    const deadlineAt = clock.now() + deadlineMs;
    const key: GovernorKey = { vendor: policy.vendor, tenant: this.#options.tenant, bucket: request.bucket };
    const deadline = AbortSignal.any([AbortSignal.timeout(deadlineMs), ...(signal ? [signal] : [])]);

    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse | undefined;
      let error: CordonError;
      try {
        await governor.acquire(key, request.limit, deadline);
        response = await this.#slots.run(() => this.#attempt(request, deadline));
        const observation = policy.readRateLimit(response, clock.now());
        governor.observe(key, request.limit, observation);
        const classified = policy.classify(response, request.operation, clock.now());
        this.#report(request, attempt, response.status, classified?.kind ?? null);
        if (!classified) {
          budget.refund();
          return response;
        }
        error = classified;
        if (error.detail.kind === "rate_limited") {
          governor.blockUntil(key, request.limit, clock.now() + error.detail.retryAfterMs);
        }
      } catch (thrown) {
        if (signal?.aborted) throw signal.reason;
        if (deadline.aborted || clock.now() >= deadlineAt) {
          throw new CordonError(
            { kind: "deadline", vendor: policy.vendor, deadlineMs },
            `${policy.vendor} ${request.operation}: no answer within ${deadlineMs} ms (all attempts)`,
            { cause: thrown },
          );
        }
        error = isCordonError(thrown)
          ? thrown
          : new CordonError(
              { kind: "transient", vendor: policy.vendor },
              `${policy.vendor} ${request.operation}: connection failed`,
              { cause: thrown },
            );
        this.#report(request, attempt, null, error.kind);
      }

      const delay = retryDelayMs(error, attempt, request.idempotent, this.#retry, this.#random);
      if (delay === null) throw error;
      if (clock.now() + delay >= deadlineAt) throw error;
      // A 429 is the vendor saying "not yet", not failing: the governor holds the bucket until the announced reset,
      // and attempts stay bounded by maxAttempts and the deadline. Only failures spend the retry budget, so a burst
      // of rate limits cannot leave a healthy connection unable to retry a real outage (bench/RESULTS.md, issue 4).
      if (error.detail.kind !== "rate_limited" && !budget.trySpend()) {
        throw new CordonError(
          { kind: "retry_budget_exhausted", vendor: policy.vendor },
          `${policy.vendor} ${request.operation}: too many failures on this connection, not retrying`,
          { cause: error },
        );
      }
      // Rate limits wait in the governor (the bucket is blocked); other retries back off here.
      if (error.detail.kind !== "rate_limited") await clock.sleep(delay, deadline).catch(() => undefined);
    }
  }

  async #attempt(request: HttpRequest, deadline: AbortSignal): Promise<HttpResponse> {
    const timeout = AbortSignal.any([
      deadline,
      AbortSignal.timeout(this.#options.attemptTimeoutMs ?? 10_000),
    ]);
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.#options.userAgent ?? "cordon/0.1",
      ...request.headers,
      authorization: await this.#options.authorization(),
    };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = request.form.toString();
    }
    const response = await this.#fetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: timeout,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text, response.headers) };
  }

  #report(request: HttpRequest, attempt: number, status: number | null, errorKind: string | null): void {
    this.#options.onAttempt?.({
      vendor: this.#options.policy.vendor,
      bucket: request.bucket,
      // The limit in force: the documented one, or what the vendor's headers taught the governor.
      limit:
        this.#options.governor.limitOf({
          vendor: this.#options.policy.vendor,
          tenant: this.#options.tenant,
          bucket: request.bucket,
        }) ?? request.limit,
      operation: request.operation,
      attempt,
      status,
      errorKind,
    });
  }
}

function parseBody(text: string, headers: Headers): unknown {
  if (text === "") return "";
  const type = headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Bounds requests in flight; FIFO. */
class Semaphore {
  readonly #waiters: Array<() => void> = [];
  #free: number;

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#free += 1;
    }
  }
}
