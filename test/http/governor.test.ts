import assert from "node:assert/strict";
import { test } from "node:test";
import type { Clock } from "../../src/core/clock.ts";
import { RateGovernor } from "../../src/http/governor.ts";

/** A clock that advances only when something sleeps: pacing decisions become exact numbers. */
function virtualClock(): Clock & { slept: number } {
  let now = 1_000_000;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

const key = { vendor: "slack", tenant: "t", bucket: "admin.users.session.reset" };

test("never more than the limit in any window-long interval", async () => {
  const clock = virtualClock();
  const governor = new RateGovernor({ clock, safetyMargin: 0 });
  const times: number[] = [];
  for (let i = 0; i < 65; i++) {
    await governor.acquire(key, { limit: 20, windowMs: 60_000 });
    times.push(clock.now());
  }
  for (let i = 20; i < times.length; i++)
    assert.ok(times[i]! - times[i - 20]! >= 60_000, `request ${i} too early`);
  // 65 requests at 20/min: the 61st leaves after three full windows, no earlier.
  assert.equal(times[60]! - times[0]!, 180_000);
});

test("timeScale compresses declared windows", async () => {
  const clock = virtualClock();
  const governor = new RateGovernor({ clock, timeScale: 60, safetyMargin: 0 });
  for (let i = 0; i < 21; i++) await governor.acquire(key, { limit: 20, windowMs: 60_000 });
  assert.equal(clock.slept, 1_000);
});

test("header limit replaces the declared one; remaining 0 blocks until reset", async () => {
  const clock = virtualClock();
  const governor = new RateGovernor({ clock, safetyMargin: 0 });
  const okta = { vendor: "okta", tenant: "o", bucket: "other" };
  const declared = { limit: 1200, windowMs: 60_000 };
  await governor.acquire(okta, declared);
  governor.observe(okta, declared, { limit: 100, remaining: 0, resetAtMs: clock.now() + 7_000 });
  assert.equal(governor.limitOf(okta)?.limit, 100);
  await governor.acquire(okta, declared);
  assert.equal(clock.slept, 7_000);
});

test("a 429 blocks the bucket; other buckets go on", async () => {
  const clock = virtualClock();
  const governor = new RateGovernor({ clock });
  const declared = { limit: 50, windowMs: 60_000 };
  governor.blockUntil(key, declared, clock.now() + 3_000);
  await governor.acquire({ ...key, bucket: "users.lookupByEmail" }, declared);
  assert.equal(clock.slept, 0);
  await governor.acquire(key, declared);
  assert.equal(clock.slept, 3_000);
});

test("an aborted waiter does not block the queue behind it", async () => {
  const governor = new RateGovernor({
    clock: {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(resolve, ms);
          signal?.addEventListener(
            "abort",
            () => {
              clearTimeout(t);
              reject(signal.reason);
            },
            { once: true },
          );
        }),
    },
  });
  const declared = { limit: 1, windowMs: 200 };
  await governor.acquire(key, declared);
  const controller = new AbortController();
  const aborted = governor.acquire(key, declared, controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  const started = Date.now();
  await governor.acquire(key, declared);
  assert.ok(Date.now() - started < 400);
});
