/**
 * The ledger's hash chain, independent of any database: how a record's hash is computed and how a sequence of
 * stored records is checked. The SQLite store, a Postgres store and an offline check of an exported JSONL file
 * all use this one implementation.
 *
 *   hash = sha256Hex(prevHash + "\n" + canonicalJson({ seq, at, runId, type, payload }))
 *
 * `prevHash` of record 1 is {@link GENESIS_HASH}. Seqs start at 1 and are contiguous.
 */
import { canonicalJson, sha256Hex } from "../core/hash.ts";
import type { LedgerVerification } from "./types.ts";

export const GENESIS_HASH = "0".repeat(64);

export interface LedgerEntry {
  seq: number;
  at: string;
  runId: string | null;
  type: string;
  payload: unknown;
}

export function ledgerHash(prevHash: string, entry: LedgerEntry): string {
  const { seq, at, runId, type, payload } = entry;
  return sha256Hex(prevHash + "\n" + canonicalJson({ seq, at, runId, type, payload }));
}

/** A record as read back from storage: the payload still as its stored JSON text. */
export interface StoredLedgerRecord {
  seq: unknown;
  at: unknown;
  runId: unknown;
  type: unknown;
  payload: unknown;
  prevHash: unknown;
  hash: unknown;
}

/** Where the chain must end: the stored ledger head, or a hash kept outside the store (an anchor). */
export interface LedgerPoint {
  seq: number;
  hash: string;
}

/**
 * Walks records in seq order (`push`), then `finish` compares the end of the chain with the ledger head.
 * Only the first problem is reported; later records are still counted.
 */
export class LedgerChainCheck {
  #records = 0;
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #lastSeq = 0;
  #problem: { seq: number | undefined; text: string } | null = null;
  #anchor: LedgerPoint | undefined;
  #anchorSeen = false;

  constructor(options: { anchor?: LedgerPoint } = {}) {
    this.#anchor = options.anchor;
  }

  push(record: StoredLedgerRecord): void {
    this.#records++;
    const { seq, at, runId, type, payload, prevHash, hash } = record;
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq <= this.#lastSeq) {
      this.#fail(
        this.#expectedSeq,
        `record after ${this.#lastSeq}: seq ${String(seq)} is not a valid next seq`,
      );
      return;
    }
    if (seq > this.#expectedSeq) this.#fail(this.#expectedSeq, missing(this.#expectedSeq, seq - 1));

    if (
      typeof at !== "string" ||
      typeof type !== "string" ||
      (runId !== null && typeof runId !== "string") ||
      typeof prevHash !== "string" ||
      typeof hash !== "string" ||
      typeof payload !== "string"
    ) {
      this.#fail(seq, `record ${seq}: a column has the wrong type`);
    } else {
      let parsed: unknown;
      let parsedOk = true;
      try {
        parsed = JSON.parse(payload);
      } catch {
        parsedOk = false;
        this.#fail(seq, `record ${seq}: payload is not valid JSON`);
      }
      if (parsedOk && ledgerHash(prevHash, { seq, at, runId, type, payload: parsed }) !== hash) {
        this.#fail(seq, `record ${seq}: hash does not match its content`);
      }
      if (prevHash !== this.#prevHash) {
        this.#fail(
          seq,
          seq === 1
            ? "record 1: prevHash is not the genesis value"
            : seq === this.#expectedSeq
              ? `record ${seq}: prevHash does not link to record ${seq - 1}`
              : `record ${seq}: prevHash does not link to record ${this.#lastSeq}`,
        );
      }
      if (this.#anchor && seq === this.#anchor.seq) {
        this.#anchorSeen = true;
        if (hash !== this.#anchor.hash) {
          this.#fail(seq, `record ${seq}: hash differs from the anchor; the ledger was rewritten up to here`);
        }
      }
      this.#prevHash = hash;
    }
    this.#lastSeq = seq;
    this.#expectedSeq = seq + 1;
  }

  /**
   * `head` is the stored ledger head, where the chain must end; `null` when the store has none although it
   * should; omitted when there is no head to compare with (an exported file: pass an anchor to check its end).
   */
  finish(head?: LedgerPoint | null): LedgerVerification {
    if (this.#anchor && !this.#anchorSeen) {
      this.#fail(this.#anchor.seq, `record ${this.#anchor.seq} (the anchor) is missing`);
    }
    if (head === undefined) {
      // Nothing to compare the end of the chain with.
    } else if (head === null) {
      this.#fail(undefined, "the ledger head is missing, so a truncated tail cannot be ruled out");
    } else if (head.seq > this.#lastSeq) {
      this.#fail(
        this.#lastSeq + 1,
        `${missing(this.#lastSeq + 1, head.seq)}: the chain ends at record ${this.#lastSeq} but the ledger head is at ${head.seq}`,
      );
    } else if (head.seq < this.#lastSeq) {
      this.#fail(
        head.seq + 1,
        `record ${head.seq + 1}: records after ${head.seq} were not appended by the store (the ledger head is at ${head.seq})`,
      );
    } else if (head.hash !== this.#prevHash) {
      this.#fail(head.seq, `record ${head.seq}: hash differs from the ledger head`);
    }

    const result: LedgerVerification = { ok: this.#problem === null, records: this.#records };
    if (this.#problem) {
      if (this.#problem.seq !== undefined) result.firstBadSeq = this.#problem.seq;
      result.problem = this.#problem.text;
    } else if (this.#lastSeq > 0) {
      result.head = { seq: this.#lastSeq, hash: this.#prevHash };
    }
    return result;
  }

  #fail(seq: number | undefined, text: string): void {
    if (!this.#problem) this.#problem = { seq, text };
  }
}

function missing(from: number, to: number): string {
  return from === to ? `record ${from} is missing` : `records ${from}–${to} are missing`;
}
