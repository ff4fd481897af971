/**
 * The `notify` step: Slack `chat.postMessage` (text + Block Kit) and/or a Teams Adaptive Card through an incoming
 * webhook. A notification is not idempotent: a step found at `intent` after a crash is reported as "unknown"
 * (it may have been delivered) and never sent twice.
 */
import { CordonError, toCordonError } from "../core/errors.ts";
import { sendNotification } from "../engine/notify.ts";
import { renderTemplate, renderValue } from "./language/index.ts";
import type { StepContext, StepOutcome } from "./runner.ts";
import type { NotifyStep } from "./schema.ts";

export async function notifyStep(ctx: StepContext, step: NotifyStep): Promise<StepOutcome> {
  const { env, scope } = ctx;
  if (ctx.previous?.state === "intent") {
    return {
      type: "done",
      output: {
        outcome: "unknown",
        why: "the process stopped while sending; a notification is never sent twice, so it may be missing",
      },
    };
  }
  // A retry after a partial failure sends only where the failed attempt did not get through.
  const sent: Record<string, unknown> = {};
  for (const channel of ["slack", "teams"] as const)
    if (ctx.lastAttempt?.[channel] !== undefined) sent[channel] = ctx.lastAttempt[channel];
  const errors: string[] = [];
  const options = { clock: env.clock, ...(env.signal ? { signal: env.signal } : {}) };
  const connectorNamed = (name: string) => {
    const connector = env.connectors.find((c) => c.connection === name);
    if (!connector) throw new CordonError({ kind: "config" }, `no connection named ${name}`);
    return connector;
  };
  if (step.slack && sent.slack === undefined) {
    const { connection, channel, text, blocks } = step.slack;
    try {
      const destination = renderTemplate(channel, scope);
      sent.slack = await sendNotification(
        connectorNamed(connection),
        "slack.post_message",
        destination,
        {
          channel: destination,
          text: renderTemplate(text, scope),
          ...(blocks ? { blocks: renderValue(blocks, scope) } : {}),
        },
        options,
      );
    } catch (error) {
      errors.push(`slack: ${toCordonError(error).message}`);
    }
  }
  if (step.teams && sent.teams === undefined) {
    const { connection, title, text, facts, link } = step.teams;
    try {
      sent.teams = await sendNotification(
        connectorNamed(connection),
        "teams.post_card",
        connection,
        {
          title: renderTemplate(title, scope),
          text: renderTemplate(text, scope),
          facts: renderValue(facts, scope),
          link: link ? renderValue(link, scope) : null,
        },
        options,
      );
    } catch (error) {
      errors.push(`teams: ${toCordonError(error).message}`);
    }
  }
  if (errors.length === 0) return { type: "done", output: { outcome: "sent", ...sent } };
  return {
    type: "failed",
    error: new CordonError({ kind: "internal" }, `notification failed: ${errors.join("; ")}`),
    output: { outcome: Object.keys(sent).length > 0 ? "partial" : "failed", ...sent },
  };
}
