const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Width of the counter suffix: 62^7 ids per prefix is more than any test makes. */
const COUNTER_WIDTH = 7;

function toBase62(n: number): string {
  let out = "";
  let rest = n;
  do {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out;
}

/** A fixed run of base62 characters derived from the prefix (FNV-1a driven), so ids look like Okta's. */
function stemFor(prefix: string, length: number): string {
  let hash = 0x811c9dc5;
  for (const ch of prefix) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  let out = "";
  for (let i = 0; i < length; i++) {
    hash = Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> 0;
    out += BASE62[hash % 62];
  }
  return out;
}

/**
 * Okta-looking ids (`00u` + 17 base62 characters for users, `00T…` API tokens, `oag…` grants, `oar…` refresh
 * tokens, `0oa…` clients, `102…` sessions, `oae…` error ids) made from one counter per prefix, so a seeded run
 * always produces the same ids. The counter is the fixed-width tail, so ids of one prefix sort in creation order.
 */
export class IdFactory {
  readonly #counters = new Map<string, number>();

  next(prefix: string, length = 20): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    const stemLength = Math.max(0, length - prefix.length - COUNTER_WIDTH);
    return prefix + stemFor(prefix, stemLength) + toBase62(n).padStart(COUNTER_WIDTH, "0");
  }
}

/** A short stable hash (for weak ETags). */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const ch of text) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}
