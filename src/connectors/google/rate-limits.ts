import type { BucketLimit } from "../../http/governor.ts";

/**
 * The Directory API's quota: "403 userRateLimitExceeded … The default value set in the Google Cloud console is
 * 2,400 queries per minute per user per Google Cloud project" (developers.google.com/workspace/admin/directory/v1/limits;
 * contracts §4). With domain-wide delegation the user is the impersonated admin, so one connection (one key,
 * one admin subject) is one bucket. Google sends no rate-limit headers, so cordon paces at this figure; a
 * project with a raised quota is still paced at the default (safe, slower).
 * The same page documents a 429 `rateLimitExceeded` for concurrent requests per Workspace account, without a
 * number; cordon keeps its in-flight requests modest instead.
 */
export const GOOGLE_BUCKETS = {
  directory: { limit: 2400, windowMs: 60_000 },
} satisfies Record<string, BucketLimit>;

export type GoogleBucket = keyof typeof GOOGLE_BUCKETS;

/** Requests in flight per connection (Google publishes no concurrency figure; unverified). */
export const GOOGLE_MAX_CONCURRENT = 10;
