import { z } from "zod";
import { SecretRef } from "../../core/secret-ref.ts";

/**
 * A Teams channel reached through an incoming webhook in `cordon.yaml`. The URL is the credential: its path
 * (legacy connectors) or its `sig` query parameter (Workflows) lets anyone post, so it is a secret reference and
 * is never logged, stored in the ledger or put in an error.
 */
export const TeamsConnection = z
  .object({
    vendor: z.literal("teams"),
    webhookUrl: SecretRef.describe(
      "The channel's Workflows webhook URL ('When a Teams webhook request is received'), or a legacy incoming webhook URL",
    ),
  })
  .strict();
export type TeamsConnection = z.infer<typeof TeamsConnection>;

/** `TEAMS_WEBHOOK_URL`. */
export function teamsConnectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TeamsConnection | undefined {
  if (!env.TEAMS_WEBHOOK_URL) return undefined;
  return { vendor: "teams", webhookUrl: "env:TEAMS_WEBHOOK_URL" };
}
