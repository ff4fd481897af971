import { CordonError } from "../../core/errors.ts";
import type { HttpResponse, VendorPolicy } from "../../http/client.ts";
import { retryAfterMs } from "../../http/headers.ts";

/**
 * Legacy connectors report some failures inside a 200 reply's text instead of its status: "Connectors do not
 * throw 429s … if (responseContent.Contains("Microsoft Teams endpoint returned HTTP error 429"))"
 * (connectors-using, "Rate limiting for connectors"). The same wording carries 413 for oversized messages.
 */
function embeddedStatus(response: HttpResponse): number | null {
  if (response.status !== 200 || typeof response.body !== "string") return null;
  const match = /returned HTTP error (\d{3})/.exec(response.body);
  return match ? Number(match[1]) : null;
}

/** A Logic Apps / Workflows error code (`{"error":{"code":"…"}}`), letters only, never the message text. */
function vendorCodeOf(response: HttpResponse): string | undefined {
  const body = response.body as { error?: { code?: unknown } } | null;
  const code = typeof body === "object" && body ? body.error?.code : undefined;
  return typeof code === "string" && /^[A-Za-z]{1,80}$/.test(code) ? code : undefined;
}

/**
 * Success: Workflows answers 202 Accepted (the flow then posts), legacy incoming webhooks 200 with body "1".
 * Messages say "webhook", never the URL: it is the credential.
 */
export const teamsPolicy: VendorPolicy = {
  vendor: "teams",
  readRateLimit: () => ({}),
  classify(response, operation, now) {
    const where = `teams ${operation}`;
    const status = embeddedStatus(response) ?? response.status;
    if (status >= 200 && status < 300) return null;
    const vendorCode = vendorCodeOf(response);
    if (status === 429)
      return new CordonError(
        { kind: "rate_limited", vendor: "teams", retryAfterMs: retryAfterMs(response, now, 1000) },
        `${where}: throttled (more than 4 posts a second to this channel)`,
      );
    if (status === 401 || status === 403)
      return new CordonError(
        { kind: "auth", vendor: "teams", vendorCode },
        `${where}: the webhook URL was refused (its signature is wrong or was regenerated)`,
      );
    if (status === 404 || status === 410)
      return new CordonError(
        { kind: "not_found", vendor: "teams", vendorCode, what: "webhook" },
        `${where}: the webhook no longer exists (the workflow or connector was removed)`,
      );
    if (status === 413)
      return new CordonError(
        { kind: "vendor", vendor: "teams", status, vendorCode },
        `${where}: the message is larger than Teams' 28 KB limit`,
      );
    if (status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "teams", status, vendorCode },
        `${where}: Teams failed with ${status}`,
      );
    const suffix = vendorCode ? ` (${vendorCode})` : "";
    return new CordonError(
      { kind: "vendor", vendor: "teams", status, vendorCode },
      `${where}: refused with ${status}${suffix}`,
    );
  },
};
