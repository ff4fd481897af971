import type { UserRecord } from "./state.ts";

/**
 * The SCIM-like expressions of `GET /api/v1/users?search=` and `?filter=` (spec `listUsers` parameters; doc
 * developer.okta.com/docs/api/#filter). Grammar: `expr := and ('or' and)*`, `and := unary ('and' unary)*`,
 * `unary := '(' expr ')' | attr op value | attr 'pr'`. Operators and `and`/`or` are case-insensitive; attribute
 * names are case-sensitive.
 */
export type Expr =
  | { kind: "and"; left: Expr; right: Expr }
  | { kind: "or"; left: Expr; right: Expr }
  | { kind: "cmp"; attr: string; op: CmpOp; value: Literal }
  | { kind: "pr"; attr: string };
type CmpOp = "eq" | "sw" | "co" | "lt" | "le" | "gt" | "ge";
type Literal = string | number | boolean | null;

export class ExpressionError extends Error {}

const CMP_OPS = new Set<string>(["eq", "sw", "co", "lt", "le", "gt", "ge"]);
const DATE_ATTRS = new Set([
  "created",
  "activated",
  "statusChanged",
  "lastUpdated",
  "lastLogin",
  "passwordChanged",
]);
/** Spec `search`: "You can only use `co` with … profile.firstName, profile.lastName, profile.email, and profile.login". */
const CO_ATTRS = new Set(["profile.firstName", "profile.lastName", "profile.email", "profile.login"]);
/** Spec `filter`: "Filtering supports the following limited number of properties". */
const FILTER_ATTRS = new Set([
  "status",
  "lastUpdated",
  "id",
  "profile.login",
  "profile.email",
  "profile.firstName",
  "profile.lastName",
]);

type Token =
  | { type: "lparen" | "rparen" }
  | { type: "word"; text: string }
  | { type: "string"; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ type: ch === "(" ? "lparen" : "rparen" });
      i += 1;
    } else if (ch === '"') {
      let text = "";
      i += 1;
      while (i < input.length && input[i] !== '"') {
        if (input[i] === "\\" && i + 1 < input.length) i += 1;
        text += input[i];
        i += 1;
      }
      if (i >= input.length) throw new ExpressionError("unterminated string literal");
      i += 1;
      tokens.push({ type: "string", text });
    } else {
      let text = "";
      while (i < input.length && !/[\s()"]/.test(input[i]!)) {
        text += input[i];
        i += 1;
      }
      tokens.push({ type: "word", text });
    }
  }
  return tokens;
}

class Parser {
  readonly #tokens: Token[];
  #pos = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): Expr {
    if (this.#tokens.length === 0) throw new ExpressionError("empty expression");
    const expr = this.#or();
    if (this.#pos < this.#tokens.length) throw new ExpressionError("unexpected trailing input");
    return expr;
  }

  #keyword(word: string): boolean {
    const token = this.#tokens[this.#pos];
    if (token?.type === "word" && token.text.toLowerCase() === word) {
      this.#pos += 1;
      return true;
    }
    return false;
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#keyword("or")) left = { kind: "or", left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#unary();
    while (this.#keyword("and")) left = { kind: "and", left, right: this.#unary() };
    return left;
  }

  #unary(): Expr {
    const token = this.#tokens[this.#pos++];
    if (!token) throw new ExpressionError("expression ends too early");
    if (token.type === "lparen") {
      const inner = this.#or();
      if (this.#tokens[this.#pos++]?.type !== "rparen")
        throw new ExpressionError("missing closing parenthesis");
      return inner;
    }
    if (token.type !== "word" || !/^[A-Za-z_][\w.]*$/.test(token.text)) {
      throw new ExpressionError("expected an attribute name");
    }
    const attr = token.text;
    const opToken = this.#tokens[this.#pos++];
    if (opToken?.type !== "word") throw new ExpressionError(`expected an operator after ${attr}`);
    const op = opToken.text.toLowerCase();
    if (op === "pr") return { kind: "pr", attr };
    if (!CMP_OPS.has(op)) throw new ExpressionError(`unsupported operator "${opToken.text}"`);
    return { kind: "cmp", attr, op: op as CmpOp, value: this.#literal() };
  }

  #literal(): Literal {
    const token = this.#tokens[this.#pos++];
    if (token?.type === "string") return token.text;
    if (token?.type === "word") {
      const text = token.text.toLowerCase();
      if (text === "true") return true;
      if (text === "false") return false;
      if (text === "null") return null;
      if (/^-?\d+(\.\d+)?$/.test(token.text)) return Number(token.text);
    }
    throw new ExpressionError("expected a value (strings are double-quoted)");
  }
}

export type ExpressionMode = "search" | "filter";

/** Parses and checks an expression against the rules of its parameter; throws ExpressionError when invalid. */
export function parseExpression(input: string, mode: ExpressionMode): Expr {
  const expr = new Parser(tokenize(input)).parse();
  validate(expr, mode);
  return expr;
}

function validate(expr: Expr, mode: ExpressionMode): void {
  if (expr.kind === "and" || expr.kind === "or") {
    validate(expr.left, mode);
    validate(expr.right, mode);
    return;
  }
  if (mode === "filter") {
    if (!FILTER_ATTRS.has(expr.attr))
      throw new ExpressionError(`filter does not support property "${expr.attr}"`);
    // Spec `filter`: only `eq`, except `lastUpdated`, which also takes gt, ge, lt and le.
    const ok =
      expr.kind === "cmp" &&
      (expr.op === "eq" || (expr.attr === "lastUpdated" && expr.op !== "sw" && expr.op !== "co"));
    if (!ok) throw new ExpressionError(`filter does not support that operator on "${expr.attr}"`);
  } else if (expr.kind === "cmp" && expr.op === "co" && !CO_ATTRS.has(expr.attr)) {
    throw new ExpressionError(`"co" is only supported on ${[...CO_ATTRS].join(", ")}`);
  }
  if (expr.kind === "cmp" && DATE_ATTRS.has(expr.attr) && expr.op !== "sw" && expr.op !== "co") {
    if (typeof expr.value !== "string" || Number.isNaN(Date.parse(expr.value))) {
      throw new ExpressionError(`"${expr.attr}" needs an ISO-8601 date value`);
    }
  }
}

function attributeOf(user: UserRecord, attr: string): Literal | undefined {
  if (attr.startsWith("profile.")) {
    const key = attr.slice("profile.".length);
    return Object.hasOwn(user.profile, key) ? (user.profile as Record<string, Literal>)[key] : undefined;
  }
  switch (attr) {
    case "id":
      return user.id;
    case "status":
      return user.status;
    case "type.id":
      return user.typeId;
    default:
      if (DATE_ATTRS.has(attr)) {
        const ms = user[attr as "activated"];
        return ms === null ? null : new Date(ms).toISOString();
      }
      return undefined;
  }
}

function compare(
  actual: Literal | undefined,
  op: CmpOp,
  expected: Literal,
  attr: string,
  fold: boolean,
): boolean {
  if (actual === undefined || actual === null) return expected === null && op === "eq" && actual === null;
  if (
    DATE_ATTRS.has(attr) &&
    typeof actual === "string" &&
    typeof expected === "string" &&
    op !== "sw" &&
    op !== "co"
  ) {
    return order(Date.parse(actual) - Date.parse(expected), op);
  }
  if (typeof actual === "string" && typeof expected === "string") {
    const a = fold ? actual.toLowerCase() : actual;
    const e = fold ? expected.toLowerCase() : expected;
    if (op === "sw") return a.startsWith(e);
    if (op === "co") return a.includes(e);
    return order(a < e ? -1 : a > e ? 1 : 0, op);
  }
  if (op === "eq") return actual === expected;
  if (typeof actual === "number" && typeof expected === "number") return order(actual - expected, op);
  return false;
}

function order(diff: number, op: CmpOp): boolean {
  switch (op) {
    case "eq":
      return diff === 0;
    case "lt":
      return diff < 0;
    case "le":
      return diff <= 0;
    case "gt":
      return diff > 0;
    case "ge":
      return diff >= 0;
    default:
      return false;
  }
}

/**
 * Whether a user matches. `search` compares string values case-insensitively ("operators … and string values are
 * case insensitive"); `filter` compares them exactly ("Filtering is case-sensitive for property names and query
 * values").
 */
export function matches(expr: Expr, user: UserRecord, mode: ExpressionMode): boolean {
  switch (expr.kind) {
    case "and":
      return matches(expr.left, user, mode) && matches(expr.right, user, mode);
    case "or":
      return matches(expr.left, user, mode) || matches(expr.right, user, mode);
    case "pr": {
      const value = attributeOf(user, expr.attr);
      return value !== undefined && value !== null && value !== "";
    }
    case "cmp":
      return compare(attributeOf(user, expr.attr), expr.op, expr.value, expr.attr, mode === "search");
  }
}

/** A sortable value for `sortBy` (search only). */
export function sortValue(user: UserRecord, attr: string): string {
  const value = attributeOf(user, attr);
  return value === undefined || value === null ? "" : String(value).toLowerCase();
}
