/**
 * The playbook file (decision 0010): one playbook per YAML file, fields in snake_case. The zod schema validates
 * the YAML's shape and is the source of `playbook.schema.json` (editor completion and help); `normalisePlaybook`
 * turns the validated YAML into the camelCase `Playbook` the runner executes, with every default filled in.
 * Checks that need more than one field's value (templates parse, `steps.<id>` references, action ids and their
 * inputs) are in load.ts, which can point at the YAML node.
 */
import { z } from "zod";
import type { ContainmentProfile } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import { isIdentifier, MAX_EXPRESSION_CHARS, MAX_TEMPLATE_CHARS } from "./language/index.ts";
import { validateCron } from "./triggers/schedule.ts";

/** The runner refuses a `for_each` over more items than this: one event must not fan out without bound. */
export const MAX_FOR_EACH_ITEMS = 100;
/** Longest `wait`, and longest an approval may stay open. */
export const MAX_WAIT_MS = 7 * 24 * 60 * 60 * 1000;
/** Steps in one list (`steps`, `then`, `else`, `do`). */
export const MAX_STEPS_PER_LIST = 100;

export const STEP_KINDS = [
  "contain",
  "uncontain",
  "notify",
  "record",
  "approval",
  "if",
  "for_each",
  "wait",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Names the runner puts in the template scope; a loop variable may not hide them. */
export const RESERVED_SCOPE_NAMES: ReadonlySet<string> = new Set(["event", "subject", "steps", "playbook"]);

// ---------------------------------------------------------------------------------------------------------------
// Durations

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `5m`, `4h`, `2d` → milliseconds. Throws CordonError `invalid_input` for anything else. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === null)
    throw new CordonError({ kind: "invalid_input", field: "duration" }, `not a duration: ${text}`);
  return ms;
}

function durationMs(text: string): number | null {
  const match = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : null;
}

function duration(description: string, maxMs: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,5}(s|m|h|d)$/, 'a duration such as "30s", "5m", "4h" or "2d"')
    .refine((text) => (durationMs(text) ?? 0) <= maxMs, `at most ${maxMs / UNIT_MS.d} days`)
    .describe(description);
}

// ---------------------------------------------------------------------------------------------------------------
// Strings of the template language

const template = (description: string) =>
  z
    .string()
    .max(MAX_TEMPLATE_CHARS)
    .describe(`${description} Template: \`{{ expression | filter }}\` is replaced when the step runs.`);

const expression = (description: string) =>
  z
    .string()
    .min(1)
    .max(MAX_EXPRESSION_CHARS)
    .describe(`${description} An expression of the playbook language.`);

const ConnectionName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "a connection name from cordon.yaml")
  .describe("A connection name from cordon.yaml `connections`.");

const ActionId = z
  .string()
  .regex(/^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/, "an action id such as okta.clear_sessions")
  .describe("An action id `<vendor>.<verb>_<object>` (cordon connections actions lists them).");

const TableName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "letters, digits and _, starting with a letter, at most 64")
  .describe("Table name: letters, digits and _, starting with a letter.");

// ---------------------------------------------------------------------------------------------------------------
// The YAML shape (what the file says)

export type OnErrorYaml =
  | "stop"
  | "continue"
  | { retry: { attempts: number; backoff: string }; then?: "stop" | "continue" | undefined };

export interface ApprovalYaml {
  protected?: boolean | undefined;
  risk_at_least?: "low" | "medium" | "high" | undefined;
  accounts_over?: number | undefined;
  slack?: { connection: string; channel: string; approvers: string[] } | undefined;
  expires_in?: string | undefined;
}

interface StepCommonYaml {
  id?: string | undefined;
  name?: string | undefined;
  on_error?: OnErrorYaml | undefined;
}

export type StepYaml = StepCommonYaml &
  (
    | {
        contain: {
          subject?: string | undefined;
          profile?: ContainmentProfile | undefined;
          actions?: string[] | undefined;
          with?: Record<string, Record<string, unknown>> | undefined;
          in?: string[] | undefined;
          approval?: ApprovalYaml | undefined;
        };
      }
    | { uncontain: { subject?: string | undefined; in?: string[] | undefined } }
    | {
        notify: {
          slack?:
            | { connection: string; channel: string; text: string; blocks?: unknown[] | undefined }
            | undefined;
          teams?:
            | {
                connection: string;
                title: string;
                text: string;
                facts?: Record<string, string> | undefined;
                link?: { title: string; url: string } | undefined;
              }
            | undefined;
        };
      }
    | { record: { table: string; row: Record<string, string> } }
    | {
        approval: {
          reason: string;
          slack?: { connection: string; channel: string; approvers: string[] } | undefined;
          expires_in?: string | undefined;
        };
      }
    | { if: string; then: StepYaml[]; else?: StepYaml[] | undefined }
    | { for_each: string; as: string; do: StepYaml[] }
    | { wait: string }
  );

export interface TriggerYaml {
  source: "okta" | "webhook" | "schedule" | "manual";
  events?: string[] | undefined;
  webhook?: string | undefined;
  cron?: string | undefined;
  when?: string | undefined;
}

export interface PlaybookYaml {
  name: string;
  description?: string | undefined;
  trigger: TriggerYaml;
  subject?: string | undefined;
  approval?: ApprovalYaml | undefined;
  steps: StepYaml[];
}

// ---------------------------------------------------------------------------------------------------------------
// The schema

const OnError: z.ZodType<OnErrorYaml> = z
  .union([
    z.enum(["stop", "continue"]),
    z
      .object({
        retry: z
          .object({
            attempts: z.number().int().min(1).max(10).describe("How many times to try in all (1–10)."),
            backoff: duration("Wait between attempts, e.g. 10s.", 60 * UNIT_MS.m),
          })
          .strict()
          .describe("Try the step again when it fails."),
        // biome-ignore lint/suspicious/noThenProperty: `then` is the playbook format's word (decision 0010); these objects are never awaited.
        then: z
          .enum(["stop", "continue"])
          .optional()
          .describe("What to do when every attempt failed: stop the playbook (default) or continue."),
      })
      .strict(),
  ])
  .describe(
    "When the step fails: stop the playbook (default), continue with the next step, or retry first " +
      "({ retry: { attempts: 3, backoff: 10s }, then: stop }).",
  );

const SlackApprovers = z
  .object({
    connection: ConnectionName,
    channel: z
      .string()
      .min(1)
      .max(200)
      .describe("Channel the approval request is posted to, e.g. #sec-approvals."),
    approvers: z
      .array(z.string().regex(/^[UW][A-Z0-9]{2,30}$/, "a Slack user id such as U0123ABCD"))
      .min(1)
      .max(100)
      .describe("Slack user ids allowed to approve or reject; anyone else's click is refused."),
  })
  .strict()
  .describe("Ask in Slack with Approve/Reject buttons. Absent: approve with `cordon approve` or the API.");

const Approval = z
  .object({
    protected: z
      .boolean()
      .optional()
      .describe(
        "Protected accounts (admins, owners, listed in policy) in the plan need approval; without it they are " +
          "skipped. Default true.",
      ),
    risk_at_least: z
      .enum(["low", "medium", "high"])
      .optional()
      .describe("An action at or above this risk tier needs approval. Absent: risk alone never asks."),
    accounts_over: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .optional()
      .describe("A plan with more accounts than this needs approval. Absent: the count alone never asks."),
    slack: SlackApprovers.optional(),
    expires_in: duration(
      "How long an approval request stays open before the step ends as expired. Default 4h.",
      MAX_WAIT_MS,
    ).optional(),
  })
  .strict()
  .describe("When a containment needs a human's approval before it acts.");

const ApprovalGate = z
  .object({
    reason: template('What the approver is asked, e.g. "Lock {{ subject }} in every app?"'),
    slack: SlackApprovers.optional().describe(
      "Ask in Slack with Approve/Reject buttons. Default: the playbook's approval.slack; absent: CLI or API only.",
    ),
    expires_in: duration(
      "How long the request stays open before the step ends as expired. Default: the playbook's (4h).",
      MAX_WAIT_MS,
    ).optional(),
  })
  .strict()
  .describe(
    "Wait for a human's go before the next steps. Approved: outcome approved. Rejected or expired: the step fails " +
      "(the run stops unless on_error says otherwise).",
  );

const stepCommon = {
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, "lowercase letters, digits and _, starting with a letter")
    .optional()
    .describe("Names the step; later steps read its result at `steps.<id>` ({ outcome, output }). Unique."),
  name: z.string().min(1).max(200).optional().describe("A human label for logs and the run's record."),
  on_error: OnError.optional(),
};

const Contain = z
  .object({
    subject: template("Whom to contain (email or login). Default `{{ subject }}`.").optional(),
    profile: z
      .enum(["sessions", "lock"])
      .optional()
      .describe(
        "sessions: end sessions and tokens; lock: also block sign-in. Exactly one of profile or actions.",
      ),
    actions: z
      .array(ActionId)
      .min(1)
      .max(50)
      .optional()
      .describe(
        "Exactly these containment actions, in every connection of their vendor. Instead of profile.",
      ),
    with: z
      .record(ActionId, z.record(z.string(), z.unknown()))
      .optional()
      .describe(
        "Inputs per action id, e.g. { okta.reset_password: { sendEmail: true } }; strings may be templates.",
      ),
    in: z
      .array(ConnectionName)
      .min(1)
      .optional()
      .describe("Connection names to contain in. Default: every configured connection."),
    approval: Approval.optional().describe("Overrides the playbook's approval policy, field by field."),
  })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.profile === undefined) === (value.actions === undefined))
      ctx.addIssue({
        code: "custom",
        message: "a contain step needs exactly one of profile or actions",
        path: [],
      });
  })
  .describe(
    "Contain the subject: plan, approval when the policy asks, act, verify. Result outcome: completed, partial, failed, rejected, expired or skipped.",
  );

const Uncontain = z
  .object({
    subject: template("Whom to restore (email or login). Default `{{ subject }}`.").optional(),
    in: z.array(ConnectionName).min(1).optional().describe("Connection names to restore in. Default: all."),
  })
  .strict()
  .describe("Undo the subject's last containment, exactly (cordon uncontain).");

const Notify = z
  .object({
    slack: z
      .object({
        connection: ConnectionName,
        channel: template("Channel name (#sec) or id."),
        text: template("Message text (Slack mrkdwn); the notification fallback when blocks are given."),
        blocks: z
          .array(z.unknown())
          .max(50)
          .optional()
          .describe(
            "Block Kit blocks; every string in them is a template. Escape event text with `slack_escape`.",
          ),
      })
      .strict()
      .optional()
      .describe("Post to Slack with chat.postMessage."),
    teams: z
      .object({
        connection: ConnectionName,
        title: template("Card title."),
        text: template("Card text."),
        facts: z
          .record(z.string().min(1).max(200), template("Fact value."))
          .optional()
          .describe("Name → value pairs shown as a FactSet."),
        link: z
          .object({ title: template("Button label."), url: template("Button URL.") })
          .strict()
          .optional()
          .describe("One button opening a URL."),
      })
      .strict()
      .optional()
      .describe("Post an Adaptive Card to a Teams incoming webhook (Workflows URL)."),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.slack === undefined && value.teams === undefined)
      ctx.addIssue({ code: "custom", message: "a notify step needs slack, teams or both", path: [] });
  })
  .describe("Send a notification. A notification interrupted by a crash is not sent twice.");

const RecordBody = z
  .object({
    table: TableName,
    row: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "a column name: letters, digits and _"),
        template("Column value."),
      )
      .describe("Column → value; values are templates."),
  })
  .strict()
  .describe(
    "Write one row to a table in cordon's store (written once per run and step, even across a restart).",
  );

const LoopVariable = z
  .string()
  .refine(isIdentifier, "an identifier: letters, digits and _, not a keyword")
  .refine((name) => !RESERVED_SCOPE_NAMES.has(name), "event, subject, steps and playbook are taken")
  .describe("The name each item has inside `do`.");

function steps(description: string) {
  return z.array(Step).min(1).max(MAX_STEPS_PER_LIST).describe(description);
}

export const Step: z.ZodType<StepYaml> = z
  .union([
    z.object({ ...stepCommon, contain: Contain }).strict(),
    z.object({ ...stepCommon, uncontain: Uncontain }).strict(),
    z.object({ ...stepCommon, notify: Notify }).strict(),
    z.object({ ...stepCommon, record: RecordBody }).strict(),
    z.object({ ...stepCommon, approval: ApprovalGate }).strict(),
    z
      .object({
        ...stepCommon,
        if: expression("The condition; `then` runs when it is true, `else` otherwise."),
        // biome-ignore lint/suspicious/noThenProperty: `then` is the playbook format's word (decision 0010); these objects are never awaited.
        get then() {
          return steps("Steps run when the condition is true.");
        },
        get else() {
          return steps("Steps run when the condition is false.").optional();
        },
      })
      .strict(),
    z
      .object({
        ...stepCommon,
        for_each: expression(`A list; \`do\` runs once per item (at most ${MAX_FOR_EACH_ITEMS}).`),
        as: LoopVariable,
        get do() {
          return steps("Steps run for each item.");
        },
      })
      .strict(),
    z
      .object({
        ...stepCommon,
        wait: duration("Pause the run (survives restarts), e.g. 5m; at most 7d.", MAX_WAIT_MS),
      })
      .strict(),
  ])
  .describe(
    `One step: an object with exactly one of ${STEP_KINDS.join(", ")}, plus optional id, name, on_error.`,
  );

const EventType = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, "an event type such as user.session.start");

const Trigger = z
  .object({
    source: z
      .enum(["okta", "webhook", "schedule", "manual"])
      .describe(
        "okta: Okta event hook or System Log; webhook: POST /hooks/generic/<webhook>; schedule: cron; manual: cordon playbook run.",
      ),
    events: z
      .array(EventType)
      .max(100)
      .optional()
      .describe(
        "Event types that start the playbook (Okta eventType, or a webhook's type). Required for okta; for webhook, absent means any type.",
      ),
    webhook: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lowercase letters, digits, - and _")
      .optional()
      .describe("For source webhook: which /hooks/generic/<name> delivers the events."),
    cron: z
      .string()
      .max(200)
      .optional()
      .describe('For source schedule: a cron pattern, 5 or 6 fields, UTC ("*/15 * * * *").'),
    when: expression(
      "Optional filter: the playbook runs only when it is true. Scope: event, playbook.",
    ).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const refuse = (field: "events" | "webhook" | "cron", why: string) =>
      ctx.addIssue({ code: "custom", message: why, path: [field] });
    if (t.source === "okta" && (t.events === undefined || t.events.length === 0))
      ctx.addIssue({
        code: "custom",
        message: "source okta needs events (at least one event type)",
        path: [],
      });
    if (t.source === "webhook" && t.webhook === undefined)
      ctx.addIssue({ code: "custom", message: "source webhook needs webhook (the hook's name)", path: [] });
    if (t.source === "schedule") {
      if (t.cron === undefined)
        ctx.addIssue({ code: "custom", message: "source schedule needs cron", path: [] });
      else {
        const problem = validateCron(t.cron);
        if (problem !== null) refuse("cron", problem);
      }
    }
    if (t.events !== undefined && t.source !== "okta" && t.source !== "webhook")
      refuse("events", "events is only for sources okta and webhook");
    if (t.webhook !== undefined && t.source !== "webhook")
      refuse("webhook", "webhook is only for source webhook");
    if (t.cron !== undefined && t.source !== "schedule") refuse("cron", "cron is only for source schedule");
  })
  .describe("What starts the playbook.");

export const PlaybookSchema: z.ZodType<PlaybookYaml> = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lowercase letters, digits and dashes")
      .describe("The playbook's name: lowercase letters, digits and dashes. Unique among loaded playbooks."),
    description: z.string().max(2000).optional().describe("What the playbook is for, in a sentence or two."),
    trigger: Trigger,
    subject: template(
      "Whom the playbook acts on (email or login). Default `{{ event.subject }}`.",
    ).optional(),
    approval: Approval.optional().describe(
      "Approval policy for every contain step (steps may override fields).",
    ),
    steps: steps("The steps, run in order."),
  })
  .strict()
  .describe("A cordon playbook: what starts it and the steps it runs. See docs/playbooks.md.");

// ---------------------------------------------------------------------------------------------------------------
// The normalised shape (what the runner executes)

export type ErrorPolicy = {
  mode: "stop" | "continue";
  retry: { attempts: number; backoffMs: number } | null;
};

export type ApprovalPolicy = {
  protected: boolean;
  riskAtLeast: "low" | "medium" | "high" | null;
  accountsOver: number | null;
  slack: { connection: string; channel: string; approvers: string[] } | null;
  expiresInMs: number;
};

export interface StepBase {
  id: string | null;
  name: string | null;
  onError: ErrorPolicy;
}

export type ContainStep = StepBase & {
  kind: "contain";
  subject: string;
  profile: ContainmentProfile | null;
  actions: string[] | null;
  with: Record<string, Record<string, unknown>>;
  in: string[] | null;
  approval: ApprovalPolicy;
};
export type UncontainStep = StepBase & { kind: "uncontain"; subject: string; in: string[] | null };
export type NotifyStep = StepBase & {
  kind: "notify";
  slack: { connection: string; channel: string; text: string; blocks: unknown[] | null } | null;
  teams: {
    connection: string;
    title: string;
    text: string;
    facts: Record<string, string>;
    link: { title: string; url: string } | null;
  } | null;
};
export type RecordStep = StepBase & { kind: "record"; table: string; row: Record<string, string> };
export type IfStep = StepBase & { kind: "if"; condition: string; then: Step[]; else: Step[] };
export type ForEachStep = StepBase & { kind: "for_each"; items: string; as: string; do: Step[] };
export type WaitStep = StepBase & { kind: "wait"; durationMs: number };
export type ApprovalStep = StepBase & {
  kind: "approval";
  reason: string;
  slack: { connection: string; channel: string; approvers: string[] } | null;
  expiresInMs: number;
};
export type Step =
  | ContainStep
  | UncontainStep
  | NotifyStep
  | RecordStep
  | ApprovalStep
  | IfStep
  | ForEachStep
  | WaitStep;

export interface Trigger {
  source: "okta" | "webhook" | "schedule" | "manual";
  events: string[];
  webhook: string | null;
  cron: string | null;
  when: string | null;
}

export interface Playbook {
  name: string;
  description: string;
  trigger: Trigger;
  subject: string;
  approval: ApprovalPolicy;
  steps: Step[];
}

export const DEFAULT_APPROVAL: Readonly<ApprovalPolicy> = {
  protected: true,
  riskAtLeast: null,
  accountsOver: null,
  slack: null,
  expiresInMs: 4 * UNIT_MS.h,
};

export const DEFAULT_ERROR_POLICY: Readonly<ErrorPolicy> = { mode: "stop", retry: null };

function errorPolicy(yaml: OnErrorYaml | undefined): ErrorPolicy {
  if (yaml === undefined) return { ...DEFAULT_ERROR_POLICY };
  if (typeof yaml === "string") return { mode: yaml, retry: null };
  return {
    mode: yaml.then ?? "stop",
    retry: { attempts: yaml.retry.attempts, backoffMs: parseDuration(yaml.retry.backoff) },
  };
}

/** The YAML's fields laid over `base` one by one: a step's approval overrides only what it names. */
function approvalPolicy(yaml: ApprovalYaml | undefined, base: ApprovalPolicy): ApprovalPolicy {
  if (yaml === undefined) return { ...base };
  return {
    protected: yaml.protected ?? base.protected,
    riskAtLeast: yaml.risk_at_least ?? base.riskAtLeast,
    accountsOver: yaml.accounts_over ?? base.accountsOver,
    slack: yaml.slack ? { ...yaml.slack, approvers: [...yaml.slack.approvers] } : base.slack,
    expiresInMs: yaml.expires_in === undefined ? base.expiresInMs : parseDuration(yaml.expires_in),
  };
}

function normaliseStep(yaml: StepYaml, approval: ApprovalPolicy): Step {
  const base: StepBase = {
    id: yaml.id ?? null,
    name: yaml.name ?? null,
    onError: errorPolicy(yaml.on_error),
  };
  const list = (items: StepYaml[] | undefined) => (items ?? []).map((s) => normaliseStep(s, approval));
  if ("contain" in yaml) {
    const c = yaml.contain;
    return {
      ...base,
      kind: "contain",
      subject: c.subject ?? "{{ subject }}",
      profile: c.profile ?? null,
      actions: c.actions ?? null,
      with: c.with ?? {},
      in: c.in ?? null,
      approval: approvalPolicy(c.approval, approval),
    };
  }
  if ("uncontain" in yaml)
    return {
      ...base,
      kind: "uncontain",
      subject: yaml.uncontain.subject ?? "{{ subject }}",
      in: yaml.uncontain.in ?? null,
    };
  if ("notify" in yaml) {
    const { slack, teams } = yaml.notify;
    return {
      ...base,
      kind: "notify",
      slack: slack
        ? {
            connection: slack.connection,
            channel: slack.channel,
            text: slack.text,
            blocks: slack.blocks ?? null,
          }
        : null,
      teams: teams
        ? {
            connection: teams.connection,
            title: teams.title,
            text: teams.text,
            facts: teams.facts ?? {},
            link: teams.link ?? null,
          }
        : null,
    };
  }
  if ("record" in yaml) return { ...base, kind: "record", table: yaml.record.table, row: yaml.record.row };
  if ("approval" in yaml) {
    const gate = yaml.approval;
    return {
      ...base,
      kind: "approval",
      reason: gate.reason,
      slack: gate.slack ? { ...gate.slack, approvers: [...gate.slack.approvers] } : approval.slack,
      expiresInMs: gate.expires_in === undefined ? approval.expiresInMs : parseDuration(gate.expires_in),
    };
  }
  if ("if" in yaml)
    // biome-ignore lint/suspicious/noThenProperty: `then` is the playbook format's word (decision 0010); never awaited.
    return { ...base, kind: "if", condition: yaml.if, then: list(yaml.then), else: list(yaml.else) };
  if ("for_each" in yaml)
    return { ...base, kind: "for_each", items: yaml.for_each, as: yaml.as, do: list(yaml.do) };
  return { ...base, kind: "wait", durationMs: parseDuration(yaml.wait) };
}

/**
 * The validated YAML (`PlaybookSchema` output) as the runner's `Playbook`: camelCase, defaults filled in, the
 * playbook's approval policy merged into each contain step's.
 */
export function normalisePlaybook(parsed: PlaybookYaml): Playbook {
  const approval = approvalPolicy(parsed.approval, DEFAULT_APPROVAL);
  const t = parsed.trigger;
  return {
    name: parsed.name,
    description: parsed.description ?? "",
    trigger: {
      source: t.source,
      events: t.events ?? [],
      webhook: t.webhook ?? null,
      cron: t.cron ?? null,
      when: t.when ?? null,
    },
    subject: parsed.subject ?? "{{ event.subject }}",
    approval,
    steps: parsed.steps.map((s) => normaliseStep(s, approval)),
  };
}

/** The JSON Schema editors use to complete playbook files (`# yaml-language-server: $schema=…`). */
export function playbookJsonSchema(): unknown {
  const schema = { title: "cordon playbook", ...z.toJSONSchema(PlaybookSchema, { io: "input" }) };
  // zod names the recursive step definition `__schema0`; editors show that name, so give it a readable one.
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"__schema0"', '"Step"').replaceAll("/__schema0", "/Step"),
  );
}

/** Every connection a playbook names (contain/uncontain `in`, notifications, approval channels), sorted. */
export function connectionsOf(playbook: Playbook): string[] {
  const names = new Set<string>();
  if (playbook.approval.slack) names.add(playbook.approval.slack.connection);
  const walk = (steps: readonly Step[]) => {
    for (const step of steps) {
      if (step.kind === "contain" || step.kind === "uncontain")
        for (const name of step.in ?? []) names.add(name);
      if (step.kind === "contain" && step.approval.slack) names.add(step.approval.slack.connection);
      if (step.kind === "approval" && step.slack) names.add(step.slack.connection);
      if (step.kind === "notify") {
        if (step.slack) names.add(step.slack.connection);
        if (step.teams) names.add(step.teams.connection);
      }
      if (step.kind === "if") walk([...step.then, ...step.else]);
      if (step.kind === "for_each") walk(step.do);
    }
  };
  walk(playbook.steps);
  return [...names].sort();
}
