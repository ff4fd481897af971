import { z } from "zod";

import { VENDORS } from "../connectors/index.ts";
import { SecretRef } from "../core/secret-ref.ts";
import { DEFAULT_POLICY, PROTECTED_ROLES } from "../engine/policy.ts";

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
      .array(z.enum(PROTECTED_ROLES))
      .default([...PROTECTED_ROLES])
      .describe("Vendor roles that make an account protected"),
    maxAccountsPerRun: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(DEFAULT_POLICY.maxAccountsPerRun)
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
    schedule: z
      .string()
      .min(9)
      .optional()
      .describe(
        'cordon serve runs the reconcile on this cron schedule (e.g. "0 * * * *"); the plan only, unless apply',
      ),
    apply: z
      .boolean()
      .default(false)
      .describe("Scheduled runs apply the plan (still inside the caps, and never on a target's first run)"),
  })
  .strict();
export type Reconcile = z.infer<typeof Reconcile>;

/** `cordon serve`: where it listens, which hooks it accepts (each with its secret), which Okta orgs it polls. */
export const Server = z
  .object({
    host: z.string().min(1).default("127.0.0.1").describe("Address to listen on"),
    port: z.number().int().min(0).max(65_535).default(8787).describe("Port (0: any free port)"),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024)
      .describe("Larger request bodies are refused with 413 before they are read"),
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe("Per-request deadline"),
    tls: z
      .object({
        certFile: z.string().min(1).describe("PEM certificate chain (relative to this file)"),
        keyFile: z.string().min(1).describe("PEM private key (relative to this file); keep it owner-only"),
      })
      .strict()
      .optional()
      .describe("Serve HTTPS directly (Okta event hooks need an https URL); absent: HTTP behind a TLS proxy"),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(32)
      .describe("Playbook runs executing at once; more wait in the store, oldest first"),
    hooks: z
      .object({
        okta: z
          .record(
            Name.describe("The Okta connection the hook belongs to"),
            z
              .object({
                secret: SecretRef.describe(
                  "The value Okta sends in the hook's authorization header (the event hook's authScheme value)",
                ),
                header: z
                  .string()
                  .min(1)
                  .default("authorization")
                  .describe("The header Okta sends it in (authScheme key)"),
              })
              .strict(),
          )
          .default({})
          .describe("Okta event hooks: POST/GET /hooks/okta/<connection> (or /hooks/okta with one)"),
        slack: z
          .object({ signingSecret: SecretRef.describe("The Slack app's signing secret") })
          .strict()
          .optional()
          .describe("Slack interactivity (approval buttons): POST /hooks/slack/interactions"),
        generic: z
          .record(
            Name.describe("The webhook's name: POST /hooks/generic/<name>"),
            z
              .object({
                secret: SecretRef.describe("HMAC-SHA256 key shared with the sender"),
                typeField: z.string().default("type").describe("Body field holding the event type"),
                idField: z.string().default("id").describe("Body field holding the event id (dedupe)"),
                subjectField: z
                  .string()
                  .default("subject")
                  .describe("Body field holding the subject's email"),
              })
              .strict(),
          )
          .default({})
          .describe("Generic webhooks signed with HMAC-SHA256 (X-Cordon-Timestamp, X-Cordon-Signature)"),
      })
      .strict()
      .default({ okta: {}, generic: {} }),
    poll: z
      .record(
        Name.describe("An Okta connection to poll the System Log of (for orgs without event hooks)"),
        z
          .object({
            intervalSeconds: z.number().int().min(5).max(3600).default(15).describe("Seconds between polls"),
            lookbackMinutes: z
              .number()
              .int()
              .min(0)
              .max(24 * 60)
              .default(15)
              .describe("How far back the first poll starts"),
          })
          .strict(),
      )
      .default({})
      .describe("Okta System Log polling; the cursor is kept in the store"),
  })
  .strict();
export type Server = z.infer<typeof Server>;

export const CordonConfig = z
  .object({
    $schema: z.string().optional(),
    store: z
      .object({
        path: z.string().min(1).default(".cordon/cordon.db"),
        synchronous: z
          .enum(["normal", "full"])
          .optional()
          .describe(
            "normal: nothing committed is lost when the process dies; full: not even on power loss (an fsync per " +
              "commit). Default: full for cordon serve (an event it acknowledged must survive), normal for the CLI.",
          ),
      })
      .strict()
      .default({ path: ".cordon/cordon.db" }),
    connections: z.record(Name, Connection).default({}),
    policy: Policy.default({ ...DEFAULT_POLICY, protectedRoles: [...PROTECTED_ROLES] }),
    reconcile: Reconcile.optional(),
    server: Server.optional(),
    playbooks: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Playbooks cordon serve runs: YAML files (relative to this file) or built-in templates as builtin:<name>",
      ),
  })
  .strict();
export type CordonConfig = z.infer<typeof CordonConfig>;
