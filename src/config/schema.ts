import { z } from "zod";

import { VENDORS } from "../connectors/index.ts";
import { SecretRef } from "../core/secret-ref.ts";

export { SecretRef };

const Name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "lowercase letters, digits and dashes, starting with a letter");

/** One connection in `cordon.yaml`: the vendors' own schemas (src/connectors/<vendor>/config.ts), told apart by `vendor`. */
export type Connection = { vendor: string } & Record<string, unknown>;
const vendorSchemas = VENDORS.map((v) => v.schema) as unknown as [
  z.ZodObject<{ vendor: z.ZodLiteral<string> }>,
];
export const Connection = z.discriminatedUnion("vendor", vendorSchemas) as unknown as z.ZodType<Connection>;

export const Policy = z
  .object({
    protectedEmails: z
      .array(z.email())
      .default([])
      .describe("Break-glass and other accounts never contained unless forced"),
    protectedRoles: z
      .array(z.enum(["primary_owner", "owner", "admin", "bot", "protected", "caller"]))
      .default(["primary_owner", "owner", "admin", "bot", "protected", "caller"])
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

/** Access reconciliation (`cordon reconcile`): who may use which app, and where people and their groups come from. */
export const Reconcile = z
  .object({
    source: z
      .union([
        z.string().describe("A connection that can list people and groups (e.g. okta)"),
        z
          .object({
            file: z.string().min(1).describe("A JSON, YAML or CSV profile file of people and groups"),
          })
          .strict(),
      ])
      .describe("The source of truth for people and their groups"),
    rules: z
      .string()
      .min(1)
      .describe("Access rules: a Mozilla apps.yml or cordon's rules file (app → allowed groups)"),
    targets: z
      .record(
        Name,
        z
          .object({
            app: z.string().min(1).describe("The app's name in the rules file"),
            appId: z
              .string()
              .min(1)
              .optional()
              .describe(
                "Reconcile one application's assignments (Okta app id) instead of the whole directory",
              ),
          })
          .strict(),
      )
      .describe("Connections to reconcile, each with its app name in the rules"),
    maxChanges: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(25)
      .describe("Stop before acting above this many changes"),
    maxShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe("Stop before acting when changes exceed this share of the target's accounts"),
    notify: z
      .object({
        connection: Name.describe("A Slack connection"),
        channel: z.string().min(1).describe("Channel id or name for the summary"),
      })
      .strict()
      .optional()
      .describe("Post a summary of every applied reconcile to Slack"),
  })
  .strict();
export type Reconcile = z.infer<typeof Reconcile>;

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
      protectedRoles: ["primary_owner", "owner", "admin", "bot", "protected", "caller"],
      maxAccountsPerRun: 25,
    }),
    reconcile: Reconcile.optional(),
  })
  .strict();
export type CordonConfig = z.infer<typeof CordonConfig>;
