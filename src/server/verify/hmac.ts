import { createHmac } from "node:crypto";
import {
  bodyBytes,
  constantTimeEqual,
  parseUnixSeconds,
  readHeader,
  refused,
  VERIFIED,
  type VerifyResult,
} from "./result.ts";

export const GENERIC_TOLERANCE_SEC = 300;

function genericSignature(rawBody: string | Uint8Array, secret: string, timestamp: string): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`${timestamp}.`, "utf8");
  hmac.update(bodyBytes(rawBody));
  return `sha256=${hmac.digest("hex")}`;
}

/**
 * Verifies a generic webhook (`POST /hooks/generic/:name`, from a SIEM, a SOAR or a script). The format users
 * configure on the sending side:
 *
 * ```text
 * X-Cordon-Timestamp: <unix seconds, the time of sending>
 * X-Cordon-Signature: sha256=<lowercase hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 * ```
 *
 * e.g. in a shell: `ts=$(date +%s); sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" -hex
 * | sed 's/^.* //')`, then send `X-Cordon-Signature: sha256=$sig`. The timestamp is inside the signed string so a
 * captured request cannot be replayed later with a fresh timestamp; requests more than ±`toleranceSec` (default
 * 300 s) from the server's clock are refused. The same shape as Stripe's and Slack's schemes (timestamp, a
 * separator, the exact raw bytes), so most senders can produce it with a template. Missing or malformed headers:
 * 400; stale or wrong: 401.
 */
export function verifyGenericWebhook(options: {
  headers: Headers;
  rawBody: string | Uint8Array;
  secret: string;
  nowMs: number;
  toleranceSec?: number;
}): VerifyResult {
  const { headers, rawBody, secret, nowMs } = options;
  const tolerance = options.toleranceSec ?? GENERIC_TOLERANCE_SEC;
  if (secret === "") return refused(401, "no secret is configured for this webhook");
  const timestampHeader = readHeader(headers, "x-cordon-timestamp");
  const signature = readHeader(headers, "x-cordon-signature");
  if (timestampHeader === null || signature === null)
    return refused(400, "missing X-Cordon-Timestamp or X-Cordon-Signature header");
  const timestamp = parseUnixSeconds(timestampHeader);
  if (timestamp === null) return refused(400, "X-Cordon-Timestamp is not unix seconds");
  if (Math.abs(nowMs / 1000 - timestamp) > tolerance)
    return refused(401, `X-Cordon-Timestamp is more than ${tolerance} s from now`);
  const expected = genericSignature(rawBody, secret, timestampHeader.trim());
  return constantTimeEqual(signature.trim(), expected)
    ? VERIFIED
    : refused(401, "X-Cordon-Signature does not match the webhook's secret");
}

/** The headers a sender adds for this body at `timestampSec`. */
export function signGenericWebhook(
  rawBody: string | Uint8Array,
  secret: string,
  timestampSec: number,
): { "x-cordon-timestamp": string; "x-cordon-signature": string } {
  const timestamp = String(Math.floor(timestampSec));
  return {
    "x-cordon-timestamp": timestamp,
    "x-cordon-signature": genericSignature(rawBody, secret, timestamp),
  };
}
