import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as turn } from "node:timers/promises";
import { systemClock } from "../../src/core/clock.ts";
import { isKind } from "../../src/core/errors.ts";
import { Schedules, validateCron } from "../../src/playbooks/triggers/schedule.ts";
import { manualClock } from "../support/clock.ts";

const at = (iso: string) => Date.parse(iso);

/** Runs schedules on a manual clock (sleeping advances it) until `count` ticks were seen. */
async function ticksOf(
  start: string,
  count: number,
  add: (s: Schedules) => void,
  onTick: (name: string, tick: string, clock: ReturnType<typeof manualClock>) => void = () => {},
) {
  const clock = manualClock(at(start));
  const ticks: Array<[string, string]> = [];
  const errors: string[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const schedules = new Schedules({
    clock,
    onTick: async (name, tick) => {
      ticks.push([name, tick]);
      if (ticks.length === count) {
        schedules.stop();
        done();
      }
      onTick(name, tick, clock);
    },
    onError: (error, name) => errors.push(`${name}: ${error.kind}`),
  });
  add(schedules);
  const next = schedules.nextRun("a");
  await finished;
  return { ticks, errors, next, schedules };
}

describe("schedules", () => {
  test("validateCron: 5 or 6 fields, time zones, and what never matches", () => {
    assert.equal(validateCron("*/15 * * * *"), null);
    assert.equal(validateCron("* * * * * *"), null);
    assert.equal(validateCron("0 9 * * MON-FRI", "Europe/Paris"), null);
    assert.equal(validateCron("@hourly"), null);
    assert.match(validateCron("")!, /empty/);
    assert.match(validateCron("* * *")!, /5 fields .* or 6 .*not 3/);
    assert.match(validateCron("0 0 1 1 * 2030")!, /Invalid|year|6/i);
    assert.match(validateCron("* * * * * * *")!, /not 7/);
    assert.match(validateCron("61 * * * *")!, /minute/);
    assert.match(validateCron("0 0 30 2 *")!, /never matches/);
    assert.match(validateCron("0 9 * * *", "Mars/Olympus")!, /unknown time zone/);
  });

  test("ticks carry their scheduled time, not the time they ran", async () => {
    const { ticks, next } = await ticksOf("2024-01-01T00:07:30.250Z", 3, (s) => s.add("a", "*/15 * * * *"));
    assert.equal(next, "2024-01-01T00:15:00.000Z");
    assert.deepEqual(ticks, [
      ["a", "2024-01-01T00:15:00.000Z"],
      ["a", "2024-01-01T00:30:00.000Z"],
      ["a", "2024-01-01T00:45:00.000Z"],
    ]);
  });

  test("time zones, several schedules, and a slow tick skips the ticks it overran", async () => {
    let slow = true;
    const { ticks, errors } = await ticksOf(
      "2024-01-01T00:00:00.000Z",
      4,
      (s) => {
        s.add("a", "0 9 * * *", "Europe/Paris"); // 09:00 in Paris is 08:00Z in January
        s.add("b", "0 */6 * * *");
      },
      (name, _tick, clock) => {
        if (name === "b" && slow) {
          slow = false;
          clock.advance(7 * 3_600_000); // the 06:00 tick runs until 13:00
        }
        if (name === "a") throw new Error("boom");
      },
    );
    assert.deepEqual(ticks, [
      ["b", "2024-01-01T06:00:00.000Z"],
      // Due while b ran: it still runs once, named by its scheduled time.
      ["a", "2024-01-01T08:00:00.000Z"],
      // b's 12:00 fell due during its own slow tick: skipped, not run late.
      ["b", "2024-01-01T18:00:00.000Z"],
      ["b", "2024-01-02T00:00:00.000Z"],
    ]);
    assert.deepEqual(errors, ["a: internal"]);
  });

  test("add() refuses an invalid expression or a taken name; stop() ends every schedule", async () => {
    const schedules = new Schedules({ clock: manualClock(), onTick: async () => {} });
    assert.throws(
      () => schedules.add("x", "not cron"),
      (e) => isKind(e, "invalid_input"),
    );
    assert.throws(
      () => schedules.add("x", "0 9 * * *", "Nowhere/Else"),
      (e) => isKind(e, "invalid_input"),
    );
    const ticks: string[] = [];
    const clock = manualClock(at("2024-01-01T00:00:00.000Z"));
    const running = new Schedules({
      clock,
      onTick: async (_name, tick) => {
        ticks.push(tick);
        if (ticks.length === 2) running.stop();
      },
    });
    running.add("a", "0 * * * *");
    assert.throws(
      () => running.add("a", "0 * * * *"),
      (e) => isKind(e, "invalid_input"),
    );
    for (let i = 0; i < 50 && ticks.length < 2; i++) await turn();
    for (let i = 0; i < 20; i++) await turn();
    assert.deepEqual(ticks, ["2024-01-01T01:00:00.000Z", "2024-01-01T02:00:00.000Z"]);
    assert.equal(running.nextRun("a"), null);
    assert.equal(running.nextRun("unknown"), null);
  });

  test("on the system clock, an every-second schedule ticks on whole seconds", async () => {
    const ticks: Array<{ tick: string; ranAt: number }> = [];
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const schedules = new Schedules({
      clock: systemClock(),
      onTick: async (_name, tick) => {
        ticks.push({ tick, ranAt: Date.now() });
        if (ticks.length === 2) done();
      },
    });
    schedules.add("every-second", "* * * * * *");
    await finished;
    schedules.stop();
    assert.equal(at(ticks[1]!.tick) - at(ticks[0]!.tick), 1000);
    for (const { tick, ranAt } of ticks) {
      assert.match(tick, /\.000Z$/);
      assert.ok(ranAt >= at(tick), "never before its time");
      assert.ok(ranAt - at(tick) < 1000, "and before the next one");
    }
  });
});
