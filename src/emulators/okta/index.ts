import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Clock, systemClock } from "../../core/clock.ts";
import { CONTROL_PREFIX, faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { RateWindows } from "../kit/rate-window.ts";
import { authenticate } from "./auth.ts";
import type { OktaContext, OktaEnv } from "./env.ts";
import { errorForStatus, OktaErrors, oktaError } from "./errors.ts";
import {
  BUCKET_LIMITS,
  type RateLimitOverrides,
  rateLimiter,
  setPreciseRetry,
  setRateHeaders,
} from "./rate-limits.ts";
import { mountAppRoutes } from "./routes/apps.ts";
import { mountOktaControl } from "./routes/control.ts";
import { mountEventHookRoutes } from "./routes/event-hooks.ts";
import { mountFactorRoutes } from "./routes/factors.ts";
import { mountGroupRoutes } from "./routes/groups.ts";
import { LIFECYCLE_OPERATIONS, mountLifecycleRoutes } from "./routes/lifecycle.ts";
import { mountLogRoutes } from "./routes/logs.ts";
import { mountRoleRoutes } from "./routes/roles.ts";
import { mountTokenRoutes } from "./routes/tokens.ts";
import { mountUserRoutes } from "./routes/users.ts";
import { applyOktaSeed, OktaSeed, parseOktaSeed } from "./seed.ts";
import { OktaState } from "./state.ts";

export {
  BUCKET_LIMITS,
  CONCURRENCY_LIMITS,
  type OktaBucket,
  type RateLimitOverrides,
} from "./rate-limits.ts";
export { OktaState } from "./state.ts";
export { OktaSeed };

export interface OktaEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: OktaSeed;
  /** Replaces a bucket's documented per-minute limit, or the concurrency limit (`concurrent`); for tests. */
  rateLimitOverrides?: RateLimitOverrides;
}

export interface OktaEmulator extends Emulator {
  vendor: "okta";
  /** The org's data, for inspection by tests. Change it through the API or the control endpoints. */
  state: OktaState;
}

/**
 * Paths the emulator serves, so an unsupported method on one answers 405 E0000022 rather than 404 E0000008
 * (error-codes doc: E0000022 "The endpoint does not support the provided HTTP method").
 */
const KNOWN_PATHS = [
  /^\/api\/v1\/users$/,
  /^\/api\/v1\/users\/[^/]+$/,
  new RegExp(`^/api/v1/users/[^/]+/lifecycle/(${LIFECYCLE_OPERATIONS.join("|")})$`),
  /^\/api\/v1\/users\/[^/]+\/(sessions|grants|clients|factors)$/,
  /^\/api\/v1\/users\/[^/]+\/(grants|factors)\/[^/]+$/,
  /^\/api\/v1\/users\/[^/]+\/clients\/[^/]+\/(grants|tokens)(\/[^/]+)?$/,
  /^\/api\/v1\/api-tokens(\/[^/]+)?$/,
  /^\/api\/v1\/iam\/assignees\/users$/,
  /^\/api\/v1\/groups$/,
  /^\/api\/v1\/groups\/[^/]+\/users$/,
  /^\/api\/v1\/apps\/[^/]+\/users(\/[^/]+)?$/,
  /^\/api\/v1\/logs$/,
  /^\/api\/v1\/eventHooks(\/[^/]+(\/lifecycle\/(verify|activate|deactivate))?)?$/,
];

/** Injected faults in Okta's error format (status table: error-codes doc). A 429 announces its reset delay. */
function renderFault(c: OktaContext, rule: FaultRule, clock: Clock): Response {
  const status = (rule.status ?? 500) as ContentfulStatusCode;
  const { code, summary } = errorForStatus(status);
  const response = oktaError(c, status, code, summary);
  if (status === 429) {
    const rate = c.var.rate;
    const now = clock.now();
    const resetAtMs =
      rule.retryAfterSeconds !== undefined
        ? now + rule.retryAfterSeconds * 1000
        : (rate?.resetAtMs ?? now + 60_000);
    setRateHeaders(response.headers, {
      limit: rate?.limit ?? BUCKET_LIMITS["api-v1"].workforce,
      remaining: 0,
      resetAtMs,
    });
    setPreciseRetry(response.headers, resetAtMs, now);
  }
  return response;
}

/**
 * An Okta org over HTTP: users and their lifecycle, groups and their members, app assignments, sessions, OAuth grants, clients and refresh tokens, factors
 * and API tokens, with Okta's error envelope, Link pagination and X-Rate-Limit-* rate limiting. Middleware order:
 * org context → request id → control endpoints (no auth) → rate limits → injected faults → auth → routes.
 */
export function createOktaEmulator(options: OktaEmulatorOptions = {}): OktaEmulator {
  const clock = options.clock ?? systemClock();
  const seed = parseOktaSeed(options.seed ?? {});
  const state = new OktaState(clock);
  applyOktaSeed(state, seed);
  const faults = new FaultPlan(options.faultSeed);
  const windows = new RateWindows(clock, options.timeScale ?? 1);

  const app = new Hono<OktaEnv>();
  app.use("*", async (c, next) => {
    c.set("state", state);
    c.set("clock", clock);
    await next();
    // Okta tags every API response with a request id (the Node SDK reads it when it backs off a 429).
    if (!new URL(c.req.url).pathname.startsWith(CONTROL_PREFIX)) {
      c.res.headers.set("X-Okta-Request-Id", state.ids.next("req", 25));
    }
  });
  mountFaultControl(app, faults);
  mountOktaControl(app);
  app.use(
    "*",
    rateLimiter({
      plan: seed.plan ?? "workforce",
      windows,
      clock,
      enforce: options.enforceRateLimits ?? true,
      overrides: options.rateLimitOverrides,
    }),
  );
  app.use("*", faultMiddleware({ faults, clock, renderFault: (c, rule) => renderFault(c, rule, clock) }));
  app.use("/api/*", authenticate());
  mountUserRoutes(app);
  mountLifecycleRoutes(app);
  mountFactorRoutes(app);
  mountRoleRoutes(app);
  mountTokenRoutes(app);
  mountGroupRoutes(app);
  mountAppRoutes(app);
  mountLogRoutes(app);
  mountEventHookRoutes(app);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    return KNOWN_PATHS.some((p) => p.test(path))
      ? OktaErrors.methodNotAllowed(c)
      : OktaErrors.pathNotFound(c);
  });
  app.onError((error, c) => {
    // A dropped connection (injected fault) must reach the caller as a network error, not as a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return OktaErrors.internal(c);
  });

  return { vendor: "okta", app, faults, state };
}
