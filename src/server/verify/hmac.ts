import { createHmac } from "node:crypto";
import { bodyBytes, type VerifyResult, verifyTimestampedSignature } from "./result.ts";

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
  return verifyTimestampedSignature({
    headers: options.headers,
    secret: options.secret,
    nowMs: options.nowMs,
    toleranceSec: options.toleranceSec ?? GENERIC_TOLERANCE_SEC,
    timestampHeader: "X-Cordon-Timestamp",
    signatureHeader: "X-Cordon-Signature",
    secretName: "the webhook's secret",
    sign: (timestamp) => genericSignature(options.rawBody, options.secret, timestamp),
  });
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
