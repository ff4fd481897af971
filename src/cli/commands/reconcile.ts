import { CordonError } from "../../core/errors.ts";
import { type ConfiguredReconcileOutcome, runConfiguredReconcile } from "../../reconcile/job.ts";
import { formatReconcilePlan } from "../../reconcile/plan.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, renderRun } from "../output.ts";
import { progressReporter, runExitCode } from "./contain.ts";

export interface ReconcileCliOptions {
  target?: string;
  apply?: boolean;
  firstRunApply?: boolean;
  maxChanges?: number;
  maxShare?: number;
}

/**
 * `cordon reconcile`: who may use each target app (rules + source of truth) against who can (the target's
 * accounts). The default is the plan; `--apply` acts; the first run of a target only reports unless
 * `--first-run-apply`. Every read must be complete, or nothing changes.
 */
export async function reconcileCommand(
  ctx: CliContext,
  output: Output,
  options: ReconcileCliOptions,
): Promise<number> {
  const settings = ctx.loaded.config.reconcile;
  if (!settings) {
    throw new CordonError(
      { kind: "config", path: "reconcile" },
      "cordon.yaml has no reconcile section (source, rules, targets)",
    );
  }
  const store = ctx.openStore();
  let code: number = EXIT.ok;
  let outcomes: ConfiguredReconcileOutcome[];
  try {
    outcomes = await runConfiguredReconcile({
      settings,
      baseDir: ctx.loaded.baseDir,
      connectors: ctx.connectors(),
      store,
      clock: ctx.clock,
      actor: ctx.actor,
      apply: options.apply ?? false,
      firstRunApply: options.firstRunApply ?? false,
      ...(options.target ? { target: options.target } : {}),
      caps: {
        maxChanges: options.maxChanges ?? settings.maxChanges,
        maxShare: options.maxShare ?? settings.maxShare,
      },
      run: { onProgress: progressReporter(output) },
      onOutcome: (outcome) => {
        if (output.json) return;
        output.out(formatReconcilePlan(outcome.plan));
        if (outcome.result) output.out(renderRun(outcome.result));
        else if (options.apply && outcome.firstRun)
          output.out("first reconcile of this target: report only (pass --first-run-apply to act)");
        else output.out("plan only: nothing was changed (pass --apply to act)");
      },
    });
  } finally {
    await store.close();
  }
  for (const outcome of outcomes) {
    if (outcome.plan.alarms.length > 0) code = EXIT.refusedByPolicy;
    else if (outcome.result && code === EXIT.ok) code = runExitCode(outcome.result);
  }
  if (output.json) output.out(JSON.stringify(outcomes, null, 2));
  return code;
}
