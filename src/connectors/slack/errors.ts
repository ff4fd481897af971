import { CordonError } from "../../core/errors.ts";
import type { VendorPolicy } from "../../http/client.ts";
import { retryAfterMs } from "../../http/headers.ts";

const AUTH_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
]);
const FORBIDDEN_ERRORS = new Set([
  "not_an_admin",
  "missing_scope",
  "no_permission",
  "not_allowed_token_type",
  "feature_not_enabled",
  "team_access_not_granted",
  "ekm_access_denied",
]);
const NOT_FOUND_ERRORS = new Set([
  "users_not_found",
  "user_not_found",
  "channel_not_found",
  "session_not_found",
  "message_not_found",
]);

/** Web API: errors arrive as HTTP 200 with `{"ok":false,"error":"…"}`; branch on `ok`, not on the status. */
export const slackWebPolicy: VendorPolicy = {
  vendor: "slack",
  readRateLimit: () => ({}),
  classify(response, operation, now) {
    const where = `slack ${operation}`;
    if (response.status === 429) {
      return new CordonError(
        {
          kind: "rate_limited",
          vendor: "slack",
          retryAfterMs: retryAfterMs(response, now, 1000),
          vendorCode: "ratelimited",
        },
        `${where}: rate limited`,
      );
    }
    if (response.status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "slack", status: response.status },
        `${where}: Slack failed with ${response.status}`,
      );
    const body = response.body as { ok?: boolean; error?: string; needed?: string } | string;
    if (typeof body !== "object" || body === null) {
      return new CordonError(
        { kind: "vendor", vendor: "slack", status: response.status },
        `${where}: unexpected reply (HTTP ${response.status})`,
      );
    }
    if (body.ok === true) return null;
    const code = typeof body.error === "string" ? body.error.slice(0, 80) : "unknown_error";
    if (code === "ratelimited")
      return new CordonError(
        {
          kind: "rate_limited",
          vendor: "slack",
          retryAfterMs: retryAfterMs(response, now, 1000),
          vendorCode: code,
        },
        `${where}: rate limited`,
      );
    if (AUTH_ERRORS.has(code))
      return new CordonError(
        { kind: "auth", vendor: "slack", vendorCode: code },
        `${where}: the token was refused (${code})`,
      );
    if (FORBIDDEN_ERRORS.has(code)) {
      const needed = typeof body.needed === "string" ? body.needed.slice(0, 80) : undefined;
      const scope = needed ? `; needs scope ${needed}` : "";
      return new CordonError(
        { kind: "forbidden", vendor: "slack", vendorCode: code, neededScope: needed },
        `${where}: not allowed (${code})${scope}`,
      );
    }
    if (NOT_FOUND_ERRORS.has(code))
      return new CordonError(
        { kind: "not_found", vendor: "slack", vendorCode: code },
        `${where}: not found (${code})`,
      );
    if (
      code === "internal_error" ||
      code === "fatal_error" ||
      code === "request_timeout" ||
      code === "service_unavailable"
    ) {
      return new CordonError(
        { kind: "transient", vendor: "slack", vendorCode: code },
        `${where}: Slack failed (${code})`,
      );
    }
    return new CordonError(
      { kind: "vendor", vendor: "slack", status: response.status, vendorCode: code },
      `${where}: ${code}`,
    );
  },
};

/** SCIM v2: RFC 7644 errors `{"schemas":[…Error],"detail":"…","status":"404"}` with real HTTP statuses. */
export const slackScimPolicy: VendorPolicy = {
  vendor: "slack",
  readRateLimit: () => ({}),
  classify(response, operation, now) {
    const { status } = response;
    if (status < 400) return null;
    const where = `slack SCIM ${operation}`;
    const body = (typeof response.body === "object" && response.body ? response.body : {}) as {
      detail?: string;
    };
    const detail = typeof body.detail === "string" ? body.detail.slice(0, 120) : undefined;
    const suffix = detail ? ` (${detail})` : "";
    if (status === 429)
      return new CordonError(
        { kind: "rate_limited", vendor: "slack", retryAfterMs: retryAfterMs(response, now, 1000) },
        `${where}: rate limited`,
      );
    if (status === 401)
      return new CordonError({ kind: "auth", vendor: "slack" }, `${where}: the token was refused`);
    if (status === 403)
      return new CordonError(
        { kind: "forbidden", vendor: "slack", vendorCode: detail },
        `${where}: not allowed${suffix}`,
      );
    if (status === 404) return new CordonError({ kind: "not_found", vendor: "slack" }, `${where}: not found`);
    if (status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "slack", status },
        `${where}: Slack failed with ${status}`,
      );
    return new CordonError(
      { kind: "vendor", vendor: "slack", status, vendorCode: detail },
      `${where}: ${status}${suffix}`,
    );
  },
};
