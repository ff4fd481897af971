import type { Account } from "../core/account.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import { executeRun, type RunOptions, type RunResult, type WorkItem } from "../engine/run.ts";
import { openHoldsOf } from "./history.ts";
import { type ReconcilePlan, reconcilePlanIsIntact } from "./plan.ts";

export type ApplyReconcileOptions = Omit<RunOptions, "holds" | "connectors"> & { connectors: Connector[] };

/**
 * Applies a sealed reconcile plan through `executeRun` (intent → snapshot → execute → verify → outcome, all in the
 * ledger with the plan hash). Refuses a plan whose hash does not match, a plan with alarms (a cap was exceeded), a
 * target without lifecycle calls, and a plan with an account that an open containment now holds (a containment
 * opened after the plan was made still wins: make a new plan). The run is `holds: "none"`: reconciliation never
 * opens nor releases a containment hold.
 */
export async function applyReconcilePlan(
  plan: ReconcilePlan,
  options: ApplyReconcileOptions,
): Promise<RunResult> {
  if (!reconcilePlanIsIntact(plan)) {
    throw new CordonError(
      { kind: "invalid_input", field: "plan" },
      "the reconcile plan does not match its hash: it was changed after it was made; make a new plan",
    );
  }
  if (plan.alarms.length > 0) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.alarm" },
      `refusing to apply: ${plan.alarms.join("; ")}`,
    );
  }
  const connector = options.connectors.find((c) => c.connection === plan.target.connection);
  if (!connector)
    throw new CordonError({ kind: "config" }, `connection ${plan.target.connection} is not configured now`);
  if (!connector.lifecycle)
    throw new CordonError(
      { kind: "config" },
      `connection ${plan.target.connection} cannot deactivate or reactivate accounts (no lifecycle calls)`,
    );

  const holds = await openHoldsOf(options.store, plan.target.connection);
  const held = plan.changes.filter(
    (c) => holds.byId.has(c.account.id) || holds.byEmail.has(c.account.email.trim().toLowerCase()),
  );
  if (held.length > 0) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.containment_hold" },
      `an open containment now holds ${held.map((c) => c.account.email || c.account.id).join(", ")}: containment wins; make a new plan`,
    );
  }

  const work: WorkItem[] = plan.changes.map((change) => {
    const account: Account = {
      connection: plan.target.connection,
      vendor: plan.target.vendor,
      id: change.account.id,
      email: change.account.email,
      status: change.account.active ? "active" : "deactivated",
      protectedReasons: [...change.account.protectedReasons],
      matchedBy: "reconcile",
    };
    if (change.account.displayName !== undefined) account.displayName = change.account.displayName;
    if (change.account.login !== undefined) account.login = change.account.login;
    return { account, calls: [{ actionId: change.call.actionId, input: { ...change.call.input } }] };
  });

  return executeRun(
    {
      kind: "reconcile",
      planHash: plan.hash,
      plan,
      reason: `reconcile ${plan.app} on ${plan.target.connection}: ${plan.counts.deactivate} to deactivate, ${plan.counts.reactivate} to reactivate`,
      parentRunId: null,
      work,
    },
    { ...options, holds: "none" },
  );
}
