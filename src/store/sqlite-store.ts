/**
 * The default store: one SQLite file through `node:sqlite`, no server to install.
 *
 * Every mutation and its ledger record are written in one `BEGIN IMMEDIATE` transaction: either both are
 * durable or neither is. `node:sqlite` is synchronous, so a method's whole transaction runs without yielding;
 * `BEGIN IMMEDIATE` plus `busy_timeout` serialise writers across processes sharing the file.
 */
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { type Clock, systemClock } from "../core/clock.ts";
import { CordonError } from "../core/errors.ts";
import { canonicalJson } from "../core/hash.ts";
import { GENESIS_HASH, LedgerChainCheck, ledgerHash } from "./ledger.ts";
import { applyMigrations } from "./migrations.ts";
import { redactSecrets } from "./redact.ts";
import { conflict, invalid, jsonText, parseJson, requireText, text, textOrNull } from "./sql-values.ts";
import { SqliteAutomation } from "./sqlite-automation.ts";
import type {
  HoldRecord,
  LedgerRecord,
  LedgerVerification,
  RunKind,
  RunRecord,
  RunState,
  StepOutcome,
  StepRecord,
  StepState,
  Store,
} from "./types.ts";

export interface SqliteStoreOptions {
  /** A file path (its directory is created if missing) or `":memory:"`. */
  path: string;
  clock?: Clock;
  /** Applied to every payload before it is hashed and stored. Default: {@link redactSecrets}. */
  redact?: (value: unknown) => unknown;
  /**
   * `PRAGMA synchronous` for a file. `normal` (default): in WAL mode a crash of the process loses nothing, a
   * power loss or OS crash may lose the last commits (never corrupts). `full`: fsync on every commit, so an intent
   * recorded before a vendor call survives a power loss too.
   */
  synchronous?: "normal" | "full";
  /** `PRAGMA busy_timeout`: how long a writer waits for another process's transaction. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const RUN_KINDS: readonly RunKind[] = ["contain", "uncontain", "reconcile"];
const FINAL_RUN_STATES: readonly RunState[] = ["completed", "partial", "failed"];
const OUTCOME_STATES: readonly StepState[] = ["applied", "already_in_state", "failed", "skipped"];

export function openSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}

type Row = Record<string, unknown>;

class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #redact: (value: unknown) => unknown;
  readonly #statements = new Map<string, StatementSync>();
  readonly automation: SqliteAutomation;

  constructor(options: SqliteStoreOptions) {
    this.#clock = options.clock ?? systemClock();
    this.#redact = options.redact ?? redactSecrets;
    const inMemory = options.path === ":memory:";
    const path = inMemory ? options.path : resolve(options.path);
    if (!inMemory) prepareFile(path);

    this.#db = new DatabaseSync(path);
    try {
      const busy = options.busyTimeoutMs ?? 5000;
      if (!Number.isSafeInteger(busy) || busy < 0) throw invalid("busyTimeoutMs must be a whole number ≥ 0");
      this.#db.exec(`PRAGMA busy_timeout = ${busy}`);
      this.#db.exec("PRAGMA foreign_keys = ON");
      if (!inMemory) {
        this.#db.exec("PRAGMA journal_mode = WAL");
        this.#db.exec(`PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
      }
      applyMigrations(this.#db, () => this.#now());
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.automation = new SqliteAutomation({
      stmt: (sql) => this.#stmt(sql),
      write: (work) => this.#write(work),
      append: (runId, type, payload, at) => {
        this.#append(runId, type, payload, at);
      },
      now: () => this.#now(),
      nowMs: () => this.#clock.now(),
      clean: (fields) => this.#clean(fields),
    });
  }

  async createRun(
    run: Omit<RunRecord, "createdAt" | "finishedAt" | "summary" | "state">,
  ): Promise<RunRecord> {
    requireText(run.id, "id");
    if (!RUN_KINDS.includes(run.kind))
      throw invalid(`run kind must be one of ${RUN_KINDS.join(", ")}`, "kind");
    requireText(run.planHash, "planHash");
    requireText(run.actor, "actor");
    if (run.reason !== null && typeof run.reason !== "string")
      throw invalid("reason must be text or null", "reason");
    if (run.parentRunId !== null) requireText(run.parentRunId, "parentRunId");

    return this.#write(() => {
      if (this.#runState(run.id)) throw conflict(`run ${run.id} already exists`);
      if (run.parentRunId !== null && !this.#runState(run.parentRunId)) {
        throw invalid(`parent run ${run.parentRunId} does not exist`, "parentRunId");
      }
      const at = this.#now();
      const { reason, plan } = this.#clean({ reason: run.reason, plan: run.plan });
      const payload = {
        id: run.id,
        kind: run.kind,
        planHash: run.planHash,
        reason: reason ?? null,
        actor: run.actor,
        parentRunId: run.parentRunId,
      };
      const record = this.#append(run.id, "run.started", payload, at);
      this.#stmt(
        `INSERT INTO runs (id, kind, state, plan_hash, plan, reason, actor, parent_run_id, created_at, started_seq)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        run.id,
        run.kind,
        run.planHash,
        jsonText(plan),
        payload.reason as string | null,
        run.actor,
        run.parentRunId,
        at,
        record.seq,
      );
      return toRun(this.#runRow(run.id)!);
    });
  }

  /** Once per run. Steps still at `intent` stay so: an outcome nobody knows is shown as such, not guessed. */
  async finishRun(id: string, state: RunState, summary: unknown): Promise<RunRecord> {
    if (!FINAL_RUN_STATES.includes(state)) {
      throw invalid(`a run finishes as one of ${FINAL_RUN_STATES.join(", ")}`, "state");
    }
    return this.#write(() => {
      const row = this.#runRow(id);
      if (!row) throw invalid(`run ${id} does not exist`, "runId");
      if (row["state"] !== "running") {
        throw conflict(
          `run ${id} already finished as ${String(row["state"])} at ${String(row["finished_at"])}`,
        );
      }
      const at = this.#now();
      const cleaned = this.#clean({ summary });
      this.#append(id, "run.finished", { state, summary: cleaned["summary"] ?? null }, at);
      this.#stmt("UPDATE runs SET state = ?, summary = ?, finished_at = ? WHERE id = ?").run(
        state,
        jsonText(cleaned["summary"]),
        at,
        id,
      );
      return toRun(this.#runRow(id)!);
    });
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const row = this.#runRow(id);
    return row ? toRun(row) : null;
  }

  async listRuns(filter: { limit?: number; kind?: RunKind } = {}): Promise<RunRecord[]> {
    const limit = filter.limit ?? 50;
    requireLimit(limit);
    if (filter.kind !== undefined && !RUN_KINDS.includes(filter.kind))
      throw invalid("unknown run kind", "kind");
    const rows =
      filter.kind === undefined
        ? this.#stmt("SELECT * FROM runs ORDER BY started_seq DESC LIMIT ?").all(limit)
        : this.#stmt("SELECT * FROM runs WHERE kind = ? ORDER BY started_seq DESC LIMIT ?").all(
            filter.kind,
            limit,
          );
    return rows.map((row) => toRun(row));
  }

  async recordStepIntent(
    step: Omit<
      StepRecord,
      "state" | "snapshot" | "output" | "verification" | "error" | "startedAt" | "finishedAt"
    >,
  ): Promise<StepRecord> {
    requireText(step.runId, "runId");
    requireSeq(step.seq);
    for (const field of ["connection", "vendor", "accountId", "accountEmail", "actionId"] as const) {
      requireText(step[field], field);
    }
    return this.#write(() => {
      const run = this.#runState(step.runId);
      if (!run) throw invalid(`run ${step.runId} does not exist`, "runId");
      if (run["state"] !== "running") throw conflict(`run ${step.runId} is finished; it takes no new steps`);
      if (this.#stepRow(step.runId, step.seq))
        throw conflict(`step ${step.seq} of run ${step.runId} already exists`);
      const at = this.#now();
      const { input } = this.#clean({ input: step.input });
      this.#append(
        step.runId,
        "step.intent",
        {
          seq: step.seq,
          connection: step.connection,
          vendor: step.vendor,
          accountId: step.accountId,
          accountEmail: step.accountEmail,
          actionId: step.actionId,
          input: input ?? null,
        },
        at,
      );
      this.#stmt(
        `INSERT INTO steps (run_id, seq, connection, vendor, account_id, account_email, action_id, input, state, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'intent', ?)`,
      ).run(
        step.runId,
        step.seq,
        step.connection,
        step.vendor,
        step.accountId,
        step.accountEmail,
        step.actionId,
        jsonText(input),
        at,
      );
      return toStep(this.#stepRow(step.runId, step.seq)!);
    });
  }

  async recordStepOutcome(runId: string, seq: number, outcome: StepOutcome): Promise<StepRecord> {
    requireSeq(seq);
    if (!OUTCOME_STATES.includes(outcome.state)) {
      throw invalid(`a step outcome is one of ${OUTCOME_STATES.join(", ")}`, "state");
    }
    return this.#write(() => {
      const step = this.#stepRow(runId, seq);
      if (!step) throw invalid(`step ${seq} of run ${runId} has no recorded intent`, "seq");
      if (step["state"] !== "intent") {
        // An outcome is written once: a second one would let a retry or a resumed run record a call twice.
        throw conflict(`step ${seq} of run ${runId} already has its outcome (${String(step["state"])})`);
      }
      const run = this.#runState(runId)!;
      if (run["state"] !== "running")
        throw conflict(`run ${runId} is finished; its steps can no longer change`);
      const at = this.#now();
      const cleaned = this.#clean({
        snapshot: outcome.snapshot,
        output: outcome.output,
        verification: outcome.verification,
        error: outcome.error,
      });
      const payload = {
        seq,
        state: outcome.state,
        snapshot: cleaned["snapshot"] ?? null,
        output: cleaned["output"] ?? null,
        verification: cleaned["verification"] ?? null,
        error: cleaned["error"] ?? null,
      };
      this.#append(runId, "step.outcome", payload, at);
      this.#stmt(
        `UPDATE steps SET state = ?, snapshot = ?, output = ?, verification = ?, error = ?, finished_at = ?
         WHERE run_id = ? AND seq = ? AND state = 'intent'`,
      ).run(
        outcome.state,
        jsonText(payload.snapshot),
        jsonText(payload.output),
        jsonText(payload.verification),
        jsonText(payload.error),
        at,
        runId,
        seq,
      );
      return toStep(this.#stepRow(runId, seq)!);
    });
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    return this.#stmt("SELECT * FROM steps WHERE run_id = ? ORDER BY seq")
      .all(runId)
      .map((row) => toStep(row));
  }

  /**
   * A second `openHold` for an account that is already held keeps the existing hold, owned by the run that
   * contained the account first, and records nothing. That run's snapshot holds the account's state from before
   * the incident, so its uncontain is the one that can restore access; a later run that contains the account
   * again only sees it already contained. Taking the hold over would let undoing the later run (which restores
   * "contained") end the hold while undoing the first run re-enables the account unheld.
   */
  async openHold(hold: Omit<HoldRecord, "openedAt" | "releasedAt" | "releasedByRunId">): Promise<void> {
    requireText(hold.connection, "connection");
    requireText(hold.accountId, "accountId");
    requireText(hold.email, "email");
    requireText(hold.runId, "runId");
    this.#write(() => {
      if (!this.#runState(hold.runId)) throw invalid(`run ${hold.runId} does not exist`, "runId");
      if (this.#openHoldRow(hold.connection, hold.accountId)) return;
      const at = this.#now();
      this.#append(
        hold.runId,
        "hold.opened",
        { connection: hold.connection, accountId: hold.accountId, email: hold.email },
        at,
      );
      this.#stmt(
        "INSERT INTO holds (connection, account_id, email, run_id, opened_at) VALUES (?, ?, ?, ?, ?)",
      ).run(hold.connection, hold.accountId, hold.email, hold.runId, at);
    });
  }

  async releaseHold(connection: string, accountId: string, byRunId: string): Promise<void> {
    requireText(byRunId, "byRunId");
    this.#write(() => {
      if (!this.#runState(byRunId)) throw invalid(`run ${byRunId} does not exist`, "byRunId");
      const held = this.#openHoldRow(connection, accountId);
      if (!held) return;
      const at = this.#now();
      this.#append(
        byRunId,
        "hold.released",
        {
          connection,
          accountId,
          email: held["email"],
          heldByRunId: held["run_id"],
          openedAt: held["opened_at"],
        },
        at,
      );
      this.#stmt("UPDATE holds SET released_at = ?, released_by_run_id = ? WHERE id = ?").run(
        at,
        byRunId,
        held["id"] as number,
      );
    });
  }

  /** `email` matches case-insensitively (ASCII) and ignoring surrounding spaces. Oldest first. */
  async listOpenHolds(filter: { email?: string; connection?: string } = {}): Promise<HoldRecord[]> {
    const where = ["released_at IS NULL"];
    const params: string[] = [];
    if (filter.email !== undefined) {
      where.push("lower(email) = ?");
      params.push(filter.email.trim().toLowerCase());
    }
    if (filter.connection !== undefined) {
      where.push("connection = ?");
      params.push(filter.connection);
    }
    return this.#stmt(`SELECT * FROM holds WHERE ${where.join(" AND ")} ORDER BY id`)
      .all(...params)
      .map((row) => toHold(row));
  }

  /** In seq order. No limit unless one is given: a caller asking for a run's records gets all of them. */
  async listLedger(
    filter: { runId?: string; afterSeq?: number; limit?: number } = {},
  ): Promise<LedgerRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.runId !== undefined) {
      where.push("run_id = ?");
      params.push(filter.runId);
    }
    if (filter.afterSeq !== undefined) {
      if (!Number.isSafeInteger(filter.afterSeq))
        throw invalid("afterSeq must be a whole number", "afterSeq");
      where.push("seq > ?");
      params.push(filter.afterSeq);
    }
    let sql = `SELECT * FROM ledger ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq`;
    if (filter.limit !== undefined) {
      requireLimit(filter.limit);
      sql += " LIMIT ?";
      params.push(filter.limit);
    }
    return this.#stmt(sql)
      .all(...params)
      .map((row) => toLedger(row));
  }

  async verifyLedger(options: { anchor?: { seq: number; hash: string } } = {}): Promise<LedgerVerification> {
    this.#assertOpen();
    // One read transaction, so the records and the head are the same snapshot even while another process writes.
    this.#db.exec("BEGIN");
    try {
      const check = new LedgerChainCheck(options.anchor ? { anchor: options.anchor } : {});
      for (const row of this.#stmt("SELECT * FROM ledger ORDER BY seq").iterate()) {
        check.push({
          seq: row["seq"],
          at: row["at"],
          runId: row["run_id"],
          type: row["type"],
          payload: row["payload"],
          prevHash: row["prev_hash"],
          hash: row["hash"],
        });
      }
      const head = this.#stmt("SELECT seq, hash FROM ledger_head WHERE id = 1").get();
      return check.finish(
        head && typeof head["seq"] === "number" && typeof head["hash"] === "string"
          ? { seq: head["seq"], hash: head["hash"] }
          : null,
      );
    } finally {
      this.#db.exec("COMMIT");
    }
  }

  async close(): Promise<void> {
    if (!this.#db.isOpen) return;
    this.#statements.clear();
    this.#db.close();
  }

  // ---- internals ----

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  #assertOpen(): void {
    if (!this.#db.isOpen) throw new CordonError({ kind: "internal" }, "the store is closed");
  }

  #stmt(sql: string): StatementSync {
    this.#assertOpen();
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #write<T>(work: () => T): T {
    this.#assertOpen();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * Turns caller data into what is stored: plain JSON (as `JSON.stringify` sees it: `toJSON` applied, `undefined`
   * dropped, Dates as ISO text), then redacted, then plain JSON again so a custom redactor cannot return
   * something whose hash would change on the way back from the database.
   */
  #clean(fields: Record<string, unknown>): Record<string, unknown> {
    const redacted = toPlainJson(this.#redact(toPlainJson(fields)));
    if (!redacted || typeof redacted !== "object" || Array.isArray(redacted)) {
      throw new CordonError({ kind: "internal" }, "the redactor must return an object for an object");
    }
    return redacted as Record<string, unknown>;
  }

  /** Appends one ledger record and moves the head; must run inside `#write`. */
  #append(runId: string | null, type: string, payload: Record<string, unknown>, at: string): LedgerRecord {
    const head = this.#stmt("SELECT seq, hash FROM ledger_head WHERE id = 1").get();
    if (!head) {
      throw new CordonError(
        { kind: "internal" },
        "the ledger head is missing; refusing to extend a ledger that may have lost records (run cordon audit verify)",
      );
    }
    const seq = (head["seq"] as number) + 1;
    const prevHash = (head["hash"] as string) || GENESIS_HASH;
    const payloadText = canonicalJson(payload);
    // Hash what will be read back, so verification recomputes exactly this.
    const stored = JSON.parse(payloadText) as unknown;
    const hash = ledgerHash(prevHash, { seq, at, runId, type, payload: stored });
    this.#stmt(
      "INSERT INTO ledger (seq, at, run_id, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(seq, at, runId, type, payloadText, prevHash, hash);
    this.#stmt("UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1").run(seq, hash);
    return { seq, at, runId, type, payload: stored, prevHash, hash };
  }

  /** Existence and state only: the full row carries the whole plan, which can be megabytes. */
  #runState(id: string): Row | undefined {
    return this.#stmt("SELECT state FROM runs WHERE id = ?").get(id);
  }

  #runRow(id: string): Row | undefined {
    return this.#stmt("SELECT * FROM runs WHERE id = ?").get(id);
  }

  #stepRow(runId: string, seq: number): Row | undefined {
    return this.#stmt("SELECT * FROM steps WHERE run_id = ? AND seq = ?").get(runId, seq);
  }

  #openHoldRow(connection: string, accountId: string): Row | undefined {
    return this.#stmt(
      "SELECT * FROM holds WHERE connection = ? AND account_id = ? AND released_at IS NULL",
    ).get(connection, accountId);
  }
}

/** Creates the directory (owner-only when cordon creates it) and the file (owner-only) before SQLite opens it. */
function prepareFile(path: string): void {
  const directory = dirname(path);
  if (!existsSync(directory)) mkdirSync(directory, { recursive: true, mode: 0o700 });
  // SQLite gives the -wal and -shm files the same permissions as the database file.
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
}

function toPlainJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

function toRun(row: Row): RunRecord {
  return {
    id: text(row["id"]),
    kind: row["kind"] as RunKind,
    state: row["state"] as RunState,
    planHash: text(row["plan_hash"]),
    plan: parseJson(row["plan"]),
    reason: textOrNull(row["reason"]),
    actor: text(row["actor"]),
    parentRunId: textOrNull(row["parent_run_id"]),
    createdAt: text(row["created_at"]),
    finishedAt: textOrNull(row["finished_at"]),
    summary: parseJson(row["summary"]),
  };
}

function toStep(row: Row): StepRecord {
  return {
    runId: text(row["run_id"]),
    seq: row["seq"] as number,
    connection: text(row["connection"]),
    vendor: text(row["vendor"]),
    accountId: text(row["account_id"]),
    accountEmail: text(row["account_email"]),
    actionId: text(row["action_id"]),
    input: parseJson(row["input"]),
    state: row["state"] as StepState,
    snapshot: parseJson(row["snapshot"]),
    output: parseJson(row["output"]),
    verification: parseJson(row["verification"]),
    error: parseJson(row["error"]),
    startedAt: text(row["started_at"]),
    finishedAt: textOrNull(row["finished_at"]),
  };
}

function toHold(row: Row): HoldRecord {
  return {
    connection: text(row["connection"]),
    accountId: text(row["account_id"]),
    email: text(row["email"]),
    runId: text(row["run_id"]),
    openedAt: text(row["opened_at"]),
    releasedAt: textOrNull(row["released_at"]),
    releasedByRunId: textOrNull(row["released_by_run_id"]),
  };
}

function toLedger(row: Row): LedgerRecord {
  return {
    seq: row["seq"] as number,
    at: text(row["at"]),
    runId: textOrNull(row["run_id"]),
    type: text(row["type"]),
    payload: parseJson(row["payload"]),
    prevHash: text(row["prev_hash"]),
    hash: text(row["hash"]),
  };
}

function requireSeq(seq: unknown): void {
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
    throw invalid("a step seq is a whole number ≥ 0", "seq");
  }
}

function requireLimit(limit: unknown): void {
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw invalid("limit must be a whole number ≥ 1", "limit");
  }
}
