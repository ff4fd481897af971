import type { Clock } from "../../core/clock.ts";
import type { AttemptEvent, FetchFunction } from "../../http/client.ts";
import type { RateGovernor } from "../../http/governor.ts";

/** What every connector is built with: injected, so tests, benchmarks and the server share one governor. */
export interface ConnectorDeps {
  clock: Clock;
  governor: RateGovernor;
  fetch?: FetchFunction;
  onAttempt?: (event: AttemptEvent) => void;
  /** Whole-call deadline, ms. */
  deadlineMs?: number;
}
