import { z } from "zod";
import { SecretRef } from "../../core/secret-ref.ts";
import { SLACK_DEFAULT_API_URL, SLACK_DEFAULT_SCIM_URL } from "./client.ts";

/** A Slack Enterprise Grid org in `cordon.yaml`. */
export const SlackConnection = z
  .object({
    vendor: z.literal("slack"),
    token: SecretRef.describe(
      "Enterprise Grid org admin user token (xoxp-) with admin.users:write, admin.teams:read, users:read, users:read.email, admin (SCIM)",
    ),
    apiUrl: z.url().default(SLACK_DEFAULT_API_URL),
    scimUrl: z.url().default(SLACK_DEFAULT_SCIM_URL),
  })
  .strict();
export type SlackConnection = z.infer<typeof SlackConnection>;

/** `SLACK_ADMIN_TOKEN` (+ `SLACK_API_URL`, `SLACK_SCIM_URL`). */
export function slackConnectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SlackConnection | undefined {
  if (!env.SLACK_ADMIN_TOKEN) return undefined;
  return {
    vendor: "slack",
    token: "env:SLACK_ADMIN_TOKEN",
    apiUrl: env.SLACK_API_URL ?? SLACK_DEFAULT_API_URL,
    scimUrl: env.SLACK_SCIM_URL ?? SLACK_DEFAULT_SCIM_URL,
  };
}
