import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createEmulator, EMULATED_VENDORS } from "../../src/emulators/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { createTeamsEmulator, type TeamsEmulator } from "../../src/emulators/teams/index.ts";
import { manualClock } from "../support/clock.ts";

const WORKFLOW = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const LEGACY =
  "11111111-2222-3333-4444-555555555555@aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/IncomingWebhook/0f0f0f0f/99999999-8888-7777-6666-555555555555";
const SIG = "rGvXq3emulated";

const clock = manualClock();
let emulator: TeamsEmulator;
let server: RunningServer;

before(async () => {
  emulator = createTeamsEmulator({
    clock,
    seed: {
      webhooks: [
        { id: WORKFLOW, kind: "workflow", sig: SIG, channel: "SOC alerts" },
        { id: LEGACY, kind: "legacy" },
      ],
    },
  });
  server = await serveFetch(emulator.app.fetch);
});
after(() => server.close());

function card(text = "Alice's sessions were revoked") {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [{ type: "TextBlock", text, wrap: true }],
          actions: [{ type: "Action.OpenUrl", title: "Open", url: "https://cordon.example/runs/1" }],
        },
      },
    ],
  };
}

const workflowUrl = (sig: string | null = SIG, id = WORKFLOW) =>
  `${server.url}/workflows/${id}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0${sig ? `&sig=${sig}` : ""}`;
const legacyUrl = () => `${server.url}/webhookb2/${LEGACY}`;

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary wire fields.
async function json(response: Response): Promise<any> {
  return response.json();
}

/** Each test starts in a fresh one-second window. */
function nextWindow(): void {
  clock.advance(1000);
}

describe("teams webhooks (emulated)", () => {
  test("a Workflows webhook answers 202 with no body and records the card", async () => {
    nextWindow();
    const response = await post(workflowUrl(), card());
    assert.equal(response.status, 202);
    assert.equal(await response.text(), "");
    assert.ok(response.headers.get("x-ms-workflow-run-id"));
    const cards = emulator.state.cards(WORKFLOW);
    assert.equal(cards.at(-1)?.kind, "workflow");
    assert.deepEqual(cards.at(-1)?.message, card());
  });

  test("a legacy incoming webhook answers 200 with body 1", async () => {
    nextWindow();
    const response = await post(legacyUrl(), card());
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "1");
    const listed = await json(
      await fetch(`${server.url}/__cordon/teams/cards?webhook=${encodeURIComponent(LEGACY)}`),
    );
    assert.equal(listed.cards.length, 1);
  });

  test("a workflow refuses a missing or wrong signature, and an extra Authorization header", async () => {
    nextWindow();
    const missing = await post(workflowUrl(null), card());
    assert.equal(missing.status, 401);
    assert.equal((await json(missing)).error.code, "DirectApiAuthorizationRequired");
    assert.equal((await post(workflowUrl("forged"), card())).status, 401);
    const twoSchemes = await post(workflowUrl(), card(), { authorization: "Bearer x" });
    assert.equal(twoSchemes.status, 401);
    assert.equal((await json(twoSchemes)).error.code, "DirectApiRequestHasMoreThanOneAuthorization");
  });

  test("unknown webhooks are 404 when the seed names them", async () => {
    nextWindow();
    assert.equal((await post(workflowUrl(SIG, "ffffffffffffffffffffffffffffffff"), card())).status, 404);
    assert.equal((await post(`${server.url}/webhookb2/not-seeded`, card())).status, 404);
  });

  test("a malformed envelope or card is 400 with the vendor's wording", async () => {
    nextWindow();
    const wrongType = card();
    (wrongType as { type: string }).type = "note";
    const schema = await post(workflowUrl(), wrongType);
    assert.equal(schema.status, 400);
    const error = (await json(schema)).error;
    assert.equal(error.code, "TriggerInputSchemaMismatch");
    assert.match(error.message, /type must be 'message'/);

    nextWindow();
    const noVersion = card();
    delete (noVersion.attachments[0]!.content as { version?: string }).version;
    assert.equal((await post(workflowUrl(), noVersion)).status, 400);
    const untyped = card();
    (untyped.attachments[0]!.content.body as unknown[]).push({ text: "no type" });
    const untypedReply = await post(legacyUrl(), untyped);
    assert.equal(untypedReply.status, 400);
    assert.match(await untypedReply.text(), /^Bad payload received by generic incoming webhook/);

    nextWindow();
    const notJson = await post(legacyUrl(), "{not json");
    assert.equal(await notJson.text(), "Bad payload received by generic incoming webhook.");
    const emptyConnectorCard = await post(legacyUrl(), { "@type": "MessageCard", themeColor: "0076D7" });
    assert.equal(emptyConnectorCard.status, 400);
    assert.equal(await emptyConnectorCard.text(), "Summary or Text is required.");
  });

  test("messages over 28 KB are 413", async () => {
    nextWindow();
    const response = await post(workflowUrl(), card("x".repeat(28 * 1024)));
    assert.equal(response.status, 413);
    assert.equal((await json(response)).error.code, "RequestEntityTooLarge");
  });

  test("more than 4 posts a second to one webhook are 429 with Retry-After; the next second recovers", async () => {
    nextWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await post(legacyUrl(), card(`n${i}`))).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
    const throttled = await post(legacyUrl(), card());
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get("retry-after")) >= 1);
    assert.ok(Number(throttled.headers.get("x-cordon-retry-after-ms")) > 0);
    assert.match(await throttled.text(), /Microsoft Teams endpoint returned HTTP error 429/);
    // Another webhook has its own window.
    assert.equal((await post(workflowUrl(), card())).status, 202);
    nextWindow();
    assert.equal((await post(legacyUrl(), card())).status, 200);
  });

  test("faults come through the kit in each webhook's own form", async () => {
    nextWindow();
    await fetch(`${server.url}/__cordon/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "status", status: 503, count: 1, pathPrefix: "/workflows/" }),
    });
    const failed = await post(workflowUrl(), card());
    assert.equal(failed.status, 503);
    assert.ok((await json(failed)).error.code);
    assert.equal((await post(workflowUrl(), card())).status, 202);
  });

  test("registered: `cordon emulate teams` builds it, and any webhook id is accepted without a seed", async () => {
    assert.ok(EMULATED_VENDORS.includes("teams"));
    const open = createEmulator("teams", {});
    const response = await open.app.fetch(
      new Request("http://emulator/workflows/abc/triggers/manual/paths/invoke?sig=any", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(card()),
      }),
    );
    assert.equal(response.status, 202);
  });
});
