import type { Clock } from "../../src/core/clock.ts";

/** A clock tests move by hand (sleeping advances it), so rate-limit windows and resets are exact numbers. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** Starts on a minute boundary by default, so an emulator's fixed windows begin where the test expects. */
export function manualClock(start = 1_699_999_980_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
