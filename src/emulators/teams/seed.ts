import { z } from "zod";

/** Webhook ids as they appear in URLs: GUIDs, `guid@guid/IncomingWebhook/hex/guid` paths, hex workflow ids. */
const WEBHOOK_ID = /^[A-Za-z0-9@._/-]{1,300}$/;

/**
 * The emulator's webhooks. Absent: any well-formed webhook id is accepted (each id is its own channel). Seeded:
 * only these exist (others are 404), and a workflow with a `sig` requires exactly that signature.
 */
export const TeamsSeed = z.strictObject({
  webhooks: z
    .array(
      z.strictObject({
        id: z.string().regex(WEBHOOK_ID),
        kind: z.enum(["workflow", "legacy"]),
        /** Workflows only: the `sig` query parameter the URL carries. */
        sig: z.string().min(1).optional(),
        /** A label for tests and `cordon emulate` output (the channel it posts to). */
        channel: z.string().min(1).optional(),
      }),
    )
    .optional(),
});
export type TeamsSeed = z.infer<typeof TeamsSeed>;

/** The workflow webhook rehearsals post to. */
export const DEFAULT_WORKFLOW_ID = "c0rd0n0000000000000000000000000001";
export const DEFAULT_WORKFLOW_SIG = "cordon-rehearsal-signature";
