import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { CordonError, isKind } from "../../src/core/errors.ts";
import { migrations } from "../../src/store/migrations.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { openStore, runInput, stepInput, steppingClock, tempDir } from "./helpers.ts";

function rawRows(path: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(path);
  try {
    return db
      .prepare(sql)
      .all()
      .map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

test("a run round-trips: start, intents, outcomes, finish", async (t) => {
  const store = openStore(t);
  const started = await store.createRun(runInput("run-1"));
  assert.deepEqual(started, {
    id: "run-1",
    kind: "contain",
    state: "running",
    planHash: "plan-hash-of-run-1",
    plan: { subject: "alice@corp.example", actions: ["okta.suspend", "slack.reset_sessions"] },
    reason: "INC-42: phished credentials",
    actor: "secops-oncall",
    parentRunId: null,
    // The stepping clock's first reading (00:00:00) stamped the schema migration.
    createdAt: "2025-01-01T00:00:01.000Z",
    finishedAt: null,
    summary: null,
  });

  // Intents out of order on purpose: listSteps returns plan order.
  await store.recordStepIntent(
    stepInput("run-1", 1, { connection: "slack", vendor: "slack", accountId: "U1" }),
  );
  const intent = await store.recordStepIntent(stepInput("run-1", 0));
  assert.equal(intent.state, "intent");
  assert.equal(intent.finishedAt, null);
  assert.equal(intent.snapshot, null);

  const applied = await store.recordStepOutcome("run-1", 0, {
    state: "applied",
    snapshot: { status: "ACTIVE" },
    output: { status: "SUSPENDED" },
    verification: { state: "verified", observed: "SUSPENDED" },
  });
  assert.equal(applied.state, "applied");
  assert.deepEqual(applied.snapshot, { status: "ACTIVE" });
  assert.deepEqual(applied.verification, { state: "verified", observed: "SUSPENDED" });
  assert.equal(applied.error, null);
  assert.ok(applied.finishedAt);

  await store.recordStepOutcome("run-1", 1, {
    state: "failed",
    error: new CordonError(
      { kind: "rate_limited", vendor: "slack", retryAfterMs: 30000 },
      "Slack said slow down",
    ),
  });

  const finished = await store.finishRun("run-1", "partial", { applied: 1, failed: 1 });
  assert.equal(finished.state, "partial");
  assert.deepEqual(finished.summary, { applied: 1, failed: 1 });
  assert.ok(finished.finishedAt && finished.finishedAt > finished.createdAt);
  assert.deepEqual(await store.getRun("run-1"), finished);
  assert.equal(await store.getRun("nope"), null);

  const steps = await store.listSteps("run-1");
  assert.deepEqual(
    steps.map((s) => [s.seq, s.connection, s.state]),
    [
      [0, "okta", "applied"],
      [1, "slack", "failed"],
    ],
  );
  // An error object is stored as its JSON form (CordonError.toJSON).
  assert.deepEqual(steps[1]!.error, {
    kind: "rate_limited",
    vendor: "slack",
    retryAfterMs: 30000,
    message: "Slack said slow down",
  });

  const ledger = await store.listLedger({ runId: "run-1" });
  assert.deepEqual(
    ledger.map((r) => r.type),
    ["run.started", "step.intent", "step.intent", "step.outcome", "step.outcome", "run.finished"],
  );
  assert.deepEqual(ledger[0]!.payload, {
    id: "run-1",
    kind: "contain",
    planHash: "plan-hash-of-run-1",
    reason: "INC-42: phished credentials",
    actor: "secops-oncall",
    parentRunId: null,
  });
  assert.deepEqual(ledger[1]!.payload, {
    seq: 1,
    connection: "slack",
    vendor: "slack",
    accountId: "U1",
    accountEmail: "alice@corp.example",
    actionId: "okta.suspend",
    input: { userId: "00u1" },
  });
  assert.deepEqual(ledger[3]!.payload, {
    seq: 0,
    state: "applied",
    snapshot: { status: "ACTIVE" },
    output: { status: "SUSPENDED" },
    verification: { state: "verified", observed: "SUSPENDED" },
    error: null,
  });
  assert.deepEqual(ledger[5]!.payload, { state: "partial", summary: { applied: 1, failed: 1 } });
  // The row timestamps are the ledger record timestamps.
  assert.equal(ledger[0]!.at, started.createdAt);
  assert.equal(ledger[5]!.at, finished.finishedAt);
  assert.equal(steps[0]!.startedAt, ledger[2]!.at);
});

test("listRuns: newest first, default limit 50, kind filter", async (t) => {
  const store = openStore(t);
  for (let i = 0; i < 55; i++) {
    await store.createRun(runInput(`run-${i}`, { kind: i % 5 === 0 ? "uncontain" : "contain" }));
  }
  const all = await store.listRuns();
  assert.equal(all.length, 50);
  assert.equal(all[0]!.id, "run-54");
  assert.equal(all[49]!.id, "run-5");
  assert.deepEqual(
    (await store.listRuns({ limit: 3 })).map((r) => r.id),
    ["run-54", "run-53", "run-52"],
  );
  assert.deepEqual(
    (await store.listRuns({ kind: "uncontain", limit: 3 })).map((r) => r.id),
    ["run-50", "run-45", "run-40"],
  );
  await assert.rejects(store.listRuns({ limit: 0 }), (e) => isKind(e, "invalid_input"));
});

test("newest first follows creation order even when the clock goes backwards", async (t) => {
  let now = Date.UTC(2025, 5, 1);
  const store = openStore(t, { clock: { now: () => (now -= 60_000), sleep: async () => {} } });
  await store.createRun(runInput("first"));
  await store.createRun(runInput("second"));
  assert.deepEqual(
    (await store.listRuns()).map((r) => r.id),
    ["second", "first"],
  );
});

test("an outcome is written once: the second is refused and adds no ledger record", async (t) => {
  const store = openStore(t);
  await store.createRun(runInput("run-1"));
  await store.recordStepIntent(stepInput("run-1", 0));
  await store.recordStepOutcome("run-1", 0, { state: "applied", output: { status: "SUSPENDED" } });
  const before = await store.listLedger();

  await assert.rejects(
    store.recordStepOutcome("run-1", 0, { state: "failed", error: { kind: "transient" } }),
    (e) => isKind(e, "conflict") && /already has its outcome \(applied\)/.test(e.message),
  );
  assert.deepEqual(await store.listLedger(), before);
  const [step] = await store.listSteps("run-1");
  assert.equal(step!.state, "applied");
  assert.deepEqual(step!.output, { status: "SUSPENDED" });
  assert.equal((await store.verifyLedger()).ok, true);
});

test("the store refuses what the engine must never do, and records nothing for it", async (t) => {
  const store = openStore(t);
  await store.createRun(runInput("run-1"));
  await store.recordStepIntent(stepInput("run-1", 0));
  const before = (await store.listLedger()).length;

  const refusals: [() => Promise<unknown>, string][] = [
    [() => store.createRun(runInput("run-1")), "conflict"],
    [() => store.createRun(runInput("run-2", { parentRunId: "missing" })), "invalid_input"],
    [() => store.createRun(runInput("")), "invalid_input"],
    [() => store.createRun(runInput("run-3", { kind: "bogus" as "contain" })), "invalid_input"],
    [() => store.recordStepIntent(stepInput("missing", 0)), "invalid_input"],
    [() => store.recordStepIntent(stepInput("run-1", 0)), "conflict"],
    [() => store.recordStepIntent(stepInput("run-1", -1)), "invalid_input"],
    [() => store.recordStepIntent(stepInput("run-1", 1.5)), "invalid_input"],
    [() => store.recordStepOutcome("run-1", 7, { state: "applied" }), "invalid_input"],
    [() => store.recordStepOutcome("run-1", 0, { state: "intent" as "applied" }), "invalid_input"],
    [() => store.finishRun("missing", "completed", {}), "invalid_input"],
    [() => store.finishRun("run-1", "running" as "completed", {}), "invalid_input"],
    [
      () => store.openHold({ connection: "okta", accountId: "00u1", email: "a@b.c", runId: "missing" }),
      "invalid_input",
    ],
    [() => store.releaseHold("okta", "00u1", "missing"), "invalid_input"],
  ];
  for (const [attempt, kind] of refusals) {
    await assert.rejects(attempt, (e) => isKind(e, kind as "conflict"), attempt.toString());
  }
  assert.equal((await store.listLedger()).length, before);
  assert.equal((await store.listRuns()).length, 1);
});

test("a finished run is closed: finishRun once, no new steps or outcomes after it", async (t) => {
  const store = openStore(t);
  await store.createRun(runInput("run-1"));
  await store.recordStepIntent(stepInput("run-1", 0));
  await store.finishRun("run-1", "failed", { unknown: 1 });
  const before = (await store.listLedger()).length;
  await assert.rejects(
    store.finishRun("run-1", "completed", {}),
    (e) => isKind(e, "conflict") && /already finished as failed/.test(e.message),
  );
  await assert.rejects(store.recordStepIntent(stepInput("run-1", 1)), (e) => isKind(e, "conflict"));
  await assert.rejects(store.recordStepOutcome("run-1", 0, { state: "applied" }), (e) =>
    isKind(e, "conflict"),
  );
  assert.equal((await store.listLedger()).length, before);
  assert.equal((await store.getRun("run-1"))!.state, "failed");
});

test("a transaction that fails half-way leaves no partial rows and no ledger record", async (t) => {
  const path = join(tempDir(t), "cordon.db");
  const store = openSqliteStore({ path, clock: steppingClock() });
  t.after(() => store.close());
  await store.createRun(runInput("run-1"));

  // Make the ledger insert fail *after* the store has written the step row in the same transaction.
  const saboteur = new DatabaseSync(path);
  saboteur.exec(`CREATE TRIGGER sabotage BEFORE INSERT ON ledger WHEN NEW.type IN ('step.intent', 'run.finished')
                 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
  saboteur.close();

  await assert.rejects(store.recordStepIntent(stepInput("run-1", 0)), /disk on fire/);
  await assert.rejects(store.finishRun("run-1", "completed", {}), /disk on fire/);

  assert.deepEqual(await store.listSteps("run-1"), []);
  assert.equal((await store.getRun("run-1"))!.state, "running");
  assert.deepEqual(
    (await store.listLedger()).map((r) => r.type),
    ["run.started"],
  );
  assert.deepEqual(rawRows(path, "SELECT seq FROM ledger_head"), [{ seq: 1 }]);

  // The store is still usable and the chain intact once the fault is gone.
  const fixer = new DatabaseSync(path);
  fixer.exec("DROP TRIGGER sabotage");
  fixer.close();
  await store.recordStepIntent(stepInput("run-1", 0));
  assert.deepEqual(await store.verifyLedger().then((v) => [v.ok, v.records]), [true, 2]);
});

test("reopening a file keeps everything; migrations do not run again", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "nested", "deeper", "cordon.db");
  const first = openSqliteStore({ path, clock: steppingClock() });
  await first.createRun(runInput("run-1"));
  await first.recordStepIntent(stepInput("run-1", 0));
  await first.openHold({
    connection: "okta",
    accountId: "00u1",
    email: "alice@corp.example",
    runId: "run-1",
  });
  await first.close();
  await first.close(); // closing twice is harmless

  assert.ok(existsSync(path), "parent directories are created");
  assert.equal(statSync(path).mode & 0o777, 0o600, "the database file is owner-only");
  const versionsBefore = rawRows(path, "SELECT version, applied_at FROM schema_version ORDER BY version");
  assert.equal(versionsBefore.length, migrations.length);

  const second = openSqliteStore({ path, clock: steppingClock(Date.UTC(2026, 0, 1)) });
  t.after(() => second.close());
  assert.equal((await second.getRun("run-1"))!.state, "running");
  assert.equal((await second.listSteps("run-1")).length, 1);
  assert.equal((await second.listOpenHolds()).length, 1);
  assert.deepEqual(
    rawRows(path, "SELECT version, applied_at FROM schema_version ORDER BY version"),
    versionsBefore,
  );

  // The chain continues where it stopped.
  await second.recordStepOutcome("run-1", 0, { state: "applied" });
  const ledger = await second.listLedger();
  assert.deepEqual(
    ledger.map((r) => r.seq),
    [1, 2, 3, 4],
  );
  assert.equal(ledger[3]!.prevHash, ledger[2]!.hash);
  assert.equal((await second.verifyLedger()).ok, true);

  const pragmas = new DatabaseSync(path);
  assert.equal(pragmas.prepare("PRAGMA journal_mode").get()!["journal_mode"], "wal");
  pragmas.close();
});

test("a database from a newer cordon is refused, not migrated backwards", async (t) => {
  const path = join(tempDir(t), "cordon.db");
  await openSqliteStore({ path }).close();
  const db = new DatabaseSync(path);
  db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(
    migrations.length + 1,
    "later",
  );
  db.close();
  assert.throws(
    () => openSqliteStore({ path }),
    (e) => isKind(e, "config") && /newer than this cordon/.test(e.message),
  );
});

test("holds: one open hold per account, history kept, listed by email and connection", async (t) => {
  const path = join(tempDir(t), "cordon.db");
  const store = openSqliteStore({ path, clock: steppingClock() });
  t.after(() => store.close());
  await store.createRun(runInput("contain-1"));
  await store.createRun(runInput("contain-2"));
  await store.createRun(runInput("uncontain-1", { kind: "uncontain", parentRunId: "contain-1" }));

  await store.openHold({
    connection: "okta",
    accountId: "00u1",
    email: "Alice@Corp.example",
    runId: "contain-1",
  });
  await store.openHold({
    connection: "slack",
    accountId: "U1",
    email: "alice@corp.example",
    runId: "contain-1",
  });
  await store.openHold({
    connection: "okta",
    accountId: "00u2",
    email: "bob@corp.example",
    runId: "contain-1",
  });
  const ledgerBefore = (await store.listLedger()).length;

  // A second containment of an already held account keeps the first run's hold and records nothing.
  await store.openHold({
    connection: "okta",
    accountId: "00u1",
    email: "alice@corp.example",
    runId: "contain-2",
  });
  assert.equal((await store.listLedger()).length, ledgerBefore);

  const alice = await store.listOpenHolds({ email: "  ALICE@corp.example " });
  assert.deepEqual(
    alice.map((h) => [h.connection, h.accountId, h.runId, h.releasedAt]),
    [
      ["okta", "00u1", "contain-1", null],
      ["slack", "U1", "contain-1", null],
    ],
  );
  assert.equal(alice[0]!.email, "Alice@Corp.example", "the email is kept as given");
  assert.deepEqual(
    (await store.listOpenHolds({ connection: "okta" })).map((h) => h.accountId),
    ["00u1", "00u2"],
  );
  assert.deepEqual(
    (await store.listOpenHolds({ connection: "okta", email: "bob@corp.example" })).map((h) => h.accountId),
    ["00u2"],
  );

  await store.releaseHold("okta", "00u1", "uncontain-1");
  assert.deepEqual(
    (await store.listOpenHolds({ email: "alice@corp.example" })).map((h) => h.connection),
    ["slack"],
  );
  const released = (await store.listLedger()).at(-1)!;
  assert.equal(released.type, "hold.released");
  assert.equal(released.runId, "uncontain-1");
  assert.deepEqual(released.payload, {
    connection: "okta",
    accountId: "00u1",
    email: "Alice@Corp.example",
    heldByRunId: "contain-1",
    openedAt: alice[0]!.openedAt,
  });

  // Releasing when nothing is held is a no-op without a record.
  const count = (await store.listLedger()).length;
  await store.releaseHold("okta", "00u1", "uncontain-1");
  await store.releaseHold("okta", "never-held", "uncontain-1");
  assert.equal((await store.listLedger()).length, count);

  // A new containment can hold the account again; the released hold stays as history.
  await store.openHold({
    connection: "okta",
    accountId: "00u1",
    email: "alice@corp.example",
    runId: "contain-2",
  });
  const history = rawRows(
    path,
    "SELECT run_id, released_by_run_id FROM holds WHERE account_id = '00u1' ORDER BY id",
  );
  assert.deepEqual(history, [
    { run_id: "contain-1", released_by_run_id: "uncontain-1" },
    { run_id: "contain-2", released_by_run_id: null },
  ]);
  assert.deepEqual(
    (await store.listLedger()).filter((r) => r.type.startsWith("hold.")).map((r) => [r.type, r.runId]),
    [
      ["hold.opened", "contain-1"],
      ["hold.opened", "contain-1"],
      ["hold.opened", "contain-1"],
      ["hold.released", "uncontain-1"],
      ["hold.opened", "contain-2"],
    ],
  );
  assert.equal((await store.verifyLedger()).ok, true);
});

test("secrets never reach the database file: ledger payloads and step columns are redacted", async (t) => {
  const path = join(tempDir(t), "cordon.db");
  const store = openSqliteStore({ path, clock: steppingClock() });
  await store.createRun(
    runInput("run-1", {
      reason: "pasted by mistake: Authorization: SSWS 00abcdefghijklmnop",
      plan: { subject: "alice@corp.example", connection: { apiKey: "plan-key-123" } },
    }),
  );
  await store.recordStepIntent(stepInput("run-1", 0, { input: { userId: "00u1", clientSecret: "cs-999" } }));
  const step = await store.recordStepOutcome("run-1", 0, {
    state: "applied",
    snapshot: {
      status: "ACTIVE",
      token: "SSWS abc",
      nested: { password: "x", deeper: [{ cookie: "sid=1" }] },
    },
    output: {
      resetPasswordUrl: "https://corp.okta.com/reset/XYZ",
      tempPassword: "Tmp!234",
      revokeTokens: true,
    },
    verification: { state: "verified", observed: { activationUrl: "https://a/b", activationToken: "tok" } },
    error: { message: "call failed with Bearer eyJhbGciOi.eyJzdWIiOi.sig" },
  });
  assert.deepEqual(step.snapshot, {
    status: "ACTIVE",
    token: "[REDACTED]",
    nested: { password: "[REDACTED]", deeper: [{ cookie: "[REDACTED]" }] },
  });
  assert.deepEqual(step.output, {
    resetPasswordUrl: "[REDACTED]",
    tempPassword: "[REDACTED]",
    revokeTokens: true,
  });
  assert.deepEqual(step.input, { userId: "00u1", clientSecret: "[REDACTED]" });
  const outcome = (await store.listLedger({ runId: "run-1" })).find((r) => r.type === "step.outcome")!;
  assert.deepEqual((outcome.payload as { snapshot: unknown }).snapshot, step.snapshot);
  const run = (await store.getRun("run-1"))!;
  assert.equal(run.reason, "pasted by mistake: Authorization: SSWS [REDACTED]");
  assert.deepEqual(run.plan, { subject: "alice@corp.example", connection: { apiKey: "[REDACTED]" } });
  assert.equal((await store.verifyLedger()).ok, true);
  await store.close();

  let raw = readFileSync(path, "latin1");
  if (existsSync(`${path}-wal`)) raw += readFileSync(`${path}-wal`, "latin1");
  for (const secret of [
    "SSWS abc",
    "00abcdefghijklmnop",
    "plan-key-123",
    "cs-999",
    '"x"',
    "sid=1",
    "reset/XYZ",
    "Tmp!234",
    "https://a/b",
    "eyJhbGciOi",
  ]) {
    assert.ok(!raw.includes(secret), `the database file contains ${secret}`);
  }
});

test("a custom redactor replaces the default", async (t) => {
  const seen: unknown[] = [];
  const store = openStore(t, {
    redact: (value) => {
      seen.push(value);
      return JSON.parse(JSON.stringify(value).replaceAll("alice", "[person]"));
    },
  });
  await store.createRun(
    runInput("run-1", { reason: "alice clicked", plan: { token: "kept by this redactor" } }),
  );
  const run = (await store.getRun("run-1"))!;
  assert.equal(run.reason, "[person] clicked");
  assert.deepEqual(run.plan, { token: "kept by this redactor" });
  assert.equal(seen.length, 1);
});

test("a closed store says so", async (t) => {
  const store = openStore(t);
  await store.close();
  await assert.rejects(store.getRun("x"), (e) => isKind(e, "internal") && /closed/.test(e.message));
  await assert.rejects(store.verifyLedger(), (e) => isKind(e, "internal"));
  await assert.rejects(store.createRun(runInput("x")), (e) => isKind(e, "internal"));
});
