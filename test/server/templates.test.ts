/**
 * The five built-in playbook templates, each loaded as `builtin:<name>` in cordon.yaml and run end to end by
 * `startServer` (what `cordon serve` runs): events arrive over real HTTP (the Okta emulator's event hook, a signed
 * generic webhook, the REST API), and the tests read the vendors' state afterwards in the Okta, Slack and Teams
 * emulators, not only the run's record.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { sha256Hex } from "../../src/core/hash.ts";
import { signGenericWebhook } from "../../src/server/verify/hmac.ts";
import type { PlaybookRunRecord } from "../../src/store/automation-types.ts";
import {
  createStack,
  GENERIC_SECRET,
  oktaUserEvent,
  registerOktaHook,
  resetsOf,
  type Stack,
  until,
} from "./stack.ts";

// biome-ignore lint/suspicious/noExplicitAny: test-only view of parsed JSON
type Loose = any;

const TEMPLATES = [
  "suspicious-activity-reported",
  "session-token-stolen",
  "api-token-suspicious",
  "account-compromised",
  "mfa-push-fatigue",
];

/** Every event type the Okta-triggered templates listen to, and one none of them does. */
const HOOK_EVENTS = [
  "user.account.report_suspicious_activity_by_enduser",
  "security.session.detect_client_roaming",
  "user.session.context.change",
  "user.mfa.okta_verify.deny_push",
  "system.push.send_factor_verify_push",
  "user.session.start",
];

/** Runs `work` with the CLI's stdout swallowed (the test reporter shares stdout). */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

const API_KEY = "cordon_templates-test-key-0123456789abcdefghijklmnopq";

describe("built-in templates end to end (cordon serve, Okta + Slack + Teams emulators)", () => {
  let stack: Stack;
  let url: string;

  before(async () => {
    stack = await createStack({
      playbooks: TEMPLATES.map((name) => `builtin:${name}`),
      teams: true,
      slackChannels: ["eng-managers"],
      oktaUsers: [
        { email: "carol@corp.example", sessions: 2, grants: 1 },
        { email: "grace@corp.example", sessions: 1 },
        { email: "dave@corp.example", apiTokens: [{ name: "ci" }, { name: "backup" }] },
        { email: "erin@corp.example", sessions: 2, apiTokens: [{ name: "erin-script" }] },
        { email: "frank@corp.example", sessions: 2, factors: ["push", "totp"] },
        { email: "heidi@corp.example", sessions: 1, factors: ["push"] },
      ],
      slackUsers: [
        { email: "carol@corp.example", name: "carol", sessions: { web: 1, mobile: 1 } },
        { email: "grace@corp.example", name: "grace", sessions: { web: 1 } },
        { email: "erin@corp.example", name: "erin", sessions: { web: 2 } },
      ],
    });
    // The CLI (cordon approve) reads secrets from the environment, as it would on an analyst's machine.
    Object.assign(process.env, stack.env);
    url = (await stack.start()).url;
    await registerOktaHook(stack, undefined, HOOK_EVENTS);
    await stack.store!.automation.createApiKey("templates-test", sha256Hex(API_KEY));
  });
  after(() => stack.close());

  /** The runs an event started, once it has been dispatched. */
  const runsOf = async (eventKey: string): Promise<PlaybookRunRecord[]> => {
    await until(`event ${eventKey} to be dispatched`, async () => {
      const stored = await stack.store!.automation.getEvent(eventKey);
      return stored?.state === "dispatched";
    });
    return (await stack.store!.automation.listPlaybookRuns({ limit: 1000 })).filter(
      (r) => r.eventKey === eventKey,
    );
  };

  /** The one run an event started, once it reaches `state`. */
  const settled = async (eventKey: string, state: PlaybookRunRecord["state"] = "completed") => {
    const [run, ...more] = await runsOf(eventKey);
    assert.ok(run, `a run for ${eventKey}`);
    assert.equal(more.length, 0, `one run for ${eventKey}`);
    return until(`run ${run.id} to be ${state}`, async () => {
      const current = await stack.store!.automation.getPlaybookRun(run.id);
      if (current && current.state !== state && ["completed", "failed"].includes(current.state))
        throw new Error(`run ${run.id} ended ${current.state}: ${current.error}`);
      return current?.state === state ? current : null;
    });
  };

  const stepOutput = async (runId: string, key: string): Promise<Loose> =>
    (await stack.store!.automation.getPlaybookStep(runId, key))?.output;

  const messagesAbout = (channel: string, who: string) =>
    stack.slack.state.channelMessages(channel).filter((m) => m.text.includes(who));

  const siem = (body: Record<string, unknown>, secret = GENERIC_SECRET) => {
    const raw = JSON.stringify(body);
    return fetch(`${url}/hooks/generic/siem`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...signGenericWebhook(raw, secret, Date.now() / 1000),
      },
      body: raw,
    });
  };

  test("suspicious-activity-reported: sessions cleared, password reset, audit row with the System Log URL, Slack blocks", async () => {
    const alice = stack.okta.state.findUser("alice@corp.example")!;
    assert.equal(stack.okta.state.sessionCount(alice.id), 2);
    const event = await oktaUserEvent(stack, "user.account.report_suspicious_activity_by_enduser", alice.id, {
      suspiciousActivityEventType: "system.email.new_device_notification.sent_message",
    });
    const run = await settled(`okta:${event.uuid}`);
    assert.equal(run.playbook, "suspicious-activity-reported");
    assert.equal(run.event.subject, "alice@corp.example");
    assert.equal((await stepOutput(run.id, "0")).outcome, "completed");

    assert.equal(stack.okta.state.sessionCount(alice.id), 0, "sessions cleared");
    assert.equal(stack.okta.state.findUser(alice.id)!.status, "RECOVERY", "password reset");
    assert.equal(resetsOf(stack, "alice@corp.example"), 1);

    const rows = (await stack.store!.automation.listTableRows("SuspiciousActivityReportedLog")).filter(
      (r) => r.row.Email === "alice@corp.example",
    );
    assert.equal(rows.length, 1);
    const row = rows[0]!.row;
    // The emulator's org URL is not *.okta.com, so its admin console URL is the org URL itself.
    assert.equal(row.SysLogURL, `${stack.oktaUrl}/report/system_log_2?search=${event.uuid}`);
    assert.equal(row.Outcome, "completed");
    assert.equal(row.UserID, alice.id);
    assert.equal(row.Name, "Alice User");
    assert.match(String(row.SuspiciousActivityDetails), /new_device_notification/);

    const [message, ...others] = messagesAbout("security", "alice@corp.example");
    assert.equal(others.length, 0);
    assert.match(
      message!.text,
      /Suspicious activity reported by alice@corp\.example: containment completed\./,
    );
    const blocks = JSON.stringify(message!.blocks);
    assert.match(blocks, /system\.email\.new_device_notification\.sent_message/);
    assert.ok(
      blocks.includes(`<${stack.oktaUrl}/report/system_log_2?search=${event.uuid}|System Log entry>`),
      "the System Log link",
    );
  });

  test("suspicious-activity-reported: an admin waits for approval, nothing is contained until cordon approve", async () => {
    const admin = stack.okta.state.findUser("admin@corp.example")!;
    const event = await oktaUserEvent(stack, "user.account.report_suspicious_activity_by_enduser", admin.id);
    const key = `okta:${event.uuid}`;
    const waiting = await settled(key, "waiting");
    const [approval] = await stack.store!.automation.listApprovals({ playbookRunId: waiting.id });
    assert.ok(approval);
    assert.equal(approval.state, "pending");
    assert.match(approval.reasons.join(), /admin@corp\.example in okta is protected/);
    // The request is posted to #sec-approvals; the template's placeholder approver (U0123456789) is nobody here,
    // so no click can approve it: the CLI does.
    assert.ok(approval.message, "the request was posted to Slack");
    assert.equal(stack.slack.state.findChannel("sec-approvals")!.id, approval.message.channel);

    assert.equal(stack.okta.state.sessionCount(admin.id), 1, "sessions untouched while waiting");
    assert.equal(stack.okta.state.findUser(admin.id)!.status, "ACTIVE", "no reset while waiting");
    assert.equal(resetsOf(stack, "admin@corp.example"), 0);
    const rowsBefore = await stack.store!.automation.listTableRows("SuspiciousActivityReportedLog");
    assert.ok(!rowsBefore.some((r) => r.row.Email === "admin@corp.example"), "no audit row yet");
    assert.equal(messagesAbout("security", "admin@corp.example").length, 0, "no Slack report yet");

    const code = await quietly(() =>
      runCli([
        "approve",
        waiting.id,
        "--yes",
        "--config",
        stack.configPath,
        "--store",
        stack.storePath,
        "--json",
      ]),
    );
    assert.equal(code, 0);
    const done = await settled(key, "completed");
    assert.equal((await stepOutput(done.id, "0")).outcome, "completed");
    assert.equal(stack.okta.state.sessionCount(admin.id), 0);
    assert.equal(stack.okta.state.findUser(admin.id)!.status, "RECOVERY");
    assert.equal(resetsOf(stack, "admin@corp.example"), 1);
    const rows = (await stack.store!.automation.listTableRows("SuspiciousActivityReportedLog")).filter(
      (r) => r.row.Email === "admin@corp.example",
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.row.Outcome, "completed");
    assert.match(messagesAbout("security", "admin@corp.example")[0]!.text, /containment completed/);
    const decided = (await stack.store!.automation.getApproval(approval.id))!;
    assert.equal(decided.state, "approved");
    assert.equal(decided.decidedVia, "cli");
  });

  test("session-token-stolen: roaming and context change end Okta sessions and grants and Slack sessions, nothing locked", async () => {
    const carol = stack.okta.state.findUser("carol@corp.example")!;
    const slackCarol = stack.slack.state.findByEmail("carol@corp.example")!;
    assert.equal(stack.okta.state.sessionCount(carol.id), 2);
    assert.equal(stack.okta.state.grantsOf(carol.id).length, 1);
    assert.equal(stack.slack.state.sessionsOf(slackCarol.id).length, 2);

    const roaming = await oktaUserEvent(stack, "security.session.detect_client_roaming", carol.id);
    const run = await settled(`okta:${roaming.uuid}`);
    assert.equal(run.playbook, "session-token-stolen");
    assert.equal(run.event.subject, "carol@corp.example");
    assert.equal((await stepOutput(run.id, "0")).outcome, "completed");

    assert.equal(stack.okta.state.sessionCount(carol.id), 0, "Okta sessions cleared");
    assert.equal(stack.okta.state.grantsOf(carol.id).length, 0, "Okta grants revoked");
    assert.equal(stack.okta.state.findUser(carol.id)!.status, "ACTIVE", "sessions profile does not suspend");
    assert.equal(stack.slack.state.sessionsOf(slackCarol.id).length, 0, "Slack sessions reset");
    assert.equal(stack.slack.state.getUser(slackCarol.id)!.deleted, false, "Slack user not deactivated");
    const [message] = messagesAbout("security", "carol@corp.example");
    assert.match(
      message!.text,
      /Possible stolen session for carol@corp\.example \(security\.session\.detect_client_roaming from 127\.0\.0\.1\): sessions ended everywhere, outcome completed\./,
    );

    // The template's other event type, for another user.
    const grace = stack.okta.state.findUser("grace@corp.example")!;
    const slackGrace = stack.slack.state.findByEmail("grace@corp.example")!;
    const changed = await oktaUserEvent(stack, "user.session.context.change", grace.id);
    await settled(`okta:${changed.uuid}`);
    assert.equal(stack.okta.state.sessionCount(grace.id), 0);
    assert.equal(stack.slack.state.sessionsOf(slackGrace.id).length, 0);
    assert.match(messagesAbout("security", "grace@corp.example")[0]!.text, /user\.session\.context\.change/);
  });

  // The event is stored redacted; `token_id` names a token, it is not one, so it survives (store/redact.ts).
  test("api-token-suspicious: a signed SIEM webhook revokes exactly that token and tells the manager channel", async () => {
    const dave = stack.okta.state.findUser("dave@corp.example")!;
    const tokens = () => [...stack.okta.state.apiTokens.values()].filter((t) => t.userId === dave.id);
    const [ci, backup] = tokens();
    assert.ok(ci && backup);
    const ops = stack.okta.state.findUser("ops@corp.example")!;
    const othersBefore = stack.okta.state.apiTokens.size - 2;

    const body = {
      type: "okta.api_token.suspicious",
      id: "siem-alert-1001",
      subject: "dave@corp.example",
      token_id: ci.id,
      manager_channel: "#eng-managers",
    };
    const res = await siem(body);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { accepted: 1, duplicates: 0 });
    const run = await settled("webhook:siem:siem-alert-1001");
    assert.equal(run.playbook, "api-token-suspicious");
    assert.equal(run.event.subject, "dave@corp.example");
    assert.equal((await stepOutput(run.id, "0")).outcome, "completed");

    assert.deepEqual(
      tokens().map((t) => t.id),
      [backup.id],
      "the flagged token is revoked, the owner's other token is not",
    );
    assert.equal(stack.okta.state.apiTokens.size - 1, othersBefore, "nobody else's tokens touched");
    assert.equal(stack.okta.state.findUser(dave.id)!.status, "ACTIVE");
    assert.notEqual(ops.status, "SUSPENDED");
    const [message, ...more] = stack.slack.state.channelMessages("eng-managers");
    assert.equal(more.length, 0);
    assert.match(
      message!.text,
      new RegExp(
        `Okta API token ${ci.id} of dave@corp\\.example was flagged as suspicious by the SIEM; revocation completed\\.`,
      ),
    );
    assert.equal(messagesAbout("security", ci.id).length, 0, "the manager channel, not #security");
  });

  test("api-token-suspicious: a bad signature is 401 with nothing stored; a replayed alert id runs once", async () => {
    const dave = stack.okta.state.findUser("dave@corp.example")!;
    const [backup] = [...stack.okta.state.apiTokens.values()].filter((t) => t.userId === dave.id);
    assert.ok(backup);
    const runsBefore = (await stack.store!.automation.listPlaybookRuns({ limit: 1000 })).length;
    const forged = {
      type: "okta.api_token.suspicious",
      id: "siem-alert-forged",
      subject: "dave@corp.example",
      token_id: backup.id,
    };
    const refused = await siem(forged, "not-the-siem-secret");
    assert.equal(refused.status, 401);
    assert.equal(await stack.store!.automation.getEvent("webhook:siem:siem-alert-forged"), null);
    await stack.server!.worker.idle();
    assert.equal((await stack.store!.automation.listPlaybookRuns({ limit: 1000 })).length, runsBefore);
    assert.ok(stack.okta.state.apiTokens.has(backup.id), "a forged alert revokes nothing");

    // The same alert sent again (freshly signed: a SIEM retrying) is a duplicate of the first.
    const replay = await siem({
      type: "okta.api_token.suspicious",
      id: "siem-alert-1001",
      subject: "dave@corp.example",
      token_id: backup.id,
    });
    assert.equal(replay.status, 200);
    assert.deepEqual(await replay.json(), { accepted: 0, duplicates: 1 });
    await stack.server!.worker.idle();
    assert.equal((await runsOf("webhook:siem:siem-alert-1001")).length, 1);
    assert.equal((await stack.store!.automation.listPlaybookRuns({ limit: 1000 })).length, runsBefore);
    assert.ok(stack.okta.state.apiTokens.has(backup.id), "the replay revoked nothing");
    assert.equal(stack.slack.state.channelMessages("eng-managers").length, 1);
  });

  test("account-compromised: a manual API run locks Okta (suspended, swept) and Slack (deactivated), tells Slack and Teams", async () => {
    const erin = stack.okta.state.findUser("erin@corp.example")!;
    const slackErin = stack.slack.state.findByEmail("erin@corp.example")!;
    assert.equal(stack.slack.state.sessionsOf(slackErin.id).length, 2);
    const unauthenticated = await fetch(`${url}/api/playbooks/account-compromised/run`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ subject: "erin@corp.example" }),
    });
    assert.equal(unauthenticated.status, 401);

    const started = await fetch(`${url}/api/playbooks/account-compromised/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ subject: "erin@corp.example" }),
    });
    assert.equal(started.status, 202);
    const { event: eventKey } = (await started.json()) as { event: string };
    const run = await settled(eventKey);
    assert.equal(run.playbook, "account-compromised");
    assert.equal(run.actor, "api:templates-test");
    assert.equal((await stepOutput(run.id, "0")).outcome, "completed");

    // Okta `lock`: suspend, clear sessions (and OAuth tokens), revoke grants and the user's API tokens.
    assert.equal(stack.okta.state.findUser(erin.id)!.status, "SUSPENDED");
    assert.equal(stack.okta.state.sessionCount(erin.id), 0);
    assert.equal([...stack.okta.state.apiTokens.values()].filter((t) => t.userId === erin.id).length, 0);
    // Slack `lock`: reset sessions, then deactivate (SCIM active false).
    assert.equal(stack.slack.state.getUser(slackErin.id)!.deleted, true, "Slack user deactivated");
    const scim = await fetch(`${stack.slackUrl}/scim/v2/Users/${slackErin.id}`, {
      headers: { Authorization: `Bearer ${stack.env.TEST_SLACK_TOKEN}` },
    });
    assert.equal(((await scim.json()) as Loose).active, false, "SCIM says active: false");
    assert.equal(stack.slack.state.sessionsOf(slackErin.id).length, 0);

    assert.match(
      messagesAbout("security", "erin@corp.example")[0]!.text,
      /erin@corp\.example was locked in every connected app: completed\./,
    );
    const cards = stack.teams!.state.received.filter((c) => JSON.stringify(c.message).includes("erin@corp"));
    assert.equal(cards.length, 1, "one Teams card");
    const card = JSON.stringify(cards[0]!.message);
    assert.match(card, /Account locked/);
    assert.match(card, /erin@corp\.example was locked in every connected app\./);
    assert.match(card, /account-compromised/);
    assert.equal(cards[0]!.kind, "workflow");
    assert.equal((await stepOutput(run.id, "1")).outcome, "sent");
  });

  test("mfa-push-fatigue: a denied push ends Okta sessions and resets every factor, no password reset", async () => {
    const frank = stack.okta.state.findUser("frank@corp.example")!;
    assert.equal(stack.okta.state.factorsOf(frank.id).length, 2);
    const denied = await oktaUserEvent(stack, "user.mfa.okta_verify.deny_push", frank.id);
    assert.equal(denied.outcome.result, "DENY");
    const run = await settled(`okta:${denied.uuid}`);
    assert.equal(run.playbook, "mfa-push-fatigue");
    assert.equal(run.event.subject, "frank@corp.example");
    assert.equal((await stepOutput(run.id, "0")).outcome, "completed");

    assert.equal(stack.okta.state.sessionCount(frank.id), 0, "sessions cleared");
    assert.equal(stack.okta.state.factorsOf(frank.id).length, 0, "factors reset");
    assert.equal(stack.okta.state.findUser(frank.id)!.status, "ACTIVE", "not suspended, no password reset");
    assert.equal(resetsOf(stack, "frank@corp.example"), 0);
    assert.match(
      messagesAbout("security", "frank@corp.example")[0]!.text,
      /frank@corp\.example denied an Okta Verify push from 127\.0\.0\.1: sessions ended and factors reset, outcome completed\./,
    );
  });

  test("no run when the event type or the when filter does not match: the event is stored as dispatched with no runs", async () => {
    const heidi = stack.okta.state.findUser("heidi@corp.example")!;
    // A push sent (not denied): no template listens to it (mfa-push-fatigue acts on denials only).
    const sent = await oktaUserEvent(stack, "system.push.send_factor_verify_push", heidi.id);
    assert.equal(sent.outcome.result, "SUCCESS");
    // A sign-in: an event type no template listens to.
    const signin = await oktaUserEvent(stack, "user.session.start", heidi.id);
    // A SIEM event of another type on the webhook api-token-suspicious listens to.
    const other = await siem({ type: "okta.api_token.created", id: "siem-alert-2002", subject: heidi.id });
    assert.equal(other.status, 200);

    for (const key of [`okta:${sent.uuid}`, `okta:${signin.uuid}`, "webhook:siem:siem-alert-2002"]) {
      assert.deepEqual(await runsOf(key), [], `no run for ${key}`);
      const stored = (await stack.store!.automation.getEvent(key))!;
      assert.equal(stored.state, "dispatched");
      assert.deepEqual(stored.runIds, []);
    }
    await stack.server!.worker.idle();
    assert.equal(stack.okta.state.sessionCount(heidi.id), 1, "nothing contained");
    assert.equal(stack.okta.state.factorsOf(heidi.id).length, 1);
    assert.equal(messagesAbout("security", "heidi@corp.example").length, 0);
  });
});
