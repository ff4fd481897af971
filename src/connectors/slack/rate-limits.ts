import type { BucketLimit } from "../../http/governor.ts";

const MINUTE = 60_000;

/**
 * Slack sends no rate-limit headers until it refuses, so cordon paces each method by its documented tier
 * (docs.slack.dev/apis/web-api/rate-limits: per method, per workspace, per app; T2 20+/min, T3 50+/min,
 * T4 100+/min) and SCIM by its org-wide limits (docs.slack.dev/admins/scim-api#ratelimits). "20+" means at least
 * 20: pacing at the floor never triggers a 429.
 */
export const SLACK_METHOD_LIMITS: Record<string, BucketLimit> = {
  "auth.test": { limit: 100, windowMs: MINUTE },
  "users.lookupByEmail": { limit: 50, windowMs: MINUTE },
  "users.info": { limit: 100, windowMs: MINUTE },
  "users.list": { limit: 20, windowMs: MINUTE },
  "admin.users.session.reset": { limit: 20, windowMs: MINUTE },
  "admin.users.session.list": { limit: 20, windowMs: MINUTE },
  "admin.users.session.invalidate": { limit: 20, windowMs: MINUTE },
  "admin.teams.list": { limit: 20, windowMs: MINUTE },
  "conversations.history": { limit: 50, windowMs: MINUTE },
  /** Per channel: see {@link slackMethodBucket}. This is the workspace-wide ceiling ("several hundred a minute"). */
  "chat.postMessage": { limit: 300, windowMs: MINUTE },
  "chat.update": { limit: 50, windowMs: MINUTE },
};

/** SCIM per-endpoint limits; the org-wide 600 writes / 1,000 reads a minute are above what one bucket sends. */
export const SLACK_SCIM_LIMITS = {
  readUser: { limit: 300, windowMs: MINUTE },
  listUsers: { limit: 1000, windowMs: MINUTE },
  writeUser: { limit: 180, windowMs: MINUTE },
} satisfies Record<string, BucketLimit>;

export type SlackScimBucket = keyof typeof SLACK_SCIM_LIMITS;

/**
 * chat.postMessage is "special" (docs.slack.dev/reference/methods/chat.postMessage, "Rate limiting"): "generally
 * allows an app to post 1 message per second to a specific channel … short bursts >1 allowed". So each channel is
 * its own bucket of 5 messages per 5 s (a burst of five, then one a second): a server posting alerts for many
 * events at once paces each channel instead of collecting 429s that fail its notifications.
 */
export function slackMethodBucket(
  name: string,
  args: Record<string, unknown>,
): { bucket: string; limit: BucketLimit } {
  if (name === "chat.postMessage" && typeof args.channel === "string")
    return { bucket: `${name}:${args.channel}`, limit: { limit: 5, windowMs: 5_000 } };
  return { bucket: name, limit: SLACK_METHOD_LIMITS[name] ?? { limit: 20, windowMs: MINUTE } };
}
