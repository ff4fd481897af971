import { Hono } from "hono";
import { type Clock, systemClock } from "../../core/clock.ts";
import { faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan } from "../kit/faults.ts";
import { mountSlackControl } from "./control.ts";
import { renderSlackFault } from "./fault-render.ts";
import { type FetchLike, mountSlackInteractions } from "./interactions.ts";
import { Limits } from "./limits.ts";
import { mountScim } from "./scim.ts";
import { SlackSeed } from "./seed.ts";
import { SlackState } from "./state.ts";
import { mountWebApi } from "./web-api.ts";

export { EMULATOR_APP_ID, EMULATOR_VERIFICATION_TOKEN } from "./interactions.ts";
export { SCIM_LIMITS, TIER_PER_MINUTE } from "./rate-limits.ts";
export { SlackSeed } from "./seed.ts";
export type {
  SessionKind,
  SlackChannel,
  SlackMessage,
  SlackResponsePost,
  SlackResponseUrl,
  SlackSession,
  SlackUser,
} from "./state.ts";
export { SlackState } from "./state.ts";
export { WEB_API_METHODS } from "./web-api.ts";

export interface SlackEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: SlackSeed;
  /**
   * Per-minute limits replacing the documented ones, for tests: keys are Web API method names
   * (`"users.lookupByEmail"`) or SCIM bucket names (`"scim.reads"`, `"scim.users.update"`…; see SCIM_LIMITS).
   * For `"chat.postMessage"` it sets the per-channel pace (burst min(5, n), then n per minute).
   */
  rateLimitOverrides?: Record<string, number>;
  /** How interactions reach the app's Request URL (default: global fetch). */
  fetch?: FetchLike;
}

export interface SlackEmulator extends Emulator {
  vendor: "slack";
  state: SlackState;
}

/**
 * One Enterprise Grid org: the Web API under `/api/<method>`, SCIM 2.0 under `/scim/v2/…`, fault control under
 * `/__cordon/faults` and emulator-only helpers under `/__cordon/slack/…`. Point `@slack/web-api` at
 * `<base>/api/` (its `slackApiUrl`).
 */
export function createSlackEmulator(options: SlackEmulatorOptions = {}): SlackEmulator {
  const clock = options.clock ?? systemClock();
  const state = new SlackState(SlackSeed.parse(options.seed ?? {}), clock);
  const faults = new FaultPlan(options.faultSeed);
  const limits = new Limits({
    clock,
    timeScale: options.timeScale ?? 1,
    enforce: options.enforceRateLimits ?? true,
    overrides: options.rateLimitOverrides ?? {},
  });
  const app = new Hono();
  app.use("*", faultMiddleware({ faults, clock, renderFault: renderSlackFault }));
  mountFaultControl(app, faults);
  mountSlackControl(app, state);
  mountSlackInteractions(app, state, options.fetch ?? ((input, init) => fetch(input, init)));
  mountWebApi(app, state, limits);
  mountScim(app, state, limits);
  app.onError((error) => {
    // An injected drop must reach an in-process caller as a network error, not a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return new Response("500 Internal Server Error", { status: 500 });
  });
  return { vendor: "slack", app, faults, state };
}
