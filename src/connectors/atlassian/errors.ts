import { CordonError } from "../../core/errors.ts";
import type { HttpResponse, VendorPolicy } from "../../http/client.ts";
import type { RateObservation } from "../../http/governor.ts";
import { headerNumber, retryAfterHeaderMs } from "../../http/headers.ts";

/**
 * The error bodies the two APIs answer with: the Organizations REST API's `{errors: [{id, status, code, title,
 * detail}]}` (codes such as `ADMIN-404-8` "User not found", `ADMIN-429-1` "Rate limit exceeded"), the user
 * management API's `{key}` (`forbidden`, `forbidden.targetUnverified`), and the gateway's `{code, message}`.
 */
interface AtlassianErrorBody {
  errors?: Array<{ code?: unknown; title?: unknown }>;
  key?: unknown;
  code?: unknown;
}

/**
 * `X-RateLimit-Reset` is "Next period reset time (ISO 8601 - Date and time in UTC)" (organization/rest/intro);
 * public clients parse it to the minute (`%Y-%m-%dT%H:%M%z`, hashicorp-forge/grove `connectors/atlassian/api.py`).
 * Epoch seconds or milliseconds are accepted too, in case a gateway sends those.
 */
export function parseReset(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n < 1e12 ? n * 1000 : n;
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function bodyOf(response: HttpResponse): AtlassianErrorBody {
  return typeof response.body === "object" && response.body !== null && !Array.isArray(response.body)
    ? (response.body as AtlassianErrorBody)
    : {};
}

/** The vendor's own code of an error reply, short and safe to record (never the whole body). */
function vendorCodeOf(body: AtlassianErrorBody): string | undefined {
  const first = body.errors?.[0]?.code;
  if (typeof first === "string") return first.slice(0, 60);
  if (typeof body.key === "string") return body.key.slice(0, 60);
  if (typeof body.code === "string" || typeof body.code === "number") return String(body.code).slice(0, 60);
  return undefined;
}

export const atlassianPolicy: VendorPolicy = {
  vendor: "atlassian",
  readRateLimit(response, now): RateObservation {
    // cordon's emulators add the exact wait on a 429 (their windows may be compressed); Atlassian never sends it.
    const precise = headerNumber(response, "x-cordon-retry-after-ms");
    return {
      limit: headerNumber(response, "x-ratelimit-limit"),
      remaining: headerNumber(response, "x-ratelimit-remaining"),
      resetAtMs:
        precise !== undefined ? now + precise : parseReset(response.headers.get("x-ratelimit-reset")),
    };
  },
  classify(response, operation, now) {
    const { status } = response;
    if (status < 400) return null;
    const body = bodyOf(response);
    const vendorCode = vendorCodeOf(body);
    const where = `atlassian ${operation}`;
    const code = vendorCode ? ` (${vendorCode})` : "";
    if (status === 429) {
      const precise = headerNumber(response, "x-cordon-retry-after-ms");
      const reset = parseReset(response.headers.get("x-ratelimit-reset"));
      const wait =
        precise ??
        retryAfterHeaderMs(response, now) ??
        (reset === undefined ? undefined : Math.max(0, reset - now));
      // Nothing said how long: wait a second rather than hammering.
      return new CordonError(
        { kind: "rate_limited", vendor: "atlassian", retryAfterMs: wait ?? 1000, vendorCode },
        `${where}: rate limited${code}`,
      );
    }
    if (status === 401)
      return new CordonError(
        { kind: "auth", vendor: "atlassian", vendorCode },
        `${where}: the organization API key was refused${code}`,
      );
    if (status === 403)
      return new CordonError(
        { kind: "forbidden", vendor: "atlassian", vendorCode },
        `${where}: not allowed${code}; the key must belong to an organization admin, and the user management API only acts on managed accounts`,
      );
    if (status === 404)
      return new CordonError(
        { kind: "not_found", vendor: "atlassian", vendorCode },
        `${where}: not found${code}`,
      );
    if (status === 409)
      return new CordonError(
        { kind: "conflict", vendor: "atlassian", vendorCode },
        `${where}: conflict${code}`,
      );
    if (status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "atlassian", status, vendorCode },
        `${where}: Atlassian failed with ${status}${code}`,
      );
    // The admin API's `title` is a fixed summary ("Invalid request body"), safe to show and what an admin searches for.
    const title = body.errors?.[0]?.title;
    const summary = typeof title === "string" ? `: ${title.slice(0, 120)}` : "";
    return new CordonError(
      { kind: "vendor", vendor: "atlassian", status, vendorCode },
      `${where}: ${status}${code}${summary}`,
    );
  },
};
