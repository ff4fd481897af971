import { isCordonError } from "../../core/errors.ts";
import { evaluateExpr, type Scope, toText } from "./evaluate.ts";
import {
  type Budget,
  checkOutputLength,
  languageError,
  MAX_DEPTH,
  MAX_TEMPLATE_CHARS,
  newBudget,
} from "./limits.ts";
import { type Expr, parseExpressionAt } from "./parse.ts";

/** A template split into literal text and the expressions of its `{{ }}`. */
export type TemplatePart = string | Expr;

/**
 * Finds where the expression opened at `start` ends: the first `}}` outside a quoted string, so
 * `{{ "}}" | length }}` is one expression. Returns -1 when there is none.
 */
function closingBraces(text: string, start: number): number {
  let quote: string | null = null;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (quote !== null) {
      if (c === "\\") i += 1;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "}" && text[i + 1] === "}") {
      return i;
    }
  }
  return -1;
}

/** Parses a template. Throws CordonError `invalid_input` naming the offset of the first problem. */
export function parseTemplate(text: string): TemplatePart[] {
  if (typeof text !== "string") throw languageError("a template must be a string");
  if (text.length > MAX_TEMPLATE_CHARS)
    throw languageError(`template is longer than ${MAX_TEMPLATE_CHARS} characters`);
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = closingBraces(text, open + 2);
    if (close < 0) throw languageError(`"{{" at offset ${open} is never closed with "}}"`);
    parts.push(parseExpressionAt(text.slice(open + 2, close), open + 2));
    i = close + 2;
  }
  return parts;
}

function renderParts(parts: readonly TemplatePart[], scope: Scope, budget: Budget): string {
  let out = "";
  for (const part of parts) {
    out += typeof part === "string" ? part : toText(evaluateExpr(part, scope, budget));
    checkOutputLength(out);
  }
  return out;
}

/** Renders `{{ expr }}` occurrences: null → "", strings as they are, numbers/booleans by String, the rest JSON. */
export function renderTemplateWith(text: string, scope: Scope, budget: Budget): string {
  return renderParts(parseTemplate(text), scope, budget);
}

export function renderTemplate(text: string, scope: Scope): string {
  return renderTemplateWith(text, scope, newBudget());
}

/** A string that is one `{{ expr }}` and nothing else (surrounding whitespace aside) yields the raw value. */
function soleExpression(parts: readonly TemplatePart[]): Expr | null {
  const meaningful = parts.filter((p) => typeof p !== "string" || p.trim() !== "");
  const only = meaningful[0];
  return meaningful.length === 1 && only !== undefined && typeof only !== "string" ? only : null;
}

function renderDeep(value: unknown, scope: Scope, budget: Budget, depth: number): unknown {
  if (depth > MAX_DEPTH) throw languageError(`value nested deeper than ${MAX_DEPTH}`);
  if (typeof value === "string") {
    const parts = parseTemplate(value);
    const sole = soleExpression(parts);
    return sole ? evaluateExpr(sole, scope, budget) : renderParts(parts, scope, budget);
  }
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, scope, budget, depth + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a key named "__proto__" in YAML stays a plain key instead of replacing the prototype.
      Object.defineProperty(out, key, {
        value: renderDeep(item, scope, budget, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Renders every string inside a value (object keys are left as written). A string that is exactly one
 * `{{ expr }}` yields the expression's raw value, so a list or an object passes through as such.
 */
export function renderValue(value: unknown, scope: Scope): unknown {
  return renderDeep(value, scope, newBudget(), 0);
}

/** Problems found when parsing a template; empty when it parses. */
export function checkTemplate(text: string): string[] {
  try {
    parseTemplate(text);
    return [];
  } catch (error) {
    if (isCordonError(error)) return [error.message];
    throw error;
  }
}
