import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The outcome of checking one inbound request's credential. `reason` is safe to log and to return: it names what
 * was wrong (missing header, stale timestamp, mismatch) and never echoes the secret or the presented credential.
 */
export type VerifyResult = { ok: true } | { ok: false; status: 401 | 400; reason: string };

export const VERIFIED: VerifyResult = { ok: true };

export function refused(status: 401 | 400, reason: string): VerifyResult {
  return { ok: false, status, reason };
}

/**
 * Constant-time string equality. Both sides are hashed first, so `timingSafeEqual` always compares two 32-byte
 * buffers: neither the content nor the length of the expected value leaks through timing.
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** A header read that never throws (a configured header name that is not a valid token simply finds nothing). */
export function readHeader(headers: Headers, name: string): string | null {
  try {
    return headers.get(name);
  } catch {
    return null;
  }
}

/** Unix seconds as sent in signed-request headers: digits only, at most 12 (no sign, exponent or fraction). */
export function parseUnixSeconds(value: string | null): number | null {
  if (value === null || !/^\d{1,12}$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** The raw body as bytes, exactly as received: signatures cover bytes, never a re-serialised object. */
export function bodyBytes(rawBody: string | Uint8Array): Buffer {
  return typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
}

/**
 * The shape Slack's and cordon's generic scheme share: a unix-seconds timestamp header, a signature header over that
 * timestamp and the raw body, and a window around now against replays. Missing or malformed headers: 400; stale
 * or wrong: 401. `sign(timestamp)` computes the expected header value for the timestamp as sent.
 */
export function verifyTimestampedSignature(options: {
  headers: Headers;
  secret: string;
  nowMs: number;
  toleranceSec: number;
  timestampHeader: string;
  signatureHeader: string;
  /** Who the secret belongs to, for messages: "the Slack signing secret", "the webhook's secret". */
  secretName: string;
  sign: (timestamp: string) => string;
}): VerifyResult {
  const { headers, timestampHeader, signatureHeader, toleranceSec } = options;
  if (options.secret === "") return refused(401, `${options.secretName} is not configured`);
  const timestampText = readHeader(headers, timestampHeader);
  const signature = readHeader(headers, signatureHeader);
  if (timestampText === null || signature === null)
    return refused(400, `missing ${timestampHeader} or ${signatureHeader} header`);
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === null) return refused(400, `${timestampHeader} is not unix seconds`);
  if (Math.abs(options.nowMs / 1000 - timestamp) > toleranceSec)
    return refused(401, `${timestampHeader} is more than ${toleranceSec} s from now`);
  return constantTimeEqual(signature.trim(), options.sign(timestampText.trim()))
    ? VERIFIED
    : refused(401, `${signatureHeader} does not match ${options.secretName}`);
}
