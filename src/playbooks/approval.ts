/**
 * Approvals (decision 0010): the request posted to Slack with Approve/Reject buttons that carry the approval id and
 * the plan hash, and one decision path shared by Slack, the CLI and the API — the approval binds to the exact plan,
 * the approver must be allowed, and the decision is announced in the request's thread.
 */
import { randomBytes } from "node:crypto";
import { CordonError, toCordonError } from "../core/errors.ts";
import { hashOf } from "../core/hash.ts";
import type { Plan } from "../core/plan.ts";
import { sendNotification } from "../engine/notify.ts";
import type { ApprovalDecision, ApprovalRecord, Store } from "../store/types.ts";
import { renderTemplate } from "./language/index.ts";
import type { PlaybookEnvironment, StepContext, StepOutcome } from "./runner.ts";
import type { ApprovalStep, Playbook, Step } from "./schema.ts";

export const APPROVE_ACTION_ID = "cordon_approve";
export const REJECT_ACTION_ID = "cordon_reject";

/** Escapes text for Slack mrkdwn: event data must not turn into links or mentions. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The button value: `<approval id> <plan hash>`; the hash is checked again when the click arrives. */
export function approvalButtonValue(approval: Pick<ApprovalRecord, "id" | "planHash">): string {
  return `${approval.id} ${approval.planHash}`;
}

export function parseApprovalButtonValue(value: string): { id: string; planHash: string } | null {
  const match = /^(apr_[a-z0-9_]+) ([0-9a-f]{64})$/.exec(value);
  return match ? { id: match[1]!, planHash: match[2]! } : null;
}

/** What an approver is shown: a headline and, for a containment, one line per account and its calls. */
export interface ApprovalSummary {
  headline: string;
  lines: string[];
}

/** The lines of a containment plan an approver reads: who, where, which calls. */
export function planLines(plan: Plan): string[] {
  return plan.items
    .filter((item) => item.calls.length > 0)
    .map(
      (item) =>
        `• ${escapeSlack(item.account.email)} in *${item.account.connection}*: ${item.calls.map((c) => `\`${c.actionId}\``).join(", ")}`,
    );
}

/**
 * Posts the request with Approve/Reject buttons. Never throws: a request Slack did not take still stands (the CLI
 * and the API can decide it), so the problem is returned for the step's record instead of failing the step.
 */
export async function postApprovalRequest(
  env: PlaybookEnvironment,
  approval: ApprovalRecord,
  playbook: string,
  summary: ApprovalSummary,
  slack: { connection: string; channel: string },
): Promise<string | null> {
  try {
    await postToSlack(env, approval, playbook, summary, slack);
    return null;
  } catch (error) {
    return `the approval request could not be posted to Slack (${toCordonError(error).message}); decide it with cordon approve ${approval.id} or the API`;
  }
}

async function postToSlack(
  env: PlaybookEnvironment,
  approval: ApprovalRecord,
  playbook: string,
  summary: ApprovalSummary,
  slack: { connection: string; channel: string },
): Promise<void> {
  const connector = env.connectors.find((c) => c.connection === slack.connection);
  if (!connector)
    throw new CordonError({ kind: "config" }, `no connection named ${slack.connection} for approvals`);
  const text = `Approval needed (playbook ${playbook}): ${summary.headline}`;
  const output = (await sendNotification(
    connector,
    "slack.post_message",
    slack.channel,
    {
      channel: slack.channel,
      text: text.slice(0, 3000),
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: `*Approval needed* — playbook \`${playbook}\`: ${escapeSlack(summary.headline)}\n*Why:* ${approval.reasons.map(escapeSlack).join("; ")}\n${summary.lines.join("\n")}`.slice(
              0,
              2900,
            ),
          },
        },
        {
          type: "actions",
          block_id: "cordon_approval",
          elements: [
            {
              type: "button",
              action_id: APPROVE_ACTION_ID,
              style: "primary",
              text: { type: "plain_text", text: "Approve" },
              value: approvalButtonValue(approval),
            },
            {
              type: "button",
              action_id: REJECT_ACTION_ID,
              style: "danger",
              text: { type: "plain_text", text: "Reject" },
              value: approvalButtonValue(approval),
            },
          ],
        },
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: `approval \`${approval.id}\` · plan \`${approval.planHash.slice(0, 12)}\` · expires ${approval.expiresAt} · or \`cordon approve ${approval.id}\``,
            },
          ],
        },
      ],
    },
    { clock: env.clock, ...(env.signal ? { signal: env.signal } : {}) },
  )) as { channel?: string; ts?: string } | undefined;
  if (output?.ts && output.channel)
    await env.store.automation.setApprovalMessage(approval.id, {
      connection: slack.connection,
      channel: output.channel,
      ts: output.ts,
    });
}

/**
 * An `approval` step: a human's go before the steps after it. What is approved is this run continuing — its
 * playbook (by hash), its event, the step, and the question as rendered — and the approval binds to the hash of
 * exactly that. Approved: done; rejected or expired: failed, so the run stops unless `on_error` says otherwise.
 */
export async function approvalGateStep(ctx: StepContext, step: ApprovalStep): Promise<StepOutcome> {
  const { env, run, key } = ctx;
  const existing = (await env.store.automation.listApprovals({ playbookRunId: run.id })).find(
    (a) => a.stepKey === key,
  );
  const { approval, notice } = existing
    ? { approval: existing, notice: await repostIfLost(ctx, existing, step) }
    : await requestGate(ctx, step);
  const who = { approvalId: approval.id, decidedBy: approval.decidedBy, decidedVia: approval.decidedVia };
  if (approval.state === "pending") return waitingForApproval(approval, notice);
  if (approval.state === "approved") return { type: "done", output: { outcome: "approved", ...who } };
  return {
    type: "failed",
    error: new CordonError(
      { kind: "policy", rule: "approval" },
      approval.state === "expired"
        ? `approval ${approval.id} expired unanswered; the steps after it did not run`
        : `approval ${approval.id} was rejected by ${approval.decidedBy}; the steps after it did not run`,
    ),
    output: { outcome: approval.state, ...who },
  };
}

/** A request recorded but never posted (the process died in between) is posted when the step resumes. */
async function repostIfLost(
  ctx: StepContext,
  approval: ApprovalRecord,
  step: ApprovalStep,
): Promise<string | null> {
  if (approval.state !== "pending" || approval.message || ctx.previous?.state !== "intent" || !step.slack)
    return null;
  return postApprovalRequest(
    ctx.env,
    approval,
    ctx.playbook.name,
    { headline: approval.reasons[0] ?? "continue?", lines: [] },
    step.slack,
  );
}

async function requestGate(
  ctx: StepContext,
  step: ApprovalStep,
): Promise<{ approval: ApprovalRecord; notice: string | null }> {
  const { env, run, key, playbook } = ctx;
  const question = renderTemplate(step.reason, ctx.scope);
  const continuation = {
    kind: "continue",
    playbook: playbook.name,
    playbookHash: run.playbookHash,
    playbookRunId: run.id,
    eventKey: run.eventKey,
    stepKey: key,
    question,
  };
  const approval = await env.store.automation.requestApproval({
    id: `apr_${env.clock.now().toString(36)}_${randomBytes(5).toString("hex")}`,
    playbookRunId: run.id,
    stepKey: key,
    planHash: hashOf(continuation),
    plan: continuation,
    reasons: [question],
    expiresAt: new Date(env.clock.now() + step.expiresInMs).toISOString(),
  });
  const notice = step.slack
    ? await postApprovalRequest(env, approval, playbook.name, { headline: question, lines: [] }, step.slack)
    : null;
  return { approval, notice };
}

/** A step waiting for a decision; `notice` says when the request could not be posted where it should have been. */
export function waitingForApproval(approval: ApprovalRecord, notice: string | null = null): StepOutcome {
  return {
    type: "waiting",
    resumeAt: null,
    output: {
      outcome: "awaiting_approval",
      approvalId: approval.id,
      planHash: approval.planHash,
      expiresAt: approval.expiresAt,
      ...(notice ? { notice } : {}),
    },
  };
}

/** The step a key names in a playbook (`2`, `3.then.0`, `4.do[1].0`). */
export function stepAt(playbook: Playbook, key: string): Step | null {
  let steps: Step[] = playbook.steps;
  let step: Step | null = null;
  for (const part of key.split(".")) {
    if (part === "then" || part === "else") {
      steps = step?.kind === "if" ? step[part] : [];
      continue;
    }
    const loop = /^do\[(\d+)\]$/.exec(part);
    if (loop) {
      steps = step?.kind === "for_each" ? step.do : [];
      continue;
    }
    step = steps[Number(part)] ?? null;
    if (!step) return null;
  }
  return step;
}

/**
 * Records a decision after checking the approver may decide it: for a Slack click, the step's `approvers` list
 * (when set) must name the Slack user. Announces the decision in the request's thread (best effort: the decision
 * stands even if Slack is down).
 */
export async function decideApproval(
  env: Pick<PlaybookEnvironment, "store" | "connectors" | "clock">,
  id: string,
  decision: ApprovalDecision & { slackUserId?: string },
): Promise<ApprovalRecord> {
  const { store } = env;
  const approval = await store.automation.getApproval(id);
  if (!approval)
    throw new CordonError({ kind: "not_found", vendor: "cordon", what: "approval" }, `no approval ${id}`);
  if (decision.via === "slack") {
    const run = await store.automation.getPlaybookRun(approval.playbookRunId);
    const step = run ? stepAt(run.definition as Playbook, approval.stepKey) : null;
    const slack =
      step?.kind === "contain" ? step.approval.slack : step?.kind === "approval" ? step.slack : null;
    const approvers = slack?.approvers ?? [];
    if (approvers.length > 0 && !approvers.includes(decision.slackUserId ?? "")) {
      throw new CordonError(
        { kind: "policy", rule: "approvers" },
        `Slack user ${decision.slackUserId ?? "unknown"} is not an approver for this playbook step`,
      );
    }
  }
  const decided = await store.automation.decideApproval(id, decision);
  await announceDecision(env, decided);
  return decided;
}

/**
 * Tells the request's Slack message what was decided: the message is rewritten without its buttons (so nobody
 * presses them again) and the decision is posted in its thread. Best effort: the decision is recorded and acted on
 * whatever Slack says.
 */
export async function announceDecision(
  env: Pick<PlaybookEnvironment, "connectors" | "clock">,
  approval: ApprovalRecord,
): Promise<void> {
  const message = approval.message;
  if (!message) return;
  const connector = env.connectors.find((c) => c.connection === message.connection);
  if (!connector) return;
  const verdict =
    approval.state === "expired"
      ? `Expired unanswered at ${approval.decidedAt}`
      : `${approval.state === "approved" ? "Approved" : "Rejected"} by ${approval.decidedBy} (${approval.decidedVia}) at ${approval.decidedAt}`;
  const options = { clock: env.clock };
  try {
    await sendNotification(
      connector,
      "slack.update_message",
      message.channel,
      {
        channel: message.channel,
        ts: message.ts,
        text: `${verdict}: ${approval.reasons.join("; ")}`.slice(0, 3000),
        blocks: [
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: `*${escapeSlack(verdict)}*\n${approval.reasons.map(escapeSlack).join("; ")}`.slice(
                0,
                2900,
              ),
            },
          },
          {
            type: "context",
            elements: [
              {
                type: "mrkdwn",
                text: `approval \`${approval.id}\` · plan \`${approval.planHash.slice(0, 12)}\``,
              },
            ],
          },
        ],
      },
      options,
    );
    await sendNotification(
      connector,
      "slack.post_message",
      message.channel,
      { channel: message.channel, threadTs: message.ts, text: verdict },
      options,
    );
  } catch {
    // The decision is recorded and acted on; a message that could not be updated changes nothing.
  }
}

/** For the CLI: the pending approval of a playbook run, or the approval itself. */
export async function findApproval(store: Store, idOrRun: string): Promise<ApprovalRecord | null> {
  if (idOrRun.startsWith("apr_")) return store.automation.getApproval(idOrRun);
  const pending = await store.automation.listApprovals({ playbookRunId: idOrRun, state: "pending" });
  return pending[0] ?? null;
}
