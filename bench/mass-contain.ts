/**
 * bench/mass-contain: contain N people across emulated apps under the vendors' documented rate limits, every
 * window compressed by one factor (default 60: per-minute limits applied per second) and every reply delayed by a
 * typical vendor latency compressed the same way.
 *
 * Prints, in one run:
 * - cordon: plan + apply time divided by the floor the limits allow (the busiest bucket of any app decides);
 * - a naive one-call-at-a-time client (sequential, no pacing, obeys 429s like the vendors' SDKs): same ratio;
 * - cordon again with 5 % of requests answered by injected 429/5xx faults.
 * Each run is checked: every planned step recorded once and succeeded, no step doubled, every effect verified or
 * said to be unobservable, the ledger verifies; Okta's and Slack's state is also read back through their APIs.
 *
 * Usage: node bench/mass-contain.ts [--users 1000] [--apps okta,slack | --apps all] [--scale 60]
 *                                   [--latency-ms 150] [--skip-naive]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createConnector } from "../src/connectors/index.ts";
import { systemClock } from "../src/core/clock.ts";
import type { Connector } from "../src/core/connector.ts";
import { DEFAULT_ADMIN } from "../src/emulators/aws/seed.ts";
import { type EmulatedVendor, SeedFile, type SeedFileInput } from "../src/emulators/index.ts";
import { trustTestCa } from "../src/emulators/kit/tls.ts";
import { rehearsalConnection, rehearsalServiceAccount } from "../src/emulators/rehearsal.ts";
import { applyPlan } from "../src/engine/contain.ts";
import { buildPlan } from "../src/engine/plan.ts";
import { DEFAULT_POLICY } from "../src/engine/policy.ts";
import type { AttemptEvent } from "../src/http/client.ts";
import { RateGovernor } from "../src/http/governor.ts";
import { runAction } from "../src/library.ts";
import { openSqliteStore } from "../src/store/index.ts";
import { control, floorMs, spawnEmulator } from "./support.ts";

const ALL: EmulatedVendor[] = ["okta", "slack", "entra", "google", "atlassian", "github", "aws"];
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    apps: { type: "string", default: "okta,slack" },
    scale: { type: "string", default: "60" },
    "latency-ms": { type: "string", default: "150" },
    "skip-naive": { type: "boolean", default: false },
  },
});
const USERS = Number(values.users);
const APPS = (values.apps === "all" ? ALL : values.apps.split(",")) as EmulatedVendor[];
const SCALE = Number(values.scale);
/** A vendor's typical reply time in real milliseconds, compressed like every window (150 ms → 2.5 ms at 60×). */
const LATENCY_MS = Number(values["latency-ms"]);
const clock = systemClock();
const emails = Array.from({ length: USERS }, (_, i) => `user${String(i).padStart(5, "0")}@corp.example`);
const logins = emails.map((_, i) => `user${String(i).padStart(5, "0")}`);
const ADMIN = "admin@corp.example";

/** N people in every app, each with something to revoke, and one administrator (protected) per app. */
function seedFor(serviceAccount: ReturnType<typeof rehearsalServiceAccount>["seed"]): SeedFileInput {
  return {
    okta: {
      users: [
        { email: ADMIN, admin: true },
        ...emails.map((email) => ({
          email,
          sessions: 1,
          oauthClients: [{ clientId: "0oabenchclient00001", refreshTokens: 1 }],
          grants: 1,
        })),
      ],
      tokenOwner: ADMIN,
    },
    slack: {
      adminUser: ADMIN,
      users: [
        { email: ADMIN, isPrimaryOwner: true, isOwner: true, isAdmin: true },
        ...emails.map((email) => ({ email, sessions: { web: 1, mobile: 1 } })),
      ],
    },
    entra: {
      users: [
        { userPrincipalName: ADMIN, directoryRoles: ["Global Administrator"] },
        ...emails.map((email) => ({ userPrincipalName: email })),
      ],
    },
    google: {
      serviceAccounts: [serviceAccount],
      users: [
        { primaryEmail: ADMIN, isAdmin: true },
        ...emails.map((primaryEmail) => ({
          primaryEmail,
          sessions: 1,
          tokens: [{ clientId: "9999.apps.googleusercontent.com" }],
        })),
      ],
    },
    atlassian: {
      users: [
        { email: ADMIN, orgAdmin: true },
        ...emails.map((email) => ({ email, apiTokens: [{ label: "cli" }] })),
      ],
    },
    github: {
      orgs: [
        {
          login: "corp",
          members: [
            { login: "ada", role: "admin" },
            ...logins.map((login) => ({ login, role: "member" as const })),
          ],
          saml: {
            identities: [
              { nameId: ADMIN, login: "ada" },
              ...emails.map((nameId, i) => ({ nameId, login: logins[i]! })),
            ],
            enforced: true,
          },
          credentialAuthorizations: logins.map((login) => ({ login })),
        },
      ],
      tokenOwner: "ada",
    },
    aws: {
      users: [
        {
          userName: DEFAULT_ADMIN.userName,
          tags: { email: ADMIN, "cordon:protected": "true" },
          accessKeys: [
            { accessKeyId: DEFAULT_ADMIN.accessKeyId, secretAccessKey: DEFAULT_ADMIN.secretAccessKey },
          ],
        },
        ...emails.map((email, i) => ({
          userName: logins[i]!,
          tags: { email },
          accessKeys: [{ status: "Active" as const }],
        })),
      ],
    },
  };
}

interface Tenant {
  urls: Map<EmulatedVendor, string>;
  connectors: (governor: RateGovernor, onAttempt: (e: AttemptEvent) => void) => Connector[];
  injected(): Promise<number>;
  close(): Promise<void>;
}

async function tenant(faultRate: number, dir: string): Promise<Tenant> {
  const serviceAccount = rehearsalServiceAccount();
  const seedPath = join(dir, "seed.json");
  writeFileSync(seedPath, JSON.stringify(SeedFile.parse(seedFor(serviceAccount.seed))));
  const running = await Promise.all(
    APPS.map(async (vendor) => ({ vendor, ...(await spawnEmulator(vendor, seedPath, SCALE)) })),
  );
  const urls = new Map(running.map((r) => [r.vendor, r.url]));
  for (const { url } of running) {
    if (faultRate > 0) {
      await control(url, "POST", {
        kind: "status",
        status: 429,
        probability: faultRate / 2,
        retryAfterSeconds: 0.05,
      });
      await control(url, "POST", { kind: "status", status: 503, probability: faultRate / 2 });
    }
    // Added last: a request that draws an injected fault is answered by it, the others after the latency.
    if (LATENCY_MS > 0)
      await control(url, "POST", { kind: "latency", latencyMs: Math.max(1, Math.round(LATENCY_MS / SCALE)) });
  }
  return {
    urls,
    connectors: (governor, onAttempt) =>
      APPS.map((vendor) => {
        const url = urls.get(vendor)!;
        const connection = rehearsalConnection(vendor, url, {
          googleKeyJson: serviceAccount.keyJson(`${url}/token`),
          googleAdmin: ADMIN,
          githubOrg: "corp",
        });
        return createConnector(connection, { clock, governor, onAttempt, deadlineMs: 120_000 });
      }),
    injected: async () => {
      let total = 0;
      for (const url of urls.values())
        total += ((await control(url, "GET")) as { injected: { status: number } }).injected.status;
      return total;
    },
    close: async () => {
      await Promise.all(
        running.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

/**
 * Asked of the vendors themselves, through their own APIs, independently of cordon's verification reads:
 * Okta users still ACTIVE, Slack users still active (SCIM), among the people the run contained.
 */
async function checkVendorState(t: Tenant): Promise<string[]> {
  const problems: string[] = [];
  // The check must not draw the injected faults meant for cordon.
  for (const url of t.urls.values()) await control(url, "DELETE");
  const okta = t.urls.get("okta");
  if (okta) {
    let active = 0;
    let next: string | null =
      `${okta}/api/v1/users?filter=${encodeURIComponent('status eq "ACTIVE"')}&limit=200`;
    while (next) {
      const response: Response = await fetch(next, { headers: { authorization: "SSWS check" } });
      active += ((await response.json()) as unknown[]).length;
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
    }
    // Only the protected administrator may still be active.
    if (active !== 1) problems.push(`okta: ${active - 1} people still ACTIVE`);
  }
  const slack = t.urls.get("slack");
  if (slack) {
    const response = await fetch(
      `${slack}/scim/v2/Users?count=1000&filter=${encodeURIComponent("active eq true")}`,
      {
        headers: { authorization: "Bearer xoxp-check" },
      },
    );
    const body = (await response.json()) as { totalResults: number };
    if (body.totalResults !== 1) problems.push(`slack: ${body.totalResults - 1} people still active`);
  }
  return problems;
}

async function runCordon(label: string, faultRate: number) {
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-"));
  const t = await tenant(faultRate, dir);
  const store = openSqliteStore({ path: join(dir, "bench.db"), clock });
  const attempts: AttemptEvent[] = [];
  const lastCall = new Map<string, number>();
  const started = performance.now();
  const connectors = t.connectors(new RateGovernor({ clock, timeScale: SCALE }), (e) => {
    attempts.push(e);
    lastCall.set(e.vendor, performance.now() - started);
  });
  try {
    const plan = await buildPlan(
      {
        subjects: emails,
        profile: "lock",
        reason: "bench",
        force: null,
        policy: { ...DEFAULT_POLICY, maxAccountsPerRun: USERS * APPS.length },
      },
      connectors,
      clock,
    );
    const planned = performance.now();
    const planDone = Object.fromEntries(
      [...lastCall].map(([vendor, ms]) => [vendor, Number((ms / 1000).toFixed(1))]),
    );
    const result = await applyPlan(plan, {
      store,
      connectors,
      clock,
      actor: "bench",
      accountConcurrency: 32,
    });
    const elapsed = performance.now() - started;

    const problems = await checkVendorState(t);
    if (plan.unreachable.length)
      problems.push(`unreachable: ${plan.unreachable.map((u) => `${u.connection} ${u.message}`).join("; ")}`);
    const contained = plan.items.filter((i) => i.decision === "contain");
    if (contained.length !== USERS * APPS.length)
      problems.push(`${contained.length} accounts planned, expected ${USERS * APPS.length}`);
    const expected = contained.reduce((n, i) => n + i.calls.length, 0);
    const steps = await store.listSteps(result.runId);
    const keys = new Set(steps.map((s) => `${s.connection}|${s.accountId}|${s.actionId}`));
    if (steps.length !== expected) problems.push(`${steps.length} steps recorded, expected ${expected}`);
    if (keys.size !== steps.length) problems.push(`${steps.length - keys.size} steps doubled`);
    const failed = steps.filter((s) => s.state === "failed");
    if (failed.length)
      problems.push(
        `${failed.length} steps failed (${[...new Set(failed.map((s) => s.actionId))].join(", ")})`,
      );
    if (result.counts.unverified) problems.push(`${result.counts.unverified} effects not verified`);
    if (!(await store.verifyLedger()).ok) problems.push("ledger does not verify");

    const floor = floorMs(attempts, SCALE);
    return {
      label,
      users: USERS,
      apps: APPS.length,
      seconds: elapsed / 1000,
      planSeconds: (planned - started) / 1000,
      floorSeconds: floor.ms / 1000,
      floorBucket: `${floor.bucket} (${floor.calls} calls)`,
      ratio: elapsed / floor.ms,
      requests: attempts.length,
      http429: attempts.filter((a) => a.status === 429 || a.errorKind === "rate_limited").length,
      injectedFaults: await t.injected(),
      /** When each app's lookups finished, seconds from the start: shows which app the plan waited for. */
      planDone,
      /** When each app's last request finished, seconds from the start: shows which app the run waited for. */
      appDone: Object.fromEntries(
        [...lastCall].map(([vendor, ms]) => [vendor, Number((ms / 1000).toFixed(1))]),
      ),
      runState: result.state,
      problems,
    };
  } finally {
    await store.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One call at a time: person after person, app after app, no pacing; waits only when the vendor says 429. */
async function runNaive() {
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-"));
  const t = await tenant(0, dir);
  const attempts: AttemptEvent[] = [];
  const connectors = t.connectors(new RateGovernor({ clock, timeScale: SCALE, pace: false }), (e) =>
    attempts.push(e),
  );
  const problems: string[] = [];
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
    const floor = floorMs(attempts, SCALE);
    problems.push(...(await checkVendorState(t)));
    return {
      label: "naive sequential",
      users: USERS,
      apps: APPS.length,
      seconds: elapsed / 1000,
      floorSeconds: floor.ms / 1000,
      floorBucket: `${floor.bucket} (${floor.calls} calls)`,
      ratio: elapsed / floor.ms,
      requests: attempts.length,
      http429: attempts.filter((a) => a.status === 429 || a.errorKind === "rate_limited").length,
      problems,
    };
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

trustTestCa();
const results: Array<Record<string, unknown>> = [];
const show = (r: Record<string, unknown>) => {
  results.push(r);
  console.log(JSON.stringify(r));
};
console.log(
  `mass-contain: ${USERS} people × ${APPS.join(" + ")}, profile lock, time scale ${SCALE}×, vendor latency ${LATENCY_MS} ms (node ${process.version})`,
);
show(await runCordon("cordon", 0));
if (!values["skip-naive"]) show(await runNaive());
show(await runCordon("cordon, 5% injected 429/5xx", 0.05));

const fmt = (n: unknown) => (typeof n === "number" ? n.toFixed(2) : String(n));
console.log("\n| run | people × apps | time (s) | floor (s) | ratio | requests | 429s | problems |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(
    `| ${r.label} | ${r.users} × ${r.apps} | ${fmt(r.seconds)} | ${fmt(r.floorSeconds)} | ${fmt(r.ratio)} | ${r.requests} | ${r.http429} | ${(r.problems as string[]).join("; ") || "none"} |`,
  );
}
if (results.some((r) => (r.problems as string[]).length > 0)) process.exitCode = 1;
