/**
 * The automation half of the SQLite store (decision 0010): events, playbook runs and steps, approvals, cursors,
 * table rows, API keys and the server lock. It shares the store's connection, transactions and ledger, so a change
 * and its ledger record commit together.
 */
import type { StatementSync } from "node:sqlite";
import { CordonError } from "../core/errors.ts";
import type { CordonEvent } from "../core/event.ts";
import { canonicalJson } from "../core/hash.ts";
import type {
  ApiKeyRecord,
  ApprovalDecision,
  ApprovalRecord,
  AutomationStore,
  PlaybookRunRecord,
  PlaybookRunState,
  PlaybookStepRecord,
  PlaybookStepState,
  StoredEvent,
  TableRow,
} from "./automation-types.ts";
import { FINAL_PLAYBOOK_RUN_STATES } from "./automation-types.ts";
import { conflict, invalid, jsonText, parseJson, requireText, textOrNull } from "./sql-values.ts";

/** What the store lends this half: its statements, transactions, ledger, clock and redaction. */
export interface SqliteAccess {
  stmt(sql: string): StatementSync;
  write<T>(work: () => T): T;
  append(runId: string | null, type: string, payload: Record<string, unknown>, at: string): void;
  now(): string;
  nowMs(): number;
  clean(fields: Record<string, unknown>): Record<string, unknown>;
}

type Row = Record<string, unknown>;

export class SqliteAutomation implements AutomationStore {
  readonly #db: SqliteAccess;

  constructor(access: SqliteAccess) {
    this.#db = access;
  }

  async acceptEvents(events: CordonEvent[]): Promise<{ accepted: string[]; duplicates: string[] }> {
    return this.#db.write(() => {
      const accepted: string[] = [];
      const duplicates: string[] = [];
      const at = this.#db.now();
      const insert = this.#db.stmt(
        `INSERT INTO events (key, source, type, event, state, received_at) VALUES (?, ?, ?, ?, 'queued', ?)
         ON CONFLICT (key) DO NOTHING`,
      );
      for (const event of events) {
        requireText(event.key, "event.key");
        const { event: clean } = this.#db.clean({ event });
        const result = insert.run(event.key, event.source, event.type, canonicalJson(clean), at);
        if (result.changes === 0) {
          duplicates.push(event.key);
          continue;
        }
        accepted.push(event.key);
        this.#db.append(
          null,
          "event.accepted",
          {
            key: event.key,
            source: event.source,
            type: event.type,
            origin: event.origin,
            subject: event.subject,
          },
          at,
        );
      }
      return { accepted, duplicates };
    });
  }

  async queuedEvents(limit: number): Promise<StoredEvent[]> {
    return this.#db
      .stmt("SELECT * FROM events WHERE state = 'queued' ORDER BY received_at, key LIMIT ?")
      .all(limit)
      .map(toEvent);
  }

  async getEvent(key: string): Promise<StoredEvent | null> {
    const row = this.#db.stmt("SELECT * FROM events WHERE key = ?").get(key);
    return row ? toEvent(row) : null;
  }

  async dispatchEvent(
    key: string,
    runs: Array<Pick<PlaybookRunRecord, "id" | "playbook" | "playbookHash" | "definition" | "actor">>,
  ): Promise<PlaybookRunRecord[]> {
    return this.#db.write(() => {
      const event = this.#db.stmt("SELECT state FROM events WHERE key = ?").get(key);
      if (!event) throw invalid(`event ${key} does not exist`);
      if (event["state"] !== "queued") return [];
      const at = this.#db.now();
      for (const run of runs) {
        requireText(run.id, "id");
        this.#db
          .stmt(
            `INSERT INTO playbook_runs (id, playbook, playbook_hash, definition, event_key, state, actor, created_at,
                                        updated_at)
             VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
          )
          .run(run.id, run.playbook, run.playbookHash, canonicalJson(run.definition), key, run.actor, at, at);
        this.#db.append(
          run.id,
          "playbook_run.queued",
          { playbook: run.playbook, playbookHash: run.playbookHash, eventKey: key, actor: run.actor },
          at,
        );
      }
      this.#db
        .stmt("UPDATE events SET state = 'dispatched', run_ids = ? WHERE key = ?")
        .run(canonicalJson(runs.map((r) => r.id)), key);
      return runs.map((r) => this.#runById(r.id)!);
    });
  }

  async getPlaybookRun(id: string): Promise<PlaybookRunRecord | null> {
    return this.#runById(id);
  }

  async listPlaybookRuns(
    filter: { states?: PlaybookRunState[]; limit?: number; order?: "newest" | "oldest" } = {},
  ): Promise<PlaybookRunRecord[]> {
    const states = filter.states ?? [];
    const where = states.length > 0 ? `WHERE r.state IN (${states.map(() => "?").join(", ")})` : "";
    const direction = filter.order === "oldest" ? "ASC" : "DESC";
    return this.#db
      .stmt(
        `SELECT r.*, e.event AS event FROM playbook_runs r JOIN events e ON e.key = r.event_key ${where}
         ORDER BY r.created_at ${direction}, r.id ${direction} LIMIT ?`,
      )
      .all(...states, filter.limit ?? 100)
      .map(toRun);
  }

  async countPlaybookRuns(): Promise<Record<PlaybookRunState, number>> {
    const counts: Record<PlaybookRunState, number> = {
      queued: 0,
      running: 0,
      waiting: 0,
      completed: 0,
      failed: 0,
    };
    for (const row of this.#db.stmt("SELECT state, count(*) AS n FROM playbook_runs GROUP BY state").all())
      counts[row["state"] as PlaybookRunState] = Number(row["n"]);
    return counts;
  }

  async setPlaybookRunState(id: string, state: PlaybookRunState, error: string | null = null): Promise<void> {
    this.#db.write(() => {
      const row = this.#db.stmt("SELECT state FROM playbook_runs WHERE id = ?").get(id);
      if (!row) throw invalid(`playbook run ${id} does not exist`);
      const from = row["state"] as PlaybookRunState;
      if (FINAL_PLAYBOOK_RUN_STATES.includes(from)) {
        throw conflict(`playbook run ${id} already finished (${from})`);
      }
      if (from === state) return;
      const at = this.#db.now();
      const final = FINAL_PLAYBOOK_RUN_STATES.includes(state);
      this.#db
        .stmt("UPDATE playbook_runs SET state = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?")
        .run(state, error, at, final ? at : null, id);
      this.#db.append(id, final ? "playbook_run.finished" : "playbook_run.state", { from, state, error }, at);
    });
  }

  async getPlaybookStep(runId: string, key: string): Promise<PlaybookStepRecord | null> {
    const row = this.#db.stmt("SELECT * FROM playbook_steps WHERE run_id = ? AND key = ?").get(runId, key);
    return row ? toStep(row) : null;
  }

  async listPlaybookSteps(runId: string): Promise<PlaybookStepRecord[]> {
    return this.#db
      .stmt("SELECT * FROM playbook_steps WHERE run_id = ? ORDER BY started_at, key")
      .all(runId)
      .map(toStep);
  }

  async recordPlaybookStepIntent(runId: string, key: string, kind: string, attempt: number): Promise<void> {
    this.#db.write(() => {
      const at = this.#db.now();
      const existing = this.#db
        .stmt("SELECT state FROM playbook_steps WHERE run_id = ? AND key = ?")
        .get(runId, key);
      if (existing && existing["state"] !== "waiting" && existing["state"] !== "failed") {
        throw conflict(`step ${key} of ${runId} is already ${String(existing["state"])}`);
      }
      this.#db
        .stmt(
          `INSERT INTO playbook_steps (run_id, key, kind, state, attempt, started_at) VALUES (?, ?, ?, 'intent', ?, ?)
           ON CONFLICT (run_id, key) DO UPDATE SET state = 'intent', attempt = excluded.attempt, error = NULL,
             resume_at = NULL, finished_at = NULL`,
        )
        .run(runId, key, kind, attempt, at);
      this.#db.append(runId, "playbook_step.intent", { key, kind, attempt }, at);
    });
  }

  async recordPlaybookStepOutcome(
    runId: string,
    key: string,
    outcome: {
      state: Exclude<PlaybookStepState, "intent">;
      output?: unknown;
      error?: unknown;
      resumeAt?: string;
    },
  ): Promise<void> {
    this.#db.write(() => {
      const row = this.#db
        .stmt("SELECT state, kind FROM playbook_steps WHERE run_id = ? AND key = ?")
        .get(runId, key);
      if (!row) throw invalid(`step ${key} of ${runId} has no intent`);
      if (row["state"] !== "intent" && row["state"] !== "waiting") {
        throw conflict(`step ${key} of ${runId} already has an outcome (${String(row["state"])})`);
      }
      const at = this.#db.now();
      const clean = this.#db.clean({ output: outcome.output ?? null, error: outcome.error ?? null });
      const waiting = outcome.state === "waiting";
      this.#db
        .stmt(
          "UPDATE playbook_steps SET state = ?, output = ?, error = ?, resume_at = ?, finished_at = ? WHERE run_id = ? AND key = ?",
        )
        .run(
          outcome.state,
          jsonText(clean["output"]),
          jsonText(clean["error"]),
          outcome.resumeAt ?? null,
          waiting ? null : at,
          runId,
          key,
        );
      this.#db.append(
        runId,
        "playbook_step.outcome",
        { key, kind: row["kind"], state: outcome.state, output: clean["output"], error: clean["error"] },
        at,
      );
    });
  }

  async requestApproval(
    approval: Pick<
      ApprovalRecord,
      "id" | "playbookRunId" | "stepKey" | "planHash" | "plan" | "reasons" | "expiresAt"
    >,
  ): Promise<ApprovalRecord> {
    return this.#db.write(() => {
      const existing = this.#db
        .stmt("SELECT * FROM approvals WHERE playbook_run_id = ? AND step_key = ?")
        .get(approval.playbookRunId, approval.stepKey);
      // A resumed step asks again: the approval already asked for stands (one per run and step).
      if (existing) return toApproval(existing);
      const at = this.#db.now();
      const { plan } = this.#db.clean({ plan: approval.plan });
      this.#db
        .stmt(
          `INSERT INTO approvals (id, playbook_run_id, step_key, plan_hash, plan, reasons, state, requested_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        )
        .run(
          approval.id,
          approval.playbookRunId,
          approval.stepKey,
          approval.planHash,
          canonicalJson(plan),
          canonicalJson(approval.reasons),
          at,
          approval.expiresAt,
        );
      this.#db.append(
        approval.playbookRunId,
        "approval.requested",
        {
          id: approval.id,
          stepKey: approval.stepKey,
          planHash: approval.planHash,
          reasons: approval.reasons,
          expiresAt: approval.expiresAt,
        },
        at,
      );
      return this.#approvalById(approval.id)!;
    });
  }

  async getApproval(id: string): Promise<ApprovalRecord | null> {
    return this.#approvalById(id);
  }

  async listApprovals(
    filter: { state?: ApprovalRecord["state"]; playbookRunId?: string } = {},
  ): Promise<ApprovalRecord[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.state) {
      where.push("state = ?");
      params.push(filter.state);
    }
    if (filter.playbookRunId) {
      where.push("playbook_run_id = ?");
      params.push(filter.playbookRunId);
    }
    return this.#db
      .stmt(
        `SELECT * FROM approvals ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY requested_at DESC, id`,
      )
      .all(...params)
      .map(toApproval);
  }

  async decideApproval(id: string, decision: ApprovalDecision): Promise<ApprovalRecord> {
    requireText(decision.by, "by");
    return this.#db.write(() => {
      const current = this.#approvalById(id);
      if (!current)
        throw new CordonError({ kind: "not_found", vendor: "cordon", what: "approval" }, `no approval ${id}`);
      if (current.state !== "pending") throw conflict(`approval ${id} is already ${current.state}`);
      const at = this.#db.now();
      if (Date.parse(current.expiresAt) <= this.#db.nowMs()) {
        this.#expire(current.id, at);
        throw conflict(`approval ${id} expired at ${current.expiresAt}`);
      }
      if (decision.planHash !== current.planHash) {
        throw conflict(`approval ${id} is for plan ${current.planHash}, not ${decision.planHash}`);
      }
      const state = decision.approve ? "approved" : "rejected";
      this.#db
        .stmt(
          "UPDATE approvals SET state = ?, decided_by = ?, decided_via = ?, decided_at = ?, note = ? WHERE id = ?",
        )
        .run(state, decision.by, decision.via, at, decision.note ?? null, id);
      this.#db.append(
        current.playbookRunId,
        "approval.decided",
        {
          id,
          state,
          by: decision.by,
          via: decision.via,
          planHash: current.planHash,
          note: decision.note ?? null,
        },
        at,
      );
      return this.#approvalById(id)!;
    });
  }

  async expireApprovals(): Promise<ApprovalRecord[]> {
    return this.#db.write(() => {
      const at = this.#db.now();
      const due = this.#db
        .stmt("SELECT id, expires_at FROM approvals WHERE state = 'pending'")
        .all()
        .filter((row) => Date.parse(String(row["expires_at"])) <= this.#db.nowMs());
      for (const row of due) this.#expire(String(row["id"]), at);
      return due.map((row) => this.#approvalById(String(row["id"]))!);
    });
  }

  async setApprovalMessage(
    id: string,
    message: { connection: string; channel: string; ts: string },
  ): Promise<void> {
    this.#db.write(() => {
      this.#db.stmt("UPDATE approvals SET message = ? WHERE id = ?").run(canonicalJson(message), id);
    });
  }

  async getCursor(name: string): Promise<string | null> {
    const row = this.#db.stmt("SELECT value FROM cursors WHERE name = ?").get(name);
    return row ? String(row["value"]) : null;
  }

  async setCursor(name: string, value: string): Promise<void> {
    requireText(name, "name");
    this.#db.write(() => {
      this.#db
        .stmt(
          `INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        )
        .run(name, value, this.#db.now());
    });
  }

  async insertTableRow(
    table: string,
    runId: string,
    stepKey: string,
    row: Record<string, unknown>,
  ): Promise<void> {
    requireText(table, "table");
    this.#db.write(() => {
      const at = this.#db.now();
      const { row: clean } = this.#db.clean({ row });
      const result = this.#db
        .stmt(
          `INSERT INTO table_rows (table_name, run_id, step_key, row, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (run_id, step_key) DO NOTHING`,
        )
        .run(table, runId, stepKey, canonicalJson(clean), at);
      if (result.changes > 0) this.#db.append(runId, "table.row", { table, stepKey, row: clean }, at);
    });
  }

  async listTableRows(table: string, filter: { limit?: number } = {}): Promise<TableRow[]> {
    return this.#db
      .stmt("SELECT * FROM table_rows WHERE table_name = ? ORDER BY id DESC LIMIT ?")
      .all(table, filter.limit ?? 100)
      .map((row) => ({
        id: Number(row["id"]),
        table: String(row["table_name"]),
        runId: String(row["run_id"]),
        stepKey: String(row["step_key"]),
        row: JSON.parse(String(row["row"])) as Record<string, unknown>,
        createdAt: String(row["created_at"]),
      }));
  }

  async createApiKey(name: string, keyHash: string): Promise<void> {
    requireText(name, "name");
    if (!/^[0-9a-f]{64}$/.test(keyHash)) throw invalid("an API key is stored as its SHA-256 hex digest");
    this.#db.write(() => {
      const at = this.#db.now();
      const existing = this.#db.stmt("SELECT revoked_at FROM api_keys WHERE name = ?").get(name);
      if (existing && existing["revoked_at"] === null)
        throw conflict(`an API key named ${name} exists; revoke it first`);
      this.#db
        .stmt(
          `INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash, created_at = excluded.created_at,
             last_used_at = NULL, revoked_at = NULL`,
        )
        .run(name, keyHash, at);
      this.#db.append(null, "api_key.created", { name }, at);
    });
  }

  async useApiKey(keyHash: string): Promise<string | null> {
    const row = this.#db
      .stmt("SELECT name FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")
      .get(keyHash);
    if (!row) return null;
    this.#db.write(() => {
      this.#db.stmt("UPDATE api_keys SET last_used_at = ? WHERE key_hash = ?").run(this.#db.now(), keyHash);
    });
    return String(row["name"]);
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#db
      .stmt("SELECT name, created_at, last_used_at, revoked_at FROM api_keys ORDER BY name")
      .all()
      .map((row) => ({
        name: String(row["name"]),
        createdAt: String(row["created_at"]),
        lastUsedAt: textOrNull(row["last_used_at"]),
        revokedAt: textOrNull(row["revoked_at"]),
      }));
  }

  async revokeApiKey(name: string): Promise<boolean> {
    return this.#db.write(() => {
      const at = this.#db.now();
      const result = this.#db
        .stmt("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
        .run(at, name);
      if (result.changes > 0) this.#db.append(null, "api_key.revoked", { name }, at);
      return result.changes > 0;
    });
  }

  async recordRejectedRequest(rejection: {
    path: string;
    status: number;
    reason: string;
    bytes: number | null;
    /** Refusals since the last recorded one that were only counted (the ledger's per-minute budget). */
    notRecordedBefore?: number;
  }): Promise<void> {
    this.#db.write(() => {
      const clean = this.#db.clean({ ...rejection });
      this.#db.append(null, "inbound.rejected", clean, this.#db.now());
    });
  }

  async acquireServerLock(owner: string, staleAfterMs: number, replacing?: string): Promise<boolean> {
    return this.#db.write(() => {
      const now = this.#db.nowMs();
      const row = this.#db.stmt("SELECT owner, heartbeat_at FROM server_lock WHERE id = 1").get();
      const held = row && row["owner"] !== owner && row["owner"] !== replacing;
      if (held && now - Number(row["heartbeat_at"]) < staleAfterMs) return false;
      this.#db
        .stmt(
          `INSERT INTO server_lock (id, owner, heartbeat_at) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, heartbeat_at = excluded.heartbeat_at`,
        )
        .run(owner, now);
      return true;
    });
  }

  async readServerLock(): Promise<{ owner: string; heartbeatAt: number } | null> {
    const row = this.#db.stmt("SELECT owner, heartbeat_at FROM server_lock WHERE id = 1").get();
    return row ? { owner: String(row["owner"]), heartbeatAt: Number(row["heartbeat_at"]) } : null;
  }

  async releaseServerLock(owner: string): Promise<void> {
    this.#db.write(() => {
      this.#db.stmt("DELETE FROM server_lock WHERE id = 1 AND owner = ?").run(owner);
    });
  }

  #expire(id: string, at: string): void {
    this.#db
      .stmt("UPDATE approvals SET state = 'expired', decided_via = 'expiry', decided_at = ? WHERE id = ?")
      .run(at, id);
    const row = this.#db.stmt("SELECT playbook_run_id FROM approvals WHERE id = ?").get(id);
    this.#db.append(
      String(row?.["playbook_run_id"]),
      "approval.decided",
      { id, state: "expired", via: "expiry" },
      at,
    );
  }

  #runById(id: string): PlaybookRunRecord | null {
    const row = this.#db
      .stmt(
        "SELECT r.*, e.event AS event FROM playbook_runs r JOIN events e ON e.key = r.event_key WHERE r.id = ?",
      )
      .get(id);
    return row ? toRun(row) : null;
  }

  #approvalById(id: string): ApprovalRecord | null {
    const row = this.#db.stmt("SELECT * FROM approvals WHERE id = ?").get(id);
    return row ? toApproval(row) : null;
  }
}

function toEvent(row: Row): StoredEvent {
  return {
    key: String(row["key"]),
    event: JSON.parse(String(row["event"])) as CordonEvent,
    state: row["state"] as StoredEvent["state"],
    receivedAt: String(row["received_at"]),
    runIds: row["run_ids"] ? (JSON.parse(String(row["run_ids"])) as string[]) : [],
  };
}

function toRun(row: Row): PlaybookRunRecord {
  return {
    id: String(row["id"]),
    playbook: String(row["playbook"]),
    playbookHash: String(row["playbook_hash"]),
    definition: JSON.parse(String(row["definition"])),
    eventKey: String(row["event_key"]),
    event: JSON.parse(String(row["event"])) as CordonEvent,
    state: row["state"] as PlaybookRunState,
    actor: String(row["actor"]),
    error: textOrNull(row["error"]),
    createdAt: String(row["created_at"]),
    updatedAt: String(row["updated_at"]),
    finishedAt: textOrNull(row["finished_at"]),
  };
}

function toStep(row: Row): PlaybookStepRecord {
  return {
    runId: String(row["run_id"]),
    key: String(row["key"]),
    kind: String(row["kind"]),
    state: row["state"] as PlaybookStepState,
    attempt: Number(row["attempt"]),
    output: parseJson(row["output"]),
    error: parseJson(row["error"]),
    resumeAt: textOrNull(row["resume_at"]),
    startedAt: String(row["started_at"]),
    finishedAt: textOrNull(row["finished_at"]),
  };
}

function toApproval(row: Row): ApprovalRecord {
  return {
    id: String(row["id"]),
    playbookRunId: String(row["playbook_run_id"]),
    stepKey: String(row["step_key"]),
    planHash: String(row["plan_hash"]),
    plan: JSON.parse(String(row["plan"])),
    reasons: JSON.parse(String(row["reasons"])) as string[],
    state: row["state"] as ApprovalRecord["state"],
    requestedAt: String(row["requested_at"]),
    expiresAt: String(row["expires_at"]),
    decidedBy: textOrNull(row["decided_by"]),
    decidedVia: textOrNull(row["decided_via"]) as ApprovalRecord["decidedVia"],
    decidedAt: textOrNull(row["decided_at"]),
    note: textOrNull(row["note"]),
    message: row["message"] ? (JSON.parse(String(row["message"])) as ApprovalRecord["message"]) : null,
  };
}
