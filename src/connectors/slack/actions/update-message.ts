import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { SlackClient } from "../client.ts";

const Input = z
  .object({
    /** The channel's id (chat.update does not take a name), as chat.postMessage returned it. */
    channel: z.string().min(1).max(80),
    ts: z.string().regex(/^\d+\.\d+$/),
    text: z.string().min(1).max(40_000),
    /** Absent: the previous blocks are removed and `text` renders; `[]` also removes them. */
    blocks: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
  })
  .strict();

/**
 * `chat.update` (docs.slack.dev/reference/methods/chat.update): rewrites a message cordon posted, e.g. an approval
 * request once it is decided, so its buttons cannot be pressed again. Idempotent: the same update twice leaves the
 * same message.
 */
export const updateMessage = defineAction<
  SlackClient,
  z.infer<typeof Input>,
  undefined,
  { channel: string; ts: string }
>({
  id: "slack.update_message",
  title: "Update a message",
  docUrl: "https://docs.slack.dev/reference/methods/chat.update",
  kind: "notify",
  inverse: null,
  idempotent: true,
  affects: [],
  scopes: ["chat:write"],
  risk: "low",
  input: Input,
  async execute({ client, signal }, input) {
    const reply = await client.method<{ channel: string; ts: string }>(
      "chat.update",
      {
        channel: input.channel,
        ts: input.ts,
        text: input.text,
        blocks: input.blocks ? JSON.stringify(input.blocks) : undefined,
      },
      true,
      signal,
    );
    return { outcome: "applied", output: { channel: reply.channel, ts: reply.ts } };
  },
});
