import { confirm, isCancel } from "@clack/prompts";
import { CordonError } from "../core/errors.ts";
import type { Output } from "./output.ts";

/**
 * Destructive actions need a yes: `--yes`, or an answer at an interactive prompt. Without a TTY and without
 * `--yes`, cordon refuses rather than guess (a script must say what it means).
 */
export async function confirmOrAbort(output: Output, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!output.interactive) {
    throw new CordonError(
      { kind: "invalid_input", field: "yes" },
      "this changes tenants and needs confirmation: pass --yes when not running interactively",
    );
  }
  const answer = await confirm({ message: question, initialValue: false });
  return !isCancel(answer) && answer === true;
}
