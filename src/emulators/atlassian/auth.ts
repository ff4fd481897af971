import type { MiddlewareHandler } from "hono";
import type { AtlassianEnv } from "./env.ts";
import { gatewayError } from "./errors.ts";

/** "Use the API Key as a Bearer access token" (organization/rest/intro, "Authentication"); schemes compare case-insensitively (RFC 9110 §11.1). */
const AUTHORIZATION = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Refuses a missing, malformed or unknown organization API key with 401, as the gateway does. */
export function authenticate(): MiddlewareHandler<AtlassianEnv> {
  return async (c, next) => {
    const key = AUTHORIZATION.exec(c.req.header("Authorization") ?? "")?.[1];
    const accepted = c.var.state.acceptedKeys;
    if (!key || (accepted && !accepted.has(key))) return gatewayError(c, 401, "Unauthorized");
    await next();
  };
}
