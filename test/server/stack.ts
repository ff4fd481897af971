/**
 * A whole deployment on 127.0.0.1 for server tests: emulated Okta and Slack, a cordon.yaml in a temporary folder,
 * a SQLite store, and `startServer` — the same code `cordon serve` runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { type RunningServer as RunningEmulator, serveFetch } from "../../src/emulators/kit/serve.ts";
import { createOktaEmulator, type OktaEmulator, type OktaSeed } from "../../src/emulators/okta/index.ts";
import { createSlackEmulator, type SlackEmulator, type SlackSeed } from "../../src/emulators/slack/index.ts";
import {
  createTeamsEmulator,
  DEFAULT_WORKFLOW_ID,
  DEFAULT_WORKFLOW_SIG,
  type TeamsEmulator,
} from "../../src/emulators/teams/index.ts";
import { type RunningServer, startServer } from "../../src/server/serve.ts";
import { openSqliteStore, type Store } from "../../src/store/index.ts";

export const OKTA_TOKEN = "00okta-test-token";
export const SLACK_TOKEN = "xoxp-slack-test";
export const HOOK_SECRET = "okta-hook-shared-secret-value";
export const SIGNING_SECRET = "slack-signing-secret-value";
export const GENERIC_SECRET = "siem-hmac-secret-value";
/** The path and query of the Teams emulator's seeded Workflows webhook (the URL is the credential). */
export const TEAMS_WEBHOOK_PATH = `/workflows/${DEFAULT_WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${DEFAULT_WORKFLOW_SIG}`;

export interface Stack {
  dir: string;
  okta: OktaEmulator;
  slack: SlackEmulator;
  /** Present when created with `teams: true` (a `teams` connection to it is then in cordon.yaml). */
  teams: TeamsEmulator | null;
  teamsUrl: string | null;
  oktaUrl: string;
  slackUrl: string;
  configPath: string;
  storePath: string;
  env: Record<string, string>;
  /** Slack user id of the approver. */
  approverId: string;
  store: Store | null;
  server: RunningServer | null;
  logs: Array<Record<string, unknown>>;
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A playbook like the built-in suspicious-activity one, with this test's approver. */
export function suspiciousPlaybook(approverId: string): string {
  return `
name: suspicious-activity-reported
description: test copy of the built-in, with a real approver id
trigger:
  source: okta
  events: [user.account.report_suspicious_activity_by_enduser]
approval:
  protected: true
  slack: { connection: slack, channel: "#sec-approvals", approvers: [${approverId}] }
  expires_in: 1h
steps:
  - id: contain
    on_error: continue
    contain:
      in: [okta]
      actions: [okta.clear_sessions, okta.reset_password]
      with:
        okta.clear_sessions: { oauthTokens: true }
        okta.reset_password: { sendEmail: true }
  - id: log
    record:
      table: SuspiciousActivityReportedLog
      row:
        Email: "{{ subject }}"
        SysLogURL: "{{ event.admin_url }}/report/system_log_2?search={{ event.data.uuid | urlencode }}"
        Outcome: "{{ steps.contain.outcome }}"
  - id: tell
    notify:
      slack:
        connection: slack
        channel: "#security"
        text: "Suspicious activity reported by {{ subject | slack_escape }}: containment {{ steps.contain.outcome }}"
`;
}

export interface StackOptions {
  /** cordon.yaml `playbooks:` entries (files relative to the stack's folder, or builtin:<name>). */
  playbooks?: string[];
  extraConfig?: string;
  /** More Okta users, after the default four. */
  oktaUsers?: NonNullable<OktaSeed["users"]>;
  /** More Slack users, after the default three. */
  slackUsers?: NonNullable<SlackSeed["users"]>;
  /** More Slack channels, after #security and #sec-approvals (names without `#`). */
  slackChannels?: string[];
  /** Start the Teams emulator and configure a `teams` connection (vendor teams) to its Workflows webhook. */
  teams?: boolean;
}

export async function createStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "cordon-serve-"));
  const okta = createOktaEmulator({
    seed: {
      tokens: [OKTA_TOKEN],
      tokenOwner: "ops@corp.example",
      users: [
        { email: "ops@corp.example", admin: true },
        { email: "alice@corp.example", sessions: 2 },
        { email: "bob@corp.example", sessions: 1 },
        { email: "admin@corp.example", admin: true, sessions: 1 },
        ...(options.oktaUsers ?? []),
      ],
    },
  });
  const slack = createSlackEmulator({
    seed: {
      tokens: [SLACK_TOKEN],
      adminUser: "ops@corp.example",
      channels: [
        { name: "security" },
        { name: "sec-approvals" },
        ...(options.slackChannels ?? []).map((name) => ({ name })),
      ],
      users: [
        { email: "ops@corp.example", name: "ops", isPrimaryOwner: true, isOwner: true, isAdmin: true },
        { email: "sam@corp.example", name: "sam", realName: "Sam Approver" },
        { email: "eve@corp.example", name: "eve", realName: "Eve Bystander" },
        ...(options.slackUsers ?? []),
      ],
    },
  });
  const oktaServer: RunningEmulator = await serveFetch(okta.app.fetch, { port: 0 });
  const slackServer: RunningEmulator = await serveFetch(slack.app.fetch, { port: 0 });
  const teams = options.teams
    ? createTeamsEmulator({
        seed: {
          webhooks: [
            { id: DEFAULT_WORKFLOW_ID, kind: "workflow", sig: DEFAULT_WORKFLOW_SIG, channel: "security" },
          ],
        },
      })
    : null;
  const teamsServer: RunningEmulator | null = teams ? await serveFetch(teams.app.fetch, { port: 0 }) : null;
  const approverId = slack.state.findByEmail("sam@corp.example")!.id;
  writeFileSync(join(dir, "suspicious.yaml"), suspiciousPlaybook(approverId));
  const configPath = join(dir, "cordon.yaml");
  writeFileSync(
    configPath,
    `
store: { path: cordon.db }
connections:
  okta: { vendor: okta, orgUrl: "${oktaServer.url}", token: env:TEST_OKTA_TOKEN }
  slack: { vendor: slack, token: env:TEST_SLACK_TOKEN, apiUrl: "${slackServer.url}/api/", scimUrl: "${slackServer.url}/scim/v2/" }
${teamsServer ? "  teams: { vendor: teams, webhookUrl: env:TEST_TEAMS_WEBHOOK_URL }" : ""}
policy:
  protectedEmails: []
server:
  hooks:
    okta:
      okta: { secret: env:TEST_HOOK_SECRET }
    slack: { signingSecret: env:TEST_SIGNING_SECRET }
    generic:
      siem: { secret: env:TEST_GENERIC_SECRET }
  maxBodyBytes: 65536
playbooks:
${(options.playbooks ?? ["suspicious.yaml"]).map((p) => `  - ${p}`).join("\n")}
${options.extraConfig ?? ""}
`,
  );
  const env: Record<string, string> = {
    TEST_OKTA_TOKEN: OKTA_TOKEN,
    TEST_SLACK_TOKEN: SLACK_TOKEN,
    TEST_HOOK_SECRET: HOOK_SECRET,
    TEST_SIGNING_SECRET: SIGNING_SECRET,
    TEST_GENERIC_SECRET: GENERIC_SECRET,
    ...(teamsServer ? { TEST_TEAMS_WEBHOOK_URL: `${teamsServer.url}${TEAMS_WEBHOOK_PATH}` } : {}),
  };
  const stack: Stack = {
    dir,
    okta,
    slack,
    teams,
    teamsUrl: teamsServer?.url ?? null,
    oktaUrl: oktaServer.url,
    slackUrl: slackServer.url,
    configPath,
    storePath: join(dir, "cordon.db"),
    env,
    approverId,
    store: null,
    server: null,
    logs: [],
    async start() {
      const loaded = loadConfig(configPath, env, dir);
      stack.store = openSqliteStore({ path: stack.storePath });
      stack.server = await startServer({
        loaded,
        env,
        store: stack.store,
        clock: systemClock(),
        port: 0,
        tickMs: 50,
        log: (entry) => stack.logs.push(entry),
      });
      return stack.server;
    },
    async stop() {
      await stack.server?.stop(5_000);
      await stack.store?.close();
      stack.server = null;
      stack.store = null;
    },
    async close() {
      await stack.stop();
      await oktaServer.close();
      await slackServer.close();
      await teamsServer?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/**
 * Registers and verifies an Okta event hook pointing at the server, as an admin would in the Admin Console,
 * subscribed to `events` (default: the suspicious-activity report only).
 */
export async function registerOktaHook(
  stack: Stack,
  secret = HOOK_SECRET,
  events: string[] = ["user.account.report_suspicious_activity_by_enduser"],
): Promise<string> {
  const api = (path: string, body?: unknown) =>
    fetch(`${stack.oktaUrl}${path}`, {
      method: "POST",
      headers: {
        Authorization: `SSWS ${OKTA_TOKEN}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const created = await api("/api/v1/eventHooks", {
    name: "cordon",
    events: { type: "EVENT_TYPE", items: events },
    channel: {
      type: "HTTP",
      version: "1.0.0",
      config: {
        uri: `${stack.server!.url}/hooks/okta`,
        authScheme: { type: "HEADER", key: "Authorization", value: secret },
      },
    },
  });
  const hook = (await created.json()) as { id: string };
  const verified = await api(`/api/v1/eventHooks/${hook.id}/lifecycle/verify`);
  const body = (await verified.json()) as { verificationStatus?: string };
  if (body.verificationStatus !== "VERIFIED") throw new Error(`hook not verified: ${JSON.stringify(body)}`);
  return hook.id;
}

/**
 * Something an end user does (deny a push, report activity, roam mid-session): the Okta emulator logs the event,
 * with the user as actor and target, and delivers it to the subscribed hooks. Resolves once delivered; returns the
 * System Log event (its `uuid` makes the cordon event key `okta:<uuid>`).
 */
export async function oktaUserEvent(
  stack: Stack,
  eventType: string,
  login: string,
  debugData?: Record<string, unknown>,
): Promise<{ uuid: string; eventType: string; outcome: { result: string } }> {
  const res = await fetch(`${stack.oktaUrl}/__cordon/okta/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ eventType, login, ...(debugData ? { debugData } : {}) }),
  });
  if (res.status !== 201) throw new Error(`event not recorded: ${res.status} ${await res.text()}`);
  const event = (await res.json()) as { uuid: string; eventType: string; outcome: { result: string } };
  await stack.okta.state.events.idle();
  return event;
}

/** An end user presses "Report suspicious activity": the Okta emulator logs it and delivers it to the hook. */
export async function reportSuspicious(stack: Stack, login: string): Promise<void> {
  await oktaUserEvent(stack, "user.account.report_suspicious_activity_by_enduser", login, {
    suspiciousActivityEventType: "system.email.new_device_notification.sent_message",
  });
}

export function resetsOf(stack: Stack, login: string): number {
  const id = stack.okta.state.findUser(login)!.id;
  return stack.okta.state.events.log.filter(
    (e) => e.event.eventType === "user.account.reset_password" && e.event.target.some((t) => t.id === id),
  ).length;
}

/** Polls until `check` holds (runs are asynchronous by design: the hook answers before the work is done). */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
