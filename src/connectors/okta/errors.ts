import { CordonError } from "../../core/errors.ts";
import type { VendorPolicy } from "../../http/client.ts";
import type { RateObservation } from "../../http/governor.ts";
import { headerNumber } from "../../http/headers.ts";

/** Okta's error body (spec `Error`): errorCode, errorSummary, errorLink, errorId, errorCauses. */
interface OktaErrorBody {
  errorCode?: string;
  errorSummary?: string;
  errorId?: string;
}

/**
 * Okta sends `X-Rate-Limit-Limit`, `-Remaining` and `-Reset` (UTC epoch *seconds*) on every reply, and no
 * Retry-After on a 429: clients wait until the reset (developer.okta.com/docs/reference/rl-best-practices/).
 */
export const oktaPolicy: VendorPolicy = {
  vendor: "okta",
  readRateLimit(response, now): RateObservation {
    const reset = headerNumber(response, "x-rate-limit-reset");
    // cordon's emulators add the exact wait when their windows are compressed; Okta itself never sends it.
    const precise = headerNumber(response, "x-cordon-retry-after-ms");
    return {
      limit: headerNumber(response, "x-rate-limit-limit"),
      remaining: headerNumber(response, "x-rate-limit-remaining"),
      resetAtMs: precise !== undefined ? now + precise : reset === undefined ? undefined : reset * 1000,
    };
  },
  classify(response, operation, now) {
    const { status } = response;
    if (status < 400) return null;
    const body = (typeof response.body === "object" && response.body ? response.body : {}) as OktaErrorBody;
    const vendorCode = body.errorCode;
    const where = `okta ${operation}`;
    const code = vendorCode ? ` (${vendorCode})` : "";
    if (status === 429) {
      const reset = oktaPolicy.readRateLimit(response, now).resetAtMs;
      // No reset header: wait one second rather than hammering.
      const retryAfterMs = reset === undefined ? 1000 : Math.max(0, reset - now);
      return new CordonError(
        { kind: "rate_limited", vendor: "okta", retryAfterMs, vendorCode },
        `${where}: rate limited${code}`,
      );
    }
    if (status === 401) {
      return new CordonError(
        { kind: "auth", vendor: "okta", vendorCode },
        `${where}: the API token was refused${code}`,
      );
    }
    if (status === 403) {
      return new CordonError(
        { kind: "forbidden", vendor: "okta", vendorCode },
        `${where}: the token's admin role does not allow this${code}`,
      );
    }
    if (status === 404)
      return new CordonError({ kind: "not_found", vendor: "okta", vendorCode }, `${where}: not found${code}`);
    if (status >= 500) {
      return new CordonError(
        { kind: "transient", vendor: "okta", status, vendorCode },
        `${where}: Okta failed with ${status}${code}`,
      );
    }
    // Okta's own summary is safe to show (it names fields, not secrets), and is what an admin searches for.
    const summary = body.errorSummary ? `: ${body.errorSummary.slice(0, 200)}` : "";
    return new CordonError(
      { kind: "vendor", vendor: "okta", status, vendorCode },
      `${where}: ${status}${code}${summary}`,
    );
  },
};
