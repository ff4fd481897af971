/**
 * The OData query options the emulator serves (learn.microsoft.com/graph/query-parameters, /graph/filter-query-parameter,
 * /graph/paging): `$select`, `$top` with `@odata.nextLink` + `$skiptoken` paging, and the `$filter` subset used to
 * find users: `eq`/`ne`, `startswith(…)`, lambda `any(x:x eq …)` on string collections, `and`, `or`, `not`,
 * parentheses. String comparisons are case-insensitive, as for directory objects.
 */

export class QueryError extends Error {
  /** `Request_UnsupportedQuery` (a valid clause Graph does not support here) or `BadRequest` (a syntax error). */
  readonly code: "BadRequest" | "Request_UnsupportedQuery";
  constructor(code: "BadRequest" | "Request_UnsupportedQuery", message: string) {
    super(message);
    this.code = code;
  }
}

/** `$top`: 1–999 for directory collections; the default page is 100. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 999;

export function parseTop(raw: string | null): number {
  if (raw === null) return DEFAULT_PAGE;
  const top = Number(raw);
  if (!/^\d+$/.test(raw) || top < 1 || top > MAX_PAGE)
    throw new QueryError(
      "Request_UnsupportedQuery",
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
    );
  return top;
}

/** Opaque to clients; here an offset, so a nextLink replays the same query from there. */
export function encodeSkipToken(offset: number): string {
  return `RFNwdAIAAQ${Buffer.from(`o:${offset}`).toString("base64url")}`;
}

export function decodeSkipToken(token: string | null): number {
  if (token === null) return 0;
  const prefix = "RFNwdAIAAQ";
  const offset = token.startsWith(prefix)
    ? Number(/^o:(\d+)$/.exec(Buffer.from(token.slice(prefix.length), "base64url").toString("utf8"))?.[1])
    : Number.NaN;
  if (!Number.isInteger(offset) || offset < 0)
    throw new QueryError("BadRequest", "Invalid $skiptoken value. The token is malformed or expired.");
  return offset;
}

/** One page of `items` and the absolute nextLink (same path and query, new `$skiptoken`) when more remain. */
export function pageOf<T>(items: T[], url: URL): { items: T[]; nextLink?: string } {
  const top = parseTop(url.searchParams.get("$top"));
  const offset = decodeSkipToken(url.searchParams.get("$skiptoken"));
  const page = items.slice(offset, offset + top);
  if (offset + top >= items.length) return { items: page };
  const next = new URL(url.toString());
  next.searchParams.set("$skiptoken", encodeSkipToken(offset + top));
  return { items: page, nextLink: next.toString() };
}

/** `$select=a,b`: canonical property names, or a 400 naming the first unknown one. */
export function parseSelect(
  raw: string | null,
  known: readonly string[],
  type: string,
): string[] | undefined {
  if (raw === null) return undefined;
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  return raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const name = byLower.get(p.toLowerCase());
      if (!name)
        throw new QueryError("BadRequest", `Could not find a property named '${p}' on type '${type}'.`);
      return name;
    });
}

export type Literal = string | boolean | null;
export type Filter =
  | { kind: "and" | "or"; left: Filter; right: Filter }
  | { kind: "not"; inner: Filter }
  | { kind: "cmp"; prop: string; op: "eq" | "ne"; value: Literal }
  | { kind: "startswith"; prop: string; value: string }
  | { kind: "any"; prop: string; op: "eq" | "ne" | "startswith"; value: string };

type Token = { t: "(" | ")" | "," | ":" | "/" } | { t: "word"; v: string } | { t: "str"; v: string };

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) i += 1;
    else if ("(),:/".includes(ch)) {
      out.push({ t: ch as "(" | ")" | "," | ":" | "/" });
      i += 1;
    } else if (ch === "'") {
      let v = "";
      i += 1;
      for (;;) {
        if (i >= input.length)
          throw new QueryError("BadRequest", "Invalid filter clause: unterminated string literal.");
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        v += input[i];
        i += 1;
      }
      out.push({ t: "str", v });
    } else {
      let v = "";
      while (i < input.length && !/[\s(),:/']/.test(input[i]!)) v += input[i++];
      out.push({ t: "word", v });
    }
  }
  return out;
}

export interface FilterSchema {
  /** Single-valued properties that support `eq`/`ne`/`startswith`, with their kind. */
  scalars: Record<string, "string" | "boolean">;
  /** String collections that support `any(x:x eq …)`. */
  collections: string[];
  /** For messages: `User`. */
  resource: string;
}

class Parser {
  readonly #tokens: Token[];
  readonly #schema: FilterSchema;
  #pos = 0;

  constructor(tokens: Token[], schema: FilterSchema) {
    this.#tokens = tokens;
    this.#schema = schema;
  }

  parse(): Filter {
    if (this.#tokens.length === 0)
      throw new QueryError("BadRequest", "Invalid filter clause: empty expression.");
    const expr = this.#or();
    if (this.#pos < this.#tokens.length) this.#syntax("unexpected input after the expression");
    return expr;
  }

  #syntax(detail: string): never {
    throw new QueryError("BadRequest", `Invalid filter clause: ${detail}.`);
  }

  #unsupported(prop: string): never {
    throw new QueryError(
      "Request_UnsupportedQuery",
      `Unsupported or invalid query filter clause specified for property '${prop}' of resource '${this.#schema.resource}'.`,
    );
  }

  #peekWord(word: string): boolean {
    const token = this.#tokens[this.#pos];
    return token?.t === "word" && token.v.toLowerCase() === word;
  }

  #expect(t: "(" | ")" | "," | ":" | "/"): void {
    if (this.#tokens[this.#pos]?.t !== t) this.#syntax(`expected '${t}'`);
    this.#pos += 1;
  }

  #word(): string {
    const token = this.#tokens[this.#pos++];
    if (token?.t !== "word") this.#syntax("expected a property name");
    return token.v;
  }

  #or(): Filter {
    let left = this.#and();
    while (this.#peekWord("or")) {
      this.#pos += 1;
      left = { kind: "or", left, right: this.#and() };
    }
    return left;
  }

  #and(): Filter {
    let left = this.#unary();
    while (this.#peekWord("and")) {
      this.#pos += 1;
      left = { kind: "and", left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Filter {
    if (this.#peekWord("not")) {
      this.#pos += 1;
      return { kind: "not", inner: this.#unary() };
    }
    if (this.#tokens[this.#pos]?.t === "(") {
      this.#pos += 1;
      const inner = this.#or();
      this.#expect(")");
      return inner;
    }
    if (this.#peekWord("startswith")) {
      this.#pos += 1;
      this.#expect("(");
      const prop = this.#scalar(this.#word(), "string");
      this.#expect(",");
      const value = this.#literal();
      this.#expect(")");
      if (typeof value !== "string") this.#syntax("startswith needs a string");
      return { kind: "startswith", prop, value };
    }
    const prop = this.#word();
    if (this.#tokens[this.#pos]?.t === "/") return this.#lambda(prop);
    const kind = this.#schema.scalars[prop];
    if (!kind) this.#unsupported(prop);
    const op = this.#word().toLowerCase();
    if (op !== "eq" && op !== "ne") this.#unsupported(prop);
    const value = this.#literal();
    if (value !== null && typeof value !== (kind === "string" ? "string" : "boolean"))
      this.#syntax(`a ${kind} value is needed for ${prop}`);
    return { kind: "cmp", prop, op, value };
  }

  #scalar(prop: string, kind: "string"): string {
    if (this.#schema.scalars[prop] !== kind) this.#unsupported(prop);
    return prop;
  }

  /** `prop/any(x:x eq 'v')` or `prop/any(x:startswith(x,'v'))`. */
  #lambda(prop: string): Filter {
    if (!this.#schema.collections.includes(prop)) this.#unsupported(prop);
    this.#expect("/");
    if (this.#word().toLowerCase() !== "any") this.#unsupported(prop);
    this.#expect("(");
    const variable = this.#word();
    this.#expect(":");
    let op: "eq" | "ne" | "startswith";
    let value: Literal;
    if (this.#peekWord("startswith")) {
      this.#pos += 1;
      this.#expect("(");
      if (this.#word() !== variable) this.#syntax("the lambda must compare its own variable");
      this.#expect(",");
      value = this.#literal();
      this.#expect(")");
      op = "startswith";
    } else {
      if (this.#word() !== variable) this.#syntax("the lambda must compare its own variable");
      const word = this.#word().toLowerCase();
      if (word !== "eq" && word !== "ne") this.#unsupported(prop);
      op = word;
      value = this.#literal();
    }
    this.#expect(")");
    if (typeof value !== "string") this.#syntax("collection values are strings");
    return { kind: "any", prop, op, value };
  }

  #literal(): Literal {
    const token = this.#tokens[this.#pos++];
    if (token?.t === "str") return token.v;
    if (token?.t === "word") {
      const word = token.v.toLowerCase();
      if (word === "true") return true;
      if (word === "false") return false;
      if (word === "null") return null;
    }
    return this.#syntax("expected a literal (strings are single-quoted)");
  }
}

export function parseFilter(input: string, schema: FilterSchema): Filter {
  return new Parser(tokenize(input), schema).parse();
}

const fold = (v: string) => v.toLowerCase();

/** Evaluates a filter against an object whose properties are read with `get`. */
export function matchesFilter(filter: Filter, get: (prop: string) => unknown): boolean {
  switch (filter.kind) {
    case "and":
      return matchesFilter(filter.left, get) && matchesFilter(filter.right, get);
    case "or":
      return matchesFilter(filter.left, get) || matchesFilter(filter.right, get);
    case "not":
      return !matchesFilter(filter.inner, get);
    case "startswith": {
      const v = get(filter.prop);
      return typeof v === "string" && fold(v).startsWith(fold(filter.value));
    }
    case "cmp": {
      const v = get(filter.prop) ?? null;
      const equal =
        typeof v === "string" && typeof filter.value === "string"
          ? fold(v) === fold(filter.value)
          : v === filter.value;
      return filter.op === "eq" ? equal : !equal;
    }
    case "any": {
      const values = get(filter.prop);
      if (!Array.isArray(values)) return false;
      const wanted = fold(filter.value);
      return values.some((raw) => {
        const v = fold(String(raw));
        return filter.op === "eq" ? v === wanted : filter.op === "ne" ? v !== wanted : v.startsWith(wanted);
      });
    }
  }
}
