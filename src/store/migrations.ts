/**
 * The SQLite schema, as versioned migrations applied in order. Migration N (1-based) is `migrations[N - 1]`; the
 * versions applied are rows of `schema_version`. Never edit a migration that has shipped: append a new one.
 *
 * JSON columns hold canonical JSON text (`canonicalJson`), SQL NULL when there is no value. Timestamps are
 * ISO-8601 text from the store's clock.
 */
import type { DatabaseSync } from "node:sqlite";
import { CordonError } from "../core/errors.ts";
import { GENESIS_HASH } from "./ledger.ts";

export const migrations: readonly string[] = [
  // 1: runs, steps, holds, the ledger and its head.
  `
  CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('contain', 'uncontain')),
    state         TEXT NOT NULL CHECK (state IN ('running', 'completed', 'partial', 'failed')),
    plan_hash     TEXT NOT NULL,
    plan          TEXT NOT NULL,
    reason        TEXT,
    actor         TEXT NOT NULL,
    parent_run_id TEXT REFERENCES runs (id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT,
    summary       TEXT,
    -- seq of the run's run.started ledger record: the order runs were created in, whatever the clock said.
    started_seq   INTEGER NOT NULL UNIQUE
  );

  CREATE TABLE steps (
    run_id        TEXT NOT NULL REFERENCES runs (id),
    seq           INTEGER NOT NULL CHECK (seq >= 0),
    connection    TEXT NOT NULL,
    vendor        TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    account_email TEXT NOT NULL,
    action_id     TEXT NOT NULL,
    input         TEXT,
    state         TEXT NOT NULL CHECK (state IN ('intent', 'applied', 'already_in_state', 'failed', 'skipped')),
    snapshot      TEXT,
    output        TEXT,
    verification  TEXT,
    error         TEXT,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    PRIMARY KEY (run_id, seq)
  );

  CREATE TABLE holds (
    id                 INTEGER PRIMARY KEY,
    connection         TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    email              TEXT NOT NULL,
    run_id             TEXT NOT NULL REFERENCES runs (id),
    opened_at          TEXT NOT NULL,
    released_at        TEXT,
    released_by_run_id TEXT REFERENCES runs (id),
    CHECK ((released_at IS NULL) = (released_by_run_id IS NULL))
  );
  -- At most one open hold per account; released holds stay as history.
  CREATE UNIQUE INDEX holds_open_account ON holds (connection, account_id) WHERE released_at IS NULL;
  CREATE INDEX holds_open_email ON holds (lower(email)) WHERE released_at IS NULL;

  CREATE TABLE ledger (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    run_id    TEXT,
    type      TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
  );
  CREATE INDEX ledger_run ON ledger (run_id, seq);

  -- The last record appended, updated in the same transaction as each append: a chain that stops short of it
  -- has lost its tail. Exactly one row, created here.
  CREATE TABLE ledger_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
  );
  INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');

  -- Guards against mistakes, not against an attacker (who can drop them): the chain is what proves tampering.
  CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
  CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
  CREATE TRIGGER ledger_head_forward BEFORE UPDATE ON ledger_head WHEN NEW.seq <> OLD.seq + 1
    BEGIN SELECT RAISE(ABORT, 'the ledger head only moves forward one record at a time'); END;
  CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
    BEGIN SELECT RAISE(ABORT, 'the ledger head cannot be deleted'); END;
  `,
  // 2: runs may be of kind 'reconcile'. SQLite cannot alter a CHECK, so the runs table is rebuilt (the documented
  // 12-step procedure: new table, copy, drop, rename). `applyMigrations` turns foreign keys off around the
  // migration transaction and runs `foreign_key_check` before committing. The ledger is not touched.
  `
  CREATE TABLE runs_v2 (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('contain', 'uncontain', 'reconcile')),
    state         TEXT NOT NULL CHECK (state IN ('running', 'completed', 'partial', 'failed')),
    plan_hash     TEXT NOT NULL,
    plan          TEXT NOT NULL,
    reason        TEXT,
    actor         TEXT NOT NULL,
    parent_run_id TEXT REFERENCES runs_v2 (id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT,
    summary       TEXT,
    started_seq   INTEGER NOT NULL UNIQUE
  );
  INSERT INTO runs_v2 (id, kind, state, plan_hash, plan, reason, actor, parent_run_id, created_at, finished_at,
                       summary, started_seq)
    SELECT id, kind, state, plan_hash, plan, reason, actor, parent_run_id, created_at, finished_at, summary,
           started_seq FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v2 RENAME TO runs;
  CREATE INDEX runs_kind ON runs (kind, started_seq);
  `,
  // 3: the event server and playbooks (decision 0010). Events are deduped by key; a playbook run keeps the
  // definition it executes; steps are keyed by their position; approvals bind to a plan hash; table rows are
  // written once per (run, step); API keys are stored as SHA-256 hashes only.
  `
  CREATE TABLE events (
    key         TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    type        TEXT NOT NULL,
    event       TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'dispatched')),
    received_at TEXT NOT NULL,
    run_ids     TEXT
  );
  CREATE INDEX events_queued ON events (received_at) WHERE state = 'queued';

  CREATE TABLE playbook_runs (
    id            TEXT PRIMARY KEY,
    playbook      TEXT NOT NULL,
    playbook_hash TEXT NOT NULL,
    definition    TEXT NOT NULL,
    event_key     TEXT NOT NULL REFERENCES events (key),
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'waiting', 'completed', 'failed')),
    actor         TEXT NOT NULL,
    error         TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT,
    UNIQUE (event_key, playbook)
  );
  CREATE INDEX playbook_runs_state ON playbook_runs (state, created_at);

  CREATE TABLE playbook_steps (
    run_id      TEXT NOT NULL REFERENCES playbook_runs (id),
    key         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('intent', 'done', 'failed', 'waiting', 'skipped')),
    attempt     INTEGER NOT NULL CHECK (attempt >= 1),
    output      TEXT,
    error       TEXT,
    resume_at   TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (run_id, key)
  );

  CREATE TABLE approvals (
    id              TEXT PRIMARY KEY,
    playbook_run_id TEXT NOT NULL REFERENCES playbook_runs (id),
    step_key        TEXT NOT NULL,
    plan_hash       TEXT NOT NULL,
    plan            TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
    requested_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    decided_by      TEXT,
    decided_via     TEXT,
    decided_at      TEXT,
    note            TEXT,
    message         TEXT,
    UNIQUE (playbook_run_id, step_key)
  );
  CREATE INDEX approvals_pending ON approvals (expires_at) WHERE state = 'pending';

  CREATE TABLE cursors (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE table_rows (
    id         INTEGER PRIMARY KEY,
    table_name TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    step_key   TEXT NOT NULL,
    row        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (run_id, step_key)
  );
  CREATE INDEX table_rows_table ON table_rows (table_name, id);

  CREATE TABLE api_keys (
    name         TEXT PRIMARY KEY,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
  );

  CREATE TABLE server_lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    owner        TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
];

/**
 * Brings the database up to the latest version inside one `BEGIN IMMEDIATE` transaction, so two processes
 * opening the same file at once migrate it once. Returns the versions before and after.
 */
export function applyMigrations(db: DatabaseSync, now: () => string): { from: number; to: number } {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
  );
  // Table rebuilds (migration 2) must not cascade or fail on foreign keys mid-way; the pragma is a no-op inside a
  // transaction, so it is switched here and restored after, and `foreign_key_check` guards the result.
  const foreignKeys = db.prepare("PRAGMA foreign_keys").get()?.["foreign_keys"] === 1;
  if (foreignKeys) db.exec("PRAGMA foreign_keys = OFF");
  db.exec("BEGIN IMMEDIATE");
  try {
    const row = db.prepare("SELECT max(version) AS version FROM schema_version").get();
    const from = typeof row?.["version"] === "number" ? row["version"] : 0;
    if (from > migrations.length) {
      throw new CordonError(
        { kind: "config" },
        `the database schema is at version ${from}, newer than this cordon knows (${migrations.length}); upgrade cordon`,
      );
    }
    const record = db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
    // One timestamp for every version applied now: they commit together.
    const appliedAt = from < migrations.length ? now() : "";
    for (let version = from + 1; version <= migrations.length; version++) {
      db.exec(migrations[version - 1]!);
      record.run(version, appliedAt);
    }
    const broken = db.prepare("PRAGMA foreign_key_check").all();
    if (broken.length > 0) {
      throw new CordonError(
        { kind: "internal" },
        `the schema migration left ${broken.length} broken foreign key reference(s); nothing was changed`,
      );
    }
    db.exec("COMMIT");
    return { from, to: migrations.length };
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  } finally {
    if (foreignKeys) db.exec("PRAGMA foreign_keys = ON");
  }
}
