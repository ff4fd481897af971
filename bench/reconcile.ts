/**
 * Reconcile planning at scale: 100,000 people against 100,000 target accounts, generated in memory (the pure
 * diff; reading both sides from emulators is measured separately). Goal: ≤ 2 s and ≤ 300 MB for the diff.
 *
 *   node --expose-gc bench/reconcile.ts [people=100000] [accounts=100000]
 */
import type { EntitledPerson, TargetAccount } from "../src/core/reconcile.ts";
import { buildReconcilePlan } from "../src/reconcile/index.ts";

const PEOPLE = Number(process.argv[2] ?? 100_000);
const ACCOUNTS = Number(process.argv[3] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;

const people: EntitledPerson[] = [];
for (let i = 0; i < PEOPLE; i++) {
  people.push({
    email: `person${i}@corp.example`,
    aliases: i % 10 === 0 ? [`alias${i}@corp.example`] : [],
    groups: i % 50 === 0 ? ["sales"] : ["ldap_team_moco", `team_${i % 200}`],
    active: i % 97 !== 0,
  });
}
const accounts: TargetAccount[] = [];
for (let i = 0; i < ACCOUNTS; i++) {
  accounts.push({
    id: `U${i.toString(36).toUpperCase().padStart(8, "0")}`,
    // Some accounts under an alias, some of people who are not in the source at all.
    email:
      i % 1000 === 999
        ? `stranger${i}@corp.example`
        : i % 10 === 0
          ? `alias${i}@corp.example`
          : `person${i}@corp.example`,
    active: i % 333 !== 0,
    protectedReasons: i % 5000 === 0 ? ["owner"] : [],
  });
}
const history = new Map<string, "deactivate" | "reactivate">();
for (let i = 0; i < ACCOUNTS; i += 333) history.set(accounts[i]!.id, "deactivate");
const holds = new Map<string, string>([[accounts[123]!.id, "run_contain"]]);

gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;

const started = performance.now();
const plan = buildReconcilePlan({
  app: "Slack",
  target: {
    connection: "slack",
    vendor: "slack",
    lifecycle: {
      deactivate: { actionId: "slack.deactivate_user", input: {} },
      reactivate: { actionId: "slack.reactivate_user", input: {} },
    },
  },
  sources: [{ name: "okta", people }],
  accounts,
  rule: { name: "Slack", allowedGroups: ["ldap_team_moco"], allowedEmails: [], exceptions: [] },
  history,
  holds,
  now: Date.now(),
  caps: { maxChanges: 1_000_000, maxShare: 1 },
});
const ms = performance.now() - started;
// The plan is built synchronously, so no sampler can run during it: the heap right after, before any GC, holds
// everything the diff allocated (garbage included), which bounds its peak from above.
const after = process.memoryUsage();

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(`reconcile plan: ${PEOPLE} people × ${ACCOUNTS} accounts`);
console.log(
  `  changes: ${plan.counts.deactivate} deactivate, ${plan.counts.reactivate} reactivate; skipped ${plan.counts.skipped}`,
);
console.log(`  planning time (diff + seal/hash): ${ms.toFixed(0)} ms  (goal ≤ 2000 ms)`);
console.log(
  `  heapUsed delta (diff allocations, before GC): ${mb(after.heapUsed - heapBefore)}  (goal ≤ 300 MB)`,
);
console.log(
  `  rss: ${mb(rssBefore)} before (inputs generated), ${mb(after.rss)} after (+${mb(after.rss - rssBefore)})`,
);
if (!gc) console.log("  (run with --expose-gc for a cleaner baseline)");
