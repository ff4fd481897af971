import { type Budget, checkOutputLength, languageError, MAX_OUTPUT_CHARS, spend } from "./limits.ts";
import { type CompareOp, type Expr, type FilterName, FORBIDDEN_NAMES } from "./parse.ts";

/** What expressions see: `event`, `subject`, `steps`, `playbook` and loop variables. Never the configuration. */
export type Scope = Readonly<Record<string, unknown>>;

/** Plain data only: a class instance, function or Map is opaque to expressions (no getters run, no methods). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Reads one key of a value: own data properties of plain objects, integer indexes of arrays. Anything else —
 * a missing key, an inherited one, a prototype name, a getter — reads as null rather than failing, so
 * `event.data.x | default("n/a")` works on whatever shape an event arrives in.
 */
export function readKey(value: unknown, key: unknown): unknown {
  if (Array.isArray(value)) {
    if (typeof key !== "number" || !Number.isInteger(key) || key < 0 || key >= value.length) return null;
    return normalise(value[key]);
  }
  if (isPlainObject(value)) {
    if (typeof key === "number" && Number.isInteger(key)) key = String(key);
    if (typeof key !== "string" || FORBIDDEN_NAMES.has(key) || !Object.hasOwn(value, key)) return null;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    return descriptor && "value" in descriptor ? normalise(descriptor.value) : null;
  }
  return null;
}

/** `undefined` and non-data values (functions, symbols, bigints) are not part of the language: they read as null. */
function normalise(value: unknown): unknown {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return null;
  if (typeof value === "bigint") return null;
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** null/false/0/""/[] are false; everything else is true. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (typeof value === "number" && Number.isNaN(value)) return false;
  if (Array.isArray(value) && value.length === 0) return false;
  return true;
}

/** JSON that never throws: a cycle or an oversized value becomes a CordonError, not a TypeError. */
export function toJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? null : v));
  } catch {
    throw languageError("value cannot be written as JSON (it refers to itself)");
  }
  return checkOutputLength(text ?? "null");
}

/** How a value is written into text: null is empty, strings as they are, other scalars by String, the rest JSON. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return toJson(value);
}

function compare(op: CompareOp, left: unknown, right: unknown): boolean {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case "in":
      return contains(right, left);
    case "not in":
      return !contains(right, left);
  }
  // Ordering is defined only between two numbers or two strings; anything else is simply not ordered.
  const ordered =
    (typeof left === "number" && typeof right === "number") ||
    (typeof left === "string" && typeof right === "string");
  if (!ordered) return false;
  const a = left as number | string;
  const b = right as number | string;
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (Array.isArray(haystack)) return haystack.some((item) => item === needle);
  if (typeof haystack === "string" && typeof needle === "string") return haystack.includes(needle);
  return false;
}

function integerArg(value: unknown, filter: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_OUTPUT_CHARS)
    throw languageError(`filter "${filter}" needs a whole number from 0 to ${MAX_OUTPUT_CHARS}`);
  return value;
}

/** Escapes the three characters Slack mrkdwn gives meaning to, so event text cannot inject links or mentions. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function applyFilter(name: FilterName, input: unknown, args: unknown[]): unknown {
  switch (name) {
    case "lower":
      return input === null ? null : toText(input).toLowerCase();
    case "upper":
      return input === null ? null : toText(input).toUpperCase();
    case "trim":
      return input === null ? null : toText(input).trim();
    case "default":
      return input === null || input === "" ? (args[0] ?? null) : input;
    case "json":
      return toJson(input);
    case "join": {
      const separator = args.length > 0 ? toText(args[0]) : ", ";
      if (!Array.isArray(input)) return toText(input);
      return checkOutputLength(input.map((item) => toText(normalise(item))).join(separator));
    }
    case "first":
      if (Array.isArray(input)) return input.length > 0 ? normalise(input[0]) : null;
      return typeof input === "string" && input.length > 0 ? [...input][0] : null;
    case "last":
      if (Array.isArray(input)) return input.length > 0 ? normalise(input[input.length - 1]) : null;
      return typeof input === "string" && input.length > 0 ? [...input].at(-1) : null;
    case "length":
      if (Array.isArray(input) || typeof input === "string") return input.length;
      if (isPlainObject(input)) return Object.keys(input).length;
      return 0;
    case "urlencode":
      // toWellFormed: encodeURIComponent throws URIError on a lone surrogate, which event text may contain.
      return checkOutputLength(encodeURIComponent(toText(input).toWellFormed()));
    case "truncate": {
      const n = integerArg(args[0], "truncate");
      const chars = [...toText(input)];
      if (chars.length <= n) return chars.join("");
      return n === 0 ? "" : `${chars.slice(0, n - 1).join("")}…`;
    }
    case "slack_escape":
      return input === null ? null : checkOutputLength(slackEscape(toText(input)));
    case "keys":
      return isPlainObject(input) ? Object.keys(input).filter((k) => !FORBIDDEN_NAMES.has(k)) : [];
    case "string":
      return toText(input);
  }
}

/** Evaluates a parsed expression against a scope, spending from `budget` for every node. */
export function evaluateExpr(expr: Expr, scope: Scope, budget: Budget): unknown {
  spend(budget);
  switch (expr.type) {
    case "literal":
      return expr.value;
    case "list":
      return expr.items.map((item) => evaluateExpr(item, scope, budget));
    case "name":
      return readKey(scope, expr.name);
    case "member":
      return readKey(evaluateExpr(expr.object, scope, budget), expr.key);
    case "index":
      return readKey(evaluateExpr(expr.object, scope, budget), evaluateExpr(expr.index, scope, budget));
    case "not":
      return !isTruthy(evaluateExpr(expr.operand, scope, budget));
    case "and": {
      // Short-circuit and return a boolean: conditions read as conditions, not as Python's value-passing `and`.
      return (
        isTruthy(evaluateExpr(expr.left, scope, budget)) && isTruthy(evaluateExpr(expr.right, scope, budget))
      );
    }
    case "or":
      return (
        isTruthy(evaluateExpr(expr.left, scope, budget)) || isTruthy(evaluateExpr(expr.right, scope, budget))
      );
    case "compare":
      return compare(
        expr.op,
        evaluateExpr(expr.left, scope, budget),
        evaluateExpr(expr.right, scope, budget),
      );
    case "filter": {
      const input = evaluateExpr(expr.input, scope, budget);
      const args = expr.args.map((arg) => evaluateExpr(arg, scope, budget));
      return applyFilter(expr.name, input, args);
    }
  }
}
