import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { EntraContext } from "./env.ts";

/** Graph's `innerError.date`: UTC, whole seconds, no zone designator (e.g. `2025-02-09T09:09:30`). */
export function innerErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/**
 * Graph's error envelope (learn.microsoft.com/graph/errors): `{"error":{"code","message","innerError":{"date",
 * "request-id","client-request-id"}}}` with the HTTP status carrying the class of error.
 */
export function graphError(
  c: EntraContext,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body = {
    error: {
      code,
      message,
      innerError: {
        date: innerErrorDate(c.var.clock.now()),
        "request-id": c.var.requestId,
        "client-request-id": c.var.clientRequestId,
      },
    },
  };
  return c.json(body, status, headers);
}

/** The errors the emulator returns, each with where its code and message come from. */
export const GraphErrors = {
  /**
   * No token: Graph answers 401 InvalidAuthenticationToken "Access token is empty." with a `WWW-Authenticate`
   * challenge (learn.microsoft.com/graph/resolve-auth-errors).
   */
  tokenEmpty: (c: EntraContext) =>
    graphError(c, 401, "InvalidAuthenticationToken", "Access token is empty.", challenge()),
  /** A token that is not a JWT: Graph's wire text "CompactToken parsing failed with error code: 80049217". */
  tokenMalformed: (c: EntraContext) =>
    graphError(
      c,
      401,
      "InvalidAuthenticationToken",
      "CompactToken parsing failed with error code: 80049217",
      challenge(),
    ),
  tokenInvalid: (c: EntraContext, why: string) =>
    graphError(c, 401, "InvalidAuthenticationToken", `Access token validation failure. ${why}`, challenge()),
  tokenExpired: (c: EntraContext) =>
    graphError(
      c,
      401,
      "InvalidAuthenticationToken",
      "Lifetime validation failed, the token is expired.",
      challenge(),
    ),
  /**
   * Directory (users, groups) refusals: 403 Authorization_RequestDenied "Insufficient privileges to complete the
   * operation." Graph's text names no permission (learn.microsoft.com/graph/resolve-auth-errors), so neither does
   * the emulator: a client must know which permission each call needs.
   */
  insufficientPrivileges: (c: EntraContext) =>
    graphError(c, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
  /**
   * Workloads behind Graph's permission gateway (Identity Protection here) refuse with "Missing role permissions on
   * the request. API requires one of '…'. Roles on the request '…'." (the wire text of Teams and other workloads;
   * its code for Identity Protection is **unverified**: `Forbidden` as for those workloads).
   */
  missingRole: (c: EntraContext, accepted: readonly string[], held: readonly string[]) =>
    graphError(
      c,
      403,
      "Forbidden",
      `Missing role permissions on the request. API requires one of '${accepted.join(", ")}'. Roles on the request '${held.join(", ")}'.`,
    ),
  /** Directory objects: "Resource '{id}' does not exist or one of its queried reference-property objects are not present." */
  notFound: (c: EntraContext, id: string) =>
    graphError(
      c,
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  /** An unknown path segment: 400 BadRequest "Resource not found for the segment '…'." */
  segmentNotFound: (c: EntraContext, segment: string) =>
    graphError(c, 400, "BadRequest", `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: (c: EntraContext) =>
    graphError(c, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."),
  badRequest: (c: EntraContext, message: string) => graphError(c, 400, "Request_BadRequest", message),
  /** OData query errors come from the OData layer with code `BadRequest`. */
  badQuery: (c: EntraContext, message: string) => graphError(c, 400, "BadRequest", message),
  internal: (c: EntraContext) =>
    graphError(
      c,
      500,
      "InternalServerError",
      "An internal server error occurred while processing the request.",
    ),
};

/** Graph's 401 challenge header. */
function challenge(): Record<string, string> {
  return {
    "WWW-Authenticate":
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  };
}

/** Graph's code for an injected status (learn.microsoft.com/graph/errors, "HTTP status codes" and "Code property"). */
export function codeForStatus(status: number): { code: string; message: string } {
  const table: Record<number, { code: string; message: string }> = {
    400: { code: "BadRequest", message: "Cannot process the request because it is malformed or incorrect." },
    401: { code: "InvalidAuthenticationToken", message: "Access token validation failure." },
    403: {
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    },
    404: { code: "Request_ResourceNotFound", message: "The requested resource doesn't exist." },
    409: { code: "conflict", message: "The current state conflicts with what the request expects." },
    429: { code: "TooManyRequests", message: "Please retry again later." },
    500: {
      code: "InternalServerError",
      message: "There was an internal server error while processing the request.",
    },
    502: { code: "BadGateway", message: "Bad gateway." },
    503: { code: "serviceNotAvailable", message: "The service is temporarily unavailable. Try again later." },
    504: {
      code: "GatewayTimeout",
      message: "The server, while acting as a proxy, didn't receive a timely response.",
    },
  };
  return table[status] ?? (status >= 500 ? table[500]! : table[400]!);
}
