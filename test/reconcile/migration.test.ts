import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import test from "node:test";
import { migrations } from "../../src/store/migrations.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";

test("a version 1 database upgrades to allow reconcile runs; data kept, ledger still verifies", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cordon-migrate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "cordon.db");

  // Build a genuine v1 file: only migration 1, then history written through raw SQL as v1 cordon would have.
  const v1 = new DatabaseSync(path);
  v1.exec("PRAGMA foreign_keys = ON");
  v1.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  v1.exec(migrations[0]!);
  v1.prepare("INSERT INTO schema_version VALUES (1, '2025-01-01T00:00:00.000Z')").run();
  v1.close();
  const first = openSqliteStore({ path });
  // Opening it migrated it; roll the file back to v1 after writing history, to upgrade a v1 file with data.
  await first.createRun({
    id: "c1",
    kind: "contain",
    planHash: "h1",
    plan: { a: 1 },
    reason: "INC-1",
    actor: "x",
    parentRunId: null,
  });
  await first.recordStepIntent({
    runId: "c1",
    seq: 0,
    connection: "okta",
    vendor: "okta",
    accountId: "00u1",
    accountEmail: "a@corp.example",
    actionId: "okta.suspend",
    input: {},
  });
  await first.recordStepOutcome("c1", 0, { state: "applied" });
  await first.openHold({ connection: "okta", accountId: "00u1", email: "a@corp.example", runId: "c1" });
  await first.createRun({
    id: "u1",
    kind: "uncontain",
    planHash: "h2",
    plan: {},
    reason: null,
    actor: "x",
    parentRunId: "c1",
  });
  await first.finishRun("c1", "completed", { applied: 1 });
  const head = await first.verifyLedger();
  await first.close();

  const raw = new DatabaseSync(path);
  raw.exec("PRAGMA foreign_keys = OFF");
  // Without this, renaming runs would repoint steps' and holds' references at runs_old.
  raw.exec("PRAGMA legacy_alter_table = ON");
  raw.exec("BEGIN");
  raw.exec("DROP INDEX runs_kind");
  raw.exec("ALTER TABLE runs RENAME TO runs_old");
  // The v1 runs table exactly as migration 1 created it.
  const v1Runs = /CREATE TABLE runs \([\s\S]*?\n {2}\);/.exec(migrations[0]!)![0];
  raw.exec(v1Runs);
  raw.exec("INSERT INTO runs SELECT * FROM runs_old");
  raw.exec("DROP TABLE runs_old");
  // Tables of later migrations go too (children first), so the file is exactly v1 again.
  for (const later of migrations.slice(2)) {
    for (const [, table] of [...later.matchAll(/CREATE TABLE (\w+)/g)].reverse())
      raw.exec(`DROP TABLE ${table}`);
  }
  raw.exec("DELETE FROM schema_version WHERE version > 1");
  raw.exec("COMMIT");
  assert.throws(
    () =>
      raw.exec(
        "INSERT INTO runs (id, kind, state, plan_hash, plan, actor, created_at, started_seq) VALUES ('r', 'reconcile', 'running', 'h', '{}', 'x', 'now', 999)",
      ),
    /CHECK constraint failed/,
    "the file is v1 again",
  );
  raw.close();

  const upgraded = openSqliteStore({ path });
  t.after(() => upgraded.close());
  assert.deepEqual(
    await upgraded.verifyLedger({ anchor: head.head! }),
    head,
    "ledger untouched and verifying",
  );
  assert.equal((await upgraded.getRun("c1"))?.state, "completed");
  assert.equal((await upgraded.getRun("u1"))?.parentRunId, "c1");
  assert.equal((await upgraded.listSteps("c1"))[0]?.state, "applied");
  assert.equal((await upgraded.listOpenHolds()).length, 1);
  await upgraded.createRun({
    id: "r1",
    kind: "reconcile",
    planHash: "h3",
    plan: { target: { connection: "slack" } },
    reason: null,
    actor: "x",
    parentRunId: null,
  });
  assert.deepEqual(
    (await upgraded.listRuns({ kind: "reconcile" })).map((r) => r.id),
    ["r1"],
  );
  assert.equal((await upgraded.verifyLedger()).ok, true);

  const check = new DatabaseSync(path);
  assert.deepEqual(check.prepare("PRAGMA foreign_key_check").all(), []);
  assert.deepEqual(
    check
      .prepare("SELECT version FROM schema_version ORDER BY version")
      .all()
      .map((r) => r["version"]),
    migrations.map((_, index) => index + 1),
  );
  // Foreign keys still hold after the rebuild (steps → runs, runs → runs).
  check.exec("PRAGMA foreign_keys = ON");
  assert.throws(
    () =>
      check.exec(
        "INSERT INTO steps (run_id, seq, connection, vendor, account_id, account_email, action_id, state, started_at) VALUES ('nope', 0, 'c', 'v', 'a', 'e', 'x', 'intent', 'now')",
      ),
    /FOREIGN KEY/,
  );
  check.close();
});
