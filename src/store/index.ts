export type * from "./automation-types.ts";
export { FINAL_PLAYBOOK_RUN_STATES } from "./automation-types.ts";
export { exportLedgerJsonl, verifyLedgerJsonl } from "./export.ts";
export {
  GENESIS_HASH,
  LedgerChainCheck,
  type LedgerEntry,
  type LedgerPoint,
  ledgerHash,
  type StoredLedgerRecord,
} from "./ledger.ts";
export { migrations } from "./migrations.ts";
export {
  REDACTED,
  redactSecrets,
  SECRET_KEY,
  SECRET_VALUE_PATTERNS,
  TOKEN_COLLECTION_KEY,
} from "./redact.ts";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";
export type * from "./types.ts";
