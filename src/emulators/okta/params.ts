/** Query-parameter parsing shared by the routes. */

/**
 * `limit` as Okta takes it: absent → the endpoint default; above the maximum → the maximum (Okta caps list pages
 * at 200, legacy Users API doc "up to the maximum (200 for most orgs)"; capping rather than rejecting is
 * **unverified**); not a positive integer → undefined, which callers answer with a 400.
 */
export function parseLimit(raw: string | undefined, defaultLimit: number, max: number): number | undefined {
  if (raw === undefined || raw === "") return defaultLimit;
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n < 1 ? undefined : Math.min(n, max);
}

/**
 * A boolean query parameter (`true`/`false`, case-insensitive). Absent → the default; anything else → undefined,
 * which callers answer with a 400.
 */
export function parseBoolean(raw: string | undefined, defaultValue: boolean): boolean | undefined {
  if (raw === undefined || raw === "") return defaultValue;
  const lower = raw.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return undefined;
}
