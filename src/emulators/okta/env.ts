import type { Context } from "hono";
import type { Clock } from "../../core/clock.ts";
import type { OktaState } from "./state.ts";

/** What the rate limiter decided for the current request, for the X-Rate-Limit-* headers. */
export interface RateHeaders {
  limit: number;
  remaining: number;
  resetAtMs: number;
}

export interface OktaEnv {
  Variables: {
    state: OktaState;
    clock: Clock;
    /** Set by the rate limiter before the fault middleware and the routes run. */
    rate: RateHeaders | undefined;
    /** The token from the Authorization header, once authenticated. */
    token: string;
  };
}

export type OktaContext = Context<OktaEnv>;

/** The org URL as the client reached it (Okta links are absolute: `https://{yourOktaDomain}/api/v1/…`). */
export function orgUrl(c: OktaContext): string {
  return new URL(c.req.url).origin;
}
