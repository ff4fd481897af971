import type { Context } from "hono";
import type { Clock } from "../../core/clock.ts";
import type { AtlassianState } from "./state.ts";

/** What the rate limiter decided for the current request, for the X-RateLimit-* headers. */
export interface RateHeaders {
  limit: number;
  remaining: number;
  resetAtMs: number;
}

export interface AtlassianEnv {
  Variables: {
    state: AtlassianState;
    clock: Clock;
    /** Set by the rate limiter before the fault middleware and the routes run. */
    rate: RateHeaders | undefined;
  };
}

export type AtlassianContext = Context<AtlassianEnv>;

/** Which of the two APIs a path belongs to: they answer errors in different envelopes. */
export type ApiFamily = "admin" | "user-management";

export function familyOf(path: string): ApiFamily | undefined {
  if (path.startsWith("/admin/")) return "admin";
  if (path.startsWith("/users/")) return "user-management";
  return undefined;
}
