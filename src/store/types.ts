/**
 * The store: every durable fact cordon keeps (runs, steps, snapshots, containment holds) and the hash-chained
 * ledger that records each change. Interfaces are async so a Postgres implementation can follow the SQLite one.
 * SQL lives only in this folder.
 */
import type { AutomationStore } from "./automation-types.ts";

export type * from "./automation-types.ts";

export type RunKind = "contain" | "uncontain" | "reconcile";
export type RunState = "running" | "completed" | "partial" | "failed";

export interface RunRecord {
  id: string;
  kind: RunKind;
  state: RunState;
  planHash: string;
  /** The whole plan as applied (plain JSON; secrets are never in a plan). */
  plan: unknown;
  reason: string | null;
  /** Who ran it: the OS user for the CLI, the API key's name for the server. */
  actor: string;
  /** For an uncontain run: the containment run it undoes. */
  parentRunId: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Counts per outcome, written when the run finishes. */
  summary: unknown;
}

export type StepState = "intent" | "applied" | "already_in_state" | "failed" | "skipped";

export interface StepRecord {
  runId: string;
  /** Position in the plan, 0-based; (runId, seq) is unique. */
  seq: number;
  connection: string;
  vendor: string;
  accountId: string;
  accountEmail: string;
  actionId: string;
  input: unknown;
  state: StepState;
  /** Prior state read before acting, for exact undo. */
  snapshot: unknown;
  output: unknown;
  /** The last verification read: `{ state, observed }` or `{ state: "not_observable", why }`. */
  verification: unknown;
  /** `CordonError.toJSON()` of a failure. */
  error: unknown;
  startedAt: string;
  finishedAt: string | null;
}

export interface StepOutcome {
  state: Exclude<StepState, "intent">;
  snapshot?: unknown;
  output?: unknown;
  verification?: unknown;
  error?: unknown;
}

/** An open containment of one account: reconciliation and playbooks must not re-enable it. */
export interface HoldRecord {
  connection: string;
  accountId: string;
  email: string;
  runId: string;
  openedAt: string;
  releasedAt: string | null;
  releasedByRunId: string | null;
}

export interface LedgerRecord {
  seq: number;
  at: string;
  runId: string | null;
  /** e.g. `run.started`, `step.intent`, `step.outcome`, `run.finished`, `hold.opened`, `hold.released`. */
  type: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export interface LedgerVerification {
  ok: boolean;
  records: number;
  /** The first record whose hash or link does not match, or the first missing seq, when not ok. */
  firstBadSeq?: number;
  problem?: string;
  /**
   * When ok and not empty: the last record's seq and hash. Keep it outside the store (ticket, SIEM, chat) and
   * pass it back as `anchor` later: that detects a ledger rewritten wholesale, which no in-store check can.
   */
  head?: { seq: number; hash: string };
}

export interface Store {
  /** Events, playbook runs, approvals, cursors, tables, API keys (decision 0010). */
  readonly automation: AutomationStore;

  /** `createdAt` is stamped by the store from its clock, like every timestamp it records. */
  createRun(run: Omit<RunRecord, "createdAt" | "finishedAt" | "summary" | "state">): Promise<RunRecord>;
  finishRun(id: string, state: RunState, summary: unknown): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(filter?: { limit?: number; kind?: RunKind }): Promise<RunRecord[]>;

  /** Records the intent to call the vendor, before the call. `startedAt` is stamped by the store. */
  recordStepIntent(
    step: Omit<
      StepRecord,
      "state" | "snapshot" | "output" | "verification" | "error" | "startedAt" | "finishedAt"
    >,
  ): Promise<StepRecord>;
  recordStepOutcome(runId: string, seq: number, outcome: StepOutcome): Promise<StepRecord>;
  listSteps(runId: string): Promise<StepRecord[]>;

  /** `openedAt` is stamped by the store. */
  openHold(hold: Omit<HoldRecord, "openedAt" | "releasedAt" | "releasedByRunId">): Promise<void>;
  releaseHold(connection: string, accountId: string, byRunId: string): Promise<void>;
  listOpenHolds(filter?: { email?: string; connection?: string }): Promise<HoldRecord[]>;

  listLedger(filter?: { runId?: string; afterSeq?: number; limit?: number }): Promise<LedgerRecord[]>;
  /** `anchor`: a `head` from an earlier verification, kept outside the store; the chain must still contain it. */
  verifyLedger(options?: { anchor?: { seq: number; hash: string } }): Promise<LedgerVerification>;

  close(): Promise<void>;
}
