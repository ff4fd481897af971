import type { MiddlewareHandler } from "hono";
import type { OktaEnv } from "./env.ts";
import { OktaErrors } from "./errors.ts";

/** Spec `securitySchemes`: `Authorization: SSWS {apiToken}` or `Authorization: Bearer {access_token}`. */
const AUTHORIZATION = /^(SSWS|Bearer)[ \t]+(\S+)[ \t]*$/i;

/**
 * Refuses a missing, malformed, unknown or revoked token with 401 E0000011 "Invalid token provided" (spec example
 * `ErrorInvalidTokenProvided`). Auth schemes compare case-insensitively (RFC 9110 §11.1).
 */
export function authenticate(): MiddlewareHandler<OktaEnv> {
  return async (c, next) => {
    const match = AUTHORIZATION.exec(c.req.header("Authorization") ?? "");
    const token = match?.[2];
    const state = c.var.state;
    if (
      !token ||
      state.revokedTokens.has(token) ||
      (state.acceptedTokens && !state.acceptedTokens.has(token))
    ) {
      return OktaErrors.invalidToken(c);
    }
    c.set("token", token);
    await next();
  };
}
