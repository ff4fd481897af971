/**
 * bench/mass-contain: contain N users across the Okta and Slack emulators under their documented rate limits,
 * every window compressed by one factor (default 60: per-minute limits applied per second).
 *
 * Prints, in one run:
 * - cordon: plan + apply time divided by the floor the limits allow (the busiest bucket's calls / its limit);
 * - a naive one-call-at-a-time client (sequential, no pacing, obeys 429s like the vendors' SDKs): same ratio;
 * - cordon again with 5 % of requests answered by injected 429/5xx faults.
 * Each run is checked: every user contained exactly once (no step lost, none doubled), emulator state matches.
 *
 * Usage: node bench/mass-contain.ts [--users 1000] [--scale 60] [--skip-naive]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createConnector } from "../src/connectors/index.ts";
import { OKTA_BUCKETS } from "../src/connectors/okta/rate-limits.ts";
import { SLACK_METHOD_LIMITS, SLACK_SCIM_LIMITS } from "../src/connectors/slack/rate-limits.ts";
import { systemClock } from "../src/core/clock.ts";
import type { Connector } from "../src/core/connector.ts";
import { type RunningServer, serveFetch } from "../src/emulators/kit/serve.ts";
import { createOktaEmulator, type OktaEmulator } from "../src/emulators/okta/index.ts";
import { createSlackEmulator, type SlackEmulator } from "../src/emulators/slack/index.ts";
import { applyPlan } from "../src/engine/contain.ts";
import { buildPlan } from "../src/engine/plan.ts";
import { DEFAULT_POLICY } from "../src/engine/policy.ts";
import type { AttemptEvent } from "../src/http/client.ts";
import type { BucketLimit } from "../src/http/governor.ts";
import { RateGovernor } from "../src/http/governor.ts";
import { runAction } from "../src/library.ts";
import { openSqliteStore } from "../src/store/index.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    scale: { type: "string", default: "60" },
    "skip-naive": { type: "boolean", default: false },
    "latency-ms": { type: "string", default: "150" },
  },
});
const USERS = Number(values.users);
const SCALE = Number(values.scale);
/** A vendor's typical reply time in real milliseconds, compressed like every window (150 ms → 2.5 ms at 60×). */
const LATENCY_MS = Number(values["latency-ms"]);
const clock = systemClock();

const LIMITS: Record<string, BucketLimit> = {
  ...OKTA_BUCKETS,
  ...SLACK_METHOD_LIMITS,
  ...Object.fromEntries(Object.entries(SLACK_SCIM_LIMITS).map(([k, v]) => [`scim.${k}`, v])),
};

interface Tenant {
  okta: OktaEmulator;
  slack: SlackEmulator;
  servers: RunningServer[];
  connectors: (governor: RateGovernor, onAttempt: (e: AttemptEvent) => void) => Connector[];
  close(): Promise<void>;
}

const emails = Array.from({ length: USERS }, (_, i) => `user${String(i).padStart(5, "0")}@corp.example`);

async function tenant(faultRate: number): Promise<Tenant> {
  const okta = createOktaEmulator({
    timeScale: SCALE,
    faultSeed: 7,
    seed: {
      users: [
        { email: "admin@corp.example", admin: true },
        ...emails.map((email) => ({
          email,
          sessions: 1,
          oauthClients: [{ clientId: "0oabenchclient00001", refreshTokens: 1 }],
          grants: 1,
        })),
      ],
      tokenOwner: "admin@corp.example",
    },
  });
  const slack = createSlackEmulator({
    timeScale: SCALE,
    faultSeed: 11,
    seed: {
      adminUser: "admin@corp.example",
      users: [
        { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
        ...emails.map((email) => ({ email, sessions: { web: 1, mobile: 1 } })),
      ],
    },
  });
  if (faultRate > 0) {
    for (const emulator of [okta, slack]) {
      emulator.faults.add({
        kind: "status",
        status: 429,
        probability: faultRate / 2,
        retryAfterSeconds: 0.05,
      });
      emulator.faults.add({ kind: "status", status: 503, probability: faultRate / 2 });
    }
  }
  for (const emulator of [okta, slack]) {
    // Added last: a request that draws an injected fault is answered by it, the others after the latency.
    if (LATENCY_MS > 0)
      emulator.faults.add({ kind: "latency", latencyMs: Math.max(1, Math.round(LATENCY_MS / SCALE)) });
  }
  const servers = [await serveFetch(okta.app.fetch), await serveFetch(slack.app.fetch)];
  const [oktaUrl, slackUrl] = servers.map((s) => s.url) as [string, string];
  return {
    okta,
    slack,
    servers,
    connectors: (governor, onAttempt) => [
      createConnector(
        { vendor: "okta", name: "okta", orgUrl: oktaUrl, token: "bench-token" },
        { clock, governor, onAttempt, deadlineMs: 120_000 },
      ),
      createConnector(
        {
          vendor: "slack",
          name: "slack",
          token: "xoxp-bench-token",
          apiUrl: `${slackUrl}/api/`,
          scimUrl: `${slackUrl}/scim/v2/`,
        },
        { clock, governor, onAttempt, deadlineMs: 120_000 },
      ),
    ],
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/**
 * The least time the documented limits allow for the calls a run needed: the busiest bucket decides. The vendors'
 * windows are fixed, so n calls at L per window need ceil(n/L) windows, the first starting at once: (ceil(n/L)-1)
 * whole windows at the very least.
 */
function floorMs(attempts: AttemptEvent[]): { ms: number; bucket: string; calls: number } {
  const calls = new Map<string, number>();
  for (const a of attempts)
    if (a.status !== null && a.status < 400)
      calls.set(`${a.vendor}:${a.bucket}`, (calls.get(`${a.vendor}:${a.bucket}`) ?? 0) + 1);
  let worst = { ms: 0, bucket: "-", calls: 0 };
  for (const [key, count] of calls) {
    const limit = LIMITS[key.slice(key.indexOf(":") + 1)];
    if (!limit) throw new Error(`no documented limit for bucket ${key}`);
    const ms = (Math.ceil(count / limit.limit) - 1) * (limit.windowMs / SCALE);
    if (ms > worst.ms) worst = { ms, bucket: key, calls: count };
  }
  return worst;
}

/** Every user suspended and signed out in Okta, deactivated in Slack: nothing lost. */
function checkTenant(t: Tenant): string[] {
  const problems: string[] = [];
  let oktaOk = 0;
  let slackOk = 0;
  for (const email of emails) {
    const okta = t.okta.state.findUserByLogin(email);
    if (okta?.status === "SUSPENDED" && t.okta.state.sessionCount(okta.id) === 0) oktaOk++;
    const slack = t.slack.state.findByEmail(email, { includeDeleted: true });
    if (slack?.deleted && t.slack.state.sessionsOf(slack.id).length === 0) slackOk++;
  }
  if (oktaOk !== USERS) problems.push(`okta: ${USERS - oktaOk} users not contained`);
  if (slackOk !== USERS) problems.push(`slack: ${USERS - slackOk} users not contained`);
  return problems;
}

async function runCordon(label: string, faultRate: number) {
  const t = await tenant(faultRate);
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-"));
  const store = openSqliteStore({ path: join(dir, "bench.db"), clock });
  const attempts: AttemptEvent[] = [];
  const connectors = t.connectors(new RateGovernor({ clock, timeScale: SCALE }), (e) => attempts.push(e));
  try {
    const started = performance.now();
    const plan = await buildPlan(
      {
        subjects: emails,
        profile: "lock",
        reason: "bench",
        force: null,
        policy: { ...DEFAULT_POLICY, maxAccountsPerRun: USERS * 2 },
      },
      connectors,
      clock,
    );
    const planned = performance.now();
    const result = await applyPlan(plan, {
      store,
      connectors,
      clock,
      actor: "bench",
      accountConcurrency: 32,
    });
    const elapsed = performance.now() - started;

    const steps = await store.listSteps(result.runId);
    const keys = new Set(steps.map((s) => `${s.connection}|${s.accountId}|${s.actionId}`));
    const expected = USERS * (4 + 2);
    const problems = checkTenant(t);
    if (steps.length !== expected) problems.push(`${steps.length} steps recorded, expected ${expected}`);
    if (keys.size !== steps.length) problems.push(`${steps.length - keys.size} steps doubled`);
    const failed = steps.filter((s) => s.state === "failed").length;
    if (failed > 0) problems.push(`${failed} steps failed`);
    if (!(await store.verifyLedger()).ok) problems.push("ledger does not verify");

    const floor = floorMs(attempts);
    const rateLimited = attempts.filter((a) => a.status === 429).length;
    const faults = t.okta.faults.injected.status + t.slack.faults.injected.status;
    return {
      label,
      users: USERS,
      seconds: elapsed / 1000,
      planSeconds: (planned - started) / 1000,
      floorSeconds: floor.ms / 1000,
      floorBucket: `${floor.bucket} (${floor.calls} calls)`,
      ratio: elapsed / floor.ms,
      requests: attempts.length,
      http429: rateLimited,
      injectedFaults: faults,
      runState: result.state,
      problems,
    };
  } finally {
    await store.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One call at a time: user after user, app after app, no pacing; waits only when the vendor says 429. */
async function runNaive() {
  const t = await tenant(0);
  const attempts: AttemptEvent[] = [];
  const connectors = t.connectors(new RateGovernor({ clock, timeScale: SCALE, pace: false }), (e) =>
    attempts.push(e),
  );
  try {
    const started = performance.now();
    for (const email of emails) {
      for (const connector of connectors) {
        for (const account of await connector.findAccounts({ email, aliases: [] })) {
          for (const call of connector.profile("lock"))
            await runAction(connector, call.actionId, account, call.input, { clock });
        }
      }
    }
    const elapsed = performance.now() - started;
    const floor = floorMs(attempts);
    return {
      label: "naive sequential",
      users: USERS,
      seconds: elapsed / 1000,
      floorSeconds: floor.ms / 1000,
      floorBucket: `${floor.bucket} (${floor.calls} calls)`,
      ratio: elapsed / floor.ms,
      requests: attempts.length,
      http429: attempts.filter((a) => a.status === 429).length,
      problems: checkTenant(t),
    };
  } finally {
    await t.close();
  }
}

const results: Array<Record<string, unknown>> = [];
const show = (r: Record<string, unknown>) => {
  results.push(r);
  console.log(JSON.stringify(r));
};
console.log(
  `mass-contain: ${USERS} users × okta + slack, profile lock, time scale ${SCALE}× (node ${process.version})`,
);
show(await runCordon("cordon", 0));
if (!values["skip-naive"]) show(await runNaive());
show(await runCordon("cordon, 5% injected 429/5xx", 0.05));

const fmt = (n: unknown) => (typeof n === "number" ? n.toFixed(2) : String(n));
console.log("\n| run | users | time (s) | floor (s) | ratio | requests | 429s | problems |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(
    `| ${r.label} | ${r.users} | ${fmt(r.seconds)} | ${fmt(r.floorSeconds)} | ${fmt(r.ratio)} | ${r.requests} | ${r.http429} | ${(r.problems as string[]).join("; ") || "none"} |`,
  );
}
if (results.some((r) => (r.problems as string[]).length > 0)) process.exitCode = 1;
