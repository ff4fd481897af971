import { Cron } from "croner";
import type { Clock } from "../../core/clock.ts";
import { CordonError, toCordonError } from "../../core/errors.ts";

/**
 * Cron schedules for playbooks (`trigger.source: schedule`, `trigger.cron`). `croner` only computes the times
 * (its pattern parser and `nextRun`); it is never given a callback, so it starts no timers of its own and keeps no
 * job in its module-level `scheduledJobs` list (that happens only for named jobs). Waiting is done with the
 * injected clock, so the times are wall-clock times from `clock.now()`, read in the schedule's time zone (UTC when
 * none is given, so a server's local zone never changes when a playbook runs).
 *
 * Patterns have 5 fields (minute precision) or 6 (a leading seconds field), `*`/lists/ranges/steps, names
 * (`MON`, `JAN`) and croner's extensions (`L`, `W`, `#`); day-of-month and day-of-week combine with OR as in
 * classic cron (croner `domAndDow: false`, its default).
 */
const CRON_MODE = "5-or-6-parts";

/**
 * Longest single wait. A tick hours away is waited for in slices, so a wall clock that jumps (NTP, a laptop
 * waking) is noticed within a minute, and no timer exceeds Node's 2^31-1 ms setTimeout limit. croner caps its own
 * waits at 30 s for the same reason.
 */
const MAX_WAIT_MS = 60_000;

function pattern(expr: string, timezone: string | undefined): Cron {
  return new Cron(expr, { mode: CRON_MODE, timezone: timezone ?? "Etc/UTC" });
}

/** Why the expression (and time zone) cannot be scheduled, or null when it can. */
export function validateCron(expr: string, timezone?: string): string | null {
  if (typeof expr !== "string" || expr.trim() === "") return "the cron expression is empty";
  if (expr.length > 200) return "the cron expression is longer than 200 characters";
  const fields = expr.trim().split(/\s+/).length;
  // croner also takes 7 fields (a year); playbooks do not, and its message would say they may.
  if (!expr.includes("@") && fields !== 5 && fields !== 6) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), not ${fields}`;
  }
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
      return `unknown time zone ${JSON.stringify(timezone)} (use an IANA name such as Europe/Paris)`;
    }
  }
  try {
    const cron = pattern(expr, timezone);
    // A pattern that can never match (30 February) has no next run.
    if (cron.nextRun(new Date(0)) === null) return "the cron expression never matches";
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/^CronPattern: /, "").replace(/ Original error:.*$/s, "");
  }
}

export interface SchedulesOptions {
  clock: Clock;
  /**
   * Called at each tick with the tick's scheduled time (ISO-8601, whole seconds), not the time it ran, so the
   * dispatcher can key the event `schedule:<name>:<tickIso>` and a tick is dispatched once however often it is
   * seen. Ticks of one schedule never overlap: ticks that fall due while one is running are skipped, as cron does
   * for a missed minute.
   */
  onTick: (name: string, tickIso: string) => Promise<void>;
  /** Told when `onTick` fails; the schedule goes on. Should not throw. */
  onError?: (error: CordonError, name: string) => void;
}

interface Entry {
  cron: Cron;
  controller: AbortController;
  next: Date | null;
}

export class Schedules {
  readonly #options: SchedulesOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: SchedulesOptions) {
    this.#options = options;
  }

  /** Starts a schedule. An invalid expression or a name already scheduled is `invalid_input`. */
  add(name: string, cron: string, timezone?: string): void {
    if (this.#entries.has(name)) {
      throw new CordonError({ kind: "invalid_input", field: "name" }, `schedule ${name} already exists`);
    }
    const problem = validateCron(cron, timezone);
    if (problem) {
      throw new CordonError({ kind: "invalid_input", field: "cron" }, `schedule ${name}: ${problem}`);
    }
    const entry: Entry = { cron: pattern(cron, timezone), controller: new AbortController(), next: null };
    entry.next = entry.cron.nextRun(new Date(this.#options.clock.now()));
    this.#entries.set(name, entry);
    void this.#run(name, entry);
  }

  /** Stops one schedule (a tick already running finishes). */
  remove(name: string): void {
    this.#entries.get(name)?.controller.abort();
    this.#entries.delete(name);
  }

  /** The next tick's scheduled time, or null for an unknown name or a schedule with no more ticks. */
  nextRun(name: string): string | null {
    return this.#entries.get(name)?.next?.toISOString() ?? null;
  }

  /** Stops every schedule; ticks already running finish on their own. */
  stop(): void {
    for (const name of [...this.#entries.keys()]) this.remove(name);
  }

  async #run(name: string, entry: Entry): Promise<void> {
    const { clock, onTick } = this.#options;
    const signal = entry.controller.signal;
    while (!signal.aborted && entry.next) {
      const due = entry.next.getTime();
      try {
        for (let now = clock.now(); now < due; now = clock.now()) {
          await clock.sleep(Math.min(due - now, MAX_WAIT_MS), signal);
        }
      } catch {
        return; // removed or stopped
      }
      if (signal.aborted) return;
      try {
        await onTick(name, entry.next.toISOString());
      } catch (thrown) {
        try {
          this.#options.onError?.(toCordonError(thrown), name);
        } catch {
          // a failing reporter must not stop the schedule
        }
      }
      // The next tick strictly after both this tick and now: never the same tick twice, never a burst of
      // catch-up ticks after a long run.
      entry.next = entry.cron.nextRun(new Date(Math.max(due, clock.now())));
    }
  }
}
