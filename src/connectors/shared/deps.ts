import type { Clock } from "../../core/clock.ts";
import { type AttemptEvent, type FetchFunction, HttpClient, type VendorPolicy } from "../../http/client.ts";
import type { RateGovernor } from "../../http/governor.ts";
import { RetryBudget } from "../../http/retry.ts";

/** What every connector is built with: injected, so tests, benchmarks and the server share one governor. */
export interface ConnectorDeps {
  clock: Clock;
  governor: RateGovernor;
  fetch?: FetchFunction;
  onAttempt?: (event: AttemptEvent) => void;
  /** Whole-call deadline, ms. */
  deadlineMs?: number;
}

/** What differs between connectors' HTTP clients; everything else comes from the shared deps. */
export interface ConnectionHttp {
  policy: VendorPolicy;
  /** The connection's name: rate state is per credential, never keyed by the secret itself. */
  connection: string;
  authorization: () => string | Promise<string>;
  maxConcurrent?: number;
  /** Share one budget between a connector's clients (Slack Web API and SCIM spend the same credential's budget). */
  budget?: RetryBudget;
}

/** A connector's HTTP client over the shared governor, clock and transport, with a retry budget of its own. */
export function connectionHttpClient(deps: ConnectorDeps, options: ConnectionHttp): HttpClient {
  return new HttpClient({
    policy: options.policy,
    tenant: options.connection,
    governor: deps.governor,
    budget: options.budget ?? new RetryBudget(),
    clock: deps.clock,
    authorization: options.authorization,
    fetch: deps.fetch,
    maxConcurrent: options.maxConcurrent,
    deadlineMs: deps.deadlineMs,
    onAttempt: deps.onAttempt,
  });
}
