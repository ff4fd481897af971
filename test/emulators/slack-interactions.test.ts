import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { createSlackEmulator, type SlackEmulator } from "../../src/emulators/slack/index.ts";
import { verifySlackSignature } from "../../src/server/verify/slack.ts";

const TOKEN = "xoxp-test";
const SIGNING_SECRET = "emulated-app-signing-secret";

const SEED = {
  tokens: [TOKEN],
  adminUser: "ada@corp.example",
  channels: [{ name: "sec-approvals" }],
  users: [
    { email: "ada@corp.example", name: "ada", realName: "Ada Admin", isPrimaryOwner: true },
    { email: "sam@corp.example", name: "sam", realName: "Sam Approver" },
  ],
};

const APPROVAL_BLOCKS = [
  { type: "section", text: { type: "mrkdwn", text: "Contain alice@corp.example?" } },
  {
    type: "actions",
    block_id: "approval",
    elements: [
      {
        type: "button",
        action_id: "approve",
        text: { type: "plain_text", text: "Approve" },
        style: "primary",
        value: "apr_1:hash123",
      },
      {
        type: "button",
        action_id: "reject",
        text: { type: "plain_text", text: "Reject" },
        value: "apr_1:hash123",
      },
    ],
  },
];

interface Received {
  headers: Headers;
  raw: string;
}

let emulator: SlackEmulator;
let slack: RunningServer;
let appServer: RunningServer;
const received: Received[] = [];
let appReply: () => Response = () => new Response("", { status: 200 });

before(async () => {
  // Several approvals are posted back to back: the 1/s per-channel pace (burst 5) is tested elsewhere.
  emulator = createSlackEmulator({ seed: SEED, enforceRateLimits: false });
  slack = await serveFetch(emulator.app.fetch);
  // The app under test: records what Slack sent and answers as configured.
  const app = new Hono();
  app.post("/slack/interactions", async (c) => {
    received.push({ headers: c.req.raw.headers, raw: await c.req.text() });
    return appReply();
  });
  appServer = await serveFetch(app.fetch);
});
after(async () => {
  await slack.close();
  await appServer.close();
});

async function web(method: string, args: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${slack.url}/api/${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(args).toString(),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function postApproval(): Promise<{ channel: string; ts: string }> {
  const reply = await web("chat.postMessage", {
    channel: "sec-approvals",
    text: "Approval needed",
    blocks: JSON.stringify(APPROVAL_BLOCKS),
  });
  assert.equal(reply.ok, true);
  return { channel: reply.channel as string, ts: reply.ts as string };
}

// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary wire fields.
type Wire = any;

async function click(body: Record<string, unknown>): Promise<{ status: number; body: Wire }> {
  const response = await fetch(`${slack.url}/__cordon/slack/interactions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe("slack interactivity (emulated)", () => {
  test("a click is POSTed as a signed, form-encoded block_actions payload; the app's answer is returned", async () => {
    const { channel, ts } = await postApproval();
    const sam = emulator.state.findByEmail("sam@corp.example")!;
    appReply = () => Response.json({ ok: "noted" });
    const result = await click({
      requestUrl: `${appServer.url}/slack/interactions`,
      signingSecret: SIGNING_SECRET,
      userId: sam.id,
      channel,
      messageTs: ts,
      actionId: "approve",
    });
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { status: 200, body: '{"ok":"noted"}' });

    const request = received.at(-1)!;
    assert.match(request.headers.get("content-type")!, /^application\/x-www-form-urlencoded/);
    const verified = verifySlackSignature({
      headers: request.headers,
      rawBody: request.raw,
      signingSecret: SIGNING_SECRET,
      nowMs: Date.now(),
    });
    assert.deepEqual(verified, { ok: true });
    const form = new URLSearchParams(request.raw);
    assert.deepEqual([...form.keys()], ["payload"]);
    const payload = JSON.parse(form.get("payload")!);
    assert.equal(payload.type, "block_actions");
    assert.deepEqual(payload.user, { id: sam.id, username: "sam", name: "sam", team_id: sam.teams[0] });
    assert.deepEqual(payload.container, {
      type: "message",
      message_ts: ts,
      channel_id: channel,
      is_ephemeral: false,
    });
    assert.deepEqual(payload.channel, { id: channel, name: "sec-approvals" });
    assert.equal(payload.message.ts, ts);
    assert.deepEqual(payload.message.blocks, APPROVAL_BLOCKS);
    assert.equal(typeof payload.token, "string");
    assert.equal(typeof payload.trigger_id, "string");
    assert.equal(payload.team.id, sam.teams[0]);
    assert.equal(payload.actions.length, 1);
    const [action] = payload.actions;
    assert.equal(action.action_id, "approve");
    assert.equal(action.block_id, "approval");
    assert.equal(action.value, "apr_1:hash123");
    assert.equal(action.type, "button");
    assert.match(action.action_ts, /^\d+\.\d{6}$/);
    assert.ok(payload.response_url.startsWith(`${slack.url}/actions/`));

    // A wrong secret on the app side must not verify.
    const forged = verifySlackSignature({
      headers: request.headers,
      rawBody: request.raw,
      signingSecret: "another-secret",
      nowMs: Date.now(),
    });
    assert.equal(forged.ok, false);
  });

  test("the response_url replaces the original message, and is recorded", async () => {
    const { channel, ts } = await postApproval();
    const sam = emulator.state.findByEmail("sam@corp.example")!;
    appReply = () => new Response("", { status: 200 });
    await click({
      requestUrl: `${appServer.url}/slack/interactions`,
      signingSecret: SIGNING_SECRET,
      userId: sam.id,
      channel,
      messageTs: ts,
      actionId: "reject",
    });
    const payload = JSON.parse(new URLSearchParams(received.at(-1)!.raw).get("payload")!);
    const response = await fetch(payload.response_url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ replace_original: true, text: "Rejected by <@sam>" }),
    });
    assert.equal(response.status, 200);
    const message = emulator.state.channelMessages("sec-approvals").find((m) => m.ts === ts)!;
    assert.equal(message.text, "Rejected by <@sam>");
    assert.equal(message.blocks, undefined);
    assert.equal(emulator.state.responsePosts.at(-1)?.effect, "replaced");
  });

  test("unknown message, missing button, unknown user and a different value are refused", async () => {
    const { channel, ts } = await postApproval();
    const sam = emulator.state.findByEmail("sam@corp.example")!;
    const base = {
      requestUrl: `${appServer.url}/slack/interactions`,
      signingSecret: SIGNING_SECRET,
      userId: sam.id,
      channel,
      messageTs: ts,
      actionId: "approve",
    };
    const before = received.length;
    assert.equal((await click({ ...base, messageTs: "1.000001" })).body.error, "message_not_found");
    assert.equal((await click({ ...base, actionId: "escalate" })).body.error, "action_not_found");
    assert.equal((await click({ ...base, userId: "W0NOBODY00" })).body.error, "user_not_found");
    assert.equal((await click({ ...base, value: "apr_1:forged" })).status, 409);
    assert.equal((await click({ ...base, signingSecret: undefined })).status, 400);
    assert.equal(received.length, before, "nothing reached the app");
  });

  test("an unreachable Request URL is a 502, not a hang", async () => {
    const { channel, ts } = await postApproval();
    const closed = await serveFetch(() => new Response(""));
    await closed.close();
    const result = await click({
      requestUrl: `${closed.url}/slack/interactions`,
      signingSecret: SIGNING_SECRET,
      userId: emulator.state.findByEmail("sam@corp.example")!.id,
      channel,
      messageTs: ts,
      actionId: "approve",
    });
    assert.equal(result.status, 502);
  });
});

describe("chat.update (emulated)", () => {
  test("updates text and blocks in place; text alone removes blocks and marks it edited", async () => {
    const { channel, ts } = await postApproval();
    const decided = [{ type: "section", text: { type: "mrkdwn", text: "Approved by sam" } }];
    const withBlocks = await web("chat.update", {
      channel,
      ts,
      text: "Approved",
      blocks: JSON.stringify(decided),
    });
    assert.equal(withBlocks.ok, true);
    assert.equal(withBlocks.ts, ts);
    let stored = emulator.state.channelMessages(channel).find((m) => m.ts === ts)!;
    assert.deepEqual(stored.blocks, decided);
    assert.equal(stored.edited, undefined);
    const textOnly = await web("chat.update", { channel, ts, text: "Approved (done)" });
    assert.equal(textOnly.ok, true);
    stored = emulator.state.channelMessages(channel).find((m) => m.ts === ts)!;
    assert.equal(stored.text, "Approved (done)");
    assert.equal(stored.blocks, undefined);
    assert.ok(stored.edited);
    const history = await web("conversations.history", { channel, limit: "1" });
    assert.equal((history.messages as Array<{ text: string }>)[0]?.text, "Approved (done)");
  });

  test("errors: message_not_found, channel_not_found (names are not ids), cant_update_message, no_text", async () => {
    const { channel, ts } = await postApproval();
    assert.equal(
      (await web("chat.update", { channel, ts: "1.000001", text: "x" })).error,
      "message_not_found",
    );
    assert.equal(
      (await web("chat.update", { channel: "sec-approvals", ts, text: "x" })).error,
      "channel_not_found",
    );
    assert.equal((await web("chat.update", { channel, ts })).error, "no_text");
    const sam = emulator.state.findByEmail("sam@corp.example")!;
    const someoneElse = emulator.state.post({ channel, user: sam.id, text: "sam's own" });
    assert.equal(
      (await web("chat.update", { channel, ts: someoneElse.ts, text: "edited by ada" })).error,
      "cant_update_message",
    );
  });
});
