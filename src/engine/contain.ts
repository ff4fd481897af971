import { CordonError } from "../core/errors.ts";
import { type Plan, planIsIntact } from "../core/plan.ts";
import { executeRun, type RunOptions, type RunResult } from "./run.ts";

/** Applies a sealed containment plan; a plan edited after it was made is refused (its hash no longer matches). */
export async function applyPlan(plan: Plan, options: Omit<RunOptions, "holds">): Promise<RunResult> {
  if (plan.kind !== "contain" || !planIsIntact(plan)) {
    throw new CordonError(
      { kind: "invalid_input", field: "plan" },
      "the plan does not match its hash: it was changed after it was made; make a new plan",
    );
  }
  const work = plan.items
    .filter((item) => item.decision === "contain")
    .map((item) => ({ account: item.account, calls: item.calls }));
  return executeRun(
    { kind: "contain", planHash: plan.hash, plan, reason: plan.reason, parentRunId: null, work },
    { ...options, holds: "open" },
  );
}
