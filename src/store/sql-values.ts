/**
 * Conversions between the store's records and SQLite's values, and the store's own refusals — shared by both
 * halves of the SQLite store. JSON columns hold canonical JSON text, SQL NULL when there is no value.
 */
import { CordonError } from "../core/errors.ts";
import { canonicalJson } from "../core/hash.ts";

export function jsonText(value: unknown): string | null {
  return value === undefined || value === null ? null : canonicalJson(value);
}

export function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : null;
}

export function text(value: unknown): string {
  return String(value);
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function invalid(message: string, field?: string): CordonError {
  return new CordonError(
    field === undefined ? { kind: "invalid_input" } : { kind: "invalid_input", field },
    message,
  );
}

/** `conflict` carries a vendor in core; for the store's own refusals it is `cordon`. */
export function conflict(message: string): CordonError {
  return new CordonError({ kind: "conflict", vendor: "cordon" }, message);
}

export function requireText(value: unknown, field: string): void {
  if (typeof value !== "string" || value.trim() === "")
    throw invalid(`${field} must be non-empty text`, field);
}
