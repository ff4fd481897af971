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

/** Slack's replay window: "more than five minutes from local time" is refused. */
export const SLACK_TOLERANCE_SEC = 300;

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the app's signing secret. */
function slackSignature(rawBody: string | Uint8Array, signingSecret: string, timestamp: string): string {
  const hmac = createHmac("sha256", signingSecret);
  hmac.update(`v0:${timestamp}:`, "utf8");
  hmac.update(bodyBytes(rawBody));
  return `v0=${hmac.digest("hex")}`;
}

/**
 * Verifies a request Slack signed with the app's signing secret (interactivity, slash commands, Events API):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:" + X-Slack-Request-Timestamp + ":" + raw body>`, with the
 * timestamp within ±`toleranceSec` of now to stop replays
 * (https://api.slack.com/authentication/verifying-requests-from-slack). The body must be the bytes as received,
 * before any form or JSON parsing. Missing or malformed headers: 400; stale or wrong: 401.
 */
export function verifySlackSignature(options: {
  headers: Headers;
  rawBody: string | Uint8Array;
  signingSecret: string;
  nowMs: number;
  toleranceSec?: number;
}): VerifyResult {
  const { headers, rawBody, signingSecret, nowMs } = options;
  const tolerance = options.toleranceSec ?? SLACK_TOLERANCE_SEC;
  if (signingSecret === "") return refused(401, "no Slack signing secret is configured");
  const timestampHeader = readHeader(headers, "x-slack-request-timestamp");
  const signature = readHeader(headers, "x-slack-signature");
  if (timestampHeader === null || signature === null)
    return refused(400, "missing X-Slack-Request-Timestamp or X-Slack-Signature header");
  const timestamp = parseUnixSeconds(timestampHeader);
  if (timestamp === null) return refused(400, "X-Slack-Request-Timestamp is not unix seconds");
  if (Math.abs(nowMs / 1000 - timestamp) > tolerance)
    return refused(401, `X-Slack-Request-Timestamp is more than ${tolerance} s from now`);
  const expected = slackSignature(rawBody, signingSecret, timestampHeader.trim());
  return constantTimeEqual(signature.trim(), expected)
    ? VERIFIED
    : refused(401, "X-Slack-Signature does not match the signing secret");
}

/** The headers Slack would send with this body at `timestampSec` (the Slack emulator and tests sign with it). */
export function signSlackRequest(
  rawBody: string | Uint8Array,
  signingSecret: string,
  timestampSec: number,
): { "x-slack-request-timestamp": string; "x-slack-signature": string } {
  const timestamp = String(Math.floor(timestampSec));
  return {
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": slackSignature(rawBody, signingSecret, timestamp),
  };
}
