/**
 * The `contain` and `uncontain` steps: plan through the engine, ask for approval when the policy says so (bound to
 * the plan's hash), apply through the engine's durable runs. The contain run's id is derived from the playbook
 * run, the step and the attempt, so a resumed step finds and finishes its own run instead of starting another.
 */
import { randomBytes } from "node:crypto";
import type { RiskTier } from "../core/action.ts";
import { CordonError } from "../core/errors.ts";
import { type Plan, planIsIntact } from "../core/plan.ts";
import { buildPlan } from "../engine/plan.ts";
import { executeRun, type RunOptions, type RunResult, resumeRun } from "../engine/run.ts";
import { applyUndo, planUndo } from "../engine/uncontain.ts";
import type { ApprovalRecord } from "../store/types.ts";
import { planLines, postApprovalRequest, waitingForApproval } from "./approval.ts";
import { renderTemplate, renderValue } from "./language/index.ts";
import type { StepContext, StepOutcome, StepOutput } from "./runner.ts";
import type { ContainStep, UncontainStep } from "./schema.ts";

const RISK_ORDER: readonly RiskTier[] = ["low", "medium", "high"];

export async function containStep(ctx: StepContext, step: ContainStep): Promise<StepOutcome> {
  const { env, run, key, attempt, playbook } = ctx;
  const runId = `${run.id}.s${key}.a${attempt}`;
  const options = runOptions(ctx);

  // Resumed after a crash: the contain run exists, so finish it (never a second plan, never a second run).
  if (await env.store.getRun(runId)) return containOutcome(await resumeRun(runId, options), null);

  const approval = (await env.store.automation.listApprovals({ playbookRunId: run.id })).find(
    (a) => a.stepKey === key,
  );
  if (approval) {
    // Resumed after a crash between recording the request and posting it: post it now.
    if (
      approval.state === "pending" &&
      !approval.message &&
      ctx.previous?.state === "intent" &&
      step.approval.slack
    ) {
      const plan = approval.plan as Plan;
      const notice = await postApprovalRequest(
        env,
        approval,
        playbook.name,
        { headline: `contain ${plan.subjects.join(", ")}`, lines: planLines(plan) },
        step.approval.slack,
      );
      return waitingForApproval(approval, notice);
    }
    return decided(approval, runId, options);
  }

  const subject = subjectOf(ctx, step.subject);
  const actions = step.actions?.map((actionId) => ({
    actionId,
    input: renderValue(step.with[actionId] ?? {}, ctx.scope) as Record<string, unknown>,
  }));
  const makePlan = (force: { reason: string } | null) =>
    buildPlan(
      {
        subjects: [subject],
        profile: step.profile ?? "sessions",
        reason: `playbook ${playbook.name}, run ${run.id} (${run.event.type})`,
        force,
        policy: env.policy,
        ...(step.in ? { only: step.in } : {}),
        ...(actions ? { actions } : {}),
      },
      env.connectors,
      env.clock,
      env.signal,
    );
  const plan = await makePlan(null);
  const reasons = approvalReasons(ctx, step, plan);
  if (reasons.length === 0) return apply(plan, runId, options, null);

  // The plan an approver sees is the plan that runs: protected accounts are in it, forced by the approval.
  const approvalId = `apr_${env.clock.now().toString(36)}_${randomBytes(5).toString("hex")}`;
  const refusesProtected = plan.items.some((item) =>
    item.policy.some((d) => d.effect === "refuse" && d.rule === "protected-accounts"),
  );
  const approvable = refusesProtected
    ? await makePlan({ reason: `approval ${approvalId} (playbook ${playbook.name})` })
    : plan;
  const requested = await env.store.automation.requestApproval({
    id: approvalId,
    playbookRunId: run.id,
    stepKey: key,
    planHash: approvable.hash,
    plan: approvable,
    reasons,
    expiresAt: new Date(env.clock.now() + step.approval.expiresInMs).toISOString(),
  });
  const notice = step.approval.slack
    ? await postApprovalRequest(
        env,
        requested,
        playbook.name,
        { headline: `contain ${subject}`, lines: planLines(approvable) },
        step.approval.slack,
      )
    : null;
  return waitingForApproval(requested, notice);
}

export async function uncontainStep(ctx: StepContext, step: UncontainStep): Promise<StepOutcome> {
  const { env, run, key, attempt } = ctx;
  const subject = subjectOf(ctx, step.subject);
  const holds = (await env.store.listOpenHolds({ email: subject })).filter(
    (h) => !step.in || step.in.includes(h.connection),
  );
  const containRuns = [...new Set(holds.map((h) => h.runId))].sort();
  const results: RunResult[] = [];
  for (const [index, containRunId] of containRuns.entries()) {
    const undoRunId = `${run.id}.s${key}.a${attempt}.u${index}`;
    if (await env.store.getRun(undoRunId)) {
      results.push(await resumeRun(undoRunId, runOptions(ctx)));
      continue;
    }
    const contained = await env.store.getRun(containRunId);
    const subjects = (contained?.plan as Plan | undefined)?.subjects ?? [];
    if (subjects.length !== 1) {
      throw new CordonError(
        { kind: "policy", rule: "uncontain-one-subject" },
        `run ${containRunId} contained ${subjects.length} people; a playbook only undoes a run about its subject alone — use cordon uncontain ${containRunId}`,
      );
    }
    const undo = await planUndo(containRunId, env.store, env.connectors, env.clock);
    results.push(await applyUndo(undo, runOptions(ctx), undoRunId));
  }
  if (results.length === 0) return { type: "done", output: { outcome: "nothing_to_undo", subject } };
  const failed = results.filter((r) => r.state !== "completed");
  const output: StepOutput = {
    outcome: failed.length === 0 ? "completed" : "partial",
    subject,
    runIds: results.map((r) => r.runId),
  };
  return failed.length === 0
    ? { type: "done", output }
    : {
        type: "failed",
        error: new CordonError(
          { kind: "internal" },
          `undo runs ${failed.map((r) => r.runId).join(", ")} did not complete`,
        ),
        output,
      };
}

/** Why this plan needs a human, per the step's approval policy; empty when it may run now. */
function approvalReasons(ctx: StepContext, step: ContainStep, plan: Plan): string[] {
  const policy = step.approval;
  const reasons: string[] = [];
  if (policy.protected) {
    for (const item of plan.items) {
      for (const decision of item.policy) {
        if (decision.effect === "refuse" && decision.rule === "protected-accounts")
          reasons.push(`${item.account.email} in ${item.account.connection} is ${decision.reason}`);
      }
    }
  }
  const containing = plan.items.filter((i) => i.decision === "contain");
  if (policy.riskAtLeast) {
    const bar = RISK_ORDER.indexOf(policy.riskAtLeast);
    const risky = new Set<string>();
    for (const item of containing) {
      const connector = ctx.env.connectors.find((c) => c.connection === item.account.connection);
      for (const call of item.calls) {
        const risk = connector?.actions.get(call.actionId)?.risk;
        if (risk && RISK_ORDER.indexOf(risk) >= bar) risky.add(`${call.actionId} (${risk})`);
      }
    }
    if (risky.size > 0)
      reasons.push(`actions at or above risk ${policy.riskAtLeast}: ${[...risky].join(", ")}`);
  }
  if (policy.accountsOver !== null && containing.length > policy.accountsOver)
    reasons.push(`${containing.length} accounts, more than ${policy.accountsOver}`);
  return reasons;
}

async function decided(approval: ApprovalRecord, runId: string, options: RunOptions): Promise<StepOutcome> {
  if (approval.state === "pending") return waitingForApproval(approval);
  const who = { approvalId: approval.id, decidedBy: approval.decidedBy, decidedVia: approval.decidedVia };
  if (approval.state !== "approved") return { type: "done", output: { outcome: approval.state, ...who } };
  const plan = approval.plan as Plan;
  if (!planIsIntact(plan) || plan.hash !== approval.planHash) {
    throw new CordonError(
      { kind: "invalid_input", field: "plan" },
      `the plan stored with approval ${approval.id} does not match its hash; nothing was applied`,
    );
  }
  return apply(plan, runId, options, who);
}

async function apply(
  plan: Plan,
  runId: string,
  options: RunOptions,
  approval: Record<string, unknown> | null,
): Promise<StepOutcome> {
  const work = plan.items
    .filter((item) => item.decision === "contain")
    .map((item) => ({ account: item.account, calls: item.calls }));
  if (work.length === 0 && plan.unreachable.length === 0) {
    return {
      type: "done",
      output: {
        outcome: "nothing_to_contain",
        planHash: plan.hash,
        unmatched: plan.unmatched.length,
        skipped: plan.items.map(
          (i) => `${i.account.email} in ${i.account.connection}: ${i.policy.map((d) => d.reason).join("; ")}`,
        ),
      },
    };
  }
  const result = await executeRun(
    { runId, kind: "contain", planHash: plan.hash, plan, reason: plan.reason, parentRunId: null, work },
    options,
  );
  return containOutcome(result, plan, approval);
}

function containOutcome(
  result: RunResult,
  plan: Plan | null,
  approval: Record<string, unknown> | null = null,
): StepOutcome {
  const notCovered = plan?.unreachable.map((u) => `${u.connection} (${u.kind})`) ?? [];
  const output: StepOutput = {
    outcome: result.state === "completed" && notCovered.length > 0 ? "partial" : result.state,
    runId: result.runId,
    counts: result.counts,
    accounts: new Set(result.steps.map((s) => `${s.connection}/${s.accountId}`)).size,
    ...(notCovered.length > 0 ? { notCovered } : {}),
    ...(approval ?? {}),
  };
  if (output.outcome === "completed") return { type: "done", output };
  const failed = result.steps
    .filter((s) => s.state === "failed")
    .map((s) => `${s.actionId} in ${s.connection}: ${s.error?.message}`);
  return {
    type: "failed",
    error: new CordonError(
      { kind: "internal" },
      `containment ${result.runId} ${output.outcome}${notCovered.length ? `; not covered: ${notCovered.join(", ")}` : ""}${failed.length ? `; ${failed.join("; ")}` : ""}`,
    ),
    output,
  };
}

function subjectOf(ctx: StepContext, template: string): string {
  const subject = renderTemplate(template, ctx.scope).trim();
  if (subject === "")
    throw new CordonError(
      { kind: "invalid_input", field: "subject" },
      "the event names no subject to act on",
    );
  return subject;
}

function runOptions(ctx: StepContext): RunOptions & { holds: "open" } {
  const { env, run } = ctx;
  return {
    store: env.store,
    connectors: env.connectors,
    clock: env.clock,
    actor: `playbook:${ctx.playbook.name}`,
    holds: "open",
    ...(env.signal ? { signal: env.signal } : {}),
    onProgress: (event) => {
      if (event.type === "run.started") env.observe?.containmentCall?.(run);
    },
  };
}
