import { isPlausibleEmail, normaliseEmail, type Subject } from "../core/account.ts";
import type { Clock } from "../core/clock.ts";
import type { Connector, ContainmentProfile } from "../core/connector.ts";
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

/**
 * Resolves every subject in every connection (concurrently per connection), applies policy, and returns a
 * sealed plan. Reads only: nothing in any tenant changes here. A lookup that fails is an error for the whole plan:
 * a plan that silently missed an app would lie about what containment covers.
 */
export async function buildPlan(
  request: PlanRequest,
  connectors: Connector[],
  clock: Clock,
  signal?: AbortSignal,
): Promise<Plan> {
  const subjects = dedupeSubjects(request.subjects);
  const selected = request.only ? connectors.filter((c) => request.only?.includes(c.connection)) : connectors;
  if (request.only) {
    const unknown = request.only.filter((name) => !connectors.some((c) => c.connection === name));
    if (unknown.length > 0)
      throw new CordonError({ kind: "config" }, `no connection named ${unknown.join(", ")}`);
  }
  if (selected.length === 0) throw new CordonError({ kind: "config" }, "no connections configured");
  if (request.force && request.force.reason.trim() === "") {
    throw new CordonError(
      { kind: "invalid_input", field: "reason" },
      "--force needs a --reason that says why",
    );
  }

  const items: PlanItem[] = [];
  const unmatched: Plan["unmatched"] = [];
  const unreachable: Plan["unreachable"] = [];
  await Promise.all(
    selected.map(async (connector) => {
      const found: PlanItem[] = [];
      const missing: Plan["unmatched"] = [];
      try {
        await resolveConnection(connector, found, missing);
        items.push(...found);
        unmatched.push(...missing);
      } catch (error) {
        // One app failing does not stop the others; its accounts are simply not in the plan, and it says so.
        const failure = isCordonError(error)
          ? error
          : new CordonError({ kind: "internal" }, "unexpected error", { cause: error });
        unreachable.push({ connection: connector.connection, kind: failure.kind, message: failure.message });
      }
    }),
  );

  async function resolveConnection(
    connector: Connector,
    items: PlanItem[],
    unmatched: Plan["unmatched"],
  ): Promise<void> {
    const bulk =
      connector.findAccountsBulk && subjects.length >= BULK_LOOKUP_FROM
        ? await annotate(connector.connection, "the directory", () =>
            connector.findAccountsBulk!(subjects, signal),
          )
        : null;
    await forEachLimited(subjects, LOOKUP_CONCURRENCY, async (subject) => {
      const accounts = bulk
        ? (bulk.get(subject.email) ?? [])
        : await annotate(connector.connection, subject.email, () => connector.findAccounts(subject, signal));
      if (accounts.length === 0)
        unmatched.push({
          subject: subject.email,
          connection: connector.connection,
          why: "no account with this email",
        });
      for (const account of accounts) {
        const policy = judgeAccount(account, request.policy, request.force);
        const refused = policy.some((d) => d.effect === "refuse");
        const calls = connector.profile(request.profile).filter((call) => {
          const vendorRefusal = connector.vendorRefuses?.(account, call);
          if (vendorRefusal)
            policy.push({
              rule: "vendor-limits",
              effect: "refuse",
              reason: `${call.actionId} skipped: ${vendorRefusal}`,
            });
          return !vendorRefusal;
        });
        items.push({
          account,
          decision: refused || calls.length === 0 ? "skip" : "contain",
          calls: refused ? [] : calls,
          policy,
        });
      }
    });
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
    reason: request.reason,
    unmatched,
    unreachable: unreachable.sort((a, b) => a.connection.localeCompare(b.connection)),
    items,
  });
}

function dedupeSubjects(emails: string[]): Subject[] {
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
  return subjects;
}

/** Runs `task` over `items` with at most `limit` in flight; the first failure rejects after in-flight tasks settle. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}
