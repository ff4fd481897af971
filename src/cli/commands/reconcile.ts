import { resolve } from "node:path";
import type { Connector } from "../../core/connector.ts";
import { CordonError } from "../../core/errors.ts";
import { runAction } from "../../library.ts";
import { connectorSource, fileSource, loadAccessRules, reconcile } from "../../reconcile/index.ts";
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
  const connectors = ctx.connectors();
  const byName = (name: string) => {
    const connector = connectors.find((c) => c.connection === name);
    if (!connector)
      throw new CordonError({ kind: "config", path: "reconcile" }, `no connection named ${name}`);
    return connector;
  };
  const targets = Object.entries(settings.targets).filter(
    ([name]) => !options.target || name === options.target,
  );
  if (targets.length === 0)
    throw new CordonError(
      { kind: "config", path: "reconcile.targets" },
      `no reconcile target ${options.target ?? ""}`.trim(),
    );
  const source =
    typeof settings.source === "string"
      ? connectorSource(byName(settings.source))
      : fileSource(resolve(ctx.loaded.baseDir, settings.source.file));
  const rules = await loadAccessRules(resolve(ctx.loaded.baseDir, settings.rules));
  const caps = {
    maxChanges: options.maxChanges ?? settings.maxChanges,
    maxShare: options.maxShare ?? settings.maxShare,
  };

  const store = ctx.openStore();
  const outcomes = [];
  let code: number = EXIT.ok;
  try {
    for (const [name, { app, appId }] of targets) {
      const connector = byName(name);
      const target = appId ? connector.appTarget?.(appId) : connector;
      if (!target) {
        throw new CordonError(
          { kind: "config", path: `reconcile.targets.${name}.appId` },
          `${name} (${connector.vendor}) has no per-application targets`,
        );
      }
      const outcome = await reconcile({
        source,
        rules,
        app,
        target,
        store,
        clock: ctx.clock,
        actor: ctx.actor,
        apply: options.apply ?? false,
        firstRun: options.firstRunApply ? "apply" : "report",
        caps,
        run: { onProgress: progressReporter(output) },
      });
      outcomes.push({ target: name, ...outcome });
      if (!output.json) {
        output.out(formatReconcilePlan(outcome.plan));
        if (outcome.result) output.out(renderRun(outcome.result));
        else if (options.apply && outcome.firstRun)
          output.out("first reconcile of this target: report only (pass --first-run-apply to act)");
        else output.out("plan only: nothing was changed (pass --apply to act)");
      }
      if (outcome.result && settings.notify)
        await postSummary(byName(settings.notify.connection), settings.notify.channel, name, outcome, ctx);
      if (outcome.plan.alarms.length > 0) code = EXIT.refusedByPolicy;
      else if (outcome.result && code === EXIT.ok) code = runExitCode(outcome.result);
    }
  } finally {
    await store.close();
  }
  if (output.json) output.out(JSON.stringify(outcomes, null, 2));
  return code;
}

/** A short summary of an applied reconcile, in the channel the security team watches. */
async function postSummary(
  slack: Connector,
  channel: string,
  target: string,
  outcome: Awaited<ReturnType<typeof reconcile>>,
  ctx: CliContext,
): Promise<void> {
  const { plan, result } = outcome;
  const failed = result?.counts.failed ?? 0;
  const text =
    `cordon reconcile ${target} (${plan.app}): ${plan.counts.deactivate} deactivated, ${plan.counts.reactivate} reactivated, ` +
    `${plan.counts.skipped} skipped${failed ? `, ${failed} FAILED` : ""}; run ${result?.runId}, plan ${plan.hash.slice(0, 12)}`;
  await runAction(
    slack,
    "slack.post_message",
    {
      connection: slack.connection,
      vendor: slack.vendor,
      id: channel,
      email: "",
      status: "",
      protectedReasons: [],
      matchedBy: "notify",
    },
    { channel, text },
    { clock: ctx.clock },
  );
}
