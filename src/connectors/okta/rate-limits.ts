import type { BucketLimit } from "../../http/governor.ts";

const MINUTE = 60_000;

/**
 * Okta's per-minute buckets for the endpoints cordon calls, Workforce Identity defaults
 * (developer.okta.com/docs/reference/rl-global-mgmt/; contracts.md §4). The governor replaces each limit with the
 * org's own `X-Rate-Limit-Limit` after the first reply, so a free developer org (100/min) is paced correctly too.
 * The mapping of sub-resources (lifecycle, sessions, grants, tokens) to the "other /api/v1" bucket is not spelled
 * out by Okta for every path; the headers settle it at run time.
 */
export const OKTA_BUCKETS = {
  /** GET|POST /api/v1/users (list, search, create). */
  usersCollection: { limit: 600, windowMs: MINUTE },
  /** GET /api/v1/users/{idOrLogin}. */
  userGet: { limit: 2000, windowMs: MINUTE },
  /** POST|PUT|DELETE /api/v1/users/{id}. */
  userWrite: { limit: 600, windowMs: MINUTE },
  /**
   * /api/v1/groups and /api/v1/groups* (list groups, list members): rl-global-mgmt "group actions" line; the
   * figure is **unverified** (see the emulator's bucket) and is replaced by the org's `X-Rate-Limit-Limit`.
   */
  groups: { limit: 500, windowMs: MINUTE },
  /**
   * GET /api/v1/logs (System Log): rl-global-mgmt lists "/api/v1/logs" on its own line, 120/min for Workforce
   * Identity (50 Enterprise, 20 free developer; contracts.md §4), so polling never competes with containment calls.
   */
  logs: { limit: 120, windowMs: MINUTE },
  /** Everything else under /api/v1. */
  other: { limit: 1200, windowMs: MINUTE },
} satisfies Record<string, BucketLimit>;

export type OktaBucket = keyof typeof OKTA_BUCKETS;

/** Okta allows 75 concurrent API transactions per org; keep well under it. */
export const OKTA_MAX_CONCURRENT = 50;
