import type { MiddlewareHandler } from "hono";
import type { RateWindows } from "../kit/rate-window.ts";
import type { EntraEnv } from "./env.ts";
import { graphError } from "./errors.ts";

/**
 * Microsoft Graph throttling for the calls the emulator serves (learn.microsoft.com/graph/throttling-limits;
 * contracts §3.3 and §4):
 *
 * - Identity and access (users, groups, directory roles): a token bucket in resource units per app per tenant —
 *   3,500 (S, < 50 users), 5,000 (M, 50–500) or 8,000 (L, > 500) RU per 10 s — and, separately, 3,000 writes per
 *   2 min 30 s per app per tenant and 18,000 writes per 5 min per tenant. `GET /users` costs 2 RU, other identity
 *   GETs 1; `$select` −1, `$expand` +1, `$top` under 20 −1, never below 1; a write costs 1 RU and 1 write.
 *   A 429 carries `Retry-After` and `x-ms-throttle-scope` / `x-ms-throttle-information`; every reply carries
 *   `x-ms-resource-unit`, and `x-ms-throttle-limit-percentage` once more than 0.8 of the limit is used.
 * - Identity Protection (riskyUsers): 1 request per second per tenant, and a 429 **without** Retry-After.
 * - The global 130,000 requests per 10 s per app is far above anything one tenant's emulator serves: not modelled.
 *
 * The emulator enforces them with fixed windows (`RateWindows`), not token buckets: the same totals per window,
 * without a token bucket's continuous refill. Windows compress with `timeScale`.
 */
export const RU_PER_10S = { S: 3500, M: 5000, L: 8000 } as const;
export const IDENTITY_WINDOW_MS = 10_000;
export const APP_WRITES = { limit: 3000, windowMs: 150_000 } as const;
export const TENANT_WRITES = { limit: 18_000, windowMs: 300_000 } as const;
export const IDENTITY_PROTECTION = { limit: 1, windowMs: 1000 } as const;

/** Replaces a documented limit, for tests (`resourceUnits` replaces the per-10-s RU of the tenant's size). */
export interface EntraRateLimitOverrides {
  resourceUnits?: number;
  writes?: number;
  tenantWrites?: number;
  identityProtection?: number;
}

const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** The resource units a request costs (throttling-limits, "identity and access … resource unit cost"). */
export function resourceUnits(method: string, path: string, query: URLSearchParams): number {
  if (WRITE_METHODS.has(method.toUpperCase())) return 1;
  let cost = path === "/v1.0/users" ? 2 : 1;
  if (query.has("$select")) cost -= 1;
  if (query.has("$expand")) cost += 1;
  const top = Number(query.get("$top"));
  if (query.has("$top") && Number.isFinite(top) && top < 20) cost -= 1;
  return Math.max(1, cost);
}

/** `Retry-After` in whole seconds (at least 1) and the emulator's exact `X-Cordon-Retry-After-Ms`. */
function retryHeaders(waitMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(waitMs));
  return { "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))), "X-Cordon-Retry-After-Ms": String(ms) };
}

export interface GraphRateLimiterOptions {
  windows: RateWindows;
  enforce: boolean;
  timeScale: number;
  overrides?: EntraRateLimitOverrides;
}

/** Runs after authentication (the limits are per app), on `/v1.0/*`. */
export function graphRateLimiter(options: GraphRateLimiterOptions): MiddlewareHandler<EntraEnv> {
  const { windows, enforce, overrides = {} } = options;
  return async (c, next) => {
    const url = new URL(c.req.url);
    const { appid, tid } = c.var.claims;
    const now = c.var.clock.now();

    if (url.pathname.startsWith("/v1.0/identityProtection/")) {
      const limit = overrides.identityProtection ?? IDENTITY_PROTECTION.limit;
      const decision = windows.take(`ip/${tid}`, { limit, windowMs: IDENTITY_PROTECTION.windowMs });
      if (enforce && !decision.allowed) {
        // Documented: identity protection 429s carry no Retry-After. Only when windows are compressed does the
        // emulator add its exact wait, so an uncompressed run sees exactly what Graph sends.
        const headers: Record<string, string> =
          options.timeScale === 1
            ? {}
            : { "X-Cordon-Retry-After-Ms": String(Math.max(1, Math.ceil(decision.resetAtMs - now))) };
        return graphError(c, 429, "TooManyRequests", "Please retry again later.", headers);
      }
      return next();
    }

    const scope = `${appid}/${tid}`;
    const throttleHeaders = (information: string) => ({
      "x-ms-throttle-scope": `Tenant_Application/ReadWrite/${appid}/${tid}`,
      "x-ms-throttle-information": information,
    });
    if (WRITE_METHODS.has(c.req.method.toUpperCase())) {
      const appWrites = windows.take(`w/${scope}`, {
        limit: overrides.writes ?? APP_WRITES.limit,
        windowMs: APP_WRITES.windowMs,
      });
      const tenantWrites = appWrites.allowed
        ? windows.take(`tw/${tid}`, {
            limit: overrides.tenantWrites ?? TENANT_WRITES.limit,
            windowMs: TENANT_WRITES.windowMs,
          })
        : appWrites;
      const refused = !appWrites.allowed ? appWrites : !tenantWrites.allowed ? tenantWrites : undefined;
      if (enforce && refused) {
        return graphError(c, 429, "TooManyRequests", "Please retry again later.", {
          ...retryHeaders(refused.resetAtMs - now),
          ...throttleHeaders("WriteLimitExceeded"),
        });
      }
    }
    const cost = resourceUnits(c.req.method, url.pathname, url.searchParams);
    const ruLimit = overrides.resourceUnits ?? RU_PER_10S[c.var.state.size];
    let decision = windows.take(`ru/${scope}`, { limit: ruLimit, windowMs: IDENTITY_WINDOW_MS });
    for (let i = 1; i < cost && decision.allowed; i++)
      decision = windows.take(`ru/${scope}`, { limit: ruLimit, windowMs: IDENTITY_WINDOW_MS });
    if (enforce && !decision.allowed) {
      return graphError(c, 429, "TooManyRequests", "Please retry again later.", {
        ...retryHeaders(decision.resetAtMs - now),
        ...throttleHeaders("ResourceUnitLimitExceeded"),
      });
    }
    await next();
    c.res.headers.set("x-ms-resource-unit", String(cost));
    const used = (ruLimit - decision.remaining) / ruLimit;
    if (used > 0.8) c.res.headers.set("x-ms-throttle-limit-percentage", used.toFixed(2));
  };
}
