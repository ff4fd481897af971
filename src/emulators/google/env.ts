import type { Context } from "hono";
import type { Clock } from "../../core/clock.ts";
import type { AccessTokenRecord, GoogleState } from "./state.ts";

export interface GoogleEnv {
  Variables: {
    state: GoogleState;
    clock: Clock;
    /** The access token of the request, once authenticated (Directory routes only). */
    grant: AccessTokenRecord;
  };
}

export type GoogleContext = Context<GoogleEnv>;

/** Where the Directory API lives under the root URL (Discovery doc `servicePath` + method paths). */
export const DIRECTORY_BASE = "/admin/directory/v1";
