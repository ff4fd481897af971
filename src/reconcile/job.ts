/**
 * The configured reconcile (cordon.yaml `reconcile`) over all its targets or one, shared by `cordon reconcile` and
 * the schedule inside `cordon serve`; posts each applied run's summary to the configured Slack channel.
 */
import { resolve } from "node:path";
import type { Reconcile } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import { sendNotification } from "../engine/notify.ts";
import type { Store } from "../store/types.ts";
import {
  connectorSource,
  fileSource,
  loadAccessRules,
  type ReconcileOptions,
  type ReconcileOutcome,
  reconcile,
} from "./index.ts";

export interface ConfiguredReconcileOptions {
  settings: Reconcile;
  /** Where relative paths in the settings (rules, profile file) are resolved from: the config file's folder. */
  baseDir: string;
  connectors: Connector[];
  store: Store;
  clock: Clock;
  actor: string;
  apply: boolean;
  firstRunApply: boolean;
  /** Only this target (connection name); all when omitted. */
  target?: string;
  caps?: ReconcileOptions["caps"];
  run?: ReconcileOptions["run"];
  onOutcome?: (outcome: ConfiguredReconcileOutcome) => void;
}

export type ConfiguredReconcileOutcome = ReconcileOutcome & { target: string };

export async function runConfiguredReconcile(
  options: ConfiguredReconcileOptions,
): Promise<ConfiguredReconcileOutcome[]> {
  const { settings, connectors } = options;
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
      : fileSource(resolve(options.baseDir, settings.source.file));
  const rules = await loadAccessRules(resolve(options.baseDir, settings.rules));

  const outcomes: ConfiguredReconcileOutcome[] = [];
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
      store: options.store,
      clock: options.clock,
      actor: options.actor,
      apply: options.apply,
      firstRun: options.firstRunApply ? "apply" : "report",
      caps: options.caps ?? { maxChanges: settings.maxChanges, maxShare: settings.maxShare },
      ...(options.run ? { run: options.run } : {}),
    });
    const named = { target: name, ...outcome };
    outcomes.push(named);
    options.onOutcome?.(named);
    if (outcome.result && settings.notify) {
      await postSummary(byName(settings.notify.connection), settings.notify.channel, named, options.clock);
    }
  }
  return outcomes;
}

/** A short summary of an applied reconcile, in the channel the security team watches. */
async function postSummary(
  slack: Connector,
  channel: string,
  outcome: ConfiguredReconcileOutcome,
  clock: Clock,
) {
  const { plan, result } = outcome;
  const failed = result?.counts.failed ?? 0;
  const text =
    `cordon reconcile ${outcome.target} (${plan.app}): ${plan.counts.deactivate} deactivated, ${plan.counts.reactivate} reactivated, ` +
    `${plan.counts.skipped} skipped${failed ? `, ${failed} FAILED` : ""}; run ${result?.runId}, plan ${plan.hash.slice(0, 12)}`;
  await sendNotification(slack, "slack.post_message", channel, { channel, text }, { clock });
}
