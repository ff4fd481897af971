import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type TestContext, test } from "node:test";
import { isKind } from "../../src/core/errors.ts";
import { canonicalJson, sha256Hex } from "../../src/core/hash.ts";
import { exportLedgerJsonl, verifyLedgerJsonl } from "../../src/store/export.ts";
import { GENESIS_HASH, ledgerHash } from "../../src/store/ledger.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import type { Store } from "../../src/store/types.ts";
import { openStore, runInput, stepInput, steppingClock, tempDir } from "./helpers.ts";

/** One run with `steps` intents and outcomes, a hold, and a finish: 2 * steps + 3 records. */
async function fillLedger(store: Store, runId = "run-1", steps = 10): Promise<void> {
  await store.createRun(runInput(runId));
  for (let seq = 0; seq < steps; seq++) {
    await store.recordStepIntent(stepInput(runId, seq, { accountId: `00u${seq}` }));
    await store.recordStepOutcome(runId, seq, { state: "applied", snapshot: { status: "ACTIVE" } });
  }
  await store.openHold({ connection: "okta", accountId: "00u0", email: "alice@corp.example", runId });
  await store.finishRun(runId, "completed", { applied: steps });
}

/** A store on a file with 23 records, and a way to tamper with the file as an attacker with write access would. */
async function fileLedger(t: TestContext): Promise<{ store: Store; tamper: (sql: string) => void }> {
  const path = join(tempDir(t), "cordon.db");
  const store = openSqliteStore({ path, clock: steppingClock() });
  t.after(() => store.close());
  await fillLedger(store);
  const tamper = (sql: string) => {
    const db = new DatabaseSync(path);
    try {
      // The append-only triggers stop mistakes, not attackers: drop them first.
      db.exec("DROP TRIGGER IF EXISTS ledger_no_update; DROP TRIGGER IF EXISTS ledger_no_delete;");
      db.exec("DROP TRIGGER IF EXISTS ledger_head_forward; DROP TRIGGER IF EXISTS ledger_head_no_delete;");
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  return { store, tamper };
}

test("a clean chain verifies, with the documented hash formula", async (t) => {
  const store = openStore(t);
  assert.deepEqual(await store.verifyLedger(), { ok: true, records: 0 });
  await fillLedger(store);
  const records = await store.listLedger();
  assert.equal(records.length, 23);

  let prevHash = "0".repeat(64);
  for (const [i, record] of records.entries()) {
    assert.equal(record.seq, i + 1);
    assert.equal(record.prevHash, prevHash);
    const { seq, at, runId, type, payload } = record;
    assert.equal(record.hash, sha256Hex(prevHash + "\n" + canonicalJson({ seq, at, runId, type, payload })));
    prevHash = record.hash;
  }
  assert.equal(GENESIS_HASH, "0".repeat(64));
  assert.deepEqual(await store.verifyLedger(), {
    ok: true,
    records: 23,
    head: { seq: 23, hash: records[22]!.hash },
  });
});

test("tampering (a): an edited payload breaks that record's hash", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper(`UPDATE ledger SET payload = replace(payload, '"applied"', '"skipped"') WHERE seq = 5`);
  assert.deepEqual(await store.verifyLedger(), {
    ok: false,
    records: 23,
    firstBadSeq: 5,
    problem: "record 5: hash does not match its content",
  });
});

test("tampering: edits to any hashed column are detected", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper("UPDATE ledger SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 9");
  tamper("UPDATE ledger SET run_id = 'other' WHERE seq = 12");
  tamper("UPDATE ledger SET payload = 'not json' WHERE seq = 15");
  const result = await store.verifyLedger();
  assert.equal(result.firstBadSeq, 9);
  assert.equal(result.problem, "record 9: hash does not match its content");
});

test("tampering (b): a deleted middle record is reported as missing", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper("DELETE FROM ledger WHERE seq = 10");
  assert.deepEqual(await store.verifyLedger(), {
    ok: false,
    records: 22,
    firstBadSeq: 10,
    problem: "record 10 is missing",
  });
});

test("tampering (b'): several deleted records, and deleted first records", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper("DELETE FROM ledger WHERE seq BETWEEN 20 AND 22");
  assert.deepEqual(await store.verifyLedger().then((v) => [v.firstBadSeq, v.problem]), [
    20,
    "records 20–22 are missing",
  ]);
  tamper("DELETE FROM ledger WHERE seq <= 2");
  assert.deepEqual(await store.verifyLedger().then((v) => [v.firstBadSeq, v.problem]), [
    1,
    "records 1–2 are missing",
  ]);
});

test("tampering (c): a truncated tail is caught by the ledger head", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper("DELETE FROM ledger WHERE seq = 23");
  assert.deepEqual(await store.verifyLedger(), {
    ok: false,
    records: 22,
    firstBadSeq: 23,
    problem: "record 23 is missing: the chain ends at record 22 but the ledger head is at 23",
  });
  tamper("DELETE FROM ledger WHERE seq >= 20");
  assert.deepEqual(await store.verifyLedger().then((v) => [v.ok, v.firstBadSeq, v.problem]), [
    false,
    20,
    "records 20–23 are missing: the chain ends at record 19 but the ledger head is at 23",
  ]);
  // Everything gone.
  tamper("DELETE FROM ledger");
  assert.deepEqual(await store.verifyLedger().then((v) => [v.ok, v.records, v.firstBadSeq]), [false, 0, 1]);
});

test("tampering (c'): a removed ledger head is reported, and the store refuses to extend that ledger", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper("DELETE FROM ledger WHERE seq = 23; DELETE FROM ledger_head");
  const result = await store.verifyLedger();
  assert.equal(result.ok, false);
  assert.match(result.problem!, /ledger head is missing/);
  await assert.rejects(store.createRun(runInput("run-2")), (e) => isKind(e, "internal"));
  assert.equal(await store.getRun("run-2"), null);
});

test("appends after a truncation keep the gap visible", async (t) => {
  const { store, tamper } = await fileLedger(t);
  tamper("DELETE FROM ledger WHERE seq >= 22");
  await store.createRun(runInput("run-2"));
  const result = await store.verifyLedger();
  assert.deepEqual([result.ok, result.firstBadSeq, result.problem], [false, 22, "records 22–23 are missing"]);
});

test("tampering (d): an edited record with a recomputed hash breaks the next link", async (t) => {
  const { store, tamper } = await fileLedger(t);
  const [victim] = await store.listLedger({ afterSeq: 6, limit: 1 });
  const payload = { ...(victim!.payload as object), state: "skipped" };
  const forgedHash = ledgerHash(victim!.prevHash, { ...victim!, payload });
  tamper(`UPDATE ledger SET payload = '${canonicalJson(payload)}', hash = '${forgedHash}' WHERE seq = 7`);
  assert.deepEqual(await store.verifyLedger(), {
    ok: false,
    records: 23,
    firstBadSeq: 8,
    problem: "record 8: prevHash does not link to record 7",
  });
});

test("tampering (d'): re-hashing the last record is caught by the ledger head", async (t) => {
  const { store, tamper } = await fileLedger(t);
  const last = (await store.listLedger()).at(-1)!;
  const payload = { state: "failed", summary: { applied: 0 } };
  const forgedHash = ledgerHash(last.prevHash, { ...last, payload });
  tamper(`UPDATE ledger SET payload = '${canonicalJson(payload)}', hash = '${forgedHash}' WHERE seq = 23`);
  assert.deepEqual(await store.verifyLedger().then((v) => [v.ok, v.firstBadSeq, v.problem]), [
    false,
    23,
    "record 23: hash differs from the ledger head",
  ]);
});

test("a record slipped in past the head is reported", async (t) => {
  const { store, tamper } = await fileLedger(t);
  const last = (await store.listLedger()).at(-1)!;
  const entry = { seq: 24, at: last.at, runId: null, type: "run.started", payload: {} };
  const hash = ledgerHash(last.hash, entry);
  tamper(
    `INSERT INTO ledger VALUES (24, '${last.at}', NULL, 'run.started', '{}', '${last.hash}', '${hash}')`,
  );
  assert.deepEqual(await store.verifyLedger().then((v) => [v.ok, v.firstBadSeq]), [false, 24]);
});

test("an anchor kept outside the store detects a ledger rewritten wholesale", async (t) => {
  const { store, tamper } = await fileLedger(t);
  const { head } = await store.verifyLedger();
  assert.ok(head);
  assert.equal((await store.verifyLedger({ anchor: head })).ok, true);

  // The attacker rewrites record 3 and recomputes every later hash and the head: the chain alone looks fine.
  const records = await store.listLedger();
  let prevHash = records[1]!.hash;
  const statements: string[] = [];
  for (const record of records.slice(2)) {
    const payload =
      record.seq === 3 ? { ...(record.payload as object), accountId: "someone-else" } : record.payload;
    const hash = ledgerHash(prevHash, { ...record, payload });
    statements.push(
      `UPDATE ledger SET payload = '${canonicalJson(payload)}', prev_hash = '${prevHash}', hash = '${hash}' WHERE seq = ${record.seq};`,
    );
    prevHash = hash;
  }
  statements.push(`UPDATE ledger_head SET hash = '${prevHash}';`);
  tamper(statements.join("\n"));

  assert.equal((await store.verifyLedger()).ok, true);
  assert.deepEqual(await store.verifyLedger({ anchor: head }).then((v) => [v.ok, v.firstBadSeq, v.problem]), [
    false,
    23,
    "record 23: hash differs from the anchor; the ledger was rewritten up to here",
  ]);
  assert.deepEqual(
    await store.verifyLedger({ anchor: { seq: 99, hash: head.hash } }).then((v) => [v.ok, v.firstBadSeq]),
    [false, 99],
  );
});

test("the ledger is append-only for ordinary SQL", async (t) => {
  const path = join(tempDir(t), "cordon.db");
  const store = openSqliteStore({ path, clock: steppingClock() });
  t.after(() => store.close());
  await fillLedger(store, "run-1", 1);
  const db = new DatabaseSync(path);
  t.after(() => db.close());
  assert.throws(() => db.exec("UPDATE ledger SET type = 'x' WHERE seq = 1"), /append-only/);
  assert.throws(() => db.exec("DELETE FROM ledger WHERE seq = 1"), /append-only/);
  assert.throws(() => db.exec("UPDATE ledger_head SET seq = 1"), /only moves forward/);
  assert.throws(() => db.exec("DELETE FROM ledger_head"), /cannot be deleted/);
});

test("listLedger filters by run, afterSeq and limit, in seq order", async (t) => {
  const store = openStore(t);
  await store.createRun(runInput("a"));
  await store.createRun(runInput("b"));
  await store.recordStepIntent(stepInput("a", 0));
  await store.recordStepIntent(stepInput("b", 0));
  await store.recordStepOutcome("a", 0, { state: "applied" });
  assert.deepEqual(
    (await store.listLedger()).map((r) => r.seq),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(
    (await store.listLedger({ runId: "a" })).map((r) => [r.seq, r.type]),
    [
      [1, "run.started"],
      [3, "step.intent"],
      [5, "step.outcome"],
    ],
  );
  assert.deepEqual(
    (await store.listLedger({ runId: "a", afterSeq: 1, limit: 1 })).map((r) => r.seq),
    [3],
  );
  assert.deepEqual(
    (await store.listLedger({ afterSeq: 3 })).map((r) => r.seq),
    [4, 5],
  );
  await assert.rejects(store.listLedger({ limit: -1 }), (e) => isKind(e, "invalid_input"));
});

test("export yields one canonical JSON line per record, and the file verifies on its own", async (t) => {
  const store = openStore(t);
  // More than one export page (500 records).
  await fillLedger(store, "run-1", 260);
  const lines: string[] = [];
  for await (const line of exportLedgerJsonl(store)) lines.push(line);
  const records = await store.listLedger();
  assert.equal(records.length, 523);
  assert.equal(lines.length, records.length);
  for (const [i, line] of lines.entries()) {
    assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
    const parsed = JSON.parse(line);
    assert.deepEqual(parsed, records[i]);
    assert.equal(line, canonicalJson(parsed) + "\n");
  }

  const head = (await store.verifyLedger()).head!;
  assert.deepEqual(await verifyLedgerJsonl(lines, { anchor: head }), { ok: true, records: 523, head });

  const edited = [...lines];
  assert.ok(edited[42]!.includes('"applied"'));
  edited[42] = edited[42]!.replace('"applied"', '"failed"');
  assert.deepEqual(await verifyLedgerJsonl(edited).then((v) => [v.ok, v.firstBadSeq]), [false, 43]);
  assert.deepEqual(
    await verifyLedgerJsonl(lines.slice(0, -1), { anchor: head }).then((v) => [v.ok, v.firstBadSeq]),
    [false, 523],
  );
  assert.deepEqual(await verifyLedgerJsonl(["{oops"]).then((v) => [v.ok, v.problem]), [
    false,
    "line 1: not a JSON ledger record",
  ]);
});

/** A small deterministic PRNG (mulberry32) so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("property: 200 random operation sequences always leave a verifiable ledger with one record per change", async () => {
  const typesSeen = new Set<string>();
  for (let seed = 1; seed <= 200; seed++) {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const store = openSqliteStore({ path: ":memory:", clock: steppingClock() });
    const runIds = ["r1", "r2", "r3", "r4"];
    const accounts = ["00u1", "00u2", "U1"];
    let changes = 0;
    try {
      const operations = 5 + Math.floor(random() * 40);
      for (let i = 0; i < operations; i++) {
        const runId = pick(runIds);
        const before = (await store.listLedger()).length;
        let refused = false;
        try {
          switch (pick(["createRun", "intent", "outcome", "finish", "openHold", "releaseHold"] as const)) {
            case "createRun":
              await store.createRun(runInput(runId, { parentRunId: random() < 0.3 ? pick(runIds) : null }));
              break;
            case "intent":
              await store.recordStepIntent(
                stepInput(runId, Math.floor(random() * 3), { input: { n: random() } }),
              );
              break;
            case "outcome":
              await store.recordStepOutcome(runId, Math.floor(random() * 3), {
                state: pick(["applied", "already_in_state", "failed", "skipped"] as const),
                snapshot: { status: "ACTIVE", token: "secret", nested: [random(), null, { a: "ü" }] },
              });
              break;
            case "finish":
              await store.finishRun(runId, pick(["completed", "partial", "failed"] as const), { n: i });
              break;
            case "openHold":
              await store.openHold({
                connection: "okta",
                accountId: pick(accounts),
                email: "a@corp.example",
                runId,
              });
              break;
            case "releaseHold":
              await store.releaseHold("okta", pick(accounts), runId);
              break;
          }
        } catch (error) {
          assert.ok(
            isKind(error, "invalid_input") || isKind(error, "conflict"),
            `seed ${seed}: ${String(error)}`,
          );
          refused = true;
        }
        const after = (await store.listLedger()).length;
        if (refused) assert.equal(after, before, `seed ${seed}: a refused operation left a record`);
        else assert.ok(after - before <= 1, `seed ${seed}: one operation, at most one record`);
        changes += after - before;
      }
      const verification = await store.verifyLedger();
      assert.equal(verification.ok, true, `seed ${seed}: ${verification.problem}`);
      assert.equal(verification.records, changes);
      for (const record of await store.listLedger()) typesSeen.add(record.type);
      const holds = await store.listOpenHolds();
      assert.equal(new Set(holds.map((h) => h.accountId)).size, holds.length, `seed ${seed}: two open holds`);
    } finally {
      await store.close();
    }
  }
  // The sequences are not all refusals: every kind of change happened somewhere.
  assert.deepEqual([...typesSeen].sort(), [
    "hold.opened",
    "hold.released",
    "run.finished",
    "run.started",
    "step.intent",
    "step.outcome",
  ]);
});
