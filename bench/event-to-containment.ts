/**
 * bench/event-to-containment: Okta event hooks delivered to `cordon serve` at a steady rate, with the Okta and Slack
 * emulators behind it, each in its own process; cordon serve in a third (`node bin/cordon.js serve`).
 *
 * Each event is `user.account.report_suspicious_activity_by_enduser` for a distinct user (the actor), delivered
 * the way Okta does: POST /hooks/okta with the shared secret and a `com.okta.event_hook` envelope. The playbook is
 * the built-in `suspicious-activity-reported` (clear sessions + reset password in Okta, audit row, Slack post to
 * #security); the users are not admins, so no approval is asked.
 *
 * Measured from the store the server wrote (its ledger; `at` has ms precision, same clock as this process):
 * - hook POST → 200 (client side), accepted (`event.accepted`) → first containment call (the contain run's first
 *   `step.intent`, written just before the vendor call), accepted → run finished (`playbook_run.finished`);
 * - sustained rate: events accepted and runs completed per minute over the steady part of the load;
 * - zero loss: every event sent got a 200 and has a completed playbook run with no failed step;
 * - the ledger verifies (`cordon audit verify`), and every targeted Okta user is in RECOVERY (read from Okta's API).
 *
 * Time: the emulators compress every rate-limit window by `--scale` (and the vendor latency likewise), and so does
 * the server's governor (`cordon serve --time-scale`, hidden: for benchmarks only). The floor is computed from the
 * calls the server made (its `/metrics`: `cordon_vendor_requests_total` by bucket, with each bucket's documented
 * limit) at scale 1 and at the scale used.
 *
 * Baseline ("one at a time"): before the load, `--sequential` events are sent one after another, each only once the
 * previous run has finished (the server's concurrency stays as configured). Their durations give a
 * one-at-a-time processor's throughput, and its latencies at the offered rate are simulated from them (a FIFO
 * queue fed at the same rate).
 *
 * Usage: node bench/event-to-containment.ts [--rate 20] [--duration 60] [--users 2000] [--scale 60]
 *                                           [--latency-ms 150] [--batch 1] [--sequential 100] [--warmup 20]
 *                                           [--drain-seconds 120] [--concurrency 32] [--synchronous full]
 *                                           [--keep]
 *                                           [--server-node-args="--cpu-prof …"]
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { SeedFile, type SeedFileInput } from "../src/emulators/index.ts";
import { control, spawnEmulator } from "./support.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "20" },
    duration: { type: "string", default: "60" },
    users: { type: "string", default: "2000" },
    scale: { type: "string", default: "60" },
    "latency-ms": { type: "string", default: "150" },
    batch: { type: "string", default: "1" },
    sequential: { type: "string", default: "100" },
    warmup: { type: "string", default: "20" },
    "drain-seconds": { type: "string", default: "120" },
    /** cordon.yaml store.synchronous: full (cordon serve's default: an fsync per commit) or normal. */
    synchronous: { type: "string", default: "full" },
    /** cordon.yaml server.concurrency: playbook runs executing at once. */
    concurrency: { type: "string", default: "32" },
    keep: { type: "boolean", default: false },
    /** Extra node flags for the server child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    "server-node-args": { type: "string", default: "" },
  },
});
const RATE = Number(values.rate); // events per second offered
const DURATION_S = Number(values.duration);
const USERS = Number(values.users);
const SCALE = Number(values.scale);
const LATENCY_MS = Number(values["latency-ms"]);
const BATCH = Number(values.batch);
const SEQUENTIAL = Number(values.sequential);
const WARMUP = Number(values.warmup);
const DRAIN_MS = Number(values["drain-seconds"]) * 1000;
const LOAD_EVENTS = Math.round(RATE * DURATION_S);
const TOTAL_EVENTS = WARMUP + SEQUENTIAL + LOAD_EVENTS;
if (TOTAL_EVENTS > USERS)
  throw new Error(`${TOTAL_EVENTS} events need as many distinct users; pass --users ${TOTAL_EVENTS} or more`);

const BIN = new URL("../bin/cordon.js", import.meta.url).pathname;
const HOOK_SECRET = "bench-okta-hook-shared-secret";
const EVENT_TYPE = "user.account.report_suspicious_activity_by_enduser";
const ADMIN = "admin@corp.example";
const emails = Array.from({ length: USERS }, (_, i) => `user${String(i).padStart(5, "0")}@corp.example`);

// ---------------------------------------------------------------- the deployment

const dir = mkdtempSync(join(tmpdir(), "cordon-e2c-"));
const seedPath = join(dir, "seed.json");
const seed: SeedFileInput = {
  okta: {
    users: [{ email: ADMIN, admin: true }, ...emails.map((email) => ({ email, sessions: 1 }))],
    tokenOwner: ADMIN,
  },
  slack: {
    adminUser: ADMIN,
    users: [{ email: ADMIN, isPrimaryOwner: true, isOwner: true, isAdmin: true }],
    channels: [{ name: "security" }, { name: "sec-approvals" }],
  },
};
writeFileSync(seedPath, JSON.stringify(SeedFile.parse(seed)));
const [okta, slack] = await Promise.all([
  spawnEmulator("okta", seedPath, SCALE),
  spawnEmulator("slack", seedPath, SCALE),
]);
if (LATENCY_MS > 0) {
  for (const { url } of [okta, slack])
    await control(url, "POST", { kind: "latency", latencyMs: Math.max(1, Math.round(LATENCY_MS / SCALE)) });
}

const configPath = join(dir, "cordon.yaml");
const storePath = join(dir, "cordon.db");
writeFileSync(
  configPath,
  `store: { path: cordon.db, synchronous: ${values.synchronous === "normal" ? "normal" : "full"} }
connections:
  okta: { vendor: okta, orgUrl: "${okta.url}", token: env:BENCH_OKTA_TOKEN }
  slack: { vendor: slack, token: env:BENCH_SLACK_TOKEN, apiUrl: "${slack.url}/api/", scimUrl: "${slack.url}/scim/v2/" }
server:
  concurrency: ${Number(values.concurrency)}
  hooks:
    okta:
      okta: { secret: env:BENCH_HOOK_SECRET }
playbooks:
  - builtin:suspicious-activity-reported
`,
);
const serverEnv = {
  ...process.env,
  BENCH_OKTA_TOKEN: "00bench-okta-token",
  BENCH_SLACK_TOKEN: "xoxp-bench-token",
  BENCH_HOOK_SECRET: HOOK_SECRET,
};
const serverLog: Array<Record<string, unknown>> = [];
const server = spawn(
  process.execPath,
  [
    ...values["server-node-args"].split(" ").filter(Boolean),
    BIN,
    "serve",
    "--time-scale",
    String(SCALE),
    "--config",
    configPath,
    "--port",
    "0",
    "--json",
  ],
  { env: serverEnv, stdio: ["ignore", "pipe", "pipe"] },
);
const serverUrl = await new Promise<string>((resolve, reject) => {
  let out = "";
  server.stdout!.on("data", (chunk) => {
    out += chunk;
    const line = out.split("\n").find((l) => l.startsWith("{"));
    if (line) resolve((JSON.parse(line) as { url: string }).url);
  });
  server.once("exit", (code) =>
    reject(new Error(`cordon serve exited with ${code}: ${JSON.stringify(serverLog)}`)),
  );
});
let errBuffer = "";
server.stderr!.on("data", (chunk) => {
  errBuffer += chunk;
  const lines = errBuffer.split("\n");
  errBuffer = lines.pop() ?? "";
  for (const line of lines) {
    try {
      serverLog.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      serverLog.push({ level: "raw", msg: line });
    }
  }
});
const reader = new DatabaseSync(storePath, { readOnly: true });
const runOfEvent = reader.prepare("SELECT state FROM playbook_runs WHERE event_key = ?");
const finishedCount = reader.prepare(
  "SELECT count(*) AS n FROM playbook_runs WHERE state IN ('completed', 'failed')",
);

// ---------------------------------------------------------------- delivering events as Okta does

interface Delivery {
  keys: string[];
  sentAt: number;
  answeredAt: number;
  ms: number;
  status: number;
}
let nextUser = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One event hook delivery of `count` events, each a distinct user reporting suspicious activity. */
async function deliver(count: number): Promise<Delivery> {
  const events = Array.from({ length: count }, () => {
    const index = nextUser++;
    const login = emails[index]!;
    return {
      uuid: randomUUID(),
      published: new Date().toISOString(),
      eventType: EVENT_TYPE,
      version: "0",
      severity: "WARN",
      displayMessage: "User report suspicious activity",
      actor: {
        id: `00ubench${String(index).padStart(8, "0")}`,
        type: "User",
        alternateId: login,
        displayName: login,
      },
      client: { ipAddress: "198.51.100.7", userAgent: { rawUserAgent: "bench" } },
      outcome: { result: "SUCCESS" },
      target: [],
      debugContext: {
        debugData: { suspiciousActivityEventType: "system.email.new_device_notification.sent_message" },
      },
    };
  });
  const body = JSON.stringify({
    eventType: "com.okta.event_hook",
    eventTypeVersion: "1.0",
    cloudEventsVersion: "0.1",
    source: `${okta.url}/api/v1/eventHooks/whobench`,
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    contentType: "application/json",
    data: { events },
  });
  const sentAt = Date.now();
  const started = performance.now();
  let status = 0;
  try {
    const response = await fetch(`${serverUrl}/hooks/okta`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: HOOK_SECRET },
      body,
    });
    await response.arrayBuffer();
    status = response.status;
  } catch {
    status = 0;
  }
  const ms = performance.now() - started;
  return { keys: events.map((e) => `okta:${e.uuid}`), sentAt, answeredAt: sentAt + ms, ms, status };
}

async function untilFinished(key: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = runOfEvent.get(key);
    if (row && (row.state === "completed" || row.state === "failed")) return;
    if (Date.now() > deadline) throw new Error(`event ${key}: no finished run after ${timeoutMs} ms`);
    await sleep(1);
  }
}

console.log(
  `event-to-containment: ${RATE} events/s offered for ${DURATION_S} s (${LOAD_EVENTS} events, ${BATCH} per delivery), ` +
    `${USERS} Okta users, time scale ${SCALE}×, vendor latency ${LATENCY_MS} ms (${Math.max(1, Math.round(LATENCY_MS / SCALE))} ms scaled), ` +
    `${cpus().length} cores, node ${process.version}`,
);

// Warm-up (JIT, connections) and the one-at-a-time baseline: each event waits for the previous run to finish.
const deliveries: Delivery[] = [];
const phase = new Map<string, "warmup" | "sequential" | "load">();
for (let i = 0; i < WARMUP + SEQUENTIAL; i++) {
  const d = await deliver(1);
  deliveries.push(d);
  phase.set(d.keys[0]!, i < WARMUP ? "warmup" : "sequential");
  if (d.status === 200) await untilFinished(d.keys[0]!);
}

// The load: deliveries at fixed offsets from t0 (no coordinated omission: a slow answer never delays the next send).
const intervalMs = (1000 * BATCH) / RATE;
const loadDeliveries = Math.ceil(LOAD_EVENTS / BATCH);
const inFlight: Array<Promise<void>> = [];
const t0 = performance.now() + 50;
for (let i = 0; i < loadDeliveries; i++) {
  const wait = t0 + i * intervalMs - performance.now();
  if (wait > 1) await sleep(wait);
  const count = Math.min(BATCH, LOAD_EVENTS - i * BATCH);
  inFlight.push(
    deliver(count).then((d) => {
      deliveries.push(d);
      for (const key of d.keys) phase.set(key, "load");
    }),
  );
}
await Promise.all(inFlight);
const loadSentS = (performance.now() - t0) / 1000;

// Drain: every run finished, or the drain timeout.
const drainDeadline = Date.now() + DRAIN_MS;
while (Number(finishedCount.get()!.n) < TOTAL_EVENTS && Date.now() < drainDeadline) await sleep(20);
reader.close();

// The calls the server made, per rate-limit bucket, with each bucket's documented limit (its /metrics).
const calls = parseVendorMetrics(await (await fetch(`${serverUrl}/metrics`)).text());
// Stop the server (graceful, SIGTERM) so the store is quiet.
await new Promise<void>((resolve) => {
  server.once("exit", () => resolve());
  server.kill("SIGTERM");
});

// ---------------------------------------------------------------- what the store says

const db = new DatabaseSync(storePath, { readOnly: true });
const ms = (iso: unknown) => Date.parse(String(iso));
const accepted = new Map<string, number>();
for (const row of db.prepare("SELECT at, payload FROM ledger WHERE type = 'event.accepted'").all())
  accepted.set(String((JSON.parse(String(row.payload)) as { key: string }).key), ms(row.at));
const runs = new Map<string, { id: string; state: string; error: string | null }>();
for (const row of db.prepare("SELECT id, event_key, state, error FROM playbook_runs").all())
  runs.set(String(row.event_key), {
    id: String(row.id),
    state: String(row.state),
    error: row.error as string | null,
  });
const firstCall = new Map<string, number>();
for (const row of db
  .prepare(
    "SELECT run_id, min(seq) AS seq, at FROM ledger WHERE type = 'step.intent' AND run_id LIKE 'pbr_%.s0.a1' GROUP BY run_id",
  )
  .all())
  firstCall.set(String(row.run_id).replace(/\.s0\.a1$/, ""), ms(row.at));
const finished = new Map<string, { at: number; state: string }>();
for (const row of db
  .prepare("SELECT run_id, at, payload FROM ledger WHERE type = 'playbook_run.finished'")
  .all())
  finished.set(String(row.run_id), {
    at: ms(row.at),
    state: (JSON.parse(String(row.payload)) as { state: string }).state,
  });
/** Where the time to the first call goes: dispatched (run queued), run running, plan done (contain run started). */
const stages = new Map<string, { queued?: number; running?: number; planned?: number }>();
for (const row of db
  .prepare(
    `SELECT run_id, type, min(at) AS at FROM ledger
     WHERE type IN ('playbook_run.queued', 'playbook_run.state', 'run.started') AND run_id LIKE 'pbr_%'
     GROUP BY run_id, type`,
  )
  .all()) {
  const id = String(row.run_id).replace(/\.s0\.a1$/, "");
  const stage = stages.get(id) ?? {};
  if (row.type === "playbook_run.queued") stage.queued = ms(row.at);
  else if (row.type === "playbook_run.state") stage.running = ms(row.at);
  else stage.planned = ms(row.at);
  stages.set(id, stage);
}
const containRuns = new Map<string, string>();
for (const row of db.prepare("SELECT id, state FROM runs WHERE id LIKE 'pbr_%.s0.a1'").all())
  containRuns.set(String(row.id).replace(/\.s0\.a1$/, ""), String(row.state));
const failedSteps = Number(
  db.prepare("SELECT count(*) AS n FROM playbook_steps WHERE state <> 'done'").get()!.n,
);
db.close();

interface Sample {
  key: string;
  phase: string;
  sentAt: number;
  postMs: number;
  status: number;
  accepted?: number;
  firstCall?: number;
  finished?: number;
  ok: boolean;
}
const samples: Sample[] = [];
for (const d of deliveries) {
  for (const key of d.keys) {
    const run = runs.get(key);
    const fin = run ? finished.get(run.id) : undefined;
    const first = run ? firstCall.get(run.id) : undefined;
    samples.push({
      key,
      phase: phase.get(key) ?? "?",
      sentAt: d.sentAt,
      postMs: d.ms,
      status: d.status,
      ...(accepted.has(key) ? { accepted: accepted.get(key)! } : {}),
      ...(first !== undefined ? { firstCall: first } : {}),
      ...(fin ? { finished: fin.at } : {}),
      ok:
        d.status === 200 &&
        accepted.has(key) &&
        run?.state === "completed" &&
        run.error === null &&
        fin?.state === "completed" &&
        containRuns.get(run.id) === "completed",
    });
  }
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const dist = (xs: number[]) => ({
  n: xs.length,
  p50: pct(xs, 50),
  p95: pct(xs, 95),
  p99: pct(xs, 99),
  max: xs.length ? Math.max(...xs) : Number.NaN,
});
const load = samples.filter((s) => s.phase === "load");
const seq = samples.filter((s) => s.phase === "sequential");
const measured = (xs: Sample[]) => ({
  post: dist(xs.map((s) => s.postMs)),
  toFirstCall: dist(xs.filter((s) => s.accepted && s.firstCall).map((s) => s.firstCall! - s.accepted!)),
  toFinished: dist(xs.filter((s) => s.accepted && s.finished).map((s) => s.finished! - s.accepted!)),
  sendToFirstCall: dist(xs.filter((s) => s.firstCall).map((s) => s.firstCall! - s.sentAt)),
});

const breakdown = (xs: Sample[]) => {
  const parts = {
    dispatch: [] as number[],
    start: [] as number[],
    plan: [] as number[],
    firstStep: [] as number[],
  };
  for (const x of xs) {
    const run = runs.get(x.key);
    const stage = run ? stages.get(run.id) : undefined;
    if (!x.accepted || !stage?.queued || !stage.running || !stage.planned || !x.firstCall) continue;
    parts.dispatch.push(stage.queued - x.accepted);
    parts.start.push(stage.running - stage.queued);
    parts.plan.push(stage.planned - stage.running);
    parts.firstStep.push(x.firstCall - stage.planned);
  }
  return {
    dispatch: dist(parts.dispatch),
    start: dist(parts.start),
    plan: dist(parts.plan),
    firstStep: dist(parts.firstStep),
  };
};

// Sustained rates over the steady part: the load's span without its first and last 10 %.
const acceptedTimes = load.flatMap((s) => (s.accepted ? [s.accepted] : [])).sort((a, b) => a - b);
const finishedTimes = load.flatMap((s) => (s.finished ? [s.finished] : [])).sort((a, b) => a - b);
const spanStart = acceptedTimes[0] ?? 0;
const spanEnd = acceptedTimes.at(-1) ?? 0;
const steadyFrom = spanStart + 0.1 * (spanEnd - spanStart);
const steadyTo = spanEnd - 0.1 * (spanEnd - spanStart);
const perMinute = (times: number[]) =>
  (times.filter((t) => t >= steadyFrom && t < steadyTo).length / (steadyTo - steadyFrom)) * 60_000;
const lastFinished = finishedTimes.at(-1) ?? spanStart;

// One-at-a-time baseline: measured cycle time, and a FIFO single worker fed at the offered rate (simulated).
const seqService = seq.filter((s) => s.accepted && s.finished).map((s) => s.finished! - s.accepted!);
const seqFirst = seq.filter((s) => s.accepted && s.firstCall).map((s) => s.firstCall! - s.accepted!);
const seqMean = seqService.reduce((a, b) => a + b, 0) / Math.max(1, seqService.length);
const simulated = (() => {
  const toFirst: number[] = [];
  const toDone: number[] = [];
  let free = 0;
  for (let i = 0; i < LOAD_EVENTS && seqService.length > 0; i++) {
    const arrival = (i * 1000) / RATE;
    const start = Math.max(arrival, free);
    const service = seqService[i % seqService.length]!;
    toFirst.push(start - arrival + seqFirst[i % seqFirst.length]!);
    free = start + service;
    toDone.push(free - arrival);
  }
  return { toFirstCall: dist(toFirst), toFinished: dist(toDone), drainedAfterS: free / 1000 };
})();

// ---------------------------------------------------------------- independent checks

const problems: string[] = [];
const lost = samples.filter((s) => !s.ok);
if (lost.length > 0) {
  const why = (s: Sample) =>
    s.status !== 200
      ? `HTTP ${s.status}`
      : !s.accepted
        ? "not accepted"
        : !runs.get(s.key)
          ? "no run"
          : `run ${runs.get(s.key)!.state}${runs.get(s.key)!.error ? ` (${runs.get(s.key)!.error})` : ""}`;
  const reasons = new Map<string, number>();
  for (const s of lost) reasons.set(why(s), (reasons.get(why(s)) ?? 0) + 1);
  problems.push(
    `${lost.length} events lost or incomplete: ${[...reasons].map(([r, n]) => `${n}× ${r}`).join("; ")}`,
  );
}
if (failedSteps > 0) problems.push(`${failedSteps} playbook steps not done`);
const verify = spawnSync(
  process.execPath,
  [BIN, "--config", configPath, "--store", storePath, "audit", "verify"],
  {
    env: serverEnv,
    encoding: "utf8",
  },
);
if (verify.status !== 0)
  problems.push(`audit verify exited ${verify.status}: ${verify.stdout}${verify.stderr}`);

// Okta itself, through its API: every user an event named is in RECOVERY (password reset), and no one else is.
const recovery = new Set<string>();
let next: string | null =
  `${okta.url}/api/v1/users?filter=${encodeURIComponent('status eq "RECOVERY"')}&limit=200`;
while (next) {
  const response: Response = await fetch(next, { headers: { authorization: "SSWS 00bench-okta-token" } });
  if (!response.ok) throw new Error(`okta users: ${response.status}`);
  for (const user of (await response.json()) as Array<{ profile: { login: string } }>)
    recovery.add(user.profile.login);
  next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
}
const targeted = emails.slice(0, nextUser);
const notRecovered = targeted.filter((login) => !recovery.has(login));
if (notRecovered.length > 0) problems.push(`okta: ${notRecovered.length} targeted users not in RECOVERY`);
if (recovery.size !== targeted.length)
  problems.push(`okta: ${recovery.size} users in RECOVERY, ${targeted.length} targeted`);

const serverErrors = serverLog.filter((e) => e.level === "error" || e.level === "warn");
if (serverErrors.length > 0)
  problems.push(`${serverErrors.length} server warnings/errors, first: ${JSON.stringify(serverErrors[0])}`);

// ---------------------------------------------------------------- the rate-limit floor

const buckets = calls
  .map((c) => {
    const perEvent = c.sent / nextUser;
    /** Events a minute this bucket allows at the documented limit (scale 1). */
    const ceiling = (c.limit / perEvent) * (60_000 / c.windowMs);
    const floorMs = (Math.ceil(c.sent / c.limit) - 1) * c.windowMs;
    return { ...c, perEvent: Number(perEvent.toFixed(3)), ceilingPerMinute: Math.round(ceiling), floorMs };
  })
  .sort((a, b) => a.ceilingPerMinute - b.ceilingPerMinute);
const binding = buckets[0]!;
const worstFloor = buckets.reduce((w, b) => (b.floorMs > w.floorMs ? b : w), buckets[0]!);
const http429 = calls.reduce((n, c) => n + c.rateLimited, 0);

await Promise.all(
  [okta.child, slack.child].map(
    (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  ),
);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);

// ---------------------------------------------------------------- report

const m = measured(load);
const parts = breakdown(load);
/** The five slowest events to their first call: when in the load (s), and each stage (ms). */
const slowest = load
  .filter((x) => x.accepted && x.firstCall)
  .sort((a, b) => b.firstCall! - b.accepted! - (a.firstCall! - a.accepted!))
  .slice(0, 5)
  .map((x) => {
    const stage = stages.get(runs.get(x.key)!.id) ?? {};
    return {
      atS: Number(((x.accepted! - spanStart) / 1000).toFixed(2)),
      postMs: Math.round(x.postMs),
      dispatch: (stage.queued ?? 0) - x.accepted!,
      start: (stage.running ?? 0) - (stage.queued ?? 0),
      plan: (stage.planned ?? 0) - (stage.running ?? 0),
      firstStep: x.firstCall! - (stage.planned ?? 0),
    };
  });
const s = measured(seq);
const sustainedAccepted = perMinute(acceptedTimes);
const sustainedCompleted = perMinute(finishedTimes);
const result = {
  bench: "event-to-containment",
  rate: RATE,
  durationS: DURATION_S,
  batch: BATCH,
  scale: SCALE,
  latencyMs: LATENCY_MS,
  cores: cpus().length,
  node: process.version,
  events: { warmup: WARMUP, sequential: SEQUENTIAL, load: LOAD_EVENTS, total: samples.length },
  load: m,
  loadFirstCallBreakdown: parts,
  slowestToFirstCall: slowest,
  sendSeconds: Number(loadSentS.toFixed(2)),
  completedWithinS: Number(((lastFinished - spanStart) / 1000).toFixed(2)),
  sustainedPerMinute: { accepted: Math.round(sustainedAccepted), completed: Math.round(sustainedCompleted) },
  lost: lost.length,
  sequential: {
    ...s,
    meanRunMs: Number(seqMean.toFixed(1)),
    throughputPerMinute: Math.round(60_000 / seqMean),
    simulatedAtOfferedRate: simulated,
  },
  limits: {
    callsPerEvent: Object.fromEntries(buckets.map((b) => [b.bucket, b.perEvent])),
    /** Events a minute each bucket allows at its documented limit (scale 1), lowest first. */
    ceilingsPerMinuteAtScale1: Object.fromEntries(buckets.map((b) => [b.bucket, b.ceilingPerMinute])),
    bindingBucket: `${binding.bucket} (${binding.limit}/${binding.windowMs / 1000}s, ${binding.perEvent}/event)`,
    ceilingPerMinuteAtScale1: binding.ceilingPerMinute,
    ceilingPerMinuteAtScale: binding.ceilingPerMinute * SCALE,
    completedPerDocumentedMinute: Number((sustainedCompleted / SCALE).toFixed(1)),
    floorSecondsAtScale1: worstFloor.floorMs / 1000,
    floorSecondsAtScale: worstFloor.floorMs / 1000 / SCALE,
    floorBucket: `${worstFloor.bucket} (${worstFloor.sent} calls)`,
    http429,
  },
  goals: {
    p99ToFirstCallMs: { goal: 50, measured: m.toFirstCall.p99, met: m.toFirstCall.p99 <= 50 },
    sustainedPerMinute: {
      goal: 1000,
      measured: Math.round(sustainedCompleted),
      met: sustainedCompleted >= 1000,
    },
  },
  problems,
};

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
const row = (label: string, d: ReturnType<typeof dist>) =>
  `| ${label} | ${d.n} | ${f(d.p50)} | ${f(d.p95)} | ${f(d.p99)} | ${f(d.max)} |`;
console.log("\n| measure (ms) | n | p50 | p95 | p99 | max |");
console.log("|---|---|---|---|---|---|");
console.log(row("load: hook POST → 200 (client)", m.post));
console.log(row("load: accepted → first containment call", m.toFirstCall));
console.log(row("load: accepted → run completed", m.toFinished));
console.log(row("load: POST sent → first containment call", m.sendToFirstCall));
console.log(row("load, part: accepted → run queued (dispatch)", parts.dispatch));
console.log(row("load, part: queued → running (worker start)", parts.start));
console.log(row("load, part: running → contain run started (plan)", parts.plan));
console.log(row("load, part: contain run started → first call", parts.firstStep));
console.log(row("one at a time: accepted → first containment call", s.toFirstCall));
console.log(row("one at a time: accepted → run completed", s.toFinished));
console.log(row("one at a time, simulated at the offered rate: → first call", simulated.toFirstCall));
console.log(row("one at a time, simulated at the offered rate: → completed", simulated.toFinished));
console.log(
  `\nsustained: ${Math.round(sustainedAccepted)} accepted/min, ${Math.round(sustainedCompleted)} completed/min ` +
    `(offered ${RATE * 60}/min; last run done ${result.completedWithinS} s after the first event); lost ${lost.length}`,
);
console.log(
  `one at a time: ${result.sequential.meanRunMs} ms a run → ${result.sequential.throughputPerMinute} events/min; ` +
    `at ${RATE * 60}/min it would finish the load ${simulated.drainedAfterS.toFixed(1)} s after the first event`,
);
console.log(
  `limits: binding ${result.limits.bindingBucket} → ${binding.ceilingPerMinute} events/min at scale 1, ` +
    `${result.limits.ceilingPerMinuteAtScale} at ${SCALE}×; achieved ${result.limits.completedPerDocumentedMinute} per documented minute; ` +
    `floor for all calls ${result.limits.floorSecondsAtScale1} s at scale 1 = ${result.limits.floorSecondsAtScale.toFixed(2)} s at ${SCALE}× ` +
    `(${result.limits.floorBucket}); 429s ${http429}`,
);
console.log(
  `calls per event: ${JSON.stringify(result.limits.callsPerEvent)}; events/min each bucket allows at scale 1: ${JSON.stringify(result.limits.ceilingsPerMinuteAtScale1)}`,
);
console.log(`slowest to first call: ${JSON.stringify(slowest)}`);
console.log(`problems: ${problems.join("; ") || "none"}`);
console.log(JSON.stringify(result));
if (problems.length > 0) process.exitCode = 1;

interface BucketCount {
  bucket: string;
  limit: number;
  windowMs: number;
  sent: number;
  rateLimited: number;
}

/** `cordon_vendor_requests_total` and `cordon_vendor_rate_limited_total` lines → calls per bucket. */
function parseVendorMetrics(text: string): BucketCount[] {
  const counts = new Map<string, BucketCount>();
  const labels = (raw: string) =>
    Object.fromEntries([...raw.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  for (const line of text.split("\n")) {
    const request = /^cordon_vendor_requests_total\{([^}]*)\} (\d+)/.exec(line);
    if (!request) continue;
    const l = labels(request[1]!);
    const id = `${l.vendor}:${l.bucket}`;
    const entry = counts.get(id) ?? {
      bucket: id,
      limit: Number(l.limit),
      windowMs: Number(l.window_seconds) * 1000,
      sent: 0,
      rateLimited: 0,
    };
    entry.sent += Number(request[2]);
    counts.set(id, entry);
  }
  for (const line of text.split("\n")) {
    const limited = /^cordon_vendor_rate_limited_total\{vendor="([^"]*)"\} (\d+)/.exec(line);
    const first = limited
      ? [...counts.values()].find((c) => c.bucket.startsWith(`${limited[1]}:`))
      : undefined;
    if (limited && first) first.rateLimited += Number(limited[2]);
  }
  return [...counts.values()];
}
