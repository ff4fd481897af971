/** Builds a URL under a base, encoding each dynamic segment so an id can never change the path. */
export function urlOf(
  base: string,
  segments: ReadonlyArray<string | { id: string }>,
  query?: Record<string, string | number | boolean | undefined>,
): URL {
  const path = segments.map((s) => (typeof s === "string" ? s : encodeURIComponent(s.id))).join("");
  const url = new URL(base.replace(/\/+$/, "") + path);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url;
}
