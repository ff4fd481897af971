import type { BucketLimit } from "../../http/governor.ts";

/**
 * Microsoft Graph's documented limits for the calls cordon makes (learn.microsoft.com/graph/throttling-limits;
 * contracts §4). Graph announces nothing on success, so the governor paces at the floor of each:
 *
 * - `identityRead`: identity and access reads, 3,500 resource units per 10 s per app per tenant for the smallest
 *   tenants (5,000 for 50–500 users, 8,000 above). Every read cordon sends carries `$select`, so it costs 1 RU
 *   (`GET /users` 2, −1 for `$select`): 3,500 requests per 10 s. The one exception, the bulk lookup's read of
 *   role assignments with `$expand=principal` (2 RU, one or a few pages per lookup), stays far under that pace.
 * - `identityWrite`: 3,000 writes per 2 min 30 s per app per tenant (each also costs 1 RU, far under the RU limit).
 *   The tenant-wide 18,000 writes per 5 min is shared with other apps and cannot be paced from here.
 * - `identityProtection`: riskyUsers reads and actions, 1 request per second per tenant, and its 429s carry no
 *   Retry-After (cordon then waits one second).
 */
export const ENTRA_BUCKETS = {
  identityRead: { limit: 3500, windowMs: 10_000 },
  identityWrite: { limit: 3000, windowMs: 150_000 },
  identityProtection: { limit: 1, windowMs: 1000 },
} satisfies Record<string, BucketLimit>;

export type EntraBucket = keyof typeof ENTRA_BUCKETS;
