import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Clock, systemClock } from "../../core/clock.ts";
import { faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { RateWindows } from "../kit/rate-window.ts";
import { authenticate } from "./auth.ts";
import { type AtlassianContext, type AtlassianEnv, familyOf } from "./env.ts";
import { AdminErrors, errorForStatus, gatewayError, userManagementError } from "./errors.ts";
import {
  DEFAULT_LIMITS,
  type RateLimitOverrides,
  rateLimiter,
  setRateHeaders,
  setRetryHeaders,
} from "./rate-limits.ts";
import { ADMIN_PATHS, mountAdminRoutes } from "./routes/admin.ts";
import { mountAtlassianControl } from "./routes/control.ts";
import { mountUserManagementRoutes, USER_MANAGEMENT_PATHS } from "./routes/user-management.ts";
import { AtlassianSeed, applyAtlassianSeed, DEFAULT_ORG, parseAtlassianSeed } from "./seed.ts";
import { AtlassianState } from "./state.ts";

export { type AtlassianBucket, DEFAULT_LIMITS, type RateLimitOverrides } from "./rate-limits.ts";
export {
  ACCOUNT_STATUSES,
  type ApiTokenRecord,
  AtlassianState,
  MEMBERSHIP_STATUSES,
  ORG_ADMIN_ROLE,
  PLATFORM_ROLES,
  type UserRecord,
} from "./state.ts";
export { AtlassianSeed };

export interface AtlassianEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: AtlassianSeed;
  /** Replaces an API's assumed per-minute budget (`admin`, `user-management`); for tests. */
  rateLimitOverrides?: RateLimitOverrides;
}

export interface AtlassianEmulator extends Emulator {
  vendor: "atlassian";
  /** The organization's data, for inspection by tests. Change it through the API or the control endpoints. */
  state: AtlassianState;
}

/** Injected faults in the envelope of the API addressed; a 429 announces its wait (Retry-After and the exact ms). */
function renderFault(c: AtlassianContext, rule: FaultRule, clock: Clock): Response {
  const status = (rule.status ?? 500) as ContentfulStatusCode;
  const response = errorForStatus(c, status);
  if (status === 429) {
    const now = clock.now();
    const resetAtMs =
      rule.retryAfterSeconds !== undefined
        ? now + rule.retryAfterSeconds * 1000
        : (c.var.rate?.resetAtMs ?? now + 60_000);
    setRateHeaders(response.headers, {
      limit: c.var.rate?.limit ?? DEFAULT_LIMITS.admin,
      remaining: 0,
      resetAtMs,
    });
    setRetryHeaders(response.headers, resetAtMs, now);
  }
  return response;
}

/**
 * One Atlassian organization at `api.atlassian.com`-style paths: the Organizations REST API under `/admin/…`
 * (org, directory users list/search/details, suspend-access and restore-access) and the user management REST API
 * under `/users/{account_id}/manage/…` (profile, API tokens, lifecycle), both authenticated with
 * `Authorization: Bearer <organization API key>`. Atlassian documents no API that ends a user's sessions
 * (jira.atlassian.com/browse/AX-229: "there is no API available to log out Managed Accounts"), so there is none.
 * Middleware order: context → control endpoints (no auth) → rate limits → injected faults → auth → routes.
 */
export function createAtlassianEmulator(options: AtlassianEmulatorOptions = {}): AtlassianEmulator {
  const clock = options.clock ?? systemClock();
  const seed = parseAtlassianSeed(options.seed ?? {});
  const state = new AtlassianState(clock, {
    orgId: seed.orgId ?? DEFAULT_ORG.orgId,
    orgName: seed.orgName ?? DEFAULT_ORG.orgName,
    directoryId: seed.directoryId ?? DEFAULT_ORG.directoryId,
  });
  applyAtlassianSeed(state, seed);
  const faults = new FaultPlan(options.faultSeed);
  const windows = new RateWindows(clock, options.timeScale ?? 1);

  const app = new Hono<AtlassianEnv>();
  app.use("*", async (c, next) => {
    c.set("state", state);
    c.set("clock", clock);
    await next();
  });
  mountFaultControl(app, faults);
  mountAtlassianControl(app);
  app.use(
    "*",
    rateLimiter({
      windows,
      clock,
      enforce: options.enforceRateLimits ?? true,
      overrides: options.rateLimitOverrides,
    }),
  );
  app.use("*", faultMiddleware({ faults, clock, renderFault: (c, rule) => renderFault(c, rule, clock) }));
  app.use("/admin/*", authenticate());
  app.use("/users/*", authenticate());
  mountAdminRoutes(app);
  mountUserManagementRoutes(app);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const family = familyOf(path);
    if (family === "admin")
      return ADMIN_PATHS.some((p) => p.test(path))
        ? AdminErrors.methodNotSupported(c)
        : AdminErrors.unknownResource(c);
    if (family === "user-management")
      return USER_MANAGEMENT_PATHS.some((p) => p.test(path))
        ? userManagementError(c, 405, "methodNotAllowed")
        : userManagementError(c, 404, "notFound");
    return gatewayError(c, 404, "Not Found");
  });
  app.onError((error, c) => {
    // A dropped connection (injected fault) must reach the caller as a network error, not as a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return familyOf(new URL(c.req.url).pathname) === "user-management"
      ? userManagementError(c, 500, "error")
      : AdminErrors.internal(c);
  });

  return { vendor: "atlassian", app, faults, state };
}
