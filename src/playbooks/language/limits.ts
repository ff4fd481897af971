import { CordonError } from "../../core/errors.ts";

/**
 * Bounds of the playbook language. Templates render text that an attacker partly controls (event payloads), so
 * every dimension of the work is capped: a hostile event can make a render fail, never make it hang or grow.
 */
export const LIMITS = {
  /** Characters in one expression (a condition, or the inside of one `{{ }}`). */
  expressionChars: 2_000,
  /** Characters in one template string. */
  templateChars: 40_000,
  /** Characters a single render may produce (a template's text, a filter's result). */
  outputChars: 100_000,
  /** Expression nodes evaluated in one render (one `renderTemplate`, `renderValue` or `evaluate` call). */
  evaluationSteps: 10_000,
  /** Nesting of parentheses, lists, paths and filters in an expression; nesting of values rendered. */
  depth: 64,
} as const;

export const MAX_EXPRESSION_CHARS = LIMITS.expressionChars;
export const MAX_TEMPLATE_CHARS = LIMITS.templateChars;
export const MAX_OUTPUT_CHARS = LIMITS.outputChars;
export const MAX_EVALUATION_STEPS = LIMITS.evaluationSteps;
export const MAX_DEPTH = LIMITS.depth;

export function languageError(message: string): CordonError {
  return new CordonError({ kind: "invalid_input", field: "template" }, message);
}

/** The step budget of one render, passed down explicitly (no module state: renders may interleave). */
export interface Budget {
  steps: number;
}

export function newBudget(): Budget {
  return { steps: 0 };
}

export function spend(budget: Budget): void {
  budget.steps += 1;
  if (budget.steps > MAX_EVALUATION_STEPS)
    throw languageError(`evaluation exceeded ${MAX_EVALUATION_STEPS} steps`);
}

export function checkOutputLength(text: string): string {
  if (text.length > MAX_OUTPUT_CHARS)
    throw languageError(`rendered output exceeds ${MAX_OUTPUT_CHARS} characters`);
  return text;
}
