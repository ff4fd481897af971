import type { Account } from "../core/account.ts";
import type { Clock } from "../core/clock.ts";
import type { ActionCall, Connector } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import { hashOf } from "../core/hash.ts";
import type { Plan } from "../core/plan.ts";
import type { Store } from "../store/types.ts";
import { executeRun, type RunOptions, type RunResult, type WorkItem } from "./run.ts";

export interface UndoPlan {
  version: 1;
  kind: "uncontain";
  parentRunId: string;
  createdAt: string;
  items: WorkItem[];
  /** What containment did that cannot be put back, said plainly (revoked sessions stay revoked). */
  notUndoable: Array<{ connection: string; email: string; actionId: string; why: string }>;
  /** Steps that changed nothing (the account was already so before containment), so nothing is restored. */
  leftAsFound: Array<{ connection: string; email: string; actionId: string }>;
  hash: string;
}

/**
 * Plans the exact undo of a containment run from its recorded steps: each step that *changed* something and has
 * an inverse is undone, last first; a step that found the account already in state is left alone (a user who
 * was suspended before the incident stays suspended); irreversible effects are listed, never claimed.
 */
export async function planUndo(
  parentRunId: string,
  store: Store,
  connectors: Connector[],
  clock: Clock,
): Promise<UndoPlan> {
  const run = await store.getRun(parentRunId);
  if (!run)
    throw new CordonError({ kind: "not_found", vendor: "cordon", what: "run" }, `no run ${parentRunId}`);
  if (run.kind !== "contain")
    throw new CordonError(
      { kind: "invalid_input", field: "run" },
      `${parentRunId} is an ${run.kind} run, not a containment`,
    );
  const earlier = (await store.listRuns({ kind: "uncontain", limit: 10_000 })).find(
    (r) => r.parentRunId === parentRunId && r.state === "completed",
  );
  if (earlier)
    throw new CordonError(
      { kind: "conflict", vendor: "cordon" },
      `${parentRunId} was already undone by ${earlier.id}`,
    );

  const plan = run.plan as Plan;
  const accounts = new Map<string, Account>(
    plan.items.map((item) => [`${item.account.connection}\u0000${item.account.id}`, item.account]),
  );
  const actions = new Map(connectors.flatMap((c) => [...c.actions.values()].map((a) => [a.id, a] as const)));
  const steps = (await store.listSteps(parentRunId)).sort((a, b) => b.seq - a.seq);

  const work = new Map<string, WorkItem>();
  const notUndoable: UndoPlan["notUndoable"] = [];
  const leftAsFound: UndoPlan["leftAsFound"] = [];
  for (const step of steps) {
    const where = { connection: step.connection, email: step.accountEmail, actionId: step.actionId };
    if (step.state === "already_in_state") leftAsFound.push(where);
    if (step.state !== "applied") continue;
    const action = actions.get(step.actionId);
    if (!action)
      throw new CordonError(
        { kind: "config" },
        `connection ${step.connection} (action ${step.actionId}) is not configured now`,
      );
    if (!action.inverse) {
      notUndoable.push({
        ...where,
        why: `${action.title}: cannot be undone (${action.affects.join(", ") || "no restorable state"})`,
      });
      continue;
    }
    const key = `${step.connection}\u0000${step.accountId}`;
    const account = accounts.get(key);
    if (!account)
      throw new CordonError(
        { kind: "internal" },
        `run ${parentRunId} has a step for an account missing from its plan`,
      );
    const item = work.get(key) ?? { account, calls: [] as ActionCall[] };
    item.calls.push({
      actionId: action.inverse,
      input: action.restoreInput ? action.restoreInput(step.snapshot) : {},
    });
    work.set(key, item);
  }
  // Accounts whose containment changed nothing reversible still need their hold released.
  for (const item of plan.items) {
    const key = `${item.account.connection}\u0000${item.account.id}`;
    if (item.decision === "contain" && !work.has(key)) work.set(key, { account: item.account, calls: [] });
  }

  const body = {
    version: 1 as const,
    kind: "uncontain" as const,
    parentRunId,
    createdAt: new Date(clock.now()).toISOString(),
    items: [...work.values()],
    notUndoable,
    leftAsFound,
  };
  return { ...body, hash: hashOf(body) };
}

/** `runId`: chosen by the caller when it must know it before the run starts (a playbook step). */
export async function applyUndo(
  undo: UndoPlan,
  options: Omit<RunOptions, "holds">,
  runId?: string,
): Promise<RunResult> {
  return executeRun(
    {
      ...(runId ? { runId } : {}),
      kind: "uncontain",
      planHash: undo.hash,
      plan: undo,
      reason: `undo of ${undo.parentRunId}`,
      parentRunId: undo.parentRunId,
      work: undo.items,
    },
    { ...options, holds: "release" },
  );
}
