import { CordonError } from "../../core/errors.ts";
import type { HttpResponse, VendorPolicy } from "../../http/client.ts";
import { retryAfterMs } from "../../http/headers.ts";

const AUTH = "https://www.googleapis.com/auth/";
export const GOOGLE_SCOPES = {
  /** users.get, users.list, users.update (Discovery `directory.users.*`). */
  user: `${AUTH}admin.directory.user`,
  /** users.signOut, users.tokens.*, users.asps.* (Discovery). */
  userSecurity: `${AUTH}admin.directory.user.security`,
} as const;

/**
 * The scope an operation needs (the Discovery doc's `scopes` of each method, least-privileged choice), so a 403
 * insufficientPermissions names it.
 */
export function scopeFor(operation: string): string {
  return /\/(signOut|tokens|asps)\b/.test(operation) ? GOOGLE_SCOPES.userSecurity : GOOGLE_SCOPES.user;
}

/** Google's JSON error envelope: `{"error":{"code","message","errors":[{"message","domain","reason"}],"status"}}`. */
interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    errors?: Array<{ reason?: string; domain?: string }>;
  };
}

/** The first `errors[].reason`, else the google.rpc `status` (e.g. `RESOURCE_EXHAUSTED`). */
export function googleReason(response: HttpResponse): string | undefined {
  const body = (typeof response.body === "object" && response.body ? response.body : {}) as GoogleErrorBody;
  const reason = body.error?.errors?.find((e) => typeof e.reason === "string")?.reason ?? body.error?.status;
  return typeof reason === "string" ? reason.slice(0, 60) : undefined;
}

function googleMessage(response: HttpResponse): string | undefined {
  const body = (typeof response.body === "object" && response.body ? response.body : {}) as GoogleErrorBody;
  return typeof body.error?.message === "string" ? body.error.message.slice(0, 200) : undefined;
}

/** Quota reasons (limits page): per-user rate, concurrent requests (403 and 429 forms). */
const RATE_REASONS = new Set([
  "userRateLimitExceeded",
  "rateLimitExceeded",
  "quotaExceeded",
  "RESOURCE_EXHAUSTED",
]);

/** The scopes a 403 insufficient_scope challenge says the method accepts (RFC 6750 §3). */
function challengedScopes(response: HttpResponse): string | undefined {
  const header = response.headers.get("www-authenticate") ?? "";
  return /scope="([^"]+)"/.exec(header)?.[1]?.slice(0, 300);
}

/**
 * Google Directory replies → CordonError kinds. 403 is overloaded: quota (`userRateLimitExceeded`,
 * `quotaExceeded`), missing scope (`insufficientPermissions`) and missing admin rights (`forbidden`, "Not
 * Authorized to access this resource/api") are told apart by `errors[].reason`. `dailyLimitExceeded` is not
 * retried ("Do not retry without fixing the problem").
 */
export const googlePolicy: VendorPolicy = {
  vendor: "google",
  readRateLimit: () => ({}),
  classify(response, operation, now) {
    const { status } = response;
    if (status < 400) return null;
    const reason = googleReason(response);
    const where = `google ${operation}`;
    const code = reason ? ` (${reason})` : "";
    if (status === 429 || (status === 403 && reason !== undefined && RATE_REASONS.has(reason))) {
      return new CordonError(
        {
          kind: "rate_limited",
          vendor: "google",
          retryAfterMs: retryAfterMs(response, now, 1000),
          vendorCode: reason,
        },
        `${where}: rate limited${code}`,
      );
    }
    if (status === 401) {
      return new CordonError(
        { kind: "auth", vendor: "google", vendorCode: reason },
        `${where}: the access token was refused${code}`,
      );
    }
    if (status === 403 && reason === "insufficientPermissions") {
      const scope = scopeFor(operation);
      const accepted = challengedScopes(response);
      return new CordonError(
        { kind: "forbidden", vendor: "google", vendorCode: reason, neededScope: scope },
        `${where}: the token lacks the scope ${scope}; grant it to the service account's client id in ` +
          `Admin console > Security > API controls > Domain-wide delegation${accepted ? ` (Google accepts: ${accepted})` : ""}`,
      );
    }
    if (status === 403) {
      return new CordonError(
        { kind: "forbidden", vendor: "google", vendorCode: reason },
        reason === "forbidden"
          ? `${where}: the impersonated admin is not allowed to do this (forbidden: not a super admin, a role ` +
              "without this privilege, or a user outside the customer)"
          : `${where}: not allowed${code}`,
      );
    }
    if (status === 404) {
      return new CordonError(
        { kind: "not_found", vendor: "google", vendorCode: reason },
        `${where}: not found`,
      );
    }
    if (status === 409 || status === 412) {
      return new CordonError(
        { kind: "conflict", vendor: "google", vendorCode: reason },
        `${where}: ${status}${code}`,
      );
    }
    if (status >= 500) {
      return new CordonError(
        { kind: "transient", vendor: "google", status, vendorCode: reason },
        `${where}: Google failed with ${status}${code}`,
      );
    }
    // Google's own message names fields and values, never credentials; it is what an admin searches for.
    const message = googleMessage(response);
    return new CordonError(
      { kind: "vendor", vendor: "google", status, vendorCode: reason },
      `${where}: ${status}${code}${message ? `: ${message}` : ""}`,
    );
  },
};
