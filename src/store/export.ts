/**
 * `cordon audit export --format jsonl`: the ledger as JSON Lines, and the check of such a file away from the
 * store (an auditor's copy, a SIEM archive).
 */
import { canonicalJson } from "../core/hash.ts";
import { LedgerChainCheck, type LedgerPoint } from "./ledger.ts";
import type { LedgerVerification, Store } from "./types.ts";

const PAGE = 500;

/**
 * Yields one line per ledger record in seq order: the canonical JSON of
 * `{ seq, at, runId, type, payload, prevHash, hash }` followed by `"\n"`, so writing the strings one after another
 * gives the file. Reads the store a page at a time.
 */
export async function* exportLedgerJsonl(store: Store): AsyncGenerator<string> {
  let afterSeq = 0;
  for (;;) {
    const page = await store.listLedger({ afterSeq, limit: PAGE });
    for (const record of page) {
      const { seq, at, runId, type, payload, prevHash, hash } = record;
      yield canonicalJson({ seq, at, runId, type, payload, prevHash, hash }) + "\n";
      afterSeq = seq;
    }
    if (page.length < PAGE) return;
  }
}

/**
 * Checks the hash chain of an exported file, given as its lines (blank lines are ignored). A file has no ledger
 * head, so a cut-off end is only detected against an `anchor` (a head kept from an earlier verification).
 */
export async function verifyLedgerJsonl(
  lines: Iterable<string> | AsyncIterable<string>,
  options: { anchor?: LedgerPoint } = {},
): Promise<LedgerVerification> {
  const check = new LedgerChainCheck(options.anchor ? { anchor: options.anchor } : {});
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new TypeError("not an object");
      record = parsed as Record<string, unknown>;
    } catch {
      return { ok: false, records: lineNo - 1, problem: `line ${lineNo}: not a JSON ledger record` };
    }
    check.push({
      seq: record["seq"],
      at: record["at"],
      runId: record["runId"],
      type: record["type"],
      // The chain hashes the payload's canonical JSON, whatever spacing the file has.
      payload: canonicalJson(record["payload"]),
      prevHash: record["prevHash"],
      hash: record["hash"],
    });
  }
  return check.finish();
}
