import { CordonError } from "../../core/errors.ts";
import { exportLedgerJsonl } from "../../store/index.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, table } from "../output.ts";

export async function auditListCommand(ctx: CliContext, output: Output, limit: number): Promise<number> {
  const store = ctx.openStore();
  try {
    const runs = await store.listRuns({ limit });
    if (output.json)
      output.out(
        JSON.stringify(
          runs.map(({ plan: _plan, ...run }) => run),
          null,
          2,
        ),
      );
    else
      output.out(
        table(
          ["run", "kind", "state", "actor", "started", "parent"],
          runs.map((r) => [r.id, r.kind, r.state, r.actor, r.createdAt, r.parentRunId ?? "-"]),
        ),
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

export async function auditShowCommand(ctx: CliContext, output: Output, runId: string): Promise<number> {
  const store = ctx.openStore();
  try {
    const run = await store.getRun(runId);
    if (!run) throw new CordonError({ kind: "not_found", vendor: "cordon", what: "run" }, `no run ${runId}`);
    const steps = await store.listSteps(runId);
    const ledger = await store.listLedger({ runId });
    if (output.json) {
      output.out(JSON.stringify({ run, steps, ledger }, null, 2));
    } else {
      output.out(
        `Run ${run.id} (${run.kind}) ${run.state}, by ${run.actor}, ${run.createdAt} → ${run.finishedAt ?? "unfinished"}\nplan ${run.planHash}${run.reason ? `\nreason: ${run.reason}` : ""}`,
      );
      output.out(
        table(
          ["#", "app", "account", "action", "state", "verification / error"],
          steps.map((s) => [
            String(s.seq),
            s.connection,
            s.accountEmail,
            s.actionId,
            s.state,
            summarise(s.error ?? s.verification),
          ]),
        ),
      );
      output.out(
        `${ledger.length} ledger records (seq ${ledger[0]?.seq ?? "-"}–${ledger.at(-1)?.seq ?? "-"})`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function summarise(value: unknown): string {
  if (!value || typeof value !== "object") return "-";
  const v = value as { state?: string; observed?: string; why?: string; kind?: string; message?: string };
  if (v.kind) return `${v.kind}: ${v.message ?? ""}`;
  return `${v.state ?? ""}: ${v.observed ?? v.why ?? ""}`;
}

export async function auditVerifyCommand(ctx: CliContext, output: Output): Promise<number> {
  const store = ctx.openStore();
  try {
    const result = await store.verifyLedger();
    if (output.json) output.out(JSON.stringify(result));
    else
      output.out(
        result.ok
          ? `ledger intact: ${result.records} records, every hash and link checks`
          : `LEDGER BROKEN at record ${result.firstBadSeq}: ${result.problem}`,
      );
    return result.ok ? EXIT.ok : EXIT.ledgerBroken;
  } finally {
    await store.close();
  }
}

export async function auditExportCommand(ctx: CliContext, output: Output, format: string): Promise<number> {
  if (format !== "jsonl")
    throw new CordonError(
      { kind: "invalid_input", field: "format" },
      `unknown export format ${format}; use jsonl`,
    );
  const store = ctx.openStore();
  try {
    for await (const line of exportLedgerJsonl(store)) output.out(line);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
