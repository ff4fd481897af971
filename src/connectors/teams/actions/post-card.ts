import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { CordonError } from "../../../core/errors.ts";
import { adaptiveCardMessage } from "../card.ts";
import type { TeamsClient } from "../client.ts";
import { TEAMS_MESSAGE_MAX_BYTES } from "../rate-limits.ts";

/** Field caps well inside the 28 KB message limit; the whole message is measured again before sending. */
const Input = z
  .object({
    title: z.string().min(1).max(256),
    text: z.string().min(1).max(20_000),
    facts: z.record(z.string().min(1).max(100), z.string().max(2_000)).default({}),
    link: z
      .object({
        title: z.string().min(1).max(100),
        url: z.url({ protocol: /^https?$/ }).max(2_000),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();

/**
 * Posts an Adaptive Card to a Teams channel through its webhook
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
 * Output `reply`: `posted` when a legacy incoming webhook answered 200 "1" (the message is in the channel),
 * `accepted` when a Workflows webhook answered 202 (the flow posts it shortly after; a failure inside the flow is
 * visible only in its run history). Not idempotent: a 5xx is not retried, as the card may have been posted.
 */
export const postCard = defineAction<
  TeamsClient,
  z.infer<typeof Input>,
  undefined,
  { reply: "posted" | "accepted"; bytes: number }
>({
  id: "teams.post_card",
  title: "Post a card to a Teams channel",
  docUrl:
    "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using",
  kind: "notify",
  inverse: null,
  idempotent: false,
  affects: [],
  // The webhook URL is the whole grant: it can post to its one channel and nothing else.
  scopes: ["incoming webhook (one channel)"],
  risk: "low",
  input: Input,
  async execute({ client, signal }, input) {
    const message = adaptiveCardMessage(input);
    const bytes = Buffer.byteLength(JSON.stringify(message), "utf8");
    if (bytes > TEAMS_MESSAGE_MAX_BYTES) {
      throw new CordonError(
        { kind: "invalid_input", field: "text" },
        `teams.post_card: the card is ${bytes} bytes, above Teams' 28 KB message limit; shorten text or facts`,
      );
    }
    const response = await client.post(message, signal);
    return { outcome: "applied", output: { reply: response.status === 202 ? "accepted" : "posted", bytes } };
  },
});
