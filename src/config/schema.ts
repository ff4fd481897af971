import { z } from "zod";

import { SecretRef } from "../core/secret-ref.ts";

export { SecretRef };

const Name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "lowercase letters, digits and dashes, starting with a letter");

export const OktaConnection = z
  .object({
    vendor: z.literal("okta"),
    orgUrl: z.url().describe("The Okta org URL, e.g. https://acme.okta.com"),
    token: SecretRef.describe(
      "Okta API token (sent as SSWS); needs okta.users.manage and okta.apiTokens.manage",
    ),
  })
  .strict();

export const SlackConnection = z
  .object({
    vendor: z.literal("slack"),
    token: SecretRef.describe(
      "Enterprise Grid org admin user token (xoxp-) with admin.users:write, users:read, users:read.email, admin (SCIM)",
    ),
    apiUrl: z.url().default("https://slack.com/api/"),
    scimUrl: z.url().default("https://api.slack.com/scim/v2/"),
  })
  .strict();

export const Connection = z.discriminatedUnion("vendor", [OktaConnection, SlackConnection]);
export type Connection = z.infer<typeof Connection>;

export const Policy = z
  .object({
    protectedEmails: z
      .array(z.email())
      .default([])
      .describe("Break-glass and other accounts never contained unless forced"),
    protectedRoles: z
      .array(z.enum(["primary_owner", "owner", "admin", "bot"]))
      .default(["primary_owner", "owner", "admin", "bot"])
      .describe("Vendor roles that make an account protected"),
    maxAccountsPerRun: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(25)
      .describe("A run touching more accounts stops before acting"),
  })
  .strict();

export const CordonConfig = z
  .object({
    $schema: z.string().optional(),
    store: z
      .object({ path: z.string().min(1).default(".cordon/cordon.db") })
      .strict()
      .default({ path: ".cordon/cordon.db" }),
    connections: z.record(Name, Connection).default({}),
    policy: Policy.default({
      protectedEmails: [],
      protectedRoles: ["primary_owner", "owner", "admin", "bot"],
      maxAccountsPerRun: 25,
    }),
  })
  .strict();
export type CordonConfig = z.infer<typeof CordonConfig>;
