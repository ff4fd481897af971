import type { HttpResponse } from "./client.ts";

/** A numeric header, or undefined when absent or not a number. */
export function headerNumber(response: HttpResponse, name: string): number | undefined {
  const value = response.headers.get(name);
  if (value === null || value.trim() === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * The exact wait of a rate-limit reply from one of cordon's emulators (`X-Cordon-Retry-After-Ms`, sent when their
 * windows are compressed for a benchmark). No vendor sends it, so in production this is always undefined.
 */
export function emulatorRetryAfterMs(response: HttpResponse): number | undefined {
  const precise = headerNumber(response, "x-cordon-retry-after-ms");
  return precise === undefined ? undefined : Math.max(0, precise);
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms; undefined when absent or unreadable. */
export function retryAfterHeaderMs(response: HttpResponse, now: number): number | undefined {
  const value = response.headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** How long a rate-limited reply asks to wait: the emulator's exact wait, else Retry-After, else `fallbackMs`. */
export function retryAfterMs(response: HttpResponse, now: number, fallbackMs: number): number {
  return emulatorRetryAfterMs(response) ?? retryAfterHeaderMs(response, now) ?? fallbackMs;
}
