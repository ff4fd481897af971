import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Clock, systemClock } from "../../core/clock.ts";
import { faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { RateWindows } from "../kit/rate-window.ts";
import { authenticate } from "./auth.ts";
import { DIRECTORY_BASE, type GoogleContext, type GoogleEnv } from "./env.ts";
import { faultBody, GoogleErrors } from "./errors.ts";
import { mountTokenEndpoint } from "./oauth.ts";
import {
  concurrencyLimiter,
  type GoogleRateLimitOverrides,
  quotaLimiter,
  setPreciseRetry,
} from "./rate-limits.ts";
import { mountGoogleControl } from "./routes/control.ts";
import { mountSecurityRoutes } from "./routes/security.ts";
import { mountUserRoutes } from "./routes/users.ts";
import { applyGoogleSeed, GoogleSeed, parseGoogleSeed } from "./seed.ts";
import { GoogleState } from "./state.ts";

export { GOOGLE_TOKEN_URL, JWT_BEARER_GRANT } from "./oauth.ts";
export { DIRECTORY_LIMITS, type GoogleRateLimitOverrides } from "./rate-limits.ts";
export { METHOD_SCOPES, SCOPE } from "./scopes.ts";
export type { AccessTokenRecord, AspRecord, OAuthTokenRecord, SessionRecord, UserRecord } from "./state.ts";
export { GoogleState } from "./state.ts";
export { GoogleSeed };

export interface GoogleEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: GoogleSeed;
  /** Replaces the documented per-user limit, or enables the (unpublished) concurrency limit; for tests. */
  rateLimitOverrides?: GoogleRateLimitOverrides;
}

export interface GoogleEmulator extends Emulator {
  vendor: "google";
  /** The customer's data, for inspection by tests. Change it through the API or the control endpoints. */
  state: GoogleState;
}

/**
 * Injected faults in Google's envelope. A 429 is `rateLimitExceeded`; a 403 with `retryAfterSeconds` is the
 * documented rate-limit form, `userRateLimitExceeded` (without it, a plain 403 `forbidden`). Rate-limit forms
 * carry `X-Cordon-Retry-After-Ms` (Google itself sends no wait).
 */
function renderFault(c: GoogleContext, rule: FaultRule): Response {
  const status = (rule.status ?? 500) as ContentfulStatusCode;
  const rateLimitForm = status === 429 || (status === 403 && rule.retryAfterSeconds !== undefined);
  const response = c.json(faultBody(status, rateLimitForm), status);
  if (rateLimitForm) setPreciseRetry(response.headers, (rule.retryAfterSeconds ?? 1) * 1000);
  return response;
}

/**
 * One Google Workspace customer over HTTP: the OAuth token endpoint for service accounts with domain-wide
 * delegation (`POST /token`), and the Admin SDK Directory API's users, users.signOut, users.tokens and
 * users.asps under `/admin/directory/v1/`, in Google's error envelope, with the documented per-user quota.
 * Point a key file's `token_uri` at `<base>/token` and the Directory root URL at `<base>`.
 * Middleware order: context → control endpoints (no auth) → concurrency limit → injected faults → token endpoint
 * → Directory auth → per-user quota → routes.
 */
export function createGoogleEmulator(options: GoogleEmulatorOptions = {}): GoogleEmulator {
  const clock = options.clock ?? systemClock();
  const timeScale = options.timeScale ?? 1;
  const state = new GoogleState(clock);
  applyGoogleSeed(state, parseGoogleSeed(options.seed ?? {}));
  const faults = new FaultPlan(options.faultSeed);
  const windows = new RateWindows(clock, timeScale);

  const app = new Hono<GoogleEnv>();
  app.use("*", async (c, next) => {
    c.set("state", state);
    c.set("clock", clock);
    await next();
  });
  mountFaultControl(app, faults);
  mountGoogleControl(app);
  const limiter = {
    windows,
    clock,
    timeScale,
    enforce: options.enforceRateLimits ?? true,
    overrides: options.rateLimitOverrides,
  };
  app.use(`${DIRECTORY_BASE}/*`, concurrencyLimiter(limiter));
  app.use(
    "*",
    faultMiddleware({ faults, clock, renderFault: (c, rule) => renderFault(c as GoogleContext, rule) }),
  );
  mountTokenEndpoint(app);
  app.use(`${DIRECTORY_BASE}/*`, authenticate());
  app.use(`${DIRECTORY_BASE}/*`, quotaLimiter(limiter));
  mountUserRoutes(app);
  mountSecurityRoutes(app);

  app.notFound((c) => GoogleErrors.pathNotFound(c));
  app.onError((error, c) => {
    // A dropped connection (injected fault) must reach the caller as a network error, not as a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return GoogleErrors.backend(c);
  });

  return { vendor: "google", app, faults, state };
}
