import { createHmac } from "node:crypto";
import { bodyBytes, type VerifyResult, verifyTimestampedSignature } from "./result.ts";

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
  return verifyTimestampedSignature({
    headers: options.headers,
    secret: options.signingSecret,
    nowMs: options.nowMs,
    toleranceSec: options.toleranceSec ?? SLACK_TOLERANCE_SEC,
    timestampHeader: "X-Slack-Request-Timestamp",
    signatureHeader: "X-Slack-Signature",
    secretName: "the Slack signing secret",
    sign: (timestamp) => slackSignature(options.rawBody, options.signingSecret, timestamp),
  });
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
