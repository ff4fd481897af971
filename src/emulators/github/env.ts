import type { Context } from "hono";
import type { Clock } from "../../core/clock.ts";
import type { GithubState, TokenRecord, UserRecord } from "./state.ts";

/** What the primary rate limiter decided for the current request, for the `x-ratelimit-*` headers. */
export interface RateHeaders {
  limit: number;
  remaining: number;
  used: number;
  resetAtMs: number;
  resource: "core" | "graphql";
}

export interface GithubEnv {
  Variables: {
    state: GithubState;
    clock: Clock;
    requestId: string;
    /** The token from the Authorization header, once authenticated. */
    token: string;
    tokenRecord: TokenRecord;
    /** The user the token belongs to. */
    actor: UserRecord;
    rate: RateHeaders | undefined;
  };
}

export type GithubContext = Context<GithubEnv>;

/** The API base URL as the client reached it (GitHub's JSON links are absolute: `https://api.github.com/…`). */
export function apiBase(c: GithubContext): string {
  return new URL(c.req.url).origin;
}
