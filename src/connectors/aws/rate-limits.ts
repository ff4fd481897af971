import type { BucketLimit } from "../../http/governor.ts";

/**
 * IAM publishes no per-operation request rate (contracts.md §3.7 and §4: "not published";
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html lists entity quotas only).
 * Assumption, the same as the emulator's default: 1,200 requests a minute (20 a second on average) per account
 * for all IAM operations together. If IAM throttles earlier, its `Throttling` replies block the bucket and the
 * calls are retried.
 */
export const IAM_BUCKETS = {
  iam: { limit: 1200, windowMs: 60_000 },
} satisfies Record<string, BucketLimit>;

export type IamBucket = keyof typeof IAM_BUCKETS;

/** IAM gives no retry hint on a throttle; wait this long (the AWS SDKs start their throttling backoff near it). */
export const IAM_THROTTLE_BACKOFF_MS = 1000;
