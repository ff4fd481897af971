/**
 * Access reconciliation: deactivate whoever lost entitlement to an app, reactivate only what cordon itself
 * deactivated, never touch protected or contained accounts, and fail closed on anything that looks like an empty
 * or broken read (seeds.md §3: the Mozilla Slack driver deactivated everyone on an empty read or a missing app).
 */
import type { Clock } from "../core/clock.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError, isCordonError } from "../core/errors.ts";
import type { EntitledPerson, TargetAccount } from "../core/reconcile.ts";
import type { RunOptions, RunResult } from "../engine/run.ts";
import type { Store } from "../store/types.ts";
import { applyReconcilePlan } from "./apply.ts";
import { cordonLifecycleHistory, openHoldsOf, reconcileRunsOf } from "./history.ts";
import { buildReconcilePlan, type ReconcileCaps, type ReconcilePlan } from "./plan.ts";
import { type AccessRules, ruleForApp } from "./rules.ts";
import type { PeopleSource } from "./sources.ts";

export { type ApplyReconcileOptions, applyReconcilePlan } from "./apply.ts";
export { cordonLifecycleHistory, openHoldsOf, reconcileRunsOf } from "./history.ts";
export {
  buildReconcilePlan,
  capAlarms,
  DEFAULT_CAPS,
  formatReconcilePlan,
  type LastCordonAction,
  RECONCILE_PLAN_VERSION,
  type ReconcileCaps,
  type ReconcileChange,
  type ReconcilePlan,
  type ReconcilePlanBody,
  type ReconcilePlanInput,
  type ReconcileSkip,
  reconcilePlanIsIntact,
  resolveCaps,
  sealReconcilePlan,
} from "./plan.ts";
export {
  type AccessException,
  type AccessRules,
  type AppRule,
  exceptionExpiresAt,
  loadAccessRules,
  mozillaGroupName,
  type ParseRulesOptions,
  parseAccessRules,
  ruleForApp,
} from "./rules.ts";
export {
  connectorSource,
  fileSource,
  normalisePerson,
  type PeopleSource,
  type ProfileFormat,
  parsePeople,
} from "./sources.ts";

export interface ReconcileOptions {
  source: PeopleSource;
  rules: AccessRules;
  app: string;
  target: Connector;
  store: Store;
  clock: Clock;
  actor: string;
  /** Act on the plan. Default false: the plan only. */
  apply: boolean;
  /** When this target was never reconciled: `report` (default) only reports, `apply` acts. */
  firstRun?: "report" | "apply";
  caps?: ReconcileCaps;
  signal?: AbortSignal;
  /** Passed to the run (verification timing, concurrency, progress). */
  run?: Pick<RunOptions, "verifyTimeoutMs" | "verifyIntervalMs" | "accountConcurrency" | "onProgress">;
}

export interface ReconcileOutcome {
  plan: ReconcilePlan;
  result?: RunResult;
  /** True when nothing was applied: the plan only (`apply: false`) or a first run in report mode. */
  reportOnly: boolean;
  /** True when the store had no earlier reconcile run of this target. */
  firstRun: boolean;
}

/**
 * Reads both sides, plans, and applies when asked. Stops with a `policy` CordonError (nothing changes) when the
 * source read fails or is empty, the target read fails or is empty, the rules lack the app, or — when applying —
 * a cap is exceeded.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileOutcome> {
  const { target, store } = options;
  const lifecycle = target.lifecycle;
  if (!target.listAccounts || !lifecycle) {
    throw new CordonError(
      { kind: "config" },
      `connection ${target.connection} (${target.vendor}) cannot be a reconcile target: it cannot list accounts and deactivate/reactivate them`,
    );
  }
  const rule = ruleForApp(options.rules, options.app);

  const people = await readSide(`the source of truth ${options.source.name}`, () =>
    options.source.readPeople(options.signal),
  );
  const accounts = await readSide(`the target ${target.connection}`, () =>
    (target.listAccounts as (signal?: AbortSignal) => Promise<TargetAccount[]>).call(target, options.signal),
  );

  const restoreInputs = new Map<string, Record<string, unknown>>();
  const deactivatedAccounts = new Map<string, TargetAccount>();
  const [history, holds, earlier] = await Promise.all([
    cordonLifecycleHistory(
      store,
      target.connection,
      lifecycle,
      options.app,
      target.actions.get(lifecycle.deactivate.actionId),
      restoreInputs,
      deactivatedAccounts,
    ),
    openHoldsOf(store, target.connection),
    reconcileRunsOf(store, target.connection, options.app),
  ]);
  const vendorRefuses = target.vendorRefuses;
  // Accounts cordon removed (GitHub) are gone from the listing; cordon's own records keep them reactivatable.
  const listed = new Set(accounts.map((a) => a.id));
  const plan = buildReconcilePlan({
    app: options.app,
    target: {
      connection: target.connection,
      vendor: target.vendor,
      lifecycle,
      vendorRefuses: vendorRefuses
        ? (account, call) =>
            vendorRefuses.call(
              target,
              {
                connection: target.connection,
                vendor: target.vendor,
                id: account.id,
                email: account.email,
                status: account.active ? "active" : "deactivated",
                protectedReasons: account.protectedReasons,
                matchedBy: "reconcile",
              },
              call,
            )
        : undefined,
    },
    sources: [{ name: options.source.name, people }],
    accounts: [...accounts, ...[...deactivatedAccounts.values()].filter((a) => !listed.has(a.id))],
    rule,
    rulesOrigin: { origin: options.rules.origin, format: options.rules.format },
    history,
    restoreInputs,
    holds: holds.byId,
    holdsByEmail: holds.byEmail,
    now: options.clock.now(),
    caps: options.caps,
  });

  const firstRun = earlier.length === 0;
  if (!options.apply) return { plan, reportOnly: true, firstRun };
  if (plan.alarms.length > 0) {
    throw new CordonError({ kind: "policy", rule: "reconcile.cap" }, plan.alarms.join("; "));
  }
  if (firstRun && options.firstRun !== "apply") return { plan, reportOnly: true, firstRun };

  const result = await applyReconcilePlan(plan, {
    ...options.run,
    store,
    connectors: [target],
    clock: options.clock,
    actor: options.actor,
    signal: options.signal,
  });
  return { plan, result, reportOnly: false, firstRun };
}

/** One side's read: a throw or an empty answer stops everything (fail closed). */
async function readSide<T>(what: string, read: () => Promise<T[]>): Promise<T[]> {
  let values: T[];
  try {
    values = await read();
  } catch (error) {
    const why = isCordonError(error) ? error.message : "unexpected error";
    throw new CordonError(
      { kind: "policy", rule: "reconcile.read_failed" },
      `reading ${what} failed (${why}): a partial or failed read never counts as complete; nothing changes`,
      { cause: error },
    );
  }
  if (!Array.isArray(values) || values.length === 0) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.read_empty" },
      `${what} returned nothing: refusing to reconcile against an empty read; nothing changes`,
    );
  }
  return values;
}

export type { EntitledPerson, TargetAccount };
