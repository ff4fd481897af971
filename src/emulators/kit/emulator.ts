import type { Hono } from "hono";
import type { FaultPlan } from "./faults.ts";

/**
 * What every vendor emulator exposes: the Hono app (serve it with `serveFetch`, or call `app.fetch` in-process)
 * and its fault plan. Tenant state is owned by the instance; two emulators never share anything.
 */
export interface Emulator {
  vendor: string;
  // biome-ignore lint/suspicious/noExplicitAny: Hono env types differ per emulator.
  app: Hono<any>;
  faults: FaultPlan;
}

export interface EmulatorBaseOptions {
  /**
   * Compress every rate-limit window by this factor (60: per-minute limits applied per second). Default 1.
   * A benchmark sets the same factor on the connector so both sides agree on the limits.
   */
  timeScale?: number;
  /** Enforce the vendor's documented rate limits (default true). */
  enforceRateLimits?: boolean;
  /** Seed of the fault plan's random numbers, for repeatable fault runs. */
  faultSeed?: number;
}
