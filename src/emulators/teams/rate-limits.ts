import type { RateLimit } from "../kit/rate-window.ts";

/**
 * "Rate limiting for connectors" (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/
 * how-to/connectors-using): fixed windows per webhook, "If too many requests are made, the client connection will
 * be throttled until the window refreshes". Enforced per webhook id, every window at once.
 */
export const WEBHOOK_WINDOWS: readonly RateLimit[] = [
  { limit: 4, windowMs: 1_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 100, windowMs: 3_600_000 },
  { limit: 150, windowMs: 7_200_000 },
  { limit: 1_800, windowMs: 86_400_000 },
];

/** "The message size limit is 28 KB. When the size exceeds 28 KB, you receive an error" (add-incoming-webhook). */
export const MAX_MESSAGE_BYTES = 28 * 1024;
