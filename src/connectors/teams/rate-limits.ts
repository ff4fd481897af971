import type { BucketLimit } from "../../http/governor.ts";

/**
 * Teams throttles a connector or incoming webhook per channel in fixed windows ("Rate limiting for connectors",
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using):
 * 4 requests a second, 60 in 30 s, 100 an hour, 150 in 2 hours, 1,800 a day; "If more than four requests are made
 * in a second, the client connection is throttled until the window refreshes"
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
 * The Workflows webhook that replaces connectors is documented with the same per-second limit.
 */
export const TEAMS_WEBHOOK_WINDOWS: readonly BucketLimit[] = [
  { limit: 4, windowMs: 1_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 100, windowMs: 3_600_000 },
  { limit: 150, windowMs: 7_200_000 },
  { limit: 1_800, windowMs: 86_400_000 },
];

/**
 * What cordon paces by: the per-second window. The governor holds one limit per bucket, and a playbook posts a
 * handful of cards per incident, far below the longer windows; a 429 from them is still honoured.
 */
export const TEAMS_WEBHOOK_LIMIT: BucketLimit = TEAMS_WEBHOOK_WINDOWS[0]!;

/** "The message size limit is 28 KB" (add-incoming-webhook), read strictly as 28,000 bytes of the JSON sent. */
export const TEAMS_MESSAGE_MAX_BYTES = 28_000;
