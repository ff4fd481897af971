import { CordonError } from "../../core/errors.ts";
import type { HttpResponse, VendorPolicy } from "../../http/client.ts";
import { retryAfterMs } from "../../http/headers.ts";

/** Graph's error envelope (learn.microsoft.com/graph/errors): `{"error":{"code","message","innerError":{…}}}`. */
interface GraphErrorBody {
  error?: { code?: string; message?: string };
}

/** Identity Protection (riskyUsers) sends no Retry-After on a 429; the documented advice is to back off. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * The permission a refusal names, when it names one. Workloads behind Graph's permission gateway answer "Missing
 * role permissions on the request. API requires one of 'A, B'. Roles on the request '…'."; the first listed is
 * the least privileged. Directory refusals ("Insufficient privileges to complete the operation.") name none.
 */
export function neededScopeOf(message: string | undefined): string | undefined {
  const match = /API requires one of '([^']+)'/i.exec(message ?? "");
  const first = match?.[1]?.split(",")[0]?.trim();
  return first ? first.slice(0, 80) : undefined;
}

/** Graph's 400 for a member who already is one (group-post-members); cordon treats it as already in state. */
const ALREADY_MEMBER = /added object references already exist/i;

function errorOf(response: HttpResponse): { code?: string; message?: string } {
  const body = response.body as GraphErrorBody | string;
  if (typeof body !== "object" || body === null || typeof body.error !== "object") return {};
  return {
    code: typeof body.error.code === "string" ? body.error.code.slice(0, 80) : undefined,
    message: typeof body.error.message === "string" ? body.error.message.slice(0, 300) : undefined,
  };
}

/**
 * Graph: errors arrive with real HTTP statuses and the envelope above. Graph sends no remaining/reset headers on
 * success (only `x-ms-resource-unit`, and `x-ms-throttle-limit-percentage` past 80 %), so pacing rests on the
 * documented limits and 429s' Retry-After.
 */
export const graphPolicy: VendorPolicy = {
  vendor: "entra",
  readRateLimit: () => ({}),
  classify(response, operation, now) {
    const { status } = response;
    if (status < 400) return null;
    const { code, message } = errorOf(response);
    const where = `entra ${operation}`;
    const tag = code ? ` (${code})` : "";
    if (status === 429)
      return new CordonError(
        {
          kind: "rate_limited",
          vendor: "entra",
          retryAfterMs: retryAfterMs(response, now, DEFAULT_RETRY_AFTER_MS),
          vendorCode: code,
        },
        `${where}: throttled${tag}`,
      );
    if (status === 401)
      return new CordonError(
        { kind: "auth", vendor: "entra", vendorCode: code },
        `${where}: the access token was refused${tag}`,
      );
    if (status === 403) {
      const neededScope = neededScopeOf(message);
      const needs = neededScope ? `; the app needs the application permission ${neededScope}` : "";
      return new CordonError(
        { kind: "forbidden", vendor: "entra", vendorCode: code, neededScope },
        `${where}: not allowed${tag}${needs}`,
      );
    }
    if (status === 404)
      return new CordonError(
        { kind: "not_found", vendor: "entra", vendorCode: code },
        `${where}: not found${tag}`,
      );
    if (status === 400 && ALREADY_MEMBER.test(message ?? ""))
      return new CordonError(
        { kind: "already_in_state", vendor: "entra", vendorCode: code },
        `${where}: already a member${tag}`,
      );
    if (status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "entra", status, vendorCode: code },
        `${where}: Graph failed with ${status}${tag}`,
      );
    // Graph's own message names properties and objects, not secrets, and is what an admin searches for.
    const detail = message ? `: ${message}` : "";
    return new CordonError(
      { kind: "vendor", vendor: "entra", status, vendorCode: code },
      `${where}: ${status}${tag}${detail}`,
    );
  },
};
