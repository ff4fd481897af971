import { CordonError } from "../../core/errors.ts";
import { exportLedgerJsonl } from "../../store/index.ts";
import type { PlaybookRunState, Store } from "../../store/types.ts";
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

/** `cordon playbook runs`: recent playbook runs, newest first, with the event that started each. */
export async function playbookRunsCommand(
  ctx: CliContext,
  output: Output,
  options: { limit: number; state?: string },
): Promise<number> {
  const store = ctx.openStore();
  try {
    const states = options.state ? [options.state as PlaybookRunState] : undefined;
    const runs = await store.automation.listPlaybookRuns({
      limit: options.limit,
      ...(states ? { states } : {}),
    });
    if (output.json)
      output.out(
        JSON.stringify(
          runs.map(({ definition: _definition, ...run }) => run),
          null,
          2,
        ),
      );
    else
      output.out(
        table(
          ["run", "playbook", "state", "subject", "event", "started", "note"],
          runs.map((r) => [
            r.id,
            r.playbook,
            r.state,
            r.event.subject ?? "-",
            r.eventKey,
            r.createdAt,
            r.error ?? "",
          ]),
        ),
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** `cordon playbook table <name>`: the rows playbooks recorded in a named table, newest first. */
export async function playbookTableCommand(
  ctx: CliContext,
  output: Output,
  name: string,
  limit: number,
): Promise<number> {
  const store = ctx.openStore();
  try {
    const rows = await store.automation.listTableRows(name, { limit });
    if (output.json) output.out(JSON.stringify(rows, null, 2));
    else {
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r.row)))];
      output.out(
        rows.length === 0
          ? `no rows in ${name}`
          : table(
              ["at", "run", ...columns],
              rows.map((r) => [r.createdAt, r.runId, ...columns.map((c) => String(r.row[c] ?? ""))]),
            ),
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** A playbook run: its steps with their outcomes, its approvals, its ledger records. */
async function showPlaybookRun(store: Store, output: Output, runId: string): Promise<number> {
  const run = await store.automation.getPlaybookRun(runId);
  if (!run) throw new CordonError({ kind: "not_found", vendor: "cordon", what: "run" }, `no run ${runId}`);
  const steps = await store.automation.listPlaybookSteps(runId);
  const approvals = (await store.automation.listApprovals({ playbookRunId: runId })).map(
    ({ plan: _p, ...a }) => a,
  );
  const ledger = await store.listLedger({ runId });
  if (output.json) {
    const { definition: _definition, ...rest } = run;
    output.out(JSON.stringify({ run: rest, steps, approvals, ledger }, null, 2));
    return EXIT.ok;
  }
  output.out(
    `Playbook run ${run.id} (${run.playbook}) ${run.state}, by ${run.actor}, ${run.createdAt} → ${run.finishedAt ?? "unfinished"}\nevent ${run.eventKey} (${run.event.type}) subject ${run.event.subject ?? "-"}${run.error ? `\nnote: ${run.error}` : ""}`,
  );
  output.out(
    table(
      ["step", "kind", "state", "attempt", "outcome"],
      steps.map((s) => {
        const out = (s.output ?? {}) as Record<string, unknown>;
        const detail = Object.entries(out)
          .filter(([k]) => k !== "outcome" && k !== "items")
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        return [
          s.key,
          s.kind,
          s.state,
          String(s.attempt),
          `${String(out.outcome ?? "-")} ${detail}`.slice(0, 160),
        ];
      }),
    ),
  );
  for (const a of approvals)
    output.out(
      `approval ${a.id}: ${a.state}${a.decidedBy ? ` by ${a.decidedBy} (${a.decidedVia})` : ""} — ${a.reasons.join("; ")}`,
    );
  output.out(`${ledger.length} ledger records`);
  return EXIT.ok;
}

export async function auditShowCommand(ctx: CliContext, output: Output, runId: string): Promise<number> {
  const store = ctx.openStore();
  try {
    if (runId.startsWith("pbr_") && !runId.includes(".")) return await showPlaybookRun(store, output, runId);
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
