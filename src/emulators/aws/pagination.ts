import { IamErrors } from "./errors.ts";

export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  /** Present only when truncated: the value to send as `Marker` for the next page. */
  marker?: string;
}

/** `MaxItems` default: "If you do not include this parameter, the number of items defaults to 100." */
export const DEFAULT_MAX_ITEMS = 100;

/**
 * IAM's `Marker`/`IsTruncated`/`MaxItems` pagination (model `smithy.api#paginated` on ListUsers, ListUserTags,
 * ListAccessKeys, ListUserPolicies, GetAccountAuthorizationDetails). The marker is opaque: here it encodes the sort
 * key of the last item returned, so a page boundary survives items added or removed meanwhile. `cap` models the
 * documented "IAM might return fewer results, even when there are more results available"
 * (e.g. https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html).
 */
export function paginate<T>(
  sorted: T[],
  keyOf: (item: T) => string,
  marker: string | undefined,
  maxItems: number | undefined,
  cap?: number,
): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    const after = decodeMarker(marker);
    start = sorted.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = sorted.length;
  }
  const size = Math.min(maxItems ?? DEFAULT_MAX_ITEMS, cap ?? Number.POSITIVE_INFINITY);
  const items = sorted.slice(start, start + size);
  const isTruncated = start + size < sorted.length;
  const last = items[items.length - 1];
  return isTruncated && last !== undefined
    ? { items, isTruncated, marker: encodeMarker(keyOf(last)) }
    : { items, isTruncated: false };
}

function encodeMarker(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), "utf8").toString("base64url");
}

function decodeMarker(marker: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw IamErrors.validation("Invalid Marker: it does not come from a previous response of this operation");
}
