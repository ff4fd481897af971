import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Clock } from "../../src/core/clock.ts";
import { openSqliteStore, type SqliteStoreOptions } from "../../src/store/sqlite-store.ts";
import type { RunRecord, StepRecord, Store } from "../../src/store/types.ts";

/** A clock that moves one second forward each time it is read, from 2025-01-01T00:00:00Z. */
export function steppingClock(startMs = Date.UTC(2025, 0, 1)): Clock & { reads: number } {
  const clock = {
    reads: 0,
    now: () => startMs + 1000 * clock.reads++,
    sleep: async () => {},
  };
  return clock;
}

/** A fresh directory under the OS temp dir, removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "cordon-store-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a store and closes it after the test. */
export function openStore(t: TestContext, options: Partial<SqliteStoreOptions> = {}): Store {
  const store = openSqliteStore({ path: ":memory:", clock: steppingClock(), ...options });
  t.after(() => store.close());
  return store;
}

export function runInput(
  id: string,
  overrides: Partial<Omit<RunRecord, "createdAt" | "finishedAt" | "summary" | "state">> = {},
): Omit<RunRecord, "createdAt" | "finishedAt" | "summary" | "state"> {
  return {
    id,
    kind: "contain",
    planHash: `plan-hash-of-${id}`,
    plan: { subject: "alice@corp.example", actions: ["okta.suspend", "slack.reset_sessions"] },
    reason: "INC-42: phished credentials",
    actor: "secops-oncall",
    parentRunId: null,
    ...overrides,
  };
}

export function stepInput(
  runId: string,
  seq: number,
  overrides: Partial<StepRecord> = {},
): Omit<StepRecord, "state" | "snapshot" | "output" | "verification" | "error" | "startedAt" | "finishedAt"> {
  return {
    runId,
    seq,
    connection: "okta",
    vendor: "okta",
    accountId: "00u1",
    accountEmail: "alice@corp.example",
    actionId: "okta.suspend",
    input: { userId: "00u1" },
    ...overrides,
  };
}
