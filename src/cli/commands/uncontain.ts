import { applyUndo, planUndo } from "../../engine/uncontain.ts";
import { confirmOrAbort } from "../confirm.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, renderRun, renderUndoPlan } from "../output.ts";
import { runExitCode, runOptions } from "./contain.ts";

export async function uncontainCommand(
  ctx: CliContext,
  output: Output,
  runId: string,
  options: { yes?: boolean; dryRun?: boolean },
): Promise<number> {
  const store = ctx.openStore();
  try {
    const undo = await planUndo(runId, store, ctx.connectors(), ctx.clock);
    if (!output.json) output.out(renderUndoPlan(undo));
    if (options.dryRun) {
      if (output.json) output.out(JSON.stringify({ undo, dryRun: true }, null, 2));
      return EXIT.ok;
    }
    if (
      !(await confirmOrAbort(
        output,
        options.yes ?? false,
        `Restore ${undo.items.length} account(s) to their state before ${runId}?`,
      ))
    ) {
      output.err("aborted: nothing was changed");
      return EXIT.aborted;
    }
    const result = await applyUndo(undo, runOptions(ctx, store, output));
    output.out(
      output.json
        ? JSON.stringify({ ...result, notUndoable: undo.notUndoable, leftAsFound: undo.leftAsFound }, null, 2)
        : renderRun(result),
    );
    return runExitCode(result);
  } finally {
    await store.close();
  }
}
