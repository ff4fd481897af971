import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Clock, systemClock } from "../../core/clock.ts";
import { CONTROL_PREFIX, faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { RateWindows } from "../kit/rate-window.ts";
import type { EntraContext, EntraEnv } from "./env.ts";
import { codeForStatus, GraphErrors, graphError } from "./errors.ts";
import { type EntraRateLimitOverrides, graphRateLimiter } from "./rate-limits.ts";
import { mountEntraControl } from "./routes/control.ts";
import { mountGroupRoutes } from "./routes/groups.ts";
import { mountRiskRoutes } from "./routes/risk.ts";
import { mountRoleRoutes } from "./routes/roles.ts";
import { mountUserRoutes } from "./routes/users.ts";
import { applyEntraSeed, DEFAULT_TENANT_ID, EntraSeed, parseEntraSeed } from "./seed.ts";
import { EntraState } from "./state.ts";
import { authenticate, GRAPH_APP_ID, isTokenPath, mountTokenRoutes } from "./token.ts";

export {
  APP_WRITES,
  type EntraRateLimitOverrides,
  IDENTITY_PROTECTION,
  RU_PER_10S,
  TENANT_WRITES,
} from "./rate-limits.ts";
export { DEFAULT_PERMISSIONS, EntraState, KNOWN_PERMISSIONS } from "./state.ts";
export { DEFAULT_TENANT_ID, EntraSeed, GRAPH_APP_ID };

export interface EntraEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: EntraSeed;
  /** Replaces documented limits (resource units per 10 s, writes per 150 s, riskyUsers per second); for tests. */
  rateLimitOverrides?: EntraRateLimitOverrides;
}

export interface EntraEmulator extends Emulator {
  vendor: "entra";
  /** The tenant's data, for inspection by tests. Change it through the API or the control endpoints. */
  state: EntraState;
}

/** Graph paths the emulator serves, so another method on one answers 405 rather than 400. */
const KNOWN_GRAPH_PATHS = [
  /^\/v1\.0\/users(\/[^/]+)?$/,
  /^\/v1\.0\/users\/[^/]+\/(microsoft\.graph\.)?revokeSignInSessions$/,
  /^\/v1\.0\/users\/[^/]+\/(memberOf|transitiveMemberOf)(\/microsoft\.graph\.(group|directoryRole))?$/,
  /^\/v1\.0\/groups\/[^/]+(\/members)?$/,
  /^\/v1\.0\/groups\/[^/]+\/members(\/[^/]+)?\/(\$|%24)ref$/,
  /^\/v1\.0\/identityProtection\/riskyUsers(\/[^/]+)?$/,
  /^\/v1\.0\/roleManagement\/directory\/roleAssignments$/,
];

/**
 * Injected faults in the vendor's format: Graph's error envelope under `/v1.0` (a 429 with `Retry-After`, except
 * on Identity Protection, which documents none), the token endpoint's OAuth error body elsewhere.
 */
function renderFault(c: EntraContext, rule: FaultRule): Response {
  const status = (rule.status ?? 500) as ContentfulStatusCode;
  const path = new URL(c.req.url).pathname;
  if (!path.startsWith("/v1.0/")) {
    const error = status === 429 || status >= 500 ? "temporarily_unavailable" : "invalid_request";
    return c.json(
      {
        error,
        error_description: `AADSTS90033: A transient error has occurred. Please try again.`,
        error_codes: [90033],
      },
      status,
      status === 429 ? { "Retry-After": String(Math.ceil(rule.retryAfterSeconds ?? 1)) } : {},
    );
  }
  const { code, message } = codeForStatus(status);
  const headers: Record<string, string> = {};
  if (status === 429) {
    const seconds = rule.retryAfterSeconds;
    if (path.startsWith("/v1.0/identityProtection/")) {
      if (seconds !== undefined) headers["X-Cordon-Retry-After-Ms"] = String(Math.round(seconds * 1000));
    } else {
      headers["Retry-After"] = String(Math.max(1, Math.ceil(seconds ?? 1)));
      headers["X-Cordon-Retry-After-Ms"] = String(Math.round((seconds ?? 1) * 1000));
    }
  }
  return graphError(c, status, code, message, headers);
}

/**
 * One Entra ID tenant behind two hosts folded into one origin: the Microsoft identity platform's token endpoint
 * (`/{tenant}/oauth2/v2.0/token` and OIDC discovery) and Microsoft Graph v1.0 (`/v1.0/…`). Serve it over https
 * (`serveFetch(app.fetch, { tls: testTls() })`): @azure/identity and Graph clients refuse plain http. Point
 * `authorityHost` and the Graph base URL at the same origin.
 *
 * Middleware order: request ids → control endpoints (no auth) → injected faults → token routes → bearer auth →
 * rate limits → Graph routes.
 */
export function createEntraEmulator(options: EntraEmulatorOptions = {}): EntraEmulator {
  const clock = options.clock ?? systemClock();
  const seed = parseEntraSeed(options.seed ?? {});
  const state = new EntraState(clock);
  applyEntraSeed(state, seed);
  const faults = new FaultPlan(options.faultSeed);
  const timeScale = options.timeScale ?? 1;
  const windows = new RateWindows(clock, timeScale);

  const app = new Hono<EntraEnv>();
  app.use("*", async (c, next) => {
    c.set("state", state);
    c.set("clock", clock);
    c.set("requestId", state.ids.guid());
    c.set("clientRequestId", c.req.header("client-request-id") ?? state.ids.guid());
    await next();
    if (!new URL(c.req.url).pathname.startsWith(CONTROL_PREFIX)) {
      // Graph and ESTS tag every reply (learn.microsoft.com/graph/errors; the headers to quote in support cases).
      c.res.headers.set("request-id", c.var.requestId);
      c.res.headers.set("client-request-id", c.var.clientRequestId);
      c.res.headers.set(
        "x-ms-ags-diagnostic",
        JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "0" } }),
      );
    }
  });
  mountFaultControl(app, faults);
  mountEntraControl(app);
  app.use("*", faultMiddleware({ faults, clock, renderFault }));
  mountTokenRoutes(app);
  app.use("/v1.0/*", authenticate(state));
  app.use(
    "/v1.0/*",
    graphRateLimiter({
      windows,
      enforce: options.enforceRateLimits ?? true,
      timeScale,
      overrides: options.rateLimitOverrides,
    }),
  );
  mountUserRoutes(app);
  mountGroupRoutes(app);
  mountRiskRoutes(app);
  mountRoleRoutes(app);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith("/v1.0/")) {
      if (KNOWN_GRAPH_PATHS.some((p) => p.test(path))) return GraphErrors.methodNotAllowed(c);
      const segment = path.split("/").filter(Boolean).at(-1) ?? "";
      return GraphErrors.segmentNotFound(c, segment);
    }
    if (isTokenPath(path) && c.req.method !== "GET" && c.req.method !== "POST")
      return c.json(
        {
          error: "invalid_request",
          error_description: "AADSTS900561: The endpoint only accepts POST requests.",
        },
        405,
      );
    return c.json(
      { error: "invalid_request", error_description: `AADSTS90011: The request path ${path} is not served.` },
      404,
    );
  });
  app.onError((error, c) => {
    // A dropped connection (injected fault) must reach the caller as a network error, not as a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return GraphErrors.internal(c);
  });

  return { vendor: "entra", app, faults, state };
}
