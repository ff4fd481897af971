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
  /** "Special": about one message per second per channel; cordon posts few messages, one bucket is enough. */
  "chat.postMessage": { limit: 60, windowMs: MINUTE },
  "chat.update": { limit: 50, windowMs: MINUTE },
};

/** SCIM per-endpoint limits; the org-wide 600 writes / 1,000 reads a minute are above what one bucket sends. */
export const SLACK_SCIM_LIMITS = {
  readUser: { limit: 300, windowMs: MINUTE },
  listUsers: { limit: 1000, windowMs: MINUTE },
  writeUser: { limit: 180, windowMs: MINUTE },
} satisfies Record<string, BucketLimit>;

export type SlackScimBucket = keyof typeof SLACK_SCIM_LIMITS;
