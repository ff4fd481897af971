import type { SlackState, SlackUser } from "../state.ts";

/** Method arguments as sent: strings from a query or form body, any JSON value from a JSON body. */
export type Args = Record<string, unknown>;

export interface MethodContext {
  state: SlackState;
  args: Args;
  /** The token's owner. */
  caller: SlackUser;
}

/** A Web API reply body; always carries `ok`. Sent with HTTP 200, as Slack sends method errors. */
export type MethodResult = { ok: boolean } & Record<string, unknown>;

export type MethodHandler = (ctx: MethodContext) => MethodResult;

export function fail(error: string, extra: Record<string, unknown> = {}): MethodResult {
  return { ok: false, error, ...extra };
}

/**
 * A missing required argument: Slack answers `invalid_arguments` and names the field in
 * `response_metadata.messages` ("[ERROR] missing required field: …"), which @slack/web-api logs.
 */
export function missing(name: string): MethodResult {
  return fail("invalid_arguments", {
    response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
  });
}

export function str(args: Args, name: string): string | undefined {
  const value = args[name];
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Slack booleans: `true`, `"true"` or `"1"` (form bodies carry strings). */
export function bool(args: Args, name: string): boolean {
  const value = args[name];
  return value === true || value === 1 || value === "true" || value === "1";
}

/** An integer argument: `undefined` when absent, `NaN` when present but not an integer. */
export function int(args: Args, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(String(value));
  return Number.isInteger(n) ? n : Number.NaN;
}

/**
 * Opaque cursors shaped like Slack's: base64 of `<kind>:<value>` (Slack's own decode to e.g. `user:U061NFTT2`,
 * https://docs.slack.dev/apis/web-api/pagination). An empty `next_cursor` marks the last page.
 */
export function encodeCursor(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`).toString("base64");
}

export function decodeCursor(cursor: string, kind: string): string | undefined {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  return text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : undefined;
}

/** Owners and admins of the org may call `admin.*` methods; anyone else gets `not_an_admin`. */
export function isAdmin(user: SlackUser): boolean {
  return user.isAdmin || user.isOwner || user.isPrimaryOwner;
}
