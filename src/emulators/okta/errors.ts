import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { OktaContext } from "./env.ts";

/**
 * Okta's error envelope (spec `components.schemas.Error`; doc developer.okta.com/docs/reference/error-codes):
 * `{errorCode, errorSummary, errorLink, errorId, errorCauses}`. errorLink repeats the code; errorId is an opaque
 * `oae…` id (spec examples `ErrorAlreadyRegistered`, `ErrorInvalidSession`).
 */
export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: Array<{ errorSummary: string }>;
}

export function oktaErrorBody(
  c: OktaContext,
  code: string,
  summary: string,
  causes: string[] = [],
): OktaErrorBody {
  return {
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    errorId: c.var.state.ids.next("oae", 25),
    errorCauses: causes.map((errorSummary) => ({ errorSummary })),
  };
}

export function oktaError(
  c: OktaContext,
  status: ContentfulStatusCode,
  code: string,
  summary: string,
  causes: string[] = [],
): Response {
  return c.json(oktaErrorBody(c, code, summary, causes), status);
}

/** The errors the emulator returns, each with the source of its code and summary. */
export const OktaErrors = {
  /** Spec example `ErrorInvalidTokenProvided` (401). */
  invalidToken: (c: OktaContext) => oktaError(c, 401, "E0000011", "Invalid token provided"),
  /** Spec example `ErrorResourceNotFound` ("Not found: {0}"); the `Resource not found: <id> (<Type>)` form is Okta's wire text. */
  notFound: (c: OktaContext, id: string, type = "User") =>
    oktaError(c, 404, "E0000007", `Not found: Resource not found: ${id} (${type})`),
  /** Error-codes doc: E0000008 "The requested path was not found" (404). */
  pathNotFound: (c: OktaContext) => oktaError(c, 404, "E0000008", "The requested path was not found"),
  /** Error-codes doc: E0000022 "The endpoint does not support the provided HTTP method" (405). */
  methodNotAllowed: (c: OktaContext) =>
    oktaError(c, 405, "E0000022", "The endpoint does not support the provided HTTP method"),
  /** Spec example `ErrorApiValidationFailed`: "Api validation failed: {0}" (400). */
  validation: (c: OktaContext, subject: string, causes: string[] = []) =>
    oktaError(c, 400, "E0000001", `Api validation failed: ${subject}`, causes),
  /** Spec example `ErrorMissingRequiredParameter` (400), used by the spec for `required: true` query parameters. */
  missingParameter: (c: OktaContext) =>
    oktaError(c, 400, "E0000028", "The request is missing a required parameter."),
  /** Error-codes doc: E0000003 "The request body was not well-formed." (400). */
  malformedBody: (c: OktaContext) => oktaError(c, 400, "E0000003", "The request body was not well-formed."),
  /**
   * E0000031 (400). Summary for `search` as reported in okta/okta-sdk-dotnet#323 ("Invalid Search Criteria");
   * for `filter` as listed in Okta.Core OktaErrorCodes ("Bad request. Invalid filter parameter.").
   */
  invalidSearch: (c: OktaContext, detail: string) =>
    oktaError(c, 400, "E0000031", "Invalid search criteria.", [detail]),
  invalidFilter: (c: OktaContext, detail: string) =>
    oktaError(c, 400, "E0000031", "Bad request. Invalid filter parameter.", [detail]),
  /** Error-codes list (Okta.Core OktaErrorCodes): E0000033 (400). */
  searchAndFilter: (c: OktaContext) =>
    oktaError(
      c,
      400,
      "E0000033",
      "Bad request. Can't specify a search query and filter in the same request.",
    ),
  /** Error-codes doc: E0000016 "Activation failed because the user is already active" (403). */
  alreadyActive: (c: OktaContext) =>
    oktaError(c, 403, "E0000016", "Activation failed because the user is already active"),
  /** Error-codes doc: E0000038 "This operation is not allowed in the user's current status." (403). */
  notAllowedInStatus: (c: OktaContext) =>
    oktaError(c, 403, "E0000038", "This operation is not allowed in the user's current status."),
  /** Error-codes doc: E0000032 "Unlock is not allowed for this user." (403). */
  unlockNotAllowed: (c: OktaContext) => oktaError(c, 403, "E0000032", "Unlock is not allowed for this user."),
  /** Spec example `ErrorTooManyRequests` (429). */
  rateLimited: (c: OktaContext) =>
    oktaError(c, 429, "E0000047", "API call exceeded rate limit due to too many requests."),
  /** Spec example `ErrorInternalServer` (its errorLink reads E0000000, an apparent typo; we repeat the code). */
  internal: (c: OktaContext) => oktaError(c, 500, "E0000009", "Internal Server Error"),
};

/** Okta's code for an arbitrary status, for injected faults (error-codes doc). */
export function errorForStatus(status: number): { code: string; summary: string } {
  const table: Record<number, { code: string; summary: string }> = {
    400: { code: "E0000001", summary: "Api validation failed: request" },
    401: { code: "E0000011", summary: "Invalid token provided" },
    403: { code: "E0000006", summary: "You do not have permission to perform the requested action" },
    404: { code: "E0000007", summary: "Not found: Resource not found" },
    405: { code: "E0000022", summary: "The endpoint does not support the provided HTTP method" },
    429: { code: "E0000047", summary: "API call exceeded rate limit due to too many requests." },
    500: { code: "E0000009", summary: "Internal Server Error" },
    // Error-codes doc: E0000010 "Service is in read only mode" is Okta's documented 503.
    503: { code: "E0000010", summary: "Service is in read only mode" },
  };
  return (
    table[status] ?? (status >= 500 ? { code: "E0000009", summary: "Internal Server Error" } : table[400]!)
  );
}
