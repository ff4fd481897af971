import type { Context } from "hono";
import type { FaultRule } from "../kit/faults.ts";
import { scimError } from "./scim.ts";
import { slackJson } from "./web-api.ts";

const REASONS: Record<number, string> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Injected faults in Slack's forms. Web API 429: HTTP 429, `Retry-After` and `{"ok":false,"error":"ratelimited"}`.
 * Other Web API statuses come from Slack's edge, not the method layer: a plain-text body (its exact text is
 * unverified), which @slack/web-api surfaces as `WebAPIHTTPError`. SCIM: the RFC 7644 error envelope.
 * `retryAfterSeconds` (default 1) is sent as given, rounded up to whole seconds, plus the emulator's
 * `X-Cordon-Retry-After-Ms`.
 */
export function renderSlackFault(c: Context, rule: FaultRule): Response {
  const status = rule.status ?? 500;
  const seconds = rule.retryAfterSeconds ?? 1;
  const retry: Record<string, string> =
    status === 429
      ? {
          "Retry-After": String(Math.ceil(seconds)),
          "X-Cordon-Retry-After-Ms": String(Math.round(seconds * 1000)),
        }
      : {};
  const reason = REASONS[status] ?? "Error";
  if (new URL(c.req.url).pathname.startsWith("/scim/")) return scimError(status, reason, undefined, retry);
  if (status === 429) return slackJson({ ok: false, error: "ratelimited" }, 429, retry);
  return new Response(`${status} ${reason}`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
