/**
 * The durable step machine (decision 0010): runs one playbook run from its stored records until it finishes, waits
 * (an approval, a `wait`, a retry's backoff) or is handed back at shutdown. Every step writes its intent before it
 * acts and its outcome after; re-running a run replays finished steps from their records, so a restart resumes
 * exactly where the dead process stopped.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError, toCordonError } from "../core/errors.ts";
import type { CordonEvent } from "../core/event.ts";
import type { ContainmentPolicy } from "../engine/policy.ts";
import type { PlaybookRunRecord, PlaybookStepRecord, Store } from "../store/types.ts";
import { approvalGateStep } from "./approval.ts";
import { containStep, uncontainStep } from "./contain-steps.ts";
import { evaluate, isTruthy, renderTemplate, renderValue, type Scope } from "./language/index.ts";
import { notifyStep } from "./notify-step.ts";
import { MAX_FOR_EACH_ITEMS, type Playbook, type Step } from "./schema.ts";

export interface PlaybookEnvironment {
  store: Store;
  connectors: Connector[];
  clock: Clock;
  policy: ContainmentPolicy;
  /** Okta admin console base URL for an event's origin connection (for System Log links), when known. */
  adminUrl?: (origin: string) => string | null;
  /** True once the server is shutting down: the runner stops between steps and hands the run back. */
  stopping?: () => boolean;
  signal?: AbortSignal;
  /** Observers for metrics; never change behaviour. */
  observe?: {
    /** The run's first containment call is about to leave (time-to-containment). */
    containmentCall?: (run: PlaybookRunRecord) => void;
    stepFinished?: (kind: string, ms: number, state: string) => void;
  };
}

/** What a step returns: its record's output (`steps.<id>` for later steps), or that the run must wait. */
export type StepOutcome =
  | { type: "done"; output: StepOutput }
  | { type: "failed"; error: CordonError; output?: StepOutput }
  | { type: "waiting"; resumeAt: string | null; output: StepOutput };

export interface StepOutput {
  outcome: string;
  [detail: string]: unknown;
}

export interface StepContext {
  env: PlaybookEnvironment;
  run: PlaybookRunRecord;
  playbook: Playbook;
  key: string;
  attempt: number;
  scope: Scope;
  /** The step's record from before, when a dead process left it at `intent` or it is waiting. */
  previous: PlaybookStepRecord | null;
  /** On a retry: what the failed attempt did (a notification sent to one channel is not sent there again). */
  lastAttempt: StepOutput | null;
}

type Progress = "continue" | "stop" | "wait" | "handed_back";

export function newPlaybookRunId(clock: Clock): string {
  return `pbr_${clock.now().toString(36)}_${randomBytes(5).toString("hex")}`;
}

/** The scope templates see: the event (plus its admin link), the subject, earlier steps' outputs, loop items. */
export function eventScope(
  event: CordonEvent,
  env: PlaybookEnvironment,
  playbook: Playbook,
): Record<string, unknown> {
  const base = {
    event: { ...event, admin_url: env.adminUrl?.(event.origin) ?? null },
    playbook: { name: playbook.name },
  };
  const subject = renderTemplate(playbook.subject, { ...base, subject: event.subject });
  return { ...base, subject: subject === "" ? null : subject, steps: {} };
}

/**
 * Runs (or resumes) one playbook run. Returns the state it left the run in. Never throws for a step's failure:
 * that is recorded and handled by the step's error policy.
 */
export async function runPlaybook(env: PlaybookEnvironment, runId: string): Promise<PlaybookRunRecord> {
  const { store } = env;
  const run = await store.automation.getPlaybookRun(runId);
  if (!run)
    throw new CordonError(
      { kind: "not_found", vendor: "cordon", what: "playbook run" },
      `no playbook run ${runId}`,
    );
  if (run.state === "completed" || run.state === "failed") return run;
  const playbook = run.definition as Playbook;
  if (run.state !== "running") await store.automation.setPlaybookRunState(runId, "running");

  const records = new Map((await store.automation.listPlaybookSteps(runId)).map((r) => [r.key, r]));
  const failures: string[] = [];
  let progress: Progress;
  try {
    const scope = eventScope(run.event, env, playbook);
    progress = await runSteps(env, run, playbook, playbook.steps, "", scope, records, failures);
  } catch (error) {
    // A bug or a store failure, not a step's: the run fails loudly rather than sitting in `running`.
    await store.automation.setPlaybookRunState(
      runId,
      "failed",
      `internal error: ${toCordonError(error).message}`,
    );
    return (await store.automation.getPlaybookRun(runId))!;
  }
  if (progress === "wait") await store.automation.setPlaybookRunState(runId, "waiting");
  else if (progress === "stop")
    await store.automation.setPlaybookRunState(runId, "failed", failures.join("; "));
  else if (progress === "continue")
    await store.automation.setPlaybookRunState(
      runId,
      "completed",
      failures.length > 0 ? `completed; continued past: ${failures.join("; ")}` : null,
    );
  return (await store.automation.getPlaybookRun(runId))!;
}

async function runSteps(
  env: PlaybookEnvironment,
  run: PlaybookRunRecord,
  playbook: Playbook,
  steps: Step[],
  prefix: string,
  scope: Record<string, unknown>,
  records: Map<string, PlaybookStepRecord>,
  failures: string[],
): Promise<Progress> {
  for (const [index, step] of steps.entries()) {
    const key = prefix === "" ? String(index) : `${prefix}.${index}`;
    const record = records.get(key) ?? null;
    const finished =
      record && (record.state === "done" || record.state === "failed" || record.state === "skipped");
    let output: StepOutput;
    let failed: boolean;
    if (finished) {
      output = (record.output ?? { outcome: record.state }) as StepOutput;
      failed = record.state === "failed";
    } else {
      if (env.stopping?.()) return "handed_back";
      const result = await attemptStep(env, run, playbook, step, key, scope, record);
      if (result.type === "waiting") return "wait";
      output = result.output;
      failed = result.failed;
      records.set(key, {
        ...(record ?? ({} as PlaybookStepRecord)),
        state: failed ? "failed" : "done",
        output,
      });
    }
    if (step.id) (scope.steps as Record<string, unknown>)[step.id] = output;
    if (failed) {
      failures.push(`step ${step.id ?? key} (${step.kind}): ${String(output.error ?? output.outcome)}`);
      if (step.onError.mode === "stop") return "stop";
      continue;
    }
    const nested = await runNested(env, run, playbook, step, key, scope, output, records, failures);
    if (nested !== "continue") return nested;
  }
  return "continue";
}

/** `if` and `for_each` run their chosen steps after their own record fixed the branch or the items. */
async function runNested(
  env: PlaybookEnvironment,
  run: PlaybookRunRecord,
  playbook: Playbook,
  step: Step,
  key: string,
  scope: Record<string, unknown>,
  output: StepOutput,
  records: Map<string, PlaybookStepRecord>,
  failures: string[],
): Promise<Progress> {
  if (step.kind === "if") {
    const branch = output.outcome === "then" ? step.then : step.else;
    return runSteps(env, run, playbook, branch, `${key}.${output.outcome}`, scope, records, failures);
  }
  if (step.kind === "for_each") {
    const items = (output.items ?? []) as unknown[];
    for (const [index, item] of items.entries()) {
      const inner = { ...scope, [step.as]: item };
      const progress = await runSteps(
        env,
        run,
        playbook,
        step.do,
        `${key}.do[${index}]`,
        inner,
        records,
        failures,
      );
      if (progress !== "continue") return progress;
    }
  }
  return "continue";
}

/**
 * One step with its error policy: intent, act, outcome. A retry is a `waiting` record with the backoff's end,
 * so a retry survives a restart like a `wait` does.
 */
async function attemptStep(
  env: PlaybookEnvironment,
  run: PlaybookRunRecord,
  playbook: Playbook,
  step: Step,
  key: string,
  scope: Record<string, unknown>,
  record: PlaybookStepRecord | null,
): Promise<{ type: "waiting" } | { type: "finished"; output: StepOutput; failed: boolean }> {
  const { store, clock } = env;
  const now = clock.now();
  if (record?.state === "waiting" && record.resumeAt && Date.parse(record.resumeAt) > now)
    return { type: "waiting" };

  // A retry's backoff has passed: a new attempt. An approval or a wait continues the same attempt.
  const retrying =
    record?.state === "waiting" && (record.output as StepOutput | null)?.outcome === "retrying";
  const attempt = record ? record.attempt + (retrying ? 1 : 0) : 1;
  const previous = record && !retrying ? record : null;
  if (!record || retrying) await store.automation.recordPlaybookStepIntent(run.id, key, step.kind, attempt);

  const started = clock.now();
  let result: StepOutcome;
  try {
    const lastAttempt = retrying ? ((record?.output as StepOutput | null) ?? null) : null;
    result = await executeStep({ env, run, playbook, key, attempt, scope, previous, lastAttempt }, step);
  } catch (error) {
    result = { type: "failed", error: toCordonError(error) };
  }
  env.observe?.stepFinished?.(step.kind, clock.now() - started, result.type);

  if (result.type === "waiting") {
    if (previous?.state !== "waiting" || previous.resumeAt !== result.resumeAt) {
      await store.automation.recordPlaybookStepOutcome(run.id, key, {
        state: "waiting",
        output: result.output,
        ...(result.resumeAt ? { resumeAt: result.resumeAt } : {}),
      });
    }
    return { type: "waiting" };
  }
  if (result.type === "done") {
    await store.automation.recordPlaybookStepOutcome(run.id, key, { state: "done", output: result.output });
    return { type: "finished", output: result.output, failed: false };
  }
  const output: StepOutput = {
    outcome: "failed",
    ...result.output,
    error: result.error.message,
    errorKind: result.error.kind,
  };
  const retry = step.onError.retry;
  if (retry && attempt <= retry.attempts) {
    await store.automation.recordPlaybookStepOutcome(run.id, key, {
      state: "waiting",
      output: { ...output, outcome: "retrying", attempt },
      error: result.error.toJSON(),
      resumeAt: new Date(clock.now() + retry.backoffMs * 2 ** (attempt - 1)).toISOString(),
    });
    return { type: "waiting" };
  }
  await store.automation.recordPlaybookStepOutcome(run.id, key, {
    state: "failed",
    output,
    error: result.error.toJSON(),
  });
  return { type: "finished", output, failed: true };
}

async function executeStep(ctx: StepContext, step: Step): Promise<StepOutcome> {
  const { env, scope, run, key } = ctx;
  switch (step.kind) {
    case "contain":
      return containStep(ctx, step);
    case "uncontain":
      return uncontainStep(ctx, step);
    case "notify":
      return notifyStep(ctx, step);
    case "approval":
      return approvalGateStep(ctx, step);
    case "record": {
      const row = renderValue(step.row, scope) as Record<string, unknown>;
      await env.store.automation.insertTableRow(step.table, run.id, key, row);
      return { type: "done", output: { outcome: "recorded", table: step.table } };
    }
    case "if":
      return {
        type: "done",
        output: { outcome: isTruthy(evaluate(step.condition, scope)) ? "then" : "else" },
      };
    case "for_each": {
      const items = evaluate(step.items, scope);
      const list = items === null ? [] : items;
      if (!Array.isArray(list))
        throw new CordonError(
          { kind: "invalid_input", field: "for_each" },
          `for_each: ${step.items} is not a list`,
        );
      if (list.length > MAX_FOR_EACH_ITEMS)
        throw new CordonError(
          { kind: "policy", rule: "for-each-limit" },
          `for_each: ${list.length} items, more than the limit of ${MAX_FOR_EACH_ITEMS}`,
        );
      return { type: "done", output: { outcome: "iterated", count: list.length, items: list } };
    }
    case "wait": {
      const until = ctx.previous?.resumeAt ?? new Date(env.clock.now() + step.durationMs).toISOString();
      if (Date.parse(until) > env.clock.now())
        return { type: "waiting", resumeAt: until, output: { outcome: "waiting", until } };
      return { type: "done", output: { outcome: "waited", until } };
    }
  }
}
