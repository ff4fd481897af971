import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Google's JSON error envelope for Discovery-based APIs (developers.google.com/workspace/admin/directory/v1/limits
 * shows the `code`/`reason` pairs; cloud.google.com/apis/design/errors#http_mapping gives `status` per code):
 * `{"error":{"code":404,"message":"…","errors":[{"message":"…","domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}}`.
 */
export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorItem[]; status: string };
}

/** google.rpc.Code names for the HTTP statuses the Directory API returns (cloud.google.com/apis/design/errors). */
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  412: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function googleErrorBody(
  code: number,
  message: string,
  item: Partial<GoogleErrorItem> & { reason: string },
): GoogleErrorBody {
  return {
    error: {
      code,
      message,
      errors: [{ message: item.message ?? message, domain: item.domain ?? "global", ...item }],
      status: STATUS_NAMES[code] ?? (code >= 500 ? "INTERNAL" : "INVALID_ARGUMENT"),
    },
  };
}

export function googleError(
  c: Context,
  code: ContentfulStatusCode,
  message: string,
  item: Partial<GoogleErrorItem> & { reason: string },
): Response {
  return c.json(googleErrorBody(code, message, item), code);
}

/**
 * The `WWW-Authenticate` challenge Google sends with 401s and with 403 insufficient-scope replies (RFC 6750 §3;
 * seen on the wire in googleapis/google-api-ruby-client#683: `Bearer realm="https://accounts.google.com/",
 * error=insufficient_scope, scope="…"`).
 */
function challenge(extra = ""): string {
  return `Bearer realm="https://accounts.google.com/"${extra}`;
}

/** The errors the emulator returns, each with where its wording comes from. */
export const GoogleErrors = {
  /**
   * No credential at all: 401 `required` "Login Required." (Google's standard reply; the message is the one
   * googleapis clients print for a request without a token).
   */
  loginRequired: (c: Context) => {
    const response = googleError(
      c,
      401,
      "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
      { message: "Login Required.", reason: "required", location: "Authorization", locationType: "header" },
    );
    response.headers.set("WWW-Authenticate", challenge());
    return response;
  },
  /** An unknown, expired or revoked access token: 401 `authError` "Invalid Credentials". */
  invalidCredentials: (c: Context) => {
    const response = googleError(
      c,
      401,
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
      {
        message: "Invalid Credentials",
        reason: "authError",
        location: "Authorization",
        locationType: "header",
      },
    );
    response.headers.set("WWW-Authenticate", challenge(', error="invalid_token"'));
    return response;
  },
  /**
   * The token lacks every scope the method accepts: 403 `insufficientPermissions` (googleworkspace/cli#519,
   * m3talstorm/ymi.js#1). The challenge lists the scopes the method accepts (Discovery doc `scopes`); nothing
   * secret is named.
   */
  insufficientScopes: (c: Context, acceptable: readonly string[]) => {
    const response = googleError(c, 403, "Request had insufficient authentication scopes.", {
      message: "Insufficient Permission",
      reason: "insufficientPermissions",
    });
    response.headers.set(
      "WWW-Authenticate",
      challenge(`, error="insufficient_scope", scope="${acceptable.join(" ")}"`),
    );
    return response;
  },
  /**
   * The impersonated user is not an administrator (or the customer is not theirs): 403 `forbidden`
   * "Not Authorized to access this resource/api" (googleapis/google-api-nodejs-client#1884, #615;
   * googleapis/google-api-go-client#1724).
   */
  notAuthorized: (c: Context) =>
    googleError(c, 403, "Not Authorized to access this resource/api", { reason: "forbidden" }),
  /** `Resource Not Found: userKey` (the brief; Google's wire text for users.get of an unknown user). */
  notFound: (c: Context, what: string) =>
    googleError(c, 404, `Resource Not Found: ${what}`, { reason: "notFound" }),
  /** An unknown path or method. */
  pathNotFound: (c: Context) => googleError(c, 404, "Not Found", { reason: "notFound" }),
  /** A parameter outside its Discovery `minimum`/`maximum` (Google's standard range message). */
  outOfRange: (c: Context, parameter: string, value: string, min: number, max: number) =>
    googleError(c, 400, `Invalid value '${value}'. Values must be within the range: [${min}, ${max}]`, {
      reason: "invalid",
      location: parameter,
      locationType: "parameter",
    }),
  /** A value the method cannot use (unverified wording: Google says "Invalid Input: <what>" for bad fields). */
  invalidInput: (c: Context, what: string) =>
    googleError(c, 400, `Invalid Input: ${what}`, { reason: "invalid" }),
  /** users.list without `customer` or `domain` (Discovery: "You must provide either the customer or the domain parameter."). */
  badRequest: (c: Context) => googleError(c, 400, "Bad Request", { reason: "badRequest" }),
  /**
   * The per-user quota (developers.google.com/workspace/admin/directory/v1/limits: "403 userRateLimitExceeded …
   * 2,400 queries per minute per user per Google Cloud project"; domain `usageLimits` per contracts §3.6).
   */
  userRateLimited: (c: Context) =>
    googleError(c, 403, "User Rate Limit Exceeded", {
      domain: "usageLimits",
      reason: "userRateLimitExceeded",
    }),
  /**
   * Concurrent requests per Workspace account (same limits page: "429 rateLimitExceeded … This limit is per Google
   * Workspace account, not per API client or per user. This limit can't be increased.").
   */
  rateLimited: (c: Context) =>
    googleError(c, 429, "Rate Limit Exceeded", { domain: "usageLimits", reason: "rateLimitExceeded" }),
  /** `backendError` is the reason Google gives with its 5xx replies. */
  backend: (c: Context, code: ContentfulStatusCode = 500) =>
    googleError(
      c,
      code,
      code === 503 ? "The service is currently unavailable." : "Internal error encountered.",
      { reason: "backendError" },
    ),
};

/** Google's envelope for an arbitrary status, for injected faults. */
export function faultBody(status: number, rateLimitForm: boolean): GoogleErrorBody {
  if (status === 403 && rateLimitForm)
    return googleErrorBody(403, "User Rate Limit Exceeded", {
      domain: "usageLimits",
      reason: "userRateLimitExceeded",
    });
  const table: Record<number, [string, string]> = {
    400: ["Bad Request", "badRequest"],
    401: ["Invalid Credentials", "authError"],
    403: ["Not Authorized to access this resource/api", "forbidden"],
    404: ["Not Found", "notFound"],
    409: ["Entity already exists.", "duplicate"],
    412: ["Precondition Failed", "conditionNotMet"],
    429: ["Rate Limit Exceeded", "rateLimitExceeded"],
    503: ["The service is currently unavailable.", "backendError"],
  };
  const [message, reason] =
    table[status] ??
    (status >= 500 ? ["Internal error encountered.", "backendError"] : ["Bad Request", "badRequest"]);
  return googleErrorBody(status, message, {
    reason,
    ...(status === 403 || status === 429
      ? { domain: reason === "forbidden" ? "global" : "usageLimits" }
      : {}),
  });
}
