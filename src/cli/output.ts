import type { Plan } from "../core/plan.ts";
import type { RunResult } from "../engine/run.ts";
import type { UndoPlan } from "../engine/uncontain.ts";

/** Where a command writes: human text to a TTY (or a pipe), JSON for scripts. Injected so tests capture it. */
export interface Output {
  json: boolean;
  interactive: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !json,
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  };
}

/** A plain table: columns padded to the widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function renderPlan(plan: Plan): string {
  const rows = plan.items.map((item) => [
    item.account.connection,
    item.account.email,
    item.account.id,
    item.account.matchedBy,
    item.account.status,
    item.decision === "contain" ? item.calls.map((c) => c.actionId.split(".")[1]).join(", ") : "SKIP",
    item.policy
      .filter((d) => d.effect !== "allow")
      .map((d) => `${d.effect}: ${d.reason}`)
      .join("; ") || "-",
  ]);
  const lines = [
    `Plan ${plan.hash.slice(0, 12)}  ${plan.actions ? `actions ${plan.actions.join(", ")}` : `profile ${plan.profile}`}  subjects ${plan.subjects.length}`,
    rows.length
      ? table(["app", "account", "id", "matched by", "status", "actions", "policy"], rows)
      : "(no accounts found)",
  ];
  for (const u of plan.unmatched) lines.push(`not found: ${u.subject} in ${u.connection} (${u.why})`);
  for (const u of plan.unreachable)
    lines.push(`NOT COVERED: ${u.connection} could not be read (${u.kind}): ${u.message}`);
  if (
    plan.items.some((i) => i.policy.some((d) => d.rule === "protected-accounts" && d.effect === "refuse"))
  ) {
    lines.push(
      'protected accounts are skipped; --force --reason "…" contains them anyway (the reason is recorded)',
    );
  }
  return lines.join("\n");
}

export function renderUndoPlan(undo: UndoPlan): string {
  const rows = undo.items
    .filter((i) => i.calls.length > 0)
    .map((i) => [i.account.connection, i.account.email, i.calls.map((c) => c.actionId).join(", ")]);
  const lines = [
    `Undo of ${undo.parentRunId}  plan ${undo.hash.slice(0, 12)}`,
    rows.length ? table(["app", "account", "restores"], rows) : "(nothing reversible to restore)",
  ];
  for (const n of undo.notUndoable) lines.push(`cannot undo: ${n.connection} ${n.email} ${n.why}`);
  for (const l of undo.leftAsFound)
    lines.push(
      `left as found: ${l.connection} ${l.email} ${l.actionId} (it was already so before containment)`,
    );
  return lines.join("\n");
}

export function renderRun(result: RunResult): string {
  const rows = result.steps.map((s) => [
    s.connection,
    s.email,
    s.actionId,
    s.state,
    s.error
      ? `${s.error.kind}: ${s.error.message}`
      : s.verification
        ? describeVerification(s.verification)
        : "-",
  ]);
  const counts = Object.entries(result.counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return [
    `Run ${result.runId}: ${result.state} (${counts || "no steps"})`,
    rows.length ? table(["app", "account", "action", "outcome", "verification / error"], rows) : "",
  ].join("\n");
}

function describeVerification(v: NonNullable<RunResult["steps"][number]["verification"]>): string {
  return v.state === "not_observable" ? `not observable: ${v.why}` : `${v.state}: ${v.observed}`;
}
