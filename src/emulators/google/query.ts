import type { UserRecord } from "./state.ts";

export class QueryError extends Error {}

/**
 * One clause of a users.list `query` (developers.google.com/workspace/admin/directory/v1/guides/search-users):
 * `field operator value`, clauses separated by spaces and ANDed. `=` is an exact match, `:` "tests if a text
 * attribute contains a value", `:{PREFIX}*` a prefix match. A value with spaces is single-quoted. A bare value
 * compares against givenName, familyName or email. Matching ignores case.
 */
interface Clause {
  field: string | undefined;
  op: "=" | ":" | ":*";
  value: string;
}

/** The fields the emulator searches, with the operators the guide allows for each. */
const FIELDS: Record<string, ReadonlyArray<Clause["op"]>> = {
  email: ["=", ":", ":*"],
  givenName: ["=", ":", ":*"],
  familyName: ["=", ":", ":*"],
  name: ["=", ":"],
  isAdmin: ["="],
  isDelegatedAdmin: ["="],
  isSuspended: ["="],
  isArchived: ["="],
  orgUnitPath: ["="],
};

function splitClauses(query: string): string[] {
  const clauses: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of query) {
    if (ch === "'") quoted = !quoted;
    if (/\s/.test(ch) && !quoted) {
      if (current) clauses.push(current);
      current = "";
    } else current += ch;
  }
  if (quoted) throw new QueryError("unterminated quote");
  if (current) clauses.push(current);
  return clauses;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value;
}

export function parseUserQuery(query: string): Clause[] {
  return splitClauses(query.trim()).map((text) => {
    const match = /^([A-Za-z]+)(=|:)(.*)$/.exec(text);
    if (!match) return { field: undefined, op: ":", value: unquote(text) };
    const [, field = "", sign = ":", raw = ""] = match;
    const allowed = FIELDS[field];
    if (!allowed) throw new QueryError(`unsupported field ${field}`);
    let value = unquote(raw);
    let op: Clause["op"] = sign === "=" ? "=" : ":";
    if (op === ":" && value.endsWith("*")) {
      op = ":*";
      value = value.slice(0, -1);
    }
    if (!allowed.includes(op)) throw new QueryError(`operator ${sign} is not supported on ${field}`);
    if (value === "") throw new QueryError(`empty value for ${field}`);
    return { field, op, value };
  });
}

function textMatches(actual: string, clause: Clause): boolean {
  const a = actual.toLowerCase();
  const v = clause.value.toLowerCase();
  if (clause.op === "=") return a === v;
  if (clause.op === ":*") return a.startsWith(v);
  return a.includes(v);
}

function boolMatches(actual: boolean, value: string): boolean {
  const v = value.toLowerCase();
  if (v !== "true" && v !== "false") throw new QueryError(`expected true or false, got ${value}`);
  return actual === (v === "true");
}

function clauseMatches(user: UserRecord, clause: Clause): boolean {
  const addresses = [user.primaryEmail, ...user.aliases];
  switch (clause.field) {
    case undefined:
      return [user.givenName, user.familyName, ...addresses].some((v) => textMatches(v, clause));
    case "email":
      return addresses.some((v) => textMatches(v, clause));
    case "givenName":
      return textMatches(user.givenName, clause);
    case "familyName":
      return textMatches(user.familyName, clause);
    case "name":
      return textMatches(`${user.givenName} ${user.familyName}`, clause);
    case "isAdmin":
      return boolMatches(user.isAdmin, clause.value);
    case "isDelegatedAdmin":
      return boolMatches(user.isDelegatedAdmin, clause.value);
    case "isSuspended":
      return boolMatches(user.suspended, clause.value);
    case "isArchived":
      return boolMatches(user.archived, clause.value);
    case "orgUnitPath":
      return user.orgUnitPath.toLowerCase() === clause.value.toLowerCase();
    default:
      return false;
  }
}

export function matchesQuery(user: UserRecord, clauses: Clause[]): boolean {
  return clauses.every((clause) => clauseMatches(user, clause));
}

/** A parsed `fields` selector: each key keeps its value, narrowed by a sub-selector when one is given. */
type Selector = Map<string, Selector | null>;

/**
 * The standard `fields` parameter (Discovery `parameters.fields`: "Selector specifying which fields to include in a
 * partial response"; syntax per developers.google.com/workspace/admin/directory/v1/guides/performance#partial):
 * `a,b/c,d(e,f)`. Throws on a malformed selector.
 */
export function parseFields(text: string): Selector {
  let pos = 0;
  const list = (): Selector => {
    const selector: Selector = new Map();
    for (;;) {
      const [name, sub] = item();
      const existing = selector.get(name);
      selector.set(name, existing === null || sub === null ? null : mergeSelectors(existing, sub));
      if (text[pos] !== ",") return selector;
      pos += 1;
    }
  };
  const item = (): [string, Selector | null] => {
    const start = pos;
    while (pos < text.length && !",()/".includes(text[pos]!)) pos += 1;
    const name = text.slice(start, pos).trim();
    if (!name) throw new QueryError("empty field name");
    if (text[pos] === "/") {
      pos += 1;
      const [child, sub] = item();
      return [name, new Map([[child, sub]])];
    }
    if (text[pos] === "(") {
      pos += 1;
      const sub = list();
      if (text[pos] !== ")") throw new QueryError("missing )");
      pos += 1;
      return [name, sub];
    }
    return [name, null];
  };
  const selector = list();
  if (pos !== text.length) throw new QueryError("unexpected input");
  return selector;
}

function mergeSelectors(a: Selector | undefined, b: Selector): Selector {
  if (!a) return b;
  const merged = new Map(a);
  for (const [key, sub] of b) {
    const existing = merged.get(key);
    merged.set(key, existing === null || sub === null ? null : mergeSelectors(existing, sub));
  }
  return merged;
}

export function applyFields(value: unknown, selector: Selector | null): unknown {
  if (selector === null) return value;
  if (Array.isArray(value)) return value.map((item) => applyFields(item, selector));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of selector) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = applyFields(member, sub);
  }
  return out;
}
