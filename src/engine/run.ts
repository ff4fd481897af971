import { randomBytes } from "node:crypto";
import type { Account } from "../core/account.ts";
import type { ActionContext, AnyActionDefinition, VerifyResult } from "../core/action.ts";
import type { Clock } from "../core/clock.ts";
import { forEachLimited } from "../core/concurrency.ts";
import type { ActionCall, Connector } from "../core/connector.ts";
import { CordonError, toCordonError } from "../core/errors.ts";
import type { Plan } from "../core/plan.ts";
import type { RunKind, RunState, StepRecord, StepState, Store } from "../store/types.ts";

/** One account and the calls to make on it, in order. */
export interface WorkItem {
  account: Account;
  calls: ActionCall[];
}

export interface RunSpec {
  /** Chosen by the caller when it must know the id before the run starts (a playbook step records it first). */
  runId?: string;
  kind: RunKind;
  planHash: string;
  plan: unknown;
  reason: string | null;
  parentRunId: string | null;
  work: WorkItem[];
}

export interface StepResult {
  seq: number;
  connection: string;
  accountId: string;
  email: string;
  actionId: string;
  state: Exclude<StepState, "intent">;
  verification?: VerifyResult;
  error?: { kind: string; message: string };
}

export interface RunResult {
  runId: string;
  kind: RunKind;
  state: RunState;
  steps: StepResult[];
  counts: Record<string, number>;
}

export type ProgressEvent =
  | { type: "run.started"; runId: string; totalSteps: number }
  | { type: "step.finished"; step: StepResult; done: number; totalSteps: number };

export interface RunOptions {
  store: Store;
  connectors: Connector[];
  clock: Clock;
  actor: string;
  /** How long to keep re-reading a vendor until an effect shows. Default 15 s. */
  verifyTimeoutMs?: number;
  verifyIntervalMs?: number;
  /** Accounts in flight per connection; the governor paces requests further. Default 16. */
  accountConcurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /**
   * Also called for each account whose containment took hold (opens a hold) or was undone (releases it).
   * `none`: the run never opens or releases holds (reconciliation: containment always wins over it).
   */
  holds: "open" | "release" | "none";
}

/** Sortable, unguessable run ids: `run_<time base36>_<random>`. */
export function newRunId(clock: Clock): string {
  return `run_${clock.now().toString(36)}_${randomBytes(5).toString("hex")}`;
}

/**
 * Executes a run: every connection concurrently, accounts concurrently within one, each account's calls in order.
 * For each call: intent recorded → prior state snapshotted → executed → verified → outcome recorded. One app
 * failing never stops the others; a failed call does not stop the account's later calls (containment does as
 * much as it can), and the result says per app and per account what happened.
 */
export async function executeRun(spec: RunSpec, options: RunOptions): Promise<RunResult> {
  const runId = spec.runId ?? newRunId(options.clock);
  await options.store.createRun({
    id: runId,
    kind: spec.kind,
    planHash: spec.planHash,
    plan: spec.plan,
    reason: spec.reason,
    actor: options.actor,
    parentRunId: spec.parentRunId,
  });
  return runWork(runId, spec.kind, spec.work, new Map(), options);
}

/**
 * Finishes a run a dead process left `running`, from its stored plan and step records: a step with an outcome is
 * kept; a step with no record runs; a step found with only its intent (the process died around the vendor call)
 * runs again when its action is idempotent, and otherwise is verified by reading the vendor and never sent twice.
 */
export async function resumeRun(runId: string, options: RunOptions): Promise<RunResult> {
  const { store } = options;
  const run = await store.getRun(runId);
  if (!run) throw new CordonError({ kind: "not_found", vendor: "cordon", what: "run" }, `no run ${runId}`);
  const steps = await store.listSteps(runId);
  const recorded = new Map(steps.map((step) => [step.seq, step]));
  if (run.state !== "running") {
    const results = steps.map((step) => ({
      seq: step.seq,
      connection: step.connection,
      accountId: step.accountId,
      email: step.accountEmail,
      actionId: step.actionId,
      state: step.state === "intent" ? ("failed" as const) : step.state,
    }));
    return { runId, kind: run.kind, state: run.state, steps: results, counts: countOutcomes(results) };
  }
  return runWork(runId, run.kind, workOfPlan(run.kind, run.plan), recorded, options);
}

/** The work a stored plan describes, in the order `executeRun` numbered it. */
function workOfPlan(kind: RunKind, plan: unknown): WorkItem[] {
  if (kind === "contain") {
    return (plan as Plan).items
      .filter((item) => item.decision === "contain")
      .map((item) => ({ account: item.account, calls: item.calls }));
  }
  if (kind === "uncontain") return (plan as { items: WorkItem[] }).items;
  throw new CordonError(
    { kind: "invalid_input", field: "run" },
    `a ${kind} run cannot be resumed; plan it again (it only acts on what it reads now)`,
  );
}

async function runWork(
  runId: string,
  kind: RunKind,
  work: WorkItem[],
  recorded: ReadonlyMap<number, StepRecord>,
  options: RunOptions,
): Promise<RunResult> {
  const { store } = options;
  const connectorsByName = new Map(options.connectors.map((c) => [c.connection, c]));
  const signal = options.signal ?? new AbortController().signal;

  let seq = 0;
  const numbered = work.map((item) => ({ ...item, seqs: item.calls.map(() => seq++) }));
  const totalSteps = seq;
  options.onProgress?.({ type: "run.started", runId, totalSteps });

  const results: StepResult[] = [];
  const byConnection = new Map<string, typeof numbered>();
  for (const item of numbered) {
    const list = byConnection.get(item.account.connection) ?? [];
    list.push(item);
    byConnection.set(item.account.connection, list);
  }

  await Promise.all(
    [...byConnection].map(async ([connection, items]) => {
      const connector = connectorsByName.get(connection);
      await forEachLimited(items, options.accountConcurrency ?? 16, async (item) => {
        const accountResults: StepResult[] = [];
        for (const [index, call] of item.calls.entries()) {
          const stepSeq = item.seqs[index]!;
          const result = await runStep(
            { runId, seq: stepSeq, account: item.account, call, connector, previous: recorded.get(stepSeq) },
            options,
            signal,
          );
          accountResults.push(result);
          results.push(result);
          options.onProgress?.({ type: "step.finished", step: result, done: results.length, totalSteps });
        }
        await updateHold(runId, item.account, accountResults, options);
      });
    }),
  );

  results.sort((a, b) => a.seq - b.seq);
  const counts = countOutcomes(results);
  const failed = counts.failed ?? 0;
  const unverified = counts.unverified ?? 0;
  const state: RunState =
    failed === 0 && unverified === 0 ? "completed" : failed === results.length ? "failed" : "partial";
  await store.finishRun(runId, state, counts);
  return { runId, kind, state, steps: results, counts };
}

function countOutcomes(results: StepResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.state] = (counts[r.state] ?? 0) + 1;
  const unverified = results.filter(
    (r) =>
      r.state === "applied" &&
      r.verification &&
      r.verification.state !== "verified" &&
      r.verification.state !== "not_observable",
  ).length;
  if (unverified > 0) counts.unverified = unverified;
  return counts;
}

interface StepTarget {
  runId: string;
  seq: number;
  account: Account;
  call: ActionCall;
  connector: Connector | undefined;
  /** The step's record from an interrupted attempt of this run, when resuming. */
  previous: StepRecord | undefined;
}

/** Which step a result is about: its place in the run, the account and the action. */
function stepIdentity({ seq, account, call }: StepTarget): Omit<StepResult, "state"> {
  return {
    seq,
    connection: account.connection,
    accountId: account.id,
    email: account.email,
    actionId: call.actionId,
  };
}

async function runStep(target: StepTarget, options: RunOptions, signal: AbortSignal): Promise<StepResult> {
  const { store, clock } = options;
  const { runId, seq, account, call, connector, previous } = target;
  const base = stepIdentity(target);
  if (previous && previous.state !== "intent") {
    return {
      ...base,
      state: previous.state,
      ...(previous.verification ? { verification: previous.verification as VerifyResult } : {}),
    };
  }
  if (!previous) {
    await store.recordStepIntent({
      runId,
      seq,
      connection: account.connection,
      vendor: account.vendor,
      accountId: account.id,
      accountEmail: account.email,
      actionId: call.actionId,
      input: call.input,
    });
  }

  let snapshot: unknown = previous?.snapshot ?? undefined;
  try {
    if (!connector)
      throw new CordonError({ kind: "config" }, `connection ${account.connection} is not configured now`);
    const action = connector.actions.get(call.actionId);
    if (!action)
      throw new CordonError({ kind: "config" }, `${account.connection} has no action ${call.actionId}`);
    const parsed = action.input.safeParse(call.input);
    if (!parsed.success)
      throw new CordonError(
        { kind: "invalid_input", field: call.actionId },
        `invalid input for ${call.actionId}: ${parsed.error.issues[0]?.message ?? "rejected"}`,
      );
    const ctx: ActionContext<unknown> = { client: connector.client, account, clock, signal };
    if (previous && !action.idempotent)
      return await recoverInDoubt(target, action, ctx, parsed.data, options);
    snapshot = action.snapshot ? await action.snapshot(ctx, parsed.data) : undefined;
    const executed = await action.execute(ctx, parsed.data, snapshot);
    const verification =
      executed.outcome === "applied"
        ? await verifyEffect(action, ctx, parsed.data, executed.output, options)
        : undefined;
    await store.recordStepOutcome(runId, seq, {
      state: executed.outcome,
      snapshot,
      output: executed.output,
      verification,
    });
    return { ...base, state: executed.outcome, verification };
  } catch (thrown) {
    const error = toCordonError(thrown);
    await store.recordStepOutcome(runId, seq, { state: "failed", snapshot, error: error.toJSON() });
    return { ...base, state: "failed", error: { kind: error.kind, message: error.message } };
  }
}

/**
 * A non-idempotent call whose intent was recorded but whose outcome was not: the process died around the call.
 * Sending it again could act twice (a second password-reset email, a second message), so cordon reads the vendor
 * instead: an effect that shows is recorded as applied, anything else as interrupted, for a human to check.
 */
async function recoverInDoubt(
  target: StepTarget,
  action: AnyActionDefinition,
  ctx: ActionContext<unknown>,
  input: unknown,
  options: RunOptions,
): Promise<StepResult> {
  const { runId, seq, account, call } = target;
  const base = stepIdentity(target);
  const verification = action.verify
    ? await verifyEffect(action, ctx, input, undefined, { ...options, verifyTimeoutMs: 0 })
    : undefined;
  if (verification?.state === "verified") {
    await options.store.recordStepOutcome(runId, seq, {
      state: "applied",
      snapshot: target.previous?.snapshot,
      verification: {
        ...verification,
        observed: `${verification.observed} (recovered after an interrupted run)`,
      },
    });
    return { ...base, state: "applied", verification };
  }
  const error = new CordonError(
    { kind: "interrupted", vendor: account.vendor },
    `${call.actionId} was interrupted mid-call; it is not idempotent, so cordon did not send it again and the vendor does not show its effect — check ${account.connection} by hand`,
  );
  await options.store.recordStepOutcome(runId, seq, {
    state: "failed",
    snapshot: target.previous?.snapshot,
    error: error.toJSON(),
  });
  return { ...base, state: "failed", error: { kind: error.kind, message: error.message } };
}

/** Re-reads the vendor until the effect shows or the deadline passes (a waiter, aesthetics §9 rule 16). */
async function verifyEffect(
  action: AnyActionDefinition,
  ctx: ActionContext<unknown>,
  input: unknown,
  output: unknown,
  options: RunOptions,
): Promise<VerifyResult | undefined> {
  if (!action.verify) return undefined;
  const deadline = options.clock.now() + (options.verifyTimeoutMs ?? 15_000);
  let interval = options.verifyIntervalMs ?? 250;
  for (;;) {
    let result: VerifyResult;
    try {
      result = await action.verify(ctx, input, output);
    } catch (error) {
      // A failed read is not proof either way: say what happened instead of claiming success.
      result = { state: "pending", observed: `verification read failed: ${toCordonError(error).message}` };
    }
    if (result.state !== "pending" || options.clock.now() + interval > deadline) return result;
    await options.clock.sleep(interval, ctx.signal);
    interval = Math.min(interval * 2, 2_000);
  }
}

async function updateHold(
  runId: string,
  account: Account,
  steps: StepResult[],
  options: RunOptions,
): Promise<void> {
  const { store } = options;
  if (options.holds === "none") return;
  if (options.holds === "open") {
    if (steps.some((s) => s.state === "applied" || s.state === "already_in_state")) {
      await store.openHold({
        connection: account.connection,
        accountId: account.id,
        email: account.email,
        runId,
      });
    }
  } else if (steps.every((s) => s.state !== "failed")) {
    await store.releaseHold(account.connection, account.id, runId);
  }
}
