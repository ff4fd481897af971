/**
 * The reconcile plan: desired (source of truth + rules) versus actual (the target's accounts), as a pure function
 * of its inputs so it can be tested and benchmarked without any vendor. Reading the sides, the store's history
 * and holds is done by the caller (`index.ts`).
 */
import { normaliseEmail } from "../core/account.ts";
import type { ActionCall } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import { hashOf } from "../core/hash.ts";
import type { EntitledPerson, TargetAccount } from "../core/reconcile.ts";
import { type AccessException, type AppRule, exceptionExpiresAt } from "./rules.ts";

export const RECONCILE_PLAN_VERSION = 1;

export const DEFAULT_CAPS = { maxChanges: 25, maxShare: 0.1 } as const;

export interface ReconcileCaps {
  /** Most changes (deactivations + reactivations) one run may make. Default 25. */
  maxChanges?: number;
  /** Most changes as a share of the target's accounts (0..1). Default 0.1. */
  maxShare?: number;
}

export interface ReconcileChange {
  account: TargetAccount;
  change: "deactivate" | "reactivate";
  reason: string;
  /** The connector call that makes the change, bound by the plan hash. */
  call: ActionCall;
}

export interface ReconcileSkip {
  account: TargetAccount;
  reason: string;
}

export interface ReconcilePlanBody {
  version: number;
  kind: "reconcile";
  createdAt: string;
  target: { connection: string; vendor: string };
  app: string;
  sources: string[];
  rules: { origin: string; format: string };
  counts: {
    people: number;
    activePeople: number;
    accounts: number;
    activeAccounts: number;
    entitledAccounts: number;
    deactivate: number;
    reactivate: number;
    skipped: number;
  };
  caps: { maxChanges: number; maxShare: number };
  changes: ReconcileChange[];
  skipped: ReconcileSkip[];
  expiredExceptions: AccessException[];
  /** Non-empty: the plan must not be applied (a cap was exceeded); each says why, with the numbers. */
  alarms: string[];
}

export interface ReconcilePlan extends ReconcilePlanBody {
  hash: string;
}

/** What cordon's own reconcile runs last did to an account of this target (from the store). */
export type LastCordonAction = "deactivate" | "reactivate";

export interface ReconcilePlanInput {
  app: string;
  target: {
    connection: string;
    vendor: string;
    lifecycle: { deactivate: ActionCall; reactivate: ActionCall };
    /** The connector's `vendorRefuses`, to skip calls the vendor is known to refuse. */
    vendorRefuses?: (account: TargetAccount, call: ActionCall) => string | null;
  };
  sources: Array<{ name: string; people: EntitledPerson[] }>;
  accounts: TargetAccount[];
  rule: AppRule;
  rulesOrigin?: { origin: string; format: string };
  /** Per target account id: the last lifecycle action a cordon reconcile run applied. */
  history: ReadonlyMap<string, LastCordonAction>;
  /** Reactivation inputs rebuilt from cordon's own deactivation snapshots (exact restore), by account id. */
  restoreInputs?: ReadonlyMap<string, Record<string, unknown>>;
  /** Open containment holds on this target: account id → the containment run that holds it. */
  holds: ReadonlyMap<string, string>;
  /** Same, by lower-case email (a hold found by address also wins). */
  holdsByEmail?: ReadonlyMap<string, string>;
  now: number;
  caps?: ReconcileCaps;
}

interface Entitlement {
  entitled: boolean;
  why: string;
}

/**
 * Builds and seals the plan. Throws a `policy` CordonError (nothing changes) when a side is empty: an empty read
 * is never "nobody is entitled" nor "nobody has an account". Caps exceeded are `alarms` in the sealed plan, so the
 * operator can see what would have happened; applying refuses such a plan.
 */
export function buildReconcilePlan(input: ReconcilePlanInput): ReconcilePlan {
  const caps = resolveCaps(input.caps);
  for (const source of input.sources) {
    if (source.people.length === 0) {
      throw new CordonError(
        { kind: "policy", rule: "reconcile.source.empty" },
        `the source of truth ${source.name} returned no people: refusing to reconcile (nothing changes)`,
      );
    }
  }
  if (input.sources.length === 0)
    throw new CordonError(
      { kind: "policy", rule: "reconcile.source.none" },
      "no source of truth: nothing changes",
    );
  if (input.accounts.length === 0) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.target.empty" },
      `the target ${input.target.connection} returned no accounts: refusing to reconcile (nothing changes)`,
    );
  }

  // Every address (email and aliases) → the people it names, across sources.
  const byAddress = new Map<string, Array<{ person: EntitledPerson; source: string }>>();
  let people = 0;
  let activePeople = 0;
  for (const source of input.sources) {
    for (const person of source.people) {
      people++;
      if (person.active) activePeople++;
      for (const raw of [person.email, ...person.aliases]) {
        const address = normaliseEmail(raw);
        const list = byAddress.get(address);
        if (list) list.push({ person, source: source.name });
        else byAddress.set(address, [{ person, source: source.name }]);
      }
    }
  }

  const rule = input.rule;
  const groups = new Set(rule.allowedGroups);
  const emails = new Set(rule.allowedEmails.map(normaliseEmail));
  const exceptions = new Map<string, AccessException>();
  const expiredExceptions: AccessException[] = [];
  for (const exception of rule.exceptions) {
    if (exceptionExpiresAt(exception) <= input.now) expiredExceptions.push(exception);
    else exceptions.set(normaliseEmail(exception.email), exception);
  }
  const expiredByEmail = new Map(expiredExceptions.map((e) => [normaliseEmail(e.email), e]));

  const sourceNames = input.sources.map((s) => s.name).join(", ");
  const entitlement = (email: string): Entitlement => {
    const matches = byAddress.get(email) ?? [];
    // A person the source has inactive is not entitled, whatever an allow-list or exception says.
    const inactive = matches.find((m) => !m.person.active);
    if (inactive && !matches.some((m) => m.person.active))
      return { entitled: false, why: `inactive in ${inactive.source}` };
    const addresses = new Set([
      email,
      ...matches.flatMap((m) => [normaliseEmail(m.person.email), ...m.person.aliases.map(normaliseEmail)]),
    ]);
    for (const address of addresses) {
      if (emails.has(address)) return { entitled: true, why: `${address} is an allowed email` };
      const exception = exceptions.get(address);
      if (exception)
        return {
          entitled: true,
          why: `exception for ${address} (owner ${exception.owner}, until ${exception.expires})`,
        };
    }
    for (const m of matches) {
      if (!m.person.active) continue;
      const group = m.person.groups.find((g) => groups.has(g));
      if (group !== undefined) return { entitled: true, why: `member of ${group} in ${m.source}` };
    }
    const expired = [...addresses].map((a) => expiredByEmail.get(a)).find((e) => e !== undefined);
    const expiredNote = expired ? `; its exception expired ${expired.expires}` : "";
    if (matches.length === 0) return { entitled: false, why: `not found in ${sourceNames}${expiredNote}` };
    return { entitled: false, why: `in no group allowed for ${rule.name}${expiredNote}` };
  };

  const changes: ReconcileChange[] = [];
  const skipped: ReconcileSkip[] = [];
  let activeAccounts = 0;
  let entitledAccounts = 0;
  for (const account of input.accounts) {
    if (account.active) activeAccounts++;
    const email = normaliseEmail(account.email);
    if (email === "") {
      if (account.active && account.protectedReasons.length === 0)
        skipped.push({
          account,
          reason: "the account has no email address; cordon never guesses whose it is",
        });
      continue;
    }
    const { entitled, why } = entitlement(email);
    if (entitled) entitledAccounts++;
    const last = input.history.get(account.id);

    let change: ReconcileChange["change"] | null = null;
    let reason = "";
    if (account.active && !entitled) {
      change = "deactivate";
      reason = `not entitled to ${rule.name}: ${why}`;
    } else if (!account.active && entitled) {
      if (last === "deactivate") {
        change = "reactivate";
        reason = `entitled again (${why}); cordon deactivated it in an earlier reconcile`;
      } else {
        skipped.push({
          account,
          reason: `entitled (${why}) but deactivated outside cordon; cordon reactivates only accounts it deactivated`,
        });
        continue;
      }
    }
    if (change === null) continue;

    // The guards, strongest first: containment always wins, then protection, then what the vendor refuses.
    const hold = input.holds.get(account.id) ?? input.holdsByEmail?.get(email);
    if (hold !== undefined) {
      skipped.push({
        account,
        reason: `would ${change} (${reason}) but an open containment (run ${hold}) holds it`,
      });
      continue;
    }
    if (account.protectedReasons.length > 0) {
      skipped.push({
        account,
        reason: `would ${change} (${reason}) but it is protected: ${account.protectedReasons.join(", ")}`,
      });
      continue;
    }
    const lifecycleCall = input.target.lifecycle[change];
    const restore = change === "reactivate" ? input.restoreInputs?.get(account.id) : undefined;
    const call = restore ? { ...lifecycleCall, input: restore } : lifecycleCall;
    const refusal = input.target.vendorRefuses?.(account, call);
    if (refusal) {
      skipped.push({ account, reason: `would ${change} (${reason}) but ${refusal}` });
      continue;
    }
    changes.push({ account, change, reason, call: { actionId: call.actionId, input: { ...call.input } } });
  }

  const counts = {
    people,
    activePeople,
    accounts: input.accounts.length,
    activeAccounts,
    entitledAccounts,
    deactivate: changes.filter((c) => c.change === "deactivate").length,
    reactivate: changes.filter((c) => c.change === "reactivate").length,
    skipped: skipped.length,
  };
  const body: ReconcilePlanBody = {
    version: RECONCILE_PLAN_VERSION,
    kind: "reconcile",
    createdAt: new Date(input.now).toISOString(),
    target: { connection: input.target.connection, vendor: input.target.vendor },
    app: input.app,
    sources: input.sources.map((s) => s.name),
    rules: input.rulesOrigin ?? { origin: "rules", format: "unknown" },
    counts,
    caps,
    changes,
    skipped,
    expiredExceptions,
    alarms: capAlarms(changes.length, input.accounts.length, caps),
  };
  return sealReconcilePlan(body);
}

export function resolveCaps(caps: ReconcileCaps = {}): { maxChanges: number; maxShare: number } {
  const maxChanges = caps.maxChanges ?? DEFAULT_CAPS.maxChanges;
  const maxShare = caps.maxShare ?? DEFAULT_CAPS.maxShare;
  if (!Number.isSafeInteger(maxChanges) || maxChanges < 0)
    throw new CordonError(
      { kind: "invalid_input", field: "caps.maxChanges" },
      "maxChanges must be a whole number ≥ 0",
    );
  if (!(maxShare >= 0 && maxShare <= 1))
    throw new CordonError(
      { kind: "invalid_input", field: "caps.maxShare" },
      "maxShare must be between 0 and 1",
    );
  return { maxChanges, maxShare };
}

/** The cap checks, with the numbers in every message. */
export function capAlarms(
  changes: number,
  accounts: number,
  caps: { maxChanges: number; maxShare: number },
): string[] {
  const alarms: string[] = [];
  if (changes > caps.maxChanges)
    alarms.push(
      `cap exceeded: ${changes} changes planned, at most ${caps.maxChanges} per run (maxChanges); nothing changes`,
    );
  const allowed = Math.floor(caps.maxShare * accounts);
  if (changes > allowed) {
    const share = accounts === 0 ? 0 : (100 * changes) / accounts;
    alarms.push(
      `cap exceeded: ${changes} changes planned = ${share.toFixed(1)}% of ${accounts} accounts, at most ${(100 * caps.maxShare).toFixed(1)}% (${allowed}) per run (maxShare); nothing changes`,
    );
  }
  return alarms;
}

export function sealReconcilePlan(body: ReconcilePlanBody): ReconcilePlan {
  return { ...body, hash: hashOf(body) };
}

export function reconcilePlanIsIntact(plan: ReconcilePlan): boolean {
  const { hash, ...body } = plan;
  return plan.kind === "reconcile" && hash === hashOf(body);
}

/** A plain-text table of the plan, one line per change and skip, with reasons. */
export function formatReconcilePlan(plan: ReconcilePlan): string {
  const lines = [
    `reconcile ${plan.app} on ${plan.target.connection} (${plan.target.vendor}) from ${plan.sources.join(", ")}; plan ${plan.hash.slice(0, 12)}`,
    `people ${plan.counts.people} (${plan.counts.activePeople} active) · accounts ${plan.counts.accounts} (${plan.counts.activeAccounts} active) · deactivate ${plan.counts.deactivate} · reactivate ${plan.counts.reactivate} · skipped ${plan.counts.skipped}`,
  ];
  const width = Math.max(
    5,
    ...plan.changes.map((c) => c.account.email.length),
    ...plan.skipped.map((s) => s.account.email.length),
  );
  for (const c of plan.changes)
    lines.push(`  ${c.change.padEnd(10)} ${c.account.email.padEnd(width)} ${c.account.id}  ${c.reason}`);
  for (const s of plan.skipped)
    lines.push(`  ${"skip".padEnd(10)} ${s.account.email.padEnd(width)} ${s.account.id}  ${s.reason}`);
  for (const e of plan.expiredExceptions)
    lines.push(`  expired exception: ${e.email} (owner ${e.owner}, expired ${e.expires})`);
  for (const a of plan.alarms) lines.push(`  ALARM ${a}`);
  return lines.join("\n");
}
