/**
 * What the event server and the playbook runner keep (decision 0010): accepted events (deduped by key), playbook
 * runs and their steps, approvals bound to a plan hash, poller cursors, rows of named tables, API keys (hashed)
 * and the one-server-per-store lock. Every change also goes into the ledger.
 */
import type { CordonEvent } from "../core/event.ts";

export type EventState = "queued" | "dispatched";

export interface StoredEvent {
  key: string;
  event: CordonEvent;
  state: EventState;
  receivedAt: string;
  /** The playbook runs it started (empty when no playbook matched). */
  runIds: string[];
}

export type PlaybookRunState = "queued" | "running" | "waiting" | "completed" | "failed";
export const FINAL_PLAYBOOK_RUN_STATES: readonly PlaybookRunState[] = ["completed", "failed"];

export interface PlaybookRunRecord {
  id: string;
  playbook: string;
  /** Hash of the normalised definition the run executes; the definition itself is stored with the run. */
  playbookHash: string;
  definition: unknown;
  eventKey: string;
  event: CordonEvent;
  state: PlaybookRunState;
  /** Who started it: `event`, `schedule`, `api:<key name>`, `cli:<user>`. */
  actor: string;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export type PlaybookStepState = "intent" | "done" | "failed" | "waiting" | "skipped";

export interface PlaybookStepRecord {
  runId: string;
  /** Deterministic position (`2`, `3.then.0`, `4.do[1].0`). */
  key: string;
  kind: string;
  state: PlaybookStepState;
  attempt: number;
  /** `{ outcome, … }`: what later steps see as `steps.<id>`. */
  output: unknown;
  error: unknown;
  /** Set while waiting: when the step may continue (a `wait`, a retry's backoff). */
  resumeAt: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export type ApprovalState = "pending" | "approved" | "rejected" | "expired";

export interface ApprovalRecord {
  id: string;
  playbookRunId: string;
  stepKey: string;
  planHash: string;
  /** The sealed plan that runs when approved. */
  plan: unknown;
  /** Why approval is needed, in words. */
  reasons: string[];
  state: ApprovalState;
  requestedAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedVia: "slack" | "cli" | "api" | "expiry" | null;
  decidedAt: string | null;
  note: string | null;
  /** Where the request was posted, to update it after the decision. */
  message: { connection: string; channel: string; ts: string } | null;
}

export interface ApprovalDecision {
  approve: boolean;
  /** Must equal the approval's plan hash: an approval is for one exact plan. */
  planHash: string;
  by: string;
  via: "slack" | "cli" | "api";
  note?: string | null;
}

export interface TableRow {
  id: number;
  table: string;
  runId: string;
  stepKey: string;
  row: Record<string, unknown>;
  createdAt: string;
}

export interface ApiKeyRecord {
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AutomationStore {
  /** Commits new events (one ledger record each) and reports which keys were already known. */
  acceptEvents(events: CordonEvent[]): Promise<{ accepted: string[]; duplicates: string[] }>;
  queuedEvents(limit: number): Promise<StoredEvent[]>;
  getEvent(key: string): Promise<StoredEvent | null>;
  /** In one transaction: the runs the event starts, and the event marked dispatched. */
  dispatchEvent(
    key: string,
    runs: Array<Pick<PlaybookRunRecord, "id" | "playbook" | "playbookHash" | "definition" | "actor">>,
  ): Promise<PlaybookRunRecord[]>;

  getPlaybookRun(id: string): Promise<PlaybookRunRecord | null>;
  /** Newest first by default; `oldest` for a worker taking queued runs in arrival order. */
  listPlaybookRuns(filter?: {
    states?: PlaybookRunState[];
    limit?: number;
    order?: "newest" | "oldest";
  }): Promise<PlaybookRunRecord[]>;
  /** Runs per state (metrics). */
  countPlaybookRuns(): Promise<Record<PlaybookRunState, number>>;
  setPlaybookRunState(id: string, state: PlaybookRunState, error?: string | null): Promise<void>;

  getPlaybookStep(runId: string, key: string): Promise<PlaybookStepRecord | null>;
  listPlaybookSteps(runId: string): Promise<PlaybookStepRecord[]>;
  /** Before a step acts (again, on a retry: `attempt` counts). */
  recordPlaybookStepIntent(runId: string, key: string, kind: string, attempt: number): Promise<void>;
  recordPlaybookStepOutcome(
    runId: string,
    key: string,
    outcome: {
      state: Exclude<PlaybookStepState, "intent">;
      output?: unknown;
      error?: unknown;
      resumeAt?: string;
    },
  ): Promise<void>;

  requestApproval(
    approval: Pick<
      ApprovalRecord,
      "id" | "playbookRunId" | "stepKey" | "planHash" | "plan" | "reasons" | "expiresAt"
    >,
  ): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | null>;
  listApprovals(filter?: { state?: ApprovalState; playbookRunId?: string }): Promise<ApprovalRecord[]>;
  /** Refused (kind `conflict`) when already decided, expired, or the plan hash differs. */
  decideApproval(id: string, decision: ApprovalDecision): Promise<ApprovalRecord>;
  /** Pending approvals past their expiry become `expired`; returns them. */
  expireApprovals(): Promise<ApprovalRecord[]>;
  setApprovalMessage(id: string, message: { connection: string; channel: string; ts: string }): Promise<void>;

  getCursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string): Promise<void>;

  /** Written once per (run, step): a resumed step does not add a second row. */
  insertTableRow(table: string, runId: string, stepKey: string, row: Record<string, unknown>): Promise<void>;
  listTableRows(table: string, filter?: { limit?: number }): Promise<TableRow[]>;

  createApiKey(name: string, keyHash: string): Promise<void>;
  /** The key's name when the hash is known and not revoked; stamps last use. */
  useApiKey(keyHash: string): Promise<string | null>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(name: string): Promise<boolean>;

  /** A refused inbound request, for the ledger: never its body or credentials. */
  recordRejectedRequest(rejection: {
    path: string;
    status: number;
    reason: string;
    bytes: number | null;
    /** Refusals since the last recorded one that were only counted (the ledger's per-minute budget). */
    notRecordedBefore?: number;
  }): Promise<void>;

  /**
   * One server per store: true when taken (free, stale, already ours, or held by `replacing` — an owner the caller
   * knows is dead).
   */
  acquireServerLock(owner: string, staleAfterMs: number, replacing?: string): Promise<boolean>;
  /** Who holds the server lock, and when it last said so. */
  readServerLock(): Promise<{ owner: string; heartbeatAt: number } | null>;
  releaseServerLock(owner: string): Promise<void>;
}
