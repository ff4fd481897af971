import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { resolveConnections } from "../../src/config/resolve.ts";
import { createConnector } from "../../src/connectors/index.ts";
import { teamsPolicy } from "../../src/connectors/teams/errors.ts";
import type { Account } from "../../src/core/account.ts";
import { systemClock } from "../../src/core/clock.ts";
import { isCordonError } from "../../src/core/errors.ts";
import { rehearsalConnection } from "../../src/emulators/rehearsal.ts";
import type { SlackEmulator } from "../../src/emulators/slack/index.ts";
import {
  createTeamsEmulator,
  DEFAULT_WORKFLOW_ID,
  DEFAULT_WORKFLOW_SIG,
  type TeamsEmulator,
} from "../../src/emulators/teams/index.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { DEFAULT_POLICY } from "../../src/engine/policy.ts";
import { type Harness, harness, slackHarness } from "../support/harness.ts";

const LEGACY_ID = "aaaa@bbbb/IncomingWebhook/cccc/dddd";
const DELETED_ID = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

let workflow: Harness<TeamsEmulator>;
let legacy: Harness<TeamsEmulator>;

function teamsHarness(path: (url: string) => string): Promise<Harness<TeamsEmulator>> {
  return harness(
    createTeamsEmulator({
      seed: {
        webhooks: [
          { id: DEFAULT_WORKFLOW_ID, kind: "workflow", sig: DEFAULT_WORKFLOW_SIG },
          { id: LEGACY_ID, kind: "legacy" },
        ],
      },
    }),
    (url, deps) => createConnector({ name: "teams", vendor: "teams", webhookUrl: path(url) }, deps),
  );
}

before(async () => {
  workflow = await teamsHarness((url) => rehearsalConnection("teams", url).webhookUrl as string);
  legacy = await teamsHarness((url) => `${url}/webhookb2/${LEGACY_ID}`);
});
after(async () => {
  await workflow.close();
  await legacy.close();
});

/** Notifications act on no account; the engine still passes one. */
const NOBODY: Account = {
  connection: "teams",
  vendor: "teams",
  id: "-",
  email: "",
  status: "active",
  protectedReasons: [],
  matchedBy: "notification",
};

const INPUT = {
  title: "Containment completed",
  text: "alice@corp.example: sessions revoked in okta and slack",
  facts: { Subject: "alice@corp.example", Playbook: "suspicious-activity-reported" },
  link: { title: "Open the run", url: "https://cordon.example/runs/42" },
};

async function postCard(h: Harness<TeamsEmulator>, input: Record<string, unknown> = INPUT) {
  const action = h.connector.actions.get("teams.post_card")!;
  const parsed = action.input.parse(input);
  const ctx = {
    client: h.connector.client,
    account: NOBODY,
    clock: systemClock(),
    signal: new AbortController().signal,
  };
  return action.execute(ctx, parsed, undefined);
}

describe("teams connector over HTTP", () => {
  test("post_card sends one Adaptive Card 1.4 to a Workflows webhook (202: accepted), with no Authorization header", async () => {
    const result = await postCard(workflow);
    assert.equal(result.outcome, "applied");
    assert.equal(result.output.reply, "accepted");
    const [received] = workflow.emulator.state.cards(DEFAULT_WORKFLOW_ID);
    assert.ok(received, "the emulator recorded the card (it refuses a second authorization scheme)");
    assert.deepEqual(received.message, {
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              { type: "TextBlock", text: INPUT.title, weight: "Bolder", size: "Medium", wrap: true },
              { type: "TextBlock", text: INPUT.text, wrap: true },
              {
                type: "FactSet",
                facts: [
                  { title: "Subject", value: "alice@corp.example" },
                  { title: "Playbook", value: "suspicious-activity-reported" },
                ],
              },
            ],
            actions: [
              { type: "Action.OpenUrl", title: "Open the run", url: "https://cordon.example/runs/42" },
            ],
          },
        },
      ],
    });
  });

  test('a legacy incoming webhook\'s 200 "1" is `posted`; facts and link are optional', async () => {
    const result = await postCard(legacy, { title: "t", text: "x" });
    assert.equal(result.output.reply, "posted");
    const message = legacy.emulator.state.cards(LEGACY_ID).at(-1)?.message as
      | { attachments: Array<{ content: { body: unknown[]; actions: unknown[] } }> }
      | undefined;
    const card = message?.attachments[0]?.content;
    assert.equal(card?.body.length, 2);
    assert.deepEqual(card?.actions, []);
  });

  test("input is strict and bounded; a card over 28 KB is refused before anything is sent", async () => {
    const action = workflow.connector.actions.get("teams.post_card")!;
    assert.equal(action.input.safeParse({ ...INPUT, extra: 1 }).success, false);
    assert.equal(
      action.input.safeParse({ ...INPUT, link: { title: "x", url: "javascript:alert(1)" } }).success,
      false,
    );
    assert.equal(action.input.safeParse({ ...INPUT, text: "x".repeat(20_001) }).success, false);
    const before = workflow.emulator.state.received.length;
    const facts = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`fact ${i}`, "v".repeat(2_000)]));
    await assert.rejects(
      postCard(workflow, { ...INPUT, text: "t".repeat(15_000), facts }),
      (e) => isCordonError(e) && e.kind === "invalid_input" && /28 KB/.test(e.message),
    );
    assert.equal(workflow.emulator.state.received.length, before);
  });

  test("a 429 is honoured and retried; a 5xx is not retried (the card may have been posted)", async () => {
    await workflow.fault({ kind: "status", status: 429, retryAfterSeconds: 0.05, count: 1 });
    workflow.attempts.length = 0;
    const result = await postCard(workflow);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(
      workflow.attempts.map((a) => a.status),
      [429, 202],
    );
    await workflow.fault({ kind: "status", status: 503, count: 1 });
    workflow.attempts.length = 0;
    await assert.rejects(postCard(workflow), (e) => isCordonError(e) && e.kind === "transient");
    assert.equal(workflow.attempts.length, 1);
  });

  test("paces at the documented 4 posts a second: a burst of 6 is never throttled", async () => {
    legacy.attempts.length = 0;
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => postCard(legacy, { title: "burst", text: "x" })));
    assert.ok(
      legacy.attempts.every((a) => a.status === 200),
      JSON.stringify(legacy.attempts.map((a) => a.status)),
    );
    assert.ok(Date.now() - started >= 200, "the fifth post waited for the next window");
  });

  test("errors never carry the webhook URL or its signature", async () => {
    const { RateGovernor } = await import("../../src/http/governor.ts");
    const clock = systemClock();
    const deps = { clock, governor: new RateGovernor({ clock }) };
    const secretSig = "very-secret-signature-0123";
    const urls = [
      `${workflow.server.url}/workflows/${DELETED_ID}/triggers/manual/paths/invoke?sv=1.0&sig=${secretSig}`,
      `${workflow.server.url}/workflows/${DEFAULT_WORKFLOW_ID}/triggers/manual/paths/invoke?sv=1.0&sig=${secretSig}`,
      `http://127.0.0.1:1/webhookb2/${secretSig}`,
      `not a url ${secretSig}`,
    ];
    const kinds: string[] = [];
    for (const webhookUrl of urls) {
      const connector = createConnector({ name: "teams", vendor: "teams", webhookUrl }, deps);
      const action = connector.actions.get("teams.post_card")!;
      const ctx = { client: connector.client, account: NOBODY, clock, signal: new AbortController().signal };
      await assert.rejects(action.execute(ctx, action.input.parse(INPUT), undefined), (e) => {
        assert.ok(isCordonError(e));
        kinds.push(e.kind);
        const shown = `${e.message} ${JSON.stringify(e.toJSON())}`;
        assert.ok(!shown.includes(secretSig), shown);
        assert.ok(!shown.includes("/workflows/") && !shown.includes("/webhookb2/"), shown);
        return true;
      });
    }
    assert.deepEqual(kinds, ["not_found", "auth", "transient", "config"]);
  });

  test("a legacy 200 whose text says HTTP error 429 is a rate limit, not a success", () => {
    const classified = teamsPolicy.classify(
      {
        status: 200,
        headers: new Headers(),
        body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId x",
      },
      "POST webhook",
      Date.now(),
    );
    assert.equal(classified?.kind, "rate_limited");
    assert.equal(
      teamsPolicy.classify({ status: 200, headers: new Headers(), body: "1" }, "POST webhook", 0),
      null,
    );
  });

  test("a notify-only connection: no accounts, empty profiles, and check() posts nothing", async () => {
    const before = workflow.emulator.state.received.length;
    const check = await workflow.connector.check();
    assert.deepEqual(check, {
      ok: true,
      identity: "incoming webhook (not checked: a check would post a message)",
      problems: [],
    });
    assert.deepEqual(await workflow.connector.findAccounts({ email: "alice@corp.example", aliases: [] }), []);
    assert.deepEqual(workflow.connector.profile("lock"), []);
    assert.equal(workflow.emulator.state.received.length, before);
  });

  test("config: TEAMS_WEBHOOK_URL becomes a teams connection whose URL is resolved from the environment", () => {
    const env = { TEAMS_WEBHOOK_URL: "https://example.webhook.office.com/webhookb2/x" };
    const loaded = loadConfig(undefined, env, "/nonexistent-cordon-dir");
    assert.deepEqual(loaded.config.connections.teams, {
      vendor: "teams",
      webhookUrl: "env:TEAMS_WEBHOOK_URL",
    });
    const [resolved] = resolveConnections(loaded, env);
    assert.equal(resolved?.webhookUrl, env.TEAMS_WEBHOOK_URL);
  });
});

describe("containment planning with a teams connection configured", () => {
  let slack: Harness<SlackEmulator>;
  before(async () => {
    slack = await slackHarness({
      seed: {
        adminUser: "admin@corp.example",
        users: [
          { email: "admin@corp.example", name: "ada", isPrimaryOwner: true },
          { email: "alice@corp.example", name: "alice", sessions: { web: 1 } },
        ],
      },
    });
  });
  after(() => slack.close());

  const request = {
    subjects: ["alice@corp.example"],
    profile: "lock" as const,
    reason: "INC-1",
    force: null,
    policy: DEFAULT_POLICY,
  };

  test("the plan has nothing for teams, calls it nothing, and is otherwise unchanged", async () => {
    const before = workflow.emulator.state.received.length;
    const plan = await buildPlan(request, [slack.connector, workflow.connector], systemClock());
    assert.equal(plan.items.filter((i) => i.account.connection === "teams").length, 0);
    assert.equal(plan.unreachable.length, 0);
    const slackOnly = await buildPlan(request, [slack.connector], systemClock());
    assert.deepEqual(
      plan.items.map((i) => [i.account.connection, i.account.id, i.decision]),
      slackOnly.items.map((i) => [i.account.connection, i.account.id, i.decision]),
    );
    assert.equal(workflow.emulator.state.received.length, before, "planning posted nothing");
  });

  test("a notify-only connection is not listed as unmatched", async () => {
    const plan = await buildPlan(request, [slack.connector, workflow.connector], systemClock());
    assert.deepEqual(
      plan.unmatched.filter((u) => u.connection === "teams"),
      [],
    );
  });
});
