import { CordonError } from "../../core/errors.ts";
import type { VendorPolicy } from "../../http/client.ts";
import type { RateObservation } from "../../http/governor.ts";
import { emulatorRetryAfterMs } from "../../http/headers.ts";
import { IAM_THROTTLE_BACKOFF_MS } from "./rate-limits.ts";

/** The fields of an awsQuery `<ErrorResponse><Error>…</Error></ErrorResponse>` (contracts.md §3.7). */
export interface IamErrorBody {
  type?: string;
  code?: string;
  message?: string;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : unescapeXml(match[1].trim());
}

export function parseIamError(body: unknown): IamErrorBody {
  if (typeof body !== "string") return {};
  const error = /<Error>([\s\S]*?)<\/Error>/.exec(body)?.[1];
  if (error === undefined) return {};
  return { type: tag(error, "Type"), code: tag(error, "Code"), message: tag(error, "Message") };
}

/** Throttling codes the AWS SDKs treat as such; IAM itself answers `Throttling` "Rate exceeded" (HTTP 400). */
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);

/** The credential itself was refused (IAM CommonErrors; SigV4 failures). */
const AUTH = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
]);

/** Authenticated, not allowed: IAM answers `AccessDenied` (403); other AWS services spell it differently. */
const FORBIDDEN = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "NotAuthorized",
  "UnauthorizedOperation",
]);

/**
 * Model errors that say "try again": ConcurrentModification ("multiple requests to change this object were
 * submitted simultaneously", 409) and the 5xx ones (ServiceFailure 500, ServiceUnavailable 503).
 */
const TRANSIENT = new Set([
  "ConcurrentModification",
  "ServiceFailure",
  "ServiceUnavailable",
  "InternalFailure",
]);

/** Model 409s that mean the entity is not in a state for the call. */
const CONFLICT = new Set([
  "EntityAlreadyExists",
  "EntityTemporarilyUnmodifiable",
  "DeleteConflict",
  "LimitExceeded",
]);

/**
 * IAM's classification. IAM sends no rate-limit headers; cordon's emulator adds `X-Cordon-Retry-After-Ms` to its
 * throttles (AWS never sends it). Messages name the operation and IAM's error code, never a credential; IAM's own
 * message is added only for codes whose text names entities, not secrets.
 */
export const awsIamPolicy: VendorPolicy = {
  vendor: "aws",
  readRateLimit(response, now): RateObservation {
    const precise = emulatorRetryAfterMs(response);
    return precise === undefined ? {} : { remaining: 0, resetAtMs: now + precise };
  },
  classify(response, operation) {
    const { status } = response;
    if (status < 300) return null;
    const error = parseIamError(response.body);
    const vendorCode = error.code;
    const where = `aws ${operation}`;
    const code = vendorCode ? ` (${vendorCode})` : "";
    if (vendorCode && THROTTLING.has(vendorCode)) {
      const retryAfterMs = emulatorRetryAfterMs(response) ?? IAM_THROTTLE_BACKOFF_MS;
      return new CordonError(
        { kind: "rate_limited", vendor: "aws", retryAfterMs, vendorCode },
        `${where}: IAM is throttling requests${code}`,
      );
    }
    if ((vendorCode && AUTH.has(vendorCode)) || status === 401) {
      return new CordonError(
        { kind: "auth", vendor: "aws", vendorCode },
        `${where}: AWS refused the credential${code}`,
      );
    }
    if ((vendorCode && FORBIDDEN.has(vendorCode)) || (status === 403 && !vendorCode)) {
      const neededScope = `iam:${operation}`;
      return new CordonError(
        { kind: "forbidden", vendor: "aws", vendorCode, neededScope },
        `${where}: the credential is not allowed ${neededScope}${code}`,
      );
    }
    if (vendorCode === "NoSuchEntity" || status === 404) {
      return new CordonError(
        { kind: "not_found", vendor: "aws", vendorCode },
        `${where}: not found${code}${error.message ? `: ${error.message.slice(0, 200)}` : ""}`,
      );
    }
    if ((vendorCode && TRANSIENT.has(vendorCode)) || status >= 500) {
      return new CordonError(
        { kind: "transient", vendor: "aws", status, vendorCode },
        `${where}: IAM failed with ${status}${code}`,
      );
    }
    if (vendorCode && CONFLICT.has(vendorCode)) {
      return new CordonError(
        { kind: "conflict", vendor: "aws", vendorCode },
        `${where}: ${status}${code}${error.message ? `: ${error.message.slice(0, 200)}` : ""}`,
      );
    }
    // ValidationError, MalformedPolicyDocument, InvalidInput…: IAM's message names members and values, not secrets.
    const summary = error.message ? `: ${error.message.slice(0, 200)}` : "";
    return new CordonError(
      { kind: "vendor", vendor: "aws", status, vendorCode },
      `${where}: ${status}${code}${summary}`,
    );
  },
};
