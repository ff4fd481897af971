import { CordonError } from "../../core/errors.ts";

/**
 * The `rel="next"` URL of an RFC 8288 `Link` header, followed only when it stays on the API's own origin, so a
 * reply can never send the credential elsewhere. Null when there is no next page.
 */
export function sameOriginNextLink(header: string | null, base: string, vendor: string): URL | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (!match?.[1]) continue;
    const url = new URL(match[1], base);
    if (url.origin !== new URL(base).origin) {
      throw new CordonError(
        { kind: "vendor", vendor, status: 200 },
        `${vendor}: a next-page link pointed outside the API; refusing to follow it`,
      );
    }
    return url;
  }
  return null;
}
