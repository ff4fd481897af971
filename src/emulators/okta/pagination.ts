import type { OktaContext } from "./env.ts";
import { OktaErrors } from "./errors.ts";
import { parseLimit } from "./params.ts";

export interface Page<T> {
  items: T[];
  /** The `after` cursor of the next page, when there is one. */
  next: string | undefined;
}

/**
 * Cursor pagination (spec `queryAfter`: "an opaque string that specifies your current location in the list").
 * The cursor is the id of the last item served, as Okta's user cursors are. If that item was deleted since, the
 * page resumes after its sequence number; an unknown cursor yields an empty page (unverified).
 */
export function paginate<T extends { id: string; seq: number }>(
  items: T[],
  after: string | undefined,
  limit: number,
  seqOf: (id: string) => number | undefined,
): Page<T> {
  let rest = items;
  if (after) {
    // Most listings come in creation (seq) order: the cursor is found by binary search there, so paging through a
    // large org costs the emulator log n per page rather than n. Other orders (search with sortBy) scan.
    const seq = seqOf(after);
    const position = seq === undefined ? -1 : firstAfter(items, seq);
    if (position > 0 && items[position - 1]?.id === after) rest = items.slice(position);
    else {
      const index = items.findIndex((item) => item.id === after);
      if (index >= 0) rest = items.slice(index + 1);
      else rest = seq === undefined ? [] : items.filter((item) => item.seq > seq);
    }
  }
  const page = rest.slice(0, limit);
  return { items: page, next: rest.length > limit ? page.at(-1)?.id : undefined };
}

/**
 * Okta's `Link` headers (doc developer.okta.com/docs/api/#link-header; contracts §3.1 "Pagination"):
 * `<{org}/api/v1/users?limit=2>; rel="self"` echoing the request, plus `<{org}/api/v1/users?after=XYZ&limit=2>;
 * rel="next"` while more items remain. The next link keeps every other query parameter of the request.
 */
export function setLinkHeaders(c: OktaContext, limit: number, next: string | undefined): void {
  const url = new URL(c.req.url);
  const base = `${url.origin}${url.pathname}`;
  c.header("Link", `<${base}${url.search}>; rel="self"`, { append: true });
  if (next === undefined) return;
  const params = [`after=${encodeURIComponent(next)}`, `limit=${limit}`];
  for (const [key, value] of url.searchParams) {
    if (key !== "after" && key !== "limit")
      params.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  c.header("Link", `<${base}?${params.join("&")}>; rel="next"`, { append: true });
}

/**
 * Serves one page of a cursor-paginated list: reads `limit` and `after`, sets the Link headers and renders the
 * items. A `limit` that isn't a positive integer is refused with 400 E0000001 (unverified error code).
 */
export function respondPage<T extends { id: string; seq: number }>(
  c: OktaContext,
  items: T[],
  limits: { defaultLimit: number; maxLimit: number },
  render: (item: T) => unknown,
): Response {
  const limit = parseLimit(c.req.query("limit"), limits.defaultLimit, limits.maxLimit);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);
  const page = paginate(items, c.req.query("after"), limit, (id) => c.var.state.seqOf(id));
  setLinkHeaders(c, limit, page.next);
  return c.json(page.items.map(render));
}

/** Index of the first item whose seq is greater than `seq` in a list sorted by seq. */
function firstAfter(items: ReadonlyArray<{ seq: number }>, seq: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (items[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
