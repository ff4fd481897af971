import { randomBytes } from "node:crypto";
import type { Account } from "../core/account.ts";
import type { ActionContext, AnyActionDefinition, VerifyResult } from "../core/action.ts";
import type { Clock } from "../core/clock.ts";
import { forEachLimited } from "../core/concurrency.ts";
import type { ActionCall, Connector } from "../core/connector.ts";
import { CordonError, toCordonError } from "../core/errors.ts";
import type { RunKind, RunState, StepState, Store } from "../store/types.ts";

/** One account and the calls to make on it, in order. */
export interface WorkItem {
  account: Account;
  calls: ActionCall[];
}

export interface RunSpec {
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
  const { store, clock } = options;
  const runId = newRunId(clock);
  const connectorsByName = new Map(options.connectors.map((c) => [c.connection, c]));
  const signal = options.signal ?? new AbortController().signal;

  let seq = 0;
  const numbered = spec.work.map((item) => ({ ...item, seqs: item.calls.map(() => seq++) }));
  const totalSteps = seq;

  await store.createRun({
    id: runId,
    kind: spec.kind,
    planHash: spec.planHash,
    plan: spec.plan,
    reason: spec.reason,
    actor: options.actor,
    parentRunId: spec.parentRunId,
  });
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
          const result = await runStep(
            runId,
            item.seqs[index]!,
            item.account,
            call,
            connector,
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
  const failed = counts.failed ?? 0;
  const state: RunState =
    failed === 0 && unverified === 0 ? "completed" : failed === results.length ? "failed" : "partial";
  await store.finishRun(runId, state, counts);
  return { runId, kind: spec.kind, state, steps: results, counts };
}

async function runStep(
  runId: string,
  seq: number,
  account: Account,
  call: ActionCall,
  connector: Connector | undefined,
  options: RunOptions,
  signal: AbortSignal,
): Promise<StepResult> {
  const { store, clock } = options;
  const base = {
    seq,
    connection: account.connection,
    accountId: account.id,
    email: account.email,
    actionId: call.actionId,
  };
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

  let snapshot: unknown;
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
