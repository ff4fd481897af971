/**
 * The in-process engine for playbooks (the embedded default): dispatches stored events to the playbooks whose
 * trigger matches, runs playbook runs concurrently, wakes runs whose wait, backoff or approval is over, expires
 * approvals, and on start resumes whatever a dead process left. Everything it acts on is read from the store, so
 * the store is the queue: an event accepted there is never lost.
 */

import { toCordonError } from "../core/errors.ts";
import type { CordonEvent } from "../core/event.ts";
import { hashOf } from "../core/hash.ts";
import type { PlaybookRunRecord } from "../store/types.ts";
import { announceDecision } from "./approval.ts";
import { evaluate, isTruthy } from "./language/index.ts";
import {
  eventScope,
  newPlaybookRunId,
  type PlaybookEnvironment,
  runPlaybook,
  type StepOutput,
} from "./runner.ts";
import type { Playbook } from "./schema.ts";

export interface WorkerOptions {
  env: PlaybookEnvironment;
  playbooks: Playbook[];
  /** Playbook runs in flight at once. Default 32. */
  concurrency?: number;
  /** How often waiting runs, expiries and decisions made by another process (the CLI) are checked. Default 1 s. */
  tickMs?: number;
  log?: (entry: Record<string, unknown>) => void;
  onRunSettled?: (run: PlaybookRunRecord) => void;
}

/** True when the playbook's trigger takes this event (source, type, webhook name, `when` filter), or a manual run names it. */
export function triggerMatches(playbook: Playbook, event: CordonEvent, env: PlaybookEnvironment): boolean {
  const trigger = playbook.trigger;
  // A manual run (CLI, API) names its playbook, whatever that playbook's trigger: a human asked for it.
  if (event.source === "manual") return event.origin === playbook.name;
  if (trigger.source !== event.source) return false;
  if (event.source === "okta" && !trigger.events.includes(event.type)) return false;
  if (event.source === "webhook") {
    if (trigger.webhook !== event.origin) return false;
    if (trigger.events.length > 0 && !trigger.events.includes(event.type)) return false;
  }
  if (event.source === "schedule" && event.origin !== playbook.name) return false;
  if (!trigger.when) return true;
  return isTruthy(evaluate(trigger.when, eventScope(event, env, playbook)));
}

export class PlaybookWorker {
  readonly #options: WorkerOptions;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #byName: Map<string, Playbook>;
  #pumping: Promise<void> | null = null;
  #again = false;
  #stopping = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#byName = new Map(options.playbooks.map((p) => [p.name, p]));
  }

  get env(): PlaybookEnvironment {
    return { ...this.#options.env, stopping: () => this.#stopping };
  }

  get playbooks(): Playbook[] {
    return [...this.#byName.values()];
  }

  /** Resumes what a dead process left (runs `queued`/`running`, events not yet dispatched), then ticks. */
  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#options.tickMs ?? 1000);
    this.#timer.unref();
    void this.#tick();
  }

  /** Something arrived (an event, a decision): dispatch and run now rather than at the next tick. */
  kick(): void {
    if (this.#stopping) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = null;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /** Runs in flight (for metrics and tests). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves when no event is queued and no run is in flight (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      await this.#pumping;
      await Promise.all(this.#inFlight.values());
      if (!this.#pumping && this.#inFlight.size === 0) {
        const queued = await this.#options.env.store.automation.queuedEvents(1);
        if (queued.length === 0) return;
        this.kick();
      }
    }
  }

  /**
   * Graceful stop: no new run or step starts; steps in flight finish (up to `graceMs`), and their runs are handed
   * back — left `running` in the store for the next start to resume.
   */
  async stop(graceMs = 10_000): Promise<{ handedBack: number }> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    const inFlight = [...this.#inFlight.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.#pumping, ...inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    const open = await this.#options.env.store.automation.listPlaybookRuns({ states: ["queued", "running"] });
    return { handedBack: open.length };
  }

  async #tick(): Promise<void> {
    if (this.#stopping) return;
    try {
      const store = this.#options.env.store.automation;
      for (const expired of await store.expireApprovals()) await announceDecision(this.env, expired);
      for (const run of await store.listPlaybookRuns({ states: ["waiting"], limit: 1000 })) {
        if (!this.#inFlight.has(run.id) && (await this.#ready(run.id))) this.#startRun(run.id);
      }
      await this.#fill();
      this.kick();
    } catch (error) {
      this.#options.log?.({ level: "error", msg: "worker tick failed", error: toCordonError(error).message });
    }
  }

  /** A waiting run may continue when its backoff or wait is over, or its approval was decided. */
  async #ready(runId: string): Promise<boolean> {
    const { store, clock } = this.#options.env;
    for (const step of await store.automation.listPlaybookSteps(runId)) {
      if (step.state !== "waiting") continue;
      const output = step.output as StepOutput | null;
      if (output?.outcome === "awaiting_approval") {
        const approval = await store.automation.getApproval(String(output.approvalId));
        if (approval && approval.state !== "pending") return true;
      } else if (step.resumeAt && Date.parse(step.resumeAt) <= clock.now()) return true;
    }
    return false;
  }

  async #pump(): Promise<void> {
    const { env } = this.#options;
    for (;;) {
      if (this.#stopping) return;
      const events = await env.store.automation.queuedEvents(100);
      if (events.length === 0) return;
      for (const stored of events) {
        const matching = this.playbooks.filter((playbook) => {
          try {
            return triggerMatches(playbook, stored.event, env);
          } catch (error) {
            this.#options.log?.({
              level: "warn",
              msg: "trigger filter failed; the playbook does not run for this event",
              playbook: playbook.name,
              event: stored.key,
              error: toCordonError(error).message,
            });
            return false;
          }
        });
        const runs = await env.store.automation.dispatchEvent(
          stored.key,
          matching.map((playbook) => ({
            id: newPlaybookRunId(env.clock),
            playbook: playbook.name,
            playbookHash: hashOf(playbook),
            definition: playbook,
            actor:
              stored.event.source === "manual"
                ? String((stored.event.data as { actor?: unknown })?.actor ?? "manual")
                : stored.event.source,
          })),
        );
        if (runs.length > 0) await this.#fill();
      }
    }
  }

  /** Starts runs left `queued` or `running` (by a dead process), oldest first, as many as there are free slots. */
  async #fill(): Promise<void> {
    const free = this.#concurrency - this.#inFlight.size;
    if (this.#stopping || free <= 0) return;
    const runs = await this.#options.env.store.automation.listPlaybookRuns({
      states: ["queued", "running"],
      order: "oldest",
      limit: free + this.#inFlight.size,
    });
    for (const run of runs) this.#startRun(run.id);
  }

  get #concurrency(): number {
    return this.#options.concurrency ?? 32;
  }

  #startRun(id: string): void {
    if (this.#stopping || this.#inFlight.has(id)) return;
    if (this.#inFlight.size >= this.#concurrency) return; // a run finishing starts the next (#fill)
    const running = runPlaybook(this.env, id)
      .then((run) => this.#options.onRunSettled?.(run))
      .catch((error) => {
        this.#options.log?.({
          level: "error",
          msg: "playbook run failed",
          run: id,
          error: toCordonError(error).message,
        });
      })
      .finally(() => {
        this.#inFlight.delete(id);
        void this.#fill().catch((error) =>
          this.#options.log?.({
            level: "error",
            msg: "starting queued runs failed",
            error: toCordonError(error).message,
          }),
        );
      });
    this.#inFlight.set(id, running);
  }
}
