/**
 * `cordon playbook run FILE --event EVENT.json [--rehearse]`: one run of one playbook for one event.
 * `--rehearse` runs the whole playbook against emulated Okta/Slack/Teams seeded with the event's subject, in a
 * throwaway ledger, approving any approval and skipping any wait, and prints step by step what production would
 * do. Without it the run is real: the configured connections and ledger, after confirmation.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnector } from "../../connectors/index.ts";
import { oktaLogEventToCordon, parseOktaEventHookBody } from "../../connectors/okta/events.ts";
import type { Clock } from "../../core/clock.ts";
import type { Connector } from "../../core/connector.ts";
import { CordonError, toCordonError } from "../../core/errors.ts";
import type { CordonEvent } from "../../core/event.ts";
import { hashOf } from "../../core/hash.ts";
import { DEMO_SEED } from "../../emulators/demo-seed.ts";
import { EMULATED_VENDORS, type EmulatedVendor, SeedFile, startEmulators } from "../../emulators/index.ts";
import { rehearsalConnection } from "../../emulators/rehearsal.ts";
import { DEFAULT_POLICY } from "../../engine/policy.ts";
import { RateGovernor } from "../../http/governor.ts";
import { decideApproval } from "../../playbooks/approval.ts";
import {
  newPlaybookRunId,
  type PlaybookEnvironment,
  runPlaybook,
  type StepOutput,
} from "../../playbooks/runner.ts";
import type { Playbook, Step } from "../../playbooks/schema.ts";
import { triggerMatches } from "../../playbooks/worker.ts";
import { loadPlaybooks } from "../../server/serve.ts";
import { openSqliteStore } from "../../store/index.ts";
import type { PlaybookRunRecord, Store } from "../../store/types.ts";
import { confirmOrAbort } from "../confirm.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";

/** An event file: an Okta event hook delivery, an Okta LogEvent, or `{ type, subject, data }`. */
export function eventFromFile(text: string, playbook: Playbook, now: number): CordonEvent {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CordonError({ kind: "invalid_input", field: "event" }, "the event file is not JSON");
  }
  if (json?.eventType === "com.okta.event_hook") {
    const [first] = parseOktaEventHookBody(text, "okta");
    if (!first)
      throw new CordonError({ kind: "invalid_input", field: "event" }, "the delivery has no events");
    return first;
  }
  if (typeof json?.uuid === "string" && typeof json.eventType === "string")
    return oktaLogEventToCordon(json, "okta");
  const source = playbook.trigger.source;
  return {
    key: `manual:${hashOf({ text, now }).slice(0, 24)}`,
    source,
    type: typeof json.type === "string" ? json.type : (playbook.trigger.events[0] ?? source),
    occurredAt: new Date(now).toISOString(),
    subject: typeof json.subject === "string" ? json.subject : null,
    origin:
      source === "webhook" ? (playbook.trigger.webhook ?? "") : source === "okta" ? "okta" : playbook.name,
    data: json.data ?? json,
  };
}

/** A clock whose waits pass at once: a rehearsal shows a `wait: 4h` step without taking four hours. */
function fastForwardClock(): Clock & { skipped: number } {
  const clock = {
    skipped: 0,
    now: () => Date.now() + clock.skipped,
    async sleep(ms: number) {
      clock.skipped += ms;
    },
  };
  return clock;
}

function channelsOf(steps: Step[], playbook: Playbook): string[] {
  const names = new Set<string>();
  if (playbook.approval.slack) names.add(playbook.approval.slack.channel);
  const walk = (list: Step[]) => {
    for (const step of list) {
      if (step.kind === "notify" && step.slack) names.add(step.slack.channel);
      if (step.kind === "contain" && step.approval.slack) names.add(step.approval.slack.channel);
      if (step.kind === "approval" && step.slack) names.add(step.slack.channel);
      if (step.kind === "if") walk([...step.then, ...step.else]);
      if (step.kind === "for_each") walk(step.do);
    }
  };
  walk(steps);
  return [...names].filter((n) => !n.includes("{{")).map((n) => n.replace(/^#/, ""));
}

export async function playbookRunCommand(
  ctx: () => CliContext,
  output: Output,
  file: string,
  options: { event: string; rehearse?: boolean; yes?: boolean },
): Promise<number> {
  const [playbook] = loadPlaybooks([file], process.cwd());
  if (!playbook) return EXIT.usage;
  const eventText = readFileSync(options.event, "utf8");
  if (options.rehearse) return rehearse(output, playbook, eventText);

  const context = ctx();
  const event = eventFromFile(eventText, playbook, context.clock.now());
  if (
    !(await confirmOrAbort(
      output,
      options.yes ?? false,
      `Run playbook ${playbook.name} for real, for ${event.subject ?? "this event"}?`,
    ))
  )
    return EXIT.aborted;
  const store = context.openStore();
  try {
    const env: PlaybookEnvironment = {
      store,
      connectors: context.connectors(),
      clock: context.clock,
      policy: context.policy,
    };
    const run = await startRun(store, env, playbook, event, `cli:${context.actor}`);
    return report(output, store, await runPlaybook(env, run.id), []);
  } finally {
    await store.close();
  }
}

async function startRun(
  store: Store,
  env: PlaybookEnvironment,
  playbook: Playbook,
  event: CordonEvent,
  actor: string,
): Promise<PlaybookRunRecord> {
  await store.automation.acceptEvents([event]);
  const [run] = await store.automation.dispatchEvent(event.key, [
    {
      id: newPlaybookRunId(env.clock),
      playbook: playbook.name,
      playbookHash: hashOf(playbook),
      definition: playbook,
      actor,
    },
  ]);
  if (!run)
    throw new CordonError({ kind: "conflict", vendor: "cordon" }, `event ${event.key} was already run`);
  return run;
}

async function rehearse(output: Output, playbook: Playbook, eventText: string): Promise<number> {
  const clock = fastForwardClock();
  const event = eventFromFile(eventText, playbook, clock.now());
  const notes: string[] = [];
  const subject = event.subject;
  const seedInput = structuredClone(DEMO_SEED) as Record<
    string,
    { users?: Array<Record<string, unknown>>; channels?: Array<{ name: string }> }
  >;
  if (subject && !seedInput.okta?.users?.some((u) => u.email === subject)) {
    seedInput.okta?.users?.push({ email: subject, firstName: "Rehearsal", lastName: "Subject", sessions: 1 });
    seedInput.slack?.users?.push({
      email: subject,
      name: subject.split("@")[0],
      realName: subject,
      sessions: { web: 1 },
    });
  }
  for (const channel of channelsOf(playbook.steps, playbook)) {
    if (!seedInput.slack?.channels?.some((c) => c.name === channel))
      seedInput.slack?.channels?.push({ name: channel });
  }
  const vendors = EMULATED_VENDORS.filter((v): v is EmulatedVendor => ["okta", "slack", "teams"].includes(v));
  const running = await startEmulators(vendors, { seed: SeedFile.parse(seedInput), port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "cordon-rehearsal-"));
  const store = openSqliteStore({ path: join(dir, "rehearsal.db"), clock });
  try {
    const governor = new RateGovernor({ clock });
    const connectors: Connector[] = running.map((r) =>
      createConnector(rehearsalConnection(r.vendor, r.server.url), { clock, governor }),
    );
    const env: PlaybookEnvironment = {
      store,
      connectors,
      clock,
      policy: DEFAULT_POLICY,
      adminUrl: () => "https://your-org-admin.okta.com",
    };
    if (!triggerMatches(playbook, event, env))
      notes.push(
        `note: in production this event would not trigger ${playbook.name} (source, type or when filter)`,
      );
    let run = await startRun(store, env, playbook, event, "rehearsal");
    for (let round = 0; round < 50; round++) {
      run = await runPlaybook(env, run.id);
      if (run.state !== "waiting") break;
      const pending = await store.automation.listApprovals({ playbookRunId: run.id, state: "pending" });
      for (const approval of pending) {
        notes.push(
          `approval ${approval.id} would be asked for (${approval.reasons.join("; ")}); the rehearsal approves it`,
        );
        await decideApproval(env, approval.id, {
          approve: true,
          planHash: approval.planHash,
          by: "rehearsal",
          via: "cli",
        });
      }
      if (pending.length === 0) clock.skipped += 60_000;
    }
    if (clock.skipped > 0) notes.push(`waits and backoffs skipped: ${Math.round(clock.skipped / 1000)} s`);
    return await report(output, store, run, notes);
  } catch (error) {
    throw toCordonError(error);
  } finally {
    await store.close();
    await Promise.all(running.map((r) => r.server.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Step by step: each playbook step's outcome, each vendor call its containment made, and notes. */
async function report(
  output: Output,
  store: Store,
  run: PlaybookRunRecord,
  notes: string[],
): Promise<number> {
  const steps = await store.automation.listPlaybookSteps(run.id);
  const calls = [];
  for (const step of steps) {
    const runId = (step.output as StepOutput | null)?.runId;
    if (typeof runId === "string")
      for (const s of await store.listSteps(runId))
        calls.push({
          step: step.key,
          connection: s.connection,
          account: s.accountEmail,
          action: s.actionId,
          state: s.state,
        });
  }
  const rows = await Promise.all(
    [
      ...new Set(steps.filter((s) => s.kind === "record").map((s) => String((s.output as StepOutput).table))),
    ].map(async (table) => ({
      table,
      rows: (await store.automation.listTableRows(table)).filter((r) => r.runId === run.id).map((r) => r.row),
    })),
  );
  if (output.json) {
    output.out(
      JSON.stringify(
        { run: { id: run.id, state: run.state, error: run.error }, steps, calls, tables: rows, notes },
        null,
        2,
      ),
    );
  } else {
    output.out(
      `playbook ${run.playbook} · run ${run.id} · ${run.state}${run.error ? ` (${run.error})` : ""}`,
    );
    for (const step of steps) {
      const out = (step.output ?? {}) as StepOutput;
      const detail = Object.entries(out)
        .filter(([k]) => k !== "outcome" && k !== "items")
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      output.out(
        `  ${step.key.padEnd(10)} ${step.kind.padEnd(9)} ${String(out.outcome ?? step.state).padEnd(18)} ${detail}`.trimEnd(),
      );
      for (const call of calls.filter((c) => c.step === step.key))
        output.out(`             ${call.connection}: ${call.action} on ${call.account} → ${call.state}`);
    }
    for (const { table, rows: list } of rows)
      for (const row of list) output.out(`  row in ${table}: ${JSON.stringify(row)}`);
    for (const note of notes) output.out(`  ${note}`);
  }
  return run.state === "completed" ? EXIT.ok : EXIT.failed;
}
