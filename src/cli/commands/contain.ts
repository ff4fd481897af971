import { readFileSync, writeFileSync } from "node:fs";
import type { ContainmentProfile } from "../../core/connector.ts";
import { CordonError, type CordonErrorKind } from "../../core/errors.ts";
import type { Plan } from "../../core/plan.ts";
import { applyPlan } from "../../engine/contain.ts";
import { buildPlan } from "../../engine/plan.ts";
import type { ProgressEvent, RunResult } from "../../engine/run.ts";
import type { Store } from "../../store/types.ts";
import { confirmOrAbort } from "../confirm.ts";
import type { CliContext } from "../context.ts";
import { EXIT, exitCodeFor } from "../exit-codes.ts";
import { type Output, renderPlan, renderRun } from "../output.ts";

export interface ContainOptions {
  from?: string;
  in?: string;
  profile: ContainmentProfile;
  dryRun?: boolean;
  yes?: boolean;
  reason?: string;
  force?: boolean;
  maxAccounts?: number;
  out?: string;
  alias?: string[];
}

/** Reads subjects from a file: one email per line, `#` comments and blank lines ignored. */
export function readSubjectsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new CordonError({ kind: "invalid_input", field: "from" }, `cannot read --from file ${path}`);
  }
  const subjects: string[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const value = line.replace(/#.*/, "").trim();
    if (!value) continue;
    if (/[\s,;]/.test(value) || !value.includes("@")) {
      throw new CordonError(
        { kind: "invalid_input", field: "from" },
        `${path} line ${index + 1}: expected one email address per line`,
      );
    }
    subjects.push(value);
  }
  if (subjects.length === 0)
    throw new CordonError({ kind: "invalid_input", field: "from" }, `${path} has no email addresses`);
  return subjects;
}

export async function makePlan(ctx: CliContext, emails: string[], options: ContainOptions): Promise<Plan> {
  const subjects = [...emails, ...(options.from ? readSubjectsFile(options.from) : [])];
  if (options.force && !options.reason)
    throw new CordonError({ kind: "invalid_input", field: "reason" }, "--force needs --reason");
  const policy = {
    ...ctx.policy,
    ...(options.maxAccounts ? { maxAccountsPerRun: options.maxAccounts } : {}),
  };
  return buildPlan(
    {
      subjects,
      profile: options.profile,
      reason: options.reason ?? null,
      force: options.force ? { reason: options.reason ?? "" } : null,
      policy,
      aliases: options.alias,
      only: options.in
        ? options.in
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    },
    ctx.connectors(),
    ctx.clock,
  );
}

/** `cordon plan`: resolve and decide, write the sealed plan; nothing changes anywhere. */
export async function planCommand(
  ctx: CliContext,
  output: Output,
  emails: string[],
  options: ContainOptions,
): Promise<number> {
  const plan = await makePlan(ctx, emails, options);
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  if (options.out) writeFileSync(options.out, text, { mode: 0o600 });
  if (output.json) output.out(options.out ? JSON.stringify({ plan: options.out, hash: plan.hash }) : text);
  else
    output.out(
      `${renderPlan(plan)}${options.out ? `\nwritten to ${options.out}; apply it with: cordon apply ${options.out}` : ""}`,
    );
  return planExitCode(plan);
}

export async function containCommand(
  ctx: CliContext,
  output: Output,
  emails: string[],
  options: ContainOptions,
): Promise<number> {
  const plan = await makePlan(ctx, emails, options);
  if (!output.json) output.out(renderPlan(plan));
  const planned = plan.items.filter((i) => i.decision === "contain").length;
  if (options.dryRun || planned === 0) {
    if (output.json) output.out(JSON.stringify({ plan, dryRun: Boolean(options.dryRun) }, null, 2));
    else output.out(options.dryRun ? "dry run: nothing was changed" : "nothing to contain");
    return planExitCode(plan);
  }
  return applyAndReport(ctx, output, plan, options.yes ?? false);
}

export async function applyCommand(
  ctx: CliContext,
  output: Output,
  file: string,
  yes: boolean,
): Promise<number> {
  let plan: Plan;
  try {
    plan = JSON.parse(readFileSync(file, "utf8")) as Plan;
  } catch {
    throw new CordonError({ kind: "invalid_input", field: "plan" }, `cannot read a plan from ${file}`);
  }
  if (!output.json) output.out(renderPlan(plan));
  return applyAndReport(ctx, output, plan, yes);
}

async function applyAndReport(ctx: CliContext, output: Output, plan: Plan, yes: boolean): Promise<number> {
  const accounts = plan.items.filter((i) => i.decision === "contain").length;
  if (!(await confirmOrAbort(output, yes, `Contain ${accounts} account(s) with profile ${plan.profile}?`))) {
    output.err("aborted: nothing was changed");
    return EXIT.aborted;
  }
  const store = ctx.openStore();
  try {
    const result = await applyPlan(plan, runOptions(ctx, store, output));
    output.out(
      output.json
        ? JSON.stringify(result, null, 2)
        : `${renderRun(result)}\nundo with: cordon uncontain ${result.runId}`,
    );
    return plan.unreachable.length > 0 && result.state === "completed" ? EXIT.partial : runExitCode(result);
  } finally {
    await store.close();
  }
}

/** What the engine needs for a run started from the CLI. */
export function runOptions(ctx: CliContext, store: Store, output: Output) {
  return {
    store,
    connectors: ctx.connectors(),
    clock: ctx.clock,
    actor: ctx.actor,
    onProgress: progressReporter(output),
  };
}

/** A progress line on stderr for long runs, only on a terminal. */
export function progressReporter(output: Output): ((event: ProgressEvent) => void) | undefined {
  if (!output.interactive) return undefined;
  return (event) => {
    if (event.type === "step.finished" && event.totalSteps > 10) {
      process.stderr.write(`\r${event.done}/${event.totalSteps} steps`);
      if (event.done === event.totalSteps) process.stderr.write("\n");
    }
  };
}

export function runExitCode(result: RunResult): number {
  if (result.state === "completed") return EXIT.ok;
  return result.state === "failed" ? EXIT.failed : EXIT.partial;
}

function planExitCode(plan: Plan): number {
  const [failure] = plan.unreachable;
  if (plan.items.length === 0 && failure) return exitCodeFor(failure.kind as CordonErrorKind);
  if (plan.unreachable.length > 0) return EXIT.partial;
  if (plan.items.length === 0) return EXIT.notFound;
  if (plan.items.every((i) => i.decision === "skip")) return EXIT.refusedByPolicy;
  return EXIT.ok;
}
