/**
 * The playbook template and expression language (decision 0010, docs/playbooks.md): `{{ expr | filter }}` in
 * strings, conditions in `if`/`when`. Hand-written tokenizer and parser, an evaluator over plain data; nothing is
 * ever compiled or run as JavaScript, and every render is bounded in input, output, steps and depth.
 */
import { isCordonError } from "../../core/errors.ts";
import { evaluateExpr, type Scope } from "./evaluate.ts";
import { newBudget } from "./limits.ts";
import { type Expr, parseExpressionAt } from "./parse.ts";
import { parseTemplate } from "./template.ts";

export { isTruthy, type Scope, slackEscape, toText } from "./evaluate.ts";
export {
  LIMITS,
  MAX_DEPTH,
  MAX_EVALUATION_STEPS,
  MAX_EXPRESSION_CHARS,
  MAX_OUTPUT_CHARS,
  MAX_TEMPLATE_CHARS,
} from "./limits.ts";
export {
  type CompareOp,
  type Expr,
  FILTERS,
  type FilterName,
  FORBIDDEN_NAMES,
  isIdentifier,
} from "./parse.ts";
export { checkTemplate, parseTemplate, renderTemplate, renderValue, type TemplatePart } from "./template.ts";

/** Parses one expression; throws CordonError `invalid_input` whose message names the character offset. */
export function parseExpression(text: string): Expr {
  return parseExpressionAt(text, 0);
}

/** Evaluates an expression (text or parsed) against a scope, within the step budget of one render. */
export function evaluate(expr: string | Expr, scope: Scope): unknown {
  return evaluateExpr(typeof expr === "string" ? parseExpression(expr) : expr, scope, newBudget());
}

/** Problems found when parsing an expression; empty when it parses. */
export function checkExpression(text: string): string[] {
  try {
    parseExpression(text);
    return [];
  } catch (error) {
    if (isCordonError(error)) return [error.message];
    throw error;
  }
}

/**
 * The static paths an expression reads, each from its root name: `steps.contain.outcome` gives
 * `["steps", "contain", "outcome"]`; a computed index (`steps[x]`) ends the path there. The loader uses it to
 * check that `steps.<id>` names a step defined earlier and that root names exist.
 */
export function readPaths(expr: Expr): string[][] {
  const paths: string[][] = [];
  const visit = (e: Expr): void => {
    switch (e.type) {
      case "literal":
        return;
      case "name":
      case "member":
      case "index": {
        // Walk from the outermost access down to the root, keeping each static key; a computed index is
        // visited as an expression of its own and cuts the static path there.
        const segments: (string | null)[] = [];
        let current: Expr = e;
        while (current.type === "member" || current.type === "index") {
          if (current.type === "member") segments.unshift(current.key);
          else if (current.index.type === "literal" && current.index.value !== null)
            segments.unshift(String(current.index.value));
          else {
            segments.unshift(null);
            visit(current.index);
          }
          current = current.object;
        }
        if (current.type !== "name") {
          visit(current);
          return;
        }
        const cut = segments.indexOf(null);
        paths.push([current.name, ...(segments.slice(0, cut < 0 ? undefined : cut) as string[])]);
        return;
      }
      case "list":
        for (const item of e.items) visit(item);
        return;
      case "not":
        visit(e.operand);
        return;
      case "and":
      case "or":
      case "compare":
        visit(e.left);
        visit(e.right);
        return;
      case "filter":
        visit(e.input);
        for (const arg of e.args) visit(arg);
        return;
    }
  };
  visit(expr);
  return paths;
}

/** Every expression of a template, parsed (throws like `parseTemplate`). */
export function templateExpressions(text: string): Expr[] {
  return parseTemplate(text).filter((p): p is Expr => typeof p !== "string");
}
