import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { oktaEventLogSource } from "../../src/connectors/okta/events.ts";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import type { CordonError } from "../../src/core/errors.ts";
import type { CordonEvent } from "../../src/core/event.ts";
import type { OktaEmulator } from "../../src/emulators/okta/index.ts";
import { type CursorStore, LogPoller } from "../../src/playbooks/triggers/log-poller.ts";
import { type Harness, oktaHarness } from "../support/harness.ts";

const REPORT = "user.account.report_suspicious_activity_by_enduser";

/** The store's cursors table, in memory; counts writes so tests can see when the cursor moved. */
function memoryCursors(): CursorStore & { values: Map<string, string>; writes: number } {
  const values = new Map<string, string>();
  return {
    values,
    writes: 0,
    async getCursor(name) {
      return values.get(name) ?? null;
    },
    async setCursor(name, value) {
      this.writes += 1;
      values.set(name, value);
    },
  };
}

let h: Harness<OktaEmulator>;
before(async () => {
  h = await oktaHarness({
    seed: {
      tokenOwner: "admin@corp.example",
      users: [
        { email: "admin@corp.example", admin: true },
        { email: "alice@corp.example" },
        { email: "bob@corp.example" },
      ],
    },
  });
});
after(() => h.close());

/** Logs `count` events through the emulator's control endpoint; returns their keys in log order. */
async function inject(count: number, eventType = REPORT, login = "alice@corp.example"): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${h.server.url}/__cordon/okta/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ eventType, login }),
    });
    assert.equal(response.status, 201);
    keys.push(`okta:${((await response.json()) as { uuid: string }).uuid}`);
  }
  return keys;
}

/** A poller over the emulator's System Log; `accepted` collects every event handed over. */
function poller(
  cursors: CursorStore,
  options: {
    limit?: number;
    maxPagesPerPoll?: number;
    eventTypes?: string[];
    clock?: Clock;
    accept?: (events: CordonEvent[]) => Promise<void>;
    intervalMs?: number;
    lookbackMs?: number;
  } = {},
) {
  const accepted: CordonEvent[] = [];
  const errors: CordonError[] = [];
  const clock = options.clock ?? systemClock();
  const instance = new LogPoller({
    source: oktaEventLogSource(h.connector, "okta", {
      clock,
      limit: options.limit ?? 2,
      eventTypes: options.eventTypes ?? [REPORT],
      // A fresh cursor starts now unless a test asks otherwise, so earlier tests' events stay out of view.
      lookbackMs: options.lookbackMs ?? 0,
      name: "okta-log",
    }),
    cursors,
    clock,
    intervalMs: options.intervalMs ?? 60_000,
    maxPagesPerPoll: options.maxPagesPerPoll,
    accept:
      options.accept ??
      (async (events) => {
        accepted.push(...events);
      }),
    onError: (error) => errors.push(error),
  });
  return { poller: instance, accepted, errors };
}

describe("LogPoller over the Okta System Log (emulator)", () => {
  test("reads several pages, then a second poller on the same cursors sees only new events", async () => {
    const cursors = memoryCursors();
    const first = poller(cursors);
    // Nothing yet: the first read (since = now) is empty but still yields a cursor.
    assert.deepEqual(await first.poller.pollOnce(), { events: 0, pages: 1 });
    assert.ok(cursors.values.get("okta-log"));

    const keys = await inject(5);
    await inject(2, "user.mfa.okta_verify.deny_push"); // filtered out
    assert.deepEqual(await first.poller.pollOnce(), { events: 5, pages: 4 }); // 2 + 2 + 1 + empty
    assert.deepEqual(
      first.accepted.map((e) => e.key),
      keys,
    );
    assert.ok(first.accepted.every((e) => e.source === "okta" && e.subject === "alice@corp.example"));

    // A restart: a new poller and a new source, the same cursor store.
    const more = await inject(3, REPORT, "bob@corp.example");
    const second = poller(cursors);
    assert.deepEqual(await second.poller.pollOnce(), { events: 3, pages: 3 });
    assert.deepEqual(
      second.accepted.map((e) => e.key),
      more,
    );
    assert.deepEqual(await second.poller.pollOnce(), { events: 0, pages: 1 });
    assert.deepEqual(first.errors, []);
    assert.deepEqual(second.errors, []);
  });

  test("the page bound: a backlog is read over several polls", async () => {
    const cursors = memoryCursors();
    const p = poller(cursors, { maxPagesPerPoll: 2 });
    await p.poller.pollOnce();
    const keys = await inject(5);
    assert.deepEqual(await p.poller.pollOnce(), { events: 4, pages: 2 });
    assert.deepEqual(await p.poller.pollOnce(), { events: 1, pages: 2 });
    assert.deepEqual(
      p.accepted.map((e) => e.key),
      keys,
    );
  });

  test("a failed page keeps the cursor, and the next poll recovers every event", async () => {
    const cursors = memoryCursors();
    const p = poller(cursors, { maxPagesPerPoll: 1 });
    await p.poller.pollOnce();
    const keys = await inject(5);
    assert.deepEqual(await p.poller.pollOnce(), { events: 2, pages: 1 });
    const before = cursors.values.get("okta-log");

    // The token lost okta.logs.read for a moment: 403 is not retried by the HTTP layer.
    await h.fault({ kind: "status", status: 403, pathPrefix: "/api/v1/logs", count: 1 });
    const failed = await p.poller.pollOnce();
    assert.equal(failed.events, 0);
    assert.equal(failed.error?.kind, "forbidden");
    assert.equal(p.errors.length, 1);
    assert.equal(cursors.values.get("okta-log"), before, "the cursor stays");

    const recovered = poller(cursors, { maxPagesPerPoll: 20 });
    assert.deepEqual(await recovered.poller.pollOnce(), { events: 3, pages: 3 });
    assert.deepEqual(
      [...p.accepted, ...recovered.accepted].map((e) => e.key),
      keys,
      "nothing lost",
    );
  });

  test("accept() throwing keeps the cursor; the same events come again", async () => {
    const cursors = memoryCursors();
    let fail = true;
    const seen: string[][] = [];
    const p = poller(cursors, {
      accept: async (events) => {
        seen.push(events.map((e) => e.key));
        if (fail) throw new Error("store is down");
      },
    });
    await p.poller.pollOnce();
    const writes = cursors.writes;
    const before = cursors.values.get("okta-log");
    const keys = await inject(2);

    const failed = await p.poller.pollOnce();
    assert.deepEqual({ events: failed.events, pages: failed.pages }, { events: 0, pages: 1 });
    assert.equal(failed.error?.kind, "internal");
    assert.equal(cursors.values.get("okta-log"), before);
    assert.equal(cursors.writes, writes);

    fail = false;
    assert.deepEqual(await p.poller.pollOnce(), { events: 2, pages: 2 });
    assert.deepEqual(seen, [keys, keys]);
  });

  test("start() polls on the clock until stop(), which ends the loop", async () => {
    const cursors = memoryCursors();
    let signal: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const accepted: string[] = [];
    const p = poller(cursors, {
      intervalMs: 20,
      accept: async (events) => {
        accepted.push(...events.map((e) => e.key));
        signal();
      },
    });
    p.poller.start();
    p.poller.start(); // idempotent
    await new Promise((resolve) => setTimeout(resolve, 50));
    const keys = await inject(1);
    await arrived;
    await p.poller.stop();
    assert.deepEqual(accepted, keys);
    const calls = h.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(h.attempts.length, calls, "no reads after stop()");
    assert.deepEqual(p.errors, []);
  });

  test("a first poll looks back 15 minutes by default", async () => {
    const logged = h.emulator.state.events.log
      .filter((s) => s.event.eventType === REPORT)
      .map((s) => `okta:${s.event.uuid}`);
    assert.ok(logged.length > 0);
    const p = poller(memoryCursors(), { lookbackMs: 15 * 60_000, limit: 1000 });
    const result = await p.poller.pollOnce();
    assert.deepEqual(
      { events: result.events, error: result.error },
      { events: logged.length, error: undefined },
    );
    assert.deepEqual(
      p.accepted.map((e) => e.key),
      logged,
    );
    // A clock an hour ahead: the window starts after every event, so there is nothing to read.
    const ahead: Clock = { ...systemClock(), now: () => Date.now() + 3_600_000 };
    const late = poller(memoryCursors(), { lookbackMs: 15 * 60_000, clock: ahead });
    assert.deepEqual(await late.poller.pollOnce(), { events: 0, pages: 1 });
  });
});
