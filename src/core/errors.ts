/**
 * One error class for everything cordon reports, discriminated by `kind`.
 * Code switches on `err.kind`, never on `instanceof` of vendor classes nor on message text
 * (aesthetics §9 rule 8). Messages are written by cordon and never echo secrets or raw vendor bodies.
 */

export type CordonErrorDetail =
  /** The credential was refused (HTTP 401, Slack `invalid_auth`/`not_authed`). */
  | { kind: "auth"; vendor: string; vendorCode?: string }
  /** Authenticated but not allowed (HTTP 403, Slack `not_an_admin`, `missing_scope`). */
  | { kind: "forbidden"; vendor: string; vendorCode?: string; neededScope?: string }
  | { kind: "not_found"; vendor: string; vendorCode?: string; what?: string }
  | { kind: "conflict"; vendor: string; vendorCode?: string }
  /** The target is already in the state the action would put it in. Callers usually record success. */
  | { kind: "already_in_state"; vendor: string; vendorCode?: string }
  | { kind: "rate_limited"; vendor: string; retryAfterMs: number; vendorCode?: string }
  /** 5xx, dropped connection, timeout of one attempt: safe to retry when the action is idempotent. */
  | { kind: "transient"; vendor: string; status?: number; vendorCode?: string }
  /** The vendor said no in a way cordon does not map to a more specific kind. */
  | { kind: "vendor"; vendor: string; status: number; vendorCode?: string }
  | { kind: "invalid_input"; field?: string }
  /** Whole-call deadline passed (all attempts together). */
  | { kind: "deadline"; vendor: string; deadlineMs: number }
  /** Retries would exceed the connection's retry budget: the vendor is failing, stop adding load. */
  | { kind: "retry_budget_exhausted"; vendor: string }
  /** Refused by cordon's own policy (protected account, cap, missing approval). */
  | { kind: "policy"; rule: string }
  | { kind: "config"; path?: string }
  | { kind: "verify_failed"; vendor: string; observed?: string }
  /** The process stopped between the intent and the outcome of a call that cannot safely be sent again. */
  | { kind: "interrupted"; vendor: string }
  | { kind: "internal" };

export type CordonErrorKind = CordonErrorDetail["kind"];

export class CordonError extends Error {
  override readonly name = "CordonError";
  readonly detail: CordonErrorDetail;

  constructor(detail: CordonErrorDetail, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.detail = detail;
  }

  get kind(): CordonErrorKind {
    return this.detail.kind;
  }

  toJSON(): Record<string, unknown> {
    return { ...this.detail, message: this.message };
  }
}

export function isCordonError(value: unknown): value is CordonError {
  // A string discriminant, not instanceof alone: two copies of this module must still agree.
  return value instanceof Error && (value as { name?: string }).name === "CordonError" && "detail" in value;
}

export function isKind<K extends CordonErrorKind>(
  value: unknown,
  kind: K,
): value is CordonError & { detail: Extract<CordonErrorDetail, { kind: K }> } {
  return isCordonError(value) && value.kind === kind;
}

/** Wrap anything thrown into a CordonError without leaking its message when it may hold vendor text. */
export function toCordonError(value: unknown): CordonError {
  if (isCordonError(value)) return value;
  return new CordonError({ kind: "internal" }, "unexpected internal error", { cause: value });
}
