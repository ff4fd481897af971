import { languageError, MAX_DEPTH, MAX_EXPRESSION_CHARS } from "./limits.ts";

/**
 * The expression language's syntax tree. Plain data: an `Expr` can be stored, compared and walked (the loader
 * walks it for `steps.<id>` references) and holds nothing that could run.
 */
export type Expr =
  | { readonly type: "literal"; readonly value: string | number | boolean | null; readonly at: number }
  | { readonly type: "list"; readonly items: readonly Expr[]; readonly at: number }
  /** A name looked up in the scope (`event`, `subject`, `steps`, a loop variable). */
  | { readonly type: "name"; readonly name: string; readonly at: number }
  | { readonly type: "member"; readonly object: Expr; readonly key: string; readonly at: number }
  | { readonly type: "index"; readonly object: Expr; readonly index: Expr; readonly at: number }
  | { readonly type: "not"; readonly operand: Expr; readonly at: number }
  | { readonly type: "and" | "or"; readonly left: Expr; readonly right: Expr; readonly at: number }
  | {
      readonly type: "compare";
      readonly op: CompareOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly at: number;
    }
  | {
      readonly type: "filter";
      readonly name: FilterName;
      readonly input: Expr;
      readonly args: readonly Expr[];
      readonly at: number;
    };

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

/** Every filter with how many arguments it takes (min, max): checked when parsing, not when running. */
export const FILTERS = {
  lower: [0, 0],
  upper: [0, 0],
  trim: [0, 0],
  default: [1, 1],
  json: [0, 0],
  join: [0, 1],
  first: [0, 0],
  last: [0, 0],
  length: [0, 0],
  urlencode: [0, 0],
  truncate: [1, 1],
  slack_escape: [0, 0],
  keys: [0, 0],
  string: [0, 0],
} as const satisfies Record<string, readonly [number, number]>;

export type FilterName = keyof typeof FILTERS;

/**
 * Names that would reach an object's prototype chain. Evaluation reads own properties only anyway; refusing them
 * when parsing means a playbook that tries is rejected by `cordon playbook validate`, not at 3 a.m.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const KEYWORDS: ReadonlySet<string> = new Set(["and", "or", "not", "in", "true", "false", "null"]);

export function isIdentifier(text: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && !KEYWORDS.has(text);
}

type Token =
  | { kind: "string"; value: string; at: number }
  | { kind: "number"; value: number; at: number }
  | { kind: "name"; value: string; at: number }
  | { kind: "op"; value: string; at: number }
  | { kind: "eof"; value: ""; at: number };

const TWO_CHAR_OPS = ["==", "!=", "<=", ">="];
const ONE_CHAR_OPS = "<>.[](),|-";
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "'": "'", "\\": "\\", n: "\n", t: "\t" };

/** Splits expression text into tokens. `base` is the text's offset inside its template, for messages. */
function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i += 1;
      continue;
    }
    const at = base + i;
    if (c === '"' || c === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw languageError(`unterminated string starting at offset ${at}`);
        const d = text[j] as string;
        if (d === c) break;
        if (d === "\\") {
          const e = text[j + 1];
          const escaped = e === undefined ? undefined : ESCAPES[e];
          if (escaped === undefined) throw languageError(`unknown escape \\${e ?? ""} at offset ${base + j}`);
          value += escaped;
          j += 2;
        } else {
          value += d;
          j += 1;
        }
      }
      tokens.push({ kind: "string", value, at });
      i = j + 1;
      continue;
    }
    const number = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i, i + 40));
    if (number) {
      if (number[0].length >= 40) throw languageError(`number too long at offset ${at}`);
      tokens.push({ kind: "number", value: Number(number[0]), at });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 200));
    if (name) {
      tokens.push({ kind: "name", value: name[0], at });
      i += name[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_OPS.includes(two)) {
      tokens.push({ kind: "op", value: two, at });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(c)) {
      tokens.push({ kind: "op", value: c, at });
      i += 1;
      continue;
    }
    throw languageError(`unexpected character ${JSON.stringify(c)} at offset ${at}`);
  }
  tokens.push({ kind: "eof", value: "", at: base + text.length });
  return tokens;
}

function describe(token: Token): string {
  if (token.kind === "eof") return "end of expression";
  if (token.kind === "string") return "a string";
  return JSON.stringify(String(token.value));
}

/** Recursive descent over the tokens. Precedence, loosest first: or, and, not, comparison, filter, path. */
class Parser {
  readonly #tokens: Token[];
  #pos = 0;
  #depth = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): Expr {
    const expr = this.#or();
    const next = this.#peek();
    if (next.kind !== "eof") throw languageError(`unexpected ${describe(next)} at offset ${next.at}`);
    return expr;
  }

  #peek(): Token {
    return this.#tokens[this.#pos] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== "eof") this.#pos += 1;
    return token;
  }

  #isOp(value: string): boolean {
    const t = this.#peek();
    return t.kind === "op" && t.value === value;
  }

  #isWord(value: string): boolean {
    const t = this.#peek();
    return t.kind === "name" && t.value === value;
  }

  #expectOp(value: string): void {
    const t = this.#next();
    if (t.kind !== "op" || t.value !== value)
      throw languageError(`expected "${value}" but found ${describe(t)} at offset ${t.at}`);
  }

  /** Guards every construct that nests, so a hostile `((((…` fails cleanly instead of exhausting the stack. */
  #nested<T>(at: number, parse: () => T): T {
    this.#depth += 1;
    if (this.#depth > MAX_DEPTH)
      throw languageError(`expression nested deeper than ${MAX_DEPTH} at offset ${at}`);
    try {
      return parse();
    } finally {
      this.#depth -= 1;
    }
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#isWord("or")) {
      const at = this.#next().at;
      left = { type: "or", left, right: this.#and(), at };
    }
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#isWord("and")) {
      const at = this.#next().at;
      left = { type: "and", left, right: this.#not(), at };
    }
    return left;
  }

  #not(): Expr {
    if (this.#isWord("not")) {
      const at = this.#next().at;
      return this.#nested(at, () => ({ type: "not", operand: this.#not(), at }));
    }
    return this.#comparison();
  }

  #comparison(): Expr {
    const left = this.#filtered();
    const t = this.#peek();
    let op: CompareOp | null = null;
    if (t.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.value)) op = t.value as CompareOp;
    else if (t.kind === "name" && t.value === "in") op = "in";
    else if (t.kind === "name" && t.value === "not") {
      const after = this.#tokens[this.#pos + 1];
      if (after?.kind === "name" && after.value === "in") {
        this.#next();
        op = "not in";
      }
    }
    if (op === null) return left;
    this.#next();
    const right = this.#filtered();
    const again = this.#peek();
    if (again.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(again.value))
      throw languageError(`comparisons cannot be chained; use "and" (offset ${again.at})`);
    return { type: "compare", op, left, right, at: t.at };
  }

  #filtered(): Expr {
    let input = this.#postfix();
    while (this.#isOp("|")) {
      this.#next();
      const t = this.#next();
      if (t.kind !== "name") throw languageError(`expected a filter name at offset ${t.at}`);
      if (!Object.hasOwn(FILTERS, t.value))
        throw languageError(`unknown filter "${t.value}" at offset ${t.at}`);
      const name = t.value as FilterName;
      const args: Expr[] = [];
      if (this.#isOp("(")) {
        this.#next();
        this.#nested(t.at, () => {
          if (!this.#isOp(")")) {
            args.push(this.#or());
            while (this.#isOp(",")) {
              this.#next();
              args.push(this.#or());
            }
          }
        });
        this.#expectOp(")");
      }
      const [min, max] = FILTERS[name];
      if (args.length < min || args.length > max)
        throw languageError(
          `filter "${name}" takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length} (offset ${t.at})`,
        );
      input = { type: "filter", name, input, args, at: t.at };
    }
    return input;
  }

  #postfix(): Expr {
    let object = this.#primary();
    for (;;) {
      if (this.#isOp(".")) {
        const dot = this.#next();
        const t = this.#next();
        if (t.kind !== "name") throw languageError(`expected a property name after "." at offset ${dot.at}`);
        if (FORBIDDEN_NAMES.has(t.value)) throw languageError(`"${t.value}" cannot be read (offset ${t.at})`);
        object = { type: "member", object, key: t.value, at: t.at };
      } else if (this.#isOp("[")) {
        const open = this.#next();
        const index = this.#nested(open.at, () => this.#or());
        if (index.type === "literal" && typeof index.value === "string" && FORBIDDEN_NAMES.has(index.value))
          throw languageError(`"${index.value}" cannot be read (offset ${index.at})`);
        this.#expectOp("]");
        object = { type: "index", object, index, at: open.at };
      } else {
        return object;
      }
    }
  }

  #primary(): Expr {
    const t = this.#next();
    switch (t.kind) {
      case "string":
      case "number":
        return { type: "literal", value: t.value, at: t.at };
      case "name":
        if (t.value === "true" || t.value === "false")
          return { type: "literal", value: t.value === "true", at: t.at };
        if (t.value === "null") return { type: "literal", value: null, at: t.at };
        if (KEYWORDS.has(t.value)) throw languageError(`unexpected "${t.value}" at offset ${t.at}`);
        if (FORBIDDEN_NAMES.has(t.value)) throw languageError(`"${t.value}" cannot be read (offset ${t.at})`);
        return { type: "name", name: t.value, at: t.at };
      case "op":
        if (t.value === "-") {
          const n = this.#next();
          if (n.kind !== "number") throw languageError(`expected a number after "-" at offset ${t.at}`);
          return { type: "literal", value: -n.value, at: t.at };
        }
        if (t.value === "(") {
          const inner = this.#nested(t.at, () => this.#or());
          this.#expectOp(")");
          return inner;
        }
        if (t.value === "[") {
          const items: Expr[] = [];
          this.#nested(t.at, () => {
            if (!this.#isOp("]")) {
              items.push(this.#or());
              while (this.#isOp(",")) {
                this.#next();
                if (this.#isOp("]")) break; // a trailing comma, as YAML flow lists allow
                items.push(this.#or());
              }
            }
          });
          this.#expectOp("]");
          return { type: "list", items, at: t.at };
        }
        throw languageError(`unexpected ${describe(t)} at offset ${t.at}`);
      case "eof":
        throw languageError(`expression ends too early at offset ${t.at}`);
    }
  }
}

/**
 * Parses one expression. `base` is where the text starts inside its template, so offsets in messages point into
 * what the author wrote. Throws CordonError `invalid_input` with the offset.
 */
export function parseExpressionAt(text: string, base: number): Expr {
  if (typeof text !== "string") throw languageError("an expression must be a string");
  if (text.length > MAX_EXPRESSION_CHARS)
    throw languageError(`expression at offset ${base} is longer than ${MAX_EXPRESSION_CHARS} characters`);
  if (text.trim() === "") throw languageError(`empty expression at offset ${base}`);
  return new Parser(tokenize(text, base)).parse();
}
