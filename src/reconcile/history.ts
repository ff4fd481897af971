/**
 * What the store knows that the plan needs: which accounts cordon's own reconcile runs deactivated (and have not
 * reactivated since), which accounts an open containment holds, and whether this target was ever reconciled.
 */
import type { AnyActionDefinition } from "../core/action.ts";
import type { ActionCall } from "../core/connector.ts";
import type { TargetAccount } from "../core/reconcile.ts";
import type { RunRecord, Store } from "../store/types.ts";
import type { LastCordonAction } from "./plan.ts";

const PAGE = 500;

/**
 * Every reconcile run of this target connection for this app, newest first. Keyed by both: one Okta org can be
 * the target of several apps' assignments, and an unassignment from one app says nothing about another.
 */
export async function reconcileRunsOf(store: Store, connection: string, app?: string): Promise<RunRecord[]> {
  // listRuns has no offset; ask for more until fewer come back than asked for.
  let limit = PAGE;
  for (;;) {
    const runs = await store.listRuns({ kind: "reconcile", limit });
    if (runs.length < limit) {
      return runs.filter((run) => targetOf(run) === connection && (app === undefined || appOf(run) === app));
    }
    limit *= 2;
  }
}

function appOf(run: RunRecord): string | undefined {
  const plan = run.plan as { app?: unknown } | null;
  return typeof plan?.app === "string" ? plan.app : undefined;
}

function targetOf(run: RunRecord): string | undefined {
  const plan = run.plan as { target?: { connection?: unknown } } | null;
  return typeof plan?.target?.connection === "string" ? plan.target.connection : undefined;
}

/**
 * Per account id: the last lifecycle action a reconcile run of this target applied. Only `applied` counts for a
 * deactivation (`already_in_state` means someone else had deactivated it first); a reactivation counts either way.
 * `deactivatedAccounts` keeps what cordon's plan knew of each account it deactivated: a target where deactivation
 * removes the account (GitHub) no longer lists it, and cordon must still see it to reactivate it.
 * `restoreInputs` holds, for accounts cordon deactivated, the reactivation's input built from that deactivation's
 * snapshot (`restoreInput` of the deactivate action: GitHub re-invites with the same role and teams).
 */
export async function cordonLifecycleHistory(
  store: Store,
  connection: string,
  lifecycle: { deactivate: ActionCall; reactivate: ActionCall },
  app: string | undefined,
  deactivateAction?: AnyActionDefinition,
  restoreInputs: Map<string, Record<string, unknown>> = new Map(),
  deactivatedAccounts: Map<string, TargetAccount> = new Map(),
): Promise<Map<string, LastCordonAction>> {
  const last = new Map<string, LastCordonAction>();
  for (const run of await reconcileRunsOf(store, connection, app)) {
    const steps = await store.listSteps(run.id);
    const planned = new Map(
      ((run.plan as { changes?: Array<{ account: TargetAccount }> } | null)?.changes ?? []).map((c) => [
        c.account.id,
        c.account,
      ]),
    );
    // Newest run first; within a run the highest seq last wins, so walk the steps backwards.
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      if (step.connection !== connection || last.has(step.accountId)) continue;
      if (step.actionId === lifecycle.deactivate.actionId && step.state === "applied") {
        last.set(step.accountId, "deactivate");
        const restore = deactivateAction?.restoreInput?.(step.snapshot);
        if (restore) restoreInputs.set(step.accountId, restore);
        const account = planned.get(step.accountId);
        if (account) deactivatedAccounts.set(step.accountId, { ...account, active: false });
      } else if (
        step.actionId === lifecycle.reactivate.actionId &&
        (step.state === "applied" || step.state === "already_in_state")
      )
        last.set(step.accountId, "reactivate");
    }
  }
  return last;
}

/** Open containment holds on this connection, by account id and by lower-case email. */
export async function openHoldsOf(
  store: Store,
  connection: string,
): Promise<{ byId: Map<string, string>; byEmail: Map<string, string> }> {
  const holds = await store.listOpenHolds({ connection });
  return {
    byId: new Map(holds.map((h) => [h.accountId, h.runId])),
    byEmail: new Map(holds.map((h) => [h.email.trim().toLowerCase(), h.runId])),
  };
}
