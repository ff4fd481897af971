import type { BucketLimit } from "../../http/governor.ts";

const MINUTE = 60_000;

/**
 * GitHub's limits as cordon paces them (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api;
 * docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
 *
 * - The primary limit (5,000 requests an hour per user for a personal access token; 15,000 for some Enterprise
 *   Cloud apps) is shared by every endpoint and announced on every reply in `x-ratelimit-remaining`/`-reset`. It is
 *   not paced ahead: when a reply says `remaining: 0`, the governor holds that bucket until `x-ratelimit-reset`,
 *   and any other bucket is held as soon as its next call is refused with remaining 0.
 * - The secondary limits are paced per bucket: "No more than 900 points per minute are allowed for REST API
 *   endpoints" per endpoint (a GET is 1 point, a PUT/PATCH/POST/DELETE 5, so 180 writes a minute), 2,000 points a
 *   minute for GraphQL, and "no more than 80 content-generating requests per minute" (re-invitations and team
 *   additions). The hourly cap of 500 content-generating requests is obeyed through `retry-after`, not paced.
 *
 * Buckets are keyed per endpoint (`read GET /orgs/{org}/memberships/{username}`), so pacing one endpoint never
 * slows another.
 */
export const GITHUB_BUCKETS = {
  read: { limit: 900, windowMs: MINUTE },
  write: { limit: 180, windowMs: MINUTE },
  content: { limit: 80, windowMs: MINUTE },
  graphql: { limit: 2000, windowMs: MINUTE },
} satisfies Record<string, BucketLimit>;

export type GithubBucket = keyof typeof GITHUB_BUCKETS;

/** "No more than 100 concurrent requests are allowed", shared by REST and GraphQL: keep well under it. */
export const GITHUB_MAX_CONCURRENT = 50;

/**
 * A secondary limit refused without `retry-after` or `x-ratelimit-remaining: 0`: "wait for at least one minute
 * before retrying".
 */
export const SECONDARY_DEFAULT_WAIT_MS = 60_000;
