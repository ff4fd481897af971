import type { BucketLimit } from "../../http/governor.ts";

const MINUTE = 60_000;

/**
 * Atlassian publishes no number for the admin APIs, only that every request is rate limited and that responses
 * carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (ISO 8601, UTC)
 * (developer.atlassian.com/cloud/admin/organization/rest/intro/ "Rate limits"; …/admin/api-access/rest/intro/).
 * These per-minute figures are a deliberately low starting point (**unverified**): the governor replaces each with
 * the `X-RateLimit-Limit` of the first reply, and `Remaining: 0` blocks the bucket until the announced reset.
 * One bucket per API, as the two are separate services behind the same gateway.
 */
export const ATLASSIAN_BUCKETS = {
  /** Organizations REST API: `/admin/v1/…`, `/admin/v2/…`. */
  admin: { limit: 100, windowMs: MINUTE },
  /** User management REST API: `/users/{account_id}/manage/…`. */
  userManagement: { limit: 100, windowMs: MINUTE },
} satisfies Record<string, BucketLimit>;

export type AtlassianBucket = keyof typeof ATLASSIAN_BUCKETS;

/** No concurrency limit is published; a handful in flight keeps a mass run polite (unverified). */
export const ATLASSIAN_MAX_CONCURRENT = 10;
