import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { SlackClient } from "../client.ts";

const Input = z
  .object({
    channel: z.string().min(1).max(80),
    /** Fallback text; Slack asks for it even when blocks are given (for notifications and screen readers). */
    text: z.string().min(1).max(40_000),
    blocks: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
    threadTs: z.string().optional(),
  })
  .strict();

/**
 * `chat.postMessage` (docs.slack.dev/reference/methods/chat.postMessage). Not idempotent: a 5xx is not retried,
 * because Slack may have posted the message already.
 */
export const postMessage = defineAction<
  SlackClient,
  z.infer<typeof Input>,
  undefined,
  { channel: string; ts: string }
>({
  id: "slack.post_message",
  title: "Post a message",
  docUrl: "https://docs.slack.dev/reference/methods/chat.postMessage",
  kind: "notify",
  inverse: null,
  idempotent: false,
  affects: [],
  scopes: ["chat:write"],
  risk: "low",
  input: Input,
  async execute({ client, signal }, input) {
    const reply = await client.method<{ channel: string; ts: string }>(
      "chat.postMessage",
      {
        channel: input.channel,
        text: input.text,
        blocks: input.blocks ? JSON.stringify(input.blocks) : undefined,
        thread_ts: input.threadTs,
      },
      false,
      signal,
    );
    return { outcome: "applied", output: { channel: reply.channel, ts: reply.ts } };
  },
});
