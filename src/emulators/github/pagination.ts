import type { GithubContext } from "./env.ts";

/** `per_page`: "The number of results per page (max 100)", default 30; `page`: default 1 (REST parameters). */
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
  const value = Number(raw);
  return value >= 1 ? value : fallback;
}

/**
 * One page of a list, with GitHub's `Link` header (docs.github.com/rest/using-the-rest-api/
 * using-pagination-in-the-rest-api): `rel="prev"`, `"next"`, `"last"` and `"first"` URLs that repeat the request's
 * other query parameters with `page` changed. A `per_page` over 100 is served as 100; a page past the end is an
 * empty list. (GitHub itself links some lists under `/organizations/{id}/…`; the emulator links the path asked.)
 */
export function pageOf<T>(c: GithubContext, items: readonly T[]): T[] {
  const url = new URL(c.req.url);
  const perPage = Math.min(
    MAX_PER_PAGE,
    positiveInt(url.searchParams.get("per_page") ?? undefined, DEFAULT_PER_PAGE),
  );
  const page = positiveInt(url.searchParams.get("page") ?? undefined, 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(n));
    if (url.searchParams.has("per_page")) next.searchParams.set("per_page", String(perPage));
    return next.toString();
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`<${link(Math.min(page - 1, lastPage))}>; rel="prev"`);
  if (page < lastPage) parts.push(`<${link(page + 1)}>; rel="next"`, `<${link(lastPage)}>; rel="last"`);
  if (page > 1) parts.push(`<${link(1)}>; rel="first"`);
  if (parts.length > 0) c.header("Link", parts.join(", "));
  return items.slice((page - 1) * perPage, page * perPage);
}
