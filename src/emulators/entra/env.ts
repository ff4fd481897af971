import type { Context } from "hono";
import type { Clock } from "../../core/clock.ts";
import type { EntraState } from "./state.ts";

/** The claims of an emulator access token that Graph routes read. */
export interface TokenClaims {
  appid: string;
  tid: string;
  oid: string;
  roles: string[];
  exp: number;
}

export interface EntraEnv {
  Variables: {
    state: EntraState;
    clock: Clock;
    /** Graph's `request-id`, echoed in `innerError`. */
    requestId: string;
    /** The caller's `client-request-id`, or a generated one (Graph echoes or invents it). */
    clientRequestId: string;
    /** Set by the bearer-token middleware for `/v1.0/*`. */
    claims: TokenClaims;
  };
}

export type EntraContext = Context<EntraEnv>;

/** The origin the client reached, used for every absolute URL the emulator returns (nextLink, endpoints). */
export function originOf(c: Context): string {
  return new URL(c.req.url).origin;
}
