import type { Hono } from "hono";
import type { OktaContext, OktaEnv } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import type { LogEvent, StoredLogEvent } from "../events.ts";
import { parseLimit } from "../params.ts";

/** Spec `listLogEvents` `limit`: default 100; contracts §3.1: 0–1000. */
const LOGS_DEFAULT = 100;
const LOGS_MAX = 1000;
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

type Predicate = (event: LogEvent) => boolean;

/** Dotted attribute lookup (`target.id` matches when any target has that id, as Okta's array attributes do). */
function valuesAt(event: LogEvent, path: string): string[] {
  let current: unknown[] = [event];
  for (const part of path.split(".")) {
    const next: unknown[] = [];
    for (const value of current) {
      const child = (value as Record<string, unknown> | null)?.[part];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined && child !== null) next.push(child);
    }
    current = next;
  }
  return current.filter((v) => typeof v !== "object").map(String);
}

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*)/y;

/**
 * The subset of Okta's filter syntax the emulator supports (spec `listLogEvents` `filter`; developer.okta.com
 * /docs/api/#filter): `attr op "value"` with `eq`, `ne`, `sw`, `co` (case-insensitive values), joined by `and`
 * (binding tighter) and `or`, with parentheses. Anything else is an invalid filter.
 */
export function parseLogFilter(text: string): Predicate | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    if (text.slice(position).trim() === "") break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match) return undefined;
    tokens.push(match[1]!);
    position = TOKEN.lastIndex;
  }
  let i = 0;
  const or = (): Predicate | undefined => {
    let left = and();
    while (left && tokens[i]?.toLowerCase() === "or") {
      i += 1;
      const right = and();
      if (!right) return undefined;
      const l = left;
      left = (e) => l(e) || right(e);
    }
    return left;
  };
  const and = (): Predicate | undefined => {
    let left = primary();
    while (left && tokens[i]?.toLowerCase() === "and") {
      i += 1;
      const right = primary();
      if (!right) return undefined;
      const l = left;
      left = (e) => l(e) && right(e);
    }
    return left;
  };
  const primary = (): Predicate | undefined => {
    if (tokens[i] === "(") {
      i += 1;
      const inner = or();
      if (tokens[i] !== ")") return undefined;
      i += 1;
      return inner;
    }
    const [attr, op, literal] = [tokens[i], tokens[i + 1]?.toLowerCase(), tokens[i + 2]];
    if (!attr || !op || !literal?.startsWith('"') || !/^[A-Za-z_]/.test(attr)) return undefined;
    i += 3;
    const value = (JSON.parse(literal) as string).toLowerCase();
    const test: Record<string, (v: string) => boolean> = {
      eq: (v) => v === value,
      sw: (v) => v.startsWith(value),
      co: (v) => v.includes(value),
    };
    if (op === "ne") return (e) => !valuesAt(e, attr).some((v) => v.toLowerCase() === value);
    const check = test[op];
    if (!check) return undefined;
    return (e) => valuesAt(e, attr).some((v) => check(v.toLowerCase()));
  };
  try {
    const predicate = or();
    return i === tokens.length ? predicate : undefined;
  } catch {
    return undefined;
  }
}

function parseTime(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === "") return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}

/** The opaque cursor: the log position of the last event served. */
const encodeCursor = (seq: number) => Buffer.from(`log:${seq}`).toString("base64url");
function decodeCursor(raw: string): number | undefined {
  const match = /^log:(\d+)$/.exec(Buffer.from(raw, "base64url").toString());
  return match ? Number(match[1]) : undefined;
}

/**
 * `GET /api/v1/logs` (spec `listLogEvents`; contracts §3.1 System Log row and "Pagination"). Events are sorted by
 * `published` (= log order here). A bounded query (with `until`) gives a `next` link only while more events remain;
 * a polling query (no `until`, ASCENDING) always gives one, even on an empty page, which resumes after the newest
 * event seen (contracts: widely documented, **unverified**). Error codes for malformed parameters are unverified.
 */
function listLogs(c: OktaContext): Response {
  const limit = parseLimit(c.req.query("limit"), LOGS_DEFAULT, LOGS_MAX);
  if (limit === undefined) return OktaErrors.validation(c, "limit", ["limit: must be a positive integer"]);
  const sortOrder = (c.req.query("sortOrder") ?? "ASCENDING").toUpperCase();
  if (sortOrder !== "ASCENDING" && sortOrder !== "DESCENDING")
    return OktaErrors.validation(c, "sortOrder", ["sortOrder: must be ASCENDING or DESCENDING"]);
  const now = c.var.state.now();
  const rawUntil = c.req.query("until");
  const until = parseTime(rawUntil);
  const since = parseTime(c.req.query("since"));
  if (until === null) return OktaErrors.validation(c, "until", ["until: must be an ISO-8601 timestamp"]);
  if (since === null) return OktaErrors.validation(c, "since", ["since: must be an ISO-8601 timestamp"]);
  const upper = until ?? now;
  const lower = since ?? upper - SEVEN_DAYS_MS;

  let afterSeq: number | undefined;
  const after = c.req.query("after");
  if (after) {
    afterSeq = decodeCursor(after);
    if (afterSeq === undefined) return OktaErrors.validation(c, "after", ["after: invalid cursor"]);
  }

  const filterText = c.req.query("filter");
  let predicate: Predicate = () => true;
  if (filterText) {
    const parsed = parseLogFilter(filterText);
    if (!parsed) return OktaErrors.invalidFilter(c, `Invalid filter: ${filterText}`);
    predicate = parsed;
  }
  const keywords = (c.req.query("q") ?? "").split(/\s+/).filter(Boolean);
  if (keywords.length > 10 || keywords.some((k) => k.length > 40))
    return OktaErrors.validation(c, "q", ["q: at most 10 keywords of at most 40 characters"]);
  const lowered = keywords.map((k) => k.toLowerCase());

  const events = c.var.state.events;
  const descending = sortOrder === "DESCENDING";
  const matches = (stored: StoredLogEvent): boolean => {
    if (stored.publishedMs < lower || stored.publishedMs > upper) return false;
    if (afterSeq !== undefined && (descending ? stored.seq >= afterSeq : stored.seq <= afterSeq))
      return false;
    if (!predicate(stored.event)) return false;
    if (lowered.length === 0) return true;
    const text = JSON.stringify(stored.event).toLowerCase();
    return lowered.every((k) => text.includes(k));
  };
  const ordered = descending ? [...events.log].reverse() : events.log;
  const page: StoredLogEvent[] = [];
  let more = false;
  for (const stored of ordered) {
    if (!matches(stored)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(stored);
  }

  const polling = rawUntil === undefined && !descending;
  let next: number | undefined;
  if (more) next = page.at(-1)!.seq;
  // Polling: every current event has been considered, so resume after the newest one (or the incoming cursor).
  else if (polling) next = Math.max(page.at(-1)?.seq ?? 0, afterSeq ?? 0, events.lastSeq);

  const url = new URL(c.req.url);
  const base = `${url.origin}${url.pathname}`;
  c.header("Link", `<${base}${url.search}>; rel="self"`, { append: true });
  if (next !== undefined) {
    const params = new URLSearchParams(url.searchParams);
    params.set("after", encodeCursor(next));
    params.set("limit", String(limit));
    c.header("Link", `<${base}?${params.toString()}>; rel="next"`, { append: true });
  }
  return c.json(page.map((s) => s.event));
}

export function mountLogRoutes(app: Hono<OktaEnv>): void {
  app.get("/api/v1/logs", listLogs);
}
