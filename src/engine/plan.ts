import { type Account, isPlausibleEmail, normaliseEmail, type Subject } from "../core/account.ts";
import type { Clock } from "../core/clock.ts";
import { forEachLimited } from "../core/concurrency.ts";
import type { ActionCall, Connector, ContainmentProfile } from "../core/connector.ts";
import { CordonError, isCordonError } from "../core/errors.ts";
import { PLAN_VERSION, type Plan, type PlanItem, sealPlan } from "../core/plan.ts";
import { type ContainmentPolicy, type Force, judgeAccount } from "./policy.ts";

export interface PlanRequest {
  subjects: string[];
  profile: ContainmentProfile;
  reason: string | null;
  force: Force | null;
  policy: ContainmentPolicy;
  /** Only these connections (names); all when omitted. */
  only?: string[];
  /** Other addresses of the (single) subject, known to the analyst. */
  aliases?: string[];
  /**
   * Named actions with their inputs instead of the profile (playbooks): each connection runs those of them it
   * has, in this order; connections with none of them are not looked up.
   */
  actions?: ActionCall[];
}

/** Lookups run this many subjects at a time per connection; the governor paces them further. */
const LOOKUP_CONCURRENCY = 16;

/** From this many subjects, a connector that can list its directory does so instead of one lookup per person. */
const BULK_LOOKUP_FROM = 50;

async function annotate<T>(connection: string, what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isCordonError(error))
      throw new CordonError(error.detail, `looking up ${what} in ${connection}: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
}

/** One subject's accounts in one connection, from the first pass or the alias pass. */
type Matches = Map<string, Account[]>;

/**
 * Resolves every subject in every connection (concurrently per connection), applies policy, and returns a
 * sealed plan. Reads only: nothing in any tenant changes here.
 *
 * Identity resolution: each subject is looked up by its email (and given aliases) everywhere; then the addresses
 * the apps that did find the person know them by (Entra proxy addresses, Google aliases, an Okta login that
 * differs from the email) are tried in the apps that did not. Every account says how it was matched. Two accounts
 * for one subject in one app are shown and skipped as ambiguous — never guessed — unless forced.
 * An app whose lookups fail is listed as unreachable and the others proceed.
 */
export async function buildPlan(
  request: PlanRequest,
  connectors: Connector[],
  clock: Clock,
  signal?: AbortSignal,
): Promise<Plan> {
  const subjects = dedupeSubjects(request.subjects, request.aliases ?? []);
  const named = request.actions;
  const selected = (
    request.only ? connectors.filter((c) => request.only?.includes(c.connection)) : connectors
  ).filter((c) =>
    // A connection that cannot contain (a notification-only vendor such as Teams) is not looked up at all.
    named ? named.some((call) => c.actions.has(call.actionId)) : c.profile(request.profile).length > 0,
  );
  if (request.only) {
    const unknown = request.only.filter((name) => !connectors.some((c) => c.connection === name));
    if (unknown.length > 0)
      throw new CordonError({ kind: "config" }, `no connection named ${unknown.join(", ")}`);
  }
  if (selected.length === 0)
    throw new CordonError(
      { kind: "config" },
      named
        ? `no configured connection has any of ${named.map((c) => c.actionId).join(", ")}`
        : "no connections configured",
    );
  if (request.force && request.force.reason.trim() === "") {
    throw new CordonError(
      { kind: "invalid_input", field: "reason" },
      "--force needs a --reason that says why",
    );
  }

  const unreachable: Plan["unreachable"] = [];
  const found = new Map<Connector, Matches>();
  await Promise.all(
    selected.map(async (connector) => {
      try {
        found.set(connector, await lookupAll(connector, subjects, signal));
      } catch (error) {
        // One app failing does not stop the others; its accounts are simply not in the plan, and it says so.
        const failure = isCordonError(error)
          ? error
          : new CordonError({ kind: "internal" }, "unexpected error", { cause: error });
        unreachable.push({ connection: connector.connection, kind: failure.kind, message: failure.message });
      }
    }),
  );
  await lookupLearnedAliases(found, subjects, unreachable, signal);

  const items: PlanItem[] = [];
  const unmatched: Plan["unmatched"] = [];
  for (const [connector, matches] of found) {
    for (const subject of subjects) {
      const accounts = matches.get(subject.email) ?? [];
      if (accounts.length === 0) {
        unmatched.push({
          subject: subject.email,
          connection: connector.connection,
          why: "no account with this email or its aliases",
        });
      }
      for (const account of accounts)
        items.push(planItem(connector, subject.email, account, accounts.length, request));
    }
  }

  // Stable order whatever the lookup timing: by connection, then email, then id.
  const order = (a: PlanItem, b: PlanItem) =>
    a.account.connection.localeCompare(b.account.connection) ||
    a.account.email.localeCompare(b.account.email) ||
    a.account.id.localeCompare(b.account.id);
  items.sort(order);
  unmatched.sort((a, b) => a.connection.localeCompare(b.connection) || a.subject.localeCompare(b.subject));

  const touched = items.filter((i) => i.decision === "contain").length;
  if (touched > request.policy.maxAccountsPerRun) {
    throw new CordonError(
      { kind: "policy", rule: "max-accounts-per-run" },
      `this run would contain ${touched} accounts, more than policy.maxAccountsPerRun (${request.policy.maxAccountsPerRun}); raise the cap with --max-accounts if that is intended`,
    );
  }

  return sealPlan({
    version: PLAN_VERSION,
    kind: "contain",
    createdAt: new Date(clock.now()).toISOString(),
    subjects: subjects.map((s) => s.email),
    profile: request.profile,
    ...(named ? { actions: named.map((call) => call.actionId) } : {}),
    reason: request.reason,
    unmatched,
    unreachable: unreachable.sort((a, b) => a.connection.localeCompare(b.connection)),
    items,
  });
}

async function lookupAll(connector: Connector, subjects: Subject[], signal?: AbortSignal): Promise<Matches> {
  if (connector.findAccountsBulk && subjects.length >= BULK_LOOKUP_FROM) {
    return annotate(connector.connection, "the directory", () =>
      connector.findAccountsBulk!(subjects, signal),
    );
  }
  const matches: Matches = new Map();
  await forEachLimited(subjects, LOOKUP_CONCURRENCY, async (subject) => {
    matches.set(
      subject.email,
      await annotate(connector.connection, subject.email, () => connector.findAccounts(subject, signal)),
    );
  });
  return matches;
}

/** Second pass: addresses one app knows the person by, tried in the apps that found nobody. */
async function lookupLearnedAliases(
  found: Map<Connector, Matches>,
  subjects: Subject[],
  unreachable: Plan["unreachable"],
  signal?: AbortSignal,
): Promise<void> {
  for (const subject of subjects) {
    const tried = new Set([subject.email, ...subject.aliases]);
    const learned = new Map<string, string>();
    for (const [connector, matches] of found) {
      const accounts = matches.get(subject.email) ?? [];
      // Only an unambiguous match teaches aliases: the other account of an ambiguous pair may be someone else.
      if (accounts.length !== 1) continue;
      for (const account of accounts) {
        for (const address of [account.email, account.login ?? "", ...(account.aliases ?? [])]) {
          const normal = normaliseEmail(address);
          if (isPlausibleEmail(normal) && !tried.has(normal) && !learned.has(normal))
            learned.set(normal, connector.connection);
        }
      }
    }
    if (learned.size === 0) continue;
    const [first, ...rest] = [...learned.keys()] as [string, ...string[]];
    for (const [connector, matches] of found) {
      if ((matches.get(subject.email) ?? []).length > 0) continue;
      try {
        const accounts = await annotate(connector.connection, subject.email, () =>
          connector.findAccounts({ email: first, aliases: rest }, signal),
        );
        matches.set(
          subject.email,
          accounts.map((a) => ({
            ...a,
            matchedBy: `${a.matchedBy} (alias of ${subject.email} known to ${learned.get(normaliseEmail(a.email)) ?? [...new Set(learned.values())].join(", ")})`,
          })),
        );
      } catch (error) {
        found.delete(connector);
        const failure = isCordonError(error)
          ? error
          : new CordonError({ kind: "internal" }, "unexpected error", { cause: error });
        unreachable.push({ connection: connector.connection, kind: failure.kind, message: failure.message });
      }
    }
  }
}

function planItem(
  connector: Connector,
  subject: string,
  account: Account,
  matchesInApp: number,
  request: PlanRequest,
): PlanItem {
  const policy = judgeAccount(account, request.policy, request.force);
  if (matchesInApp > 1) {
    const why = `ambiguous: ${matchesInApp} ${connector.connection} accounts match ${subject}`;
    policy.push(
      request.force
        ? { rule: "ambiguous-match", effect: "forced", reason: `${why}; forced: ${request.force.reason}` }
        : { rule: "ambiguous-match", effect: "refuse", reason: `${why}; cordon does not guess` },
    );
  }
  const wanted = request.actions
    ? request.actions
        .filter((call) => connector.actions.has(call.actionId))
        .map((call) => ({ actionId: call.actionId, input: { ...call.input } }))
    : connector.profile(request.profile);
  const calls = wanted.filter((call) => {
    const vendorRefusal = connector.vendorRefuses?.(account, call);
    if (vendorRefusal) {
      policy.push({
        rule: "vendor-limits",
        effect: "refuse",
        reason: `${call.actionId} skipped: ${vendorRefusal}`,
      });
    }
    return !vendorRefusal;
  });
  const blocked = policy.some((d) => d.effect === "refuse" && d.rule !== "vendor-limits");
  return {
    subject,
    account,
    decision: blocked || calls.length === 0 ? "skip" : "contain",
    calls: blocked ? [] : calls,
    policy,
  };
}

function dedupeSubjects(emails: string[], aliases: string[]): Subject[] {
  const seen = new Set<string>();
  const subjects: Subject[] = [];
  for (const raw of emails) {
    if (!isPlausibleEmail(raw))
      throw new CordonError(
        { kind: "invalid_input", field: "email" },
        `not an email address: ${JSON.stringify(raw.slice(0, 100))}`,
      );
    const email = normaliseEmail(raw);
    if (seen.has(email)) continue;
    seen.add(email);
    subjects.push({ email, aliases: [] });
  }
  if (subjects.length === 0)
    throw new CordonError({ kind: "invalid_input", field: "email" }, "no subjects given");
  if (aliases.length > 0) {
    if (subjects.length > 1)
      throw new CordonError({ kind: "invalid_input", field: "alias" }, "--alias needs exactly one subject");
    for (const alias of aliases) {
      if (!isPlausibleEmail(alias))
        throw new CordonError(
          { kind: "invalid_input", field: "alias" },
          `not an email address: ${JSON.stringify(alias.slice(0, 100))}`,
        );
    }
    subjects[0]!.aliases = [...new Set(aliases.map(normaliseEmail))].filter((a) => a !== subjects[0]!.email);
  }
  return subjects;
}
