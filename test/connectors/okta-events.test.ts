import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { OktaClient } from "../../src/connectors/okta/client.ts";
import {
  MAX_EVENTS_PER_DELIVERY,
  oktaLogEventToCordon,
  parseOktaEventHookBody,
  readSystemLog,
} from "../../src/connectors/okta/events.ts";
import { isKind } from "../../src/core/errors.ts";
import type { OktaEmulator } from "../../src/emulators/okta/index.ts";
import { type Harness, oktaHarness } from "../support/harness.ts";

const REPORT = "user.account.report_suspicious_activity_by_enduser";
const user = (login: string, id = "00u1") => ({ id, type: "User", alternateId: login, displayName: login });
const logEvent = (fields: Record<string, unknown>) => ({
  uuid: "f790999f-fe87-467a-9880-6982a583986c",
  published: "2018-03-28T22:23:07.777Z",
  eventType: "user.lifecycle.suspend",
  actor: user("admin@corp.example"),
  target: [],
  ...fields,
});

/** Okta's sample delivery (developer.okta.com/docs/concepts/event-hooks/ "Sample event delivery payload"). */
const oktaSample = {
  eventType: "com.okta.event_hook",
  eventTypeVersion: "1.0",
  cloudEventsVersion: "0.1",
  contentType: "application/json",
  eventId: "b5a188b9-5ece-4636-b041-482ffda96311",
  eventTime: "2019-03-27T16:59:53.032Z",
  source: "https://example.okta.com/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3",
  data: {
    events: [
      {
        version: "0",
        severity: "INFO",
        actor: { id: "00u1qw6mqitPHM8AJ0g7", type: "User", alternateId: "admin@example.com" },
        outcome: { result: "SUCCESS" },
        uuid: "f790999f-fe87-467a-9880-6982a583986c",
        published: "2018-03-28T22:23:07.777Z",
        eventType: "user.session.start",
        displayMessage: "User login to Okta",
      },
    ],
  },
};

function invalidInput(error: unknown, field?: string, mustNotContain?: string): boolean {
  assert.ok(isKind(error, "invalid_input"), `expected invalid_input, got ${String(error)}`);
  if (field !== undefined) assert.equal(error.detail.field, field);
  if (mustNotContain) assert.ok(!error.message.includes(mustNotContain), "the message echoes the payload");
  return true;
}

describe("oktaLogEventToCordon", () => {
  test("maps key, type, time, origin and keeps the event untouched", () => {
    const raw = logEvent({ target: [user("alice@corp.example", "00u2")], extra: { nested: [1] } });
    const event = oktaLogEventToCordon(raw, "okta-prod");
    assert.deepEqual(event, {
      key: "okta:f790999f-fe87-467a-9880-6982a583986c",
      source: "okta",
      type: "user.lifecycle.suspend",
      occurredAt: "2018-03-28T22:23:07.777Z",
      subject: "alice@corp.example",
      origin: "okta-prod",
      data: raw,
    });
    assert.equal(event.data, raw);
  });

  test("the subject rule", () => {
    const subject = (fields: Record<string, unknown>) =>
      oktaLogEventToCordon(logEvent(fields), "okta").subject;
    // The reporter is the subject, whatever the targets say.
    assert.equal(
      subject({ eventType: REPORT, actor: user("alice@corp.example"), target: [user("bob@corp.example")] }),
      "alice@corp.example",
    );
    // An admin acting on a user: the target.
    assert.equal(subject({ target: [user("bob@corp.example")] }), "bob@corp.example");
    // An app acting on a user: the first User target, past other kinds.
    assert.equal(
      subject({
        actor: { id: "0oa1", type: "PublicClientApp", alternateId: "API token" },
        target: [{ id: "0oa9", type: "AppInstance", alternateId: "Slack" }, user("carol@corp.example")],
      }),
      "carol@corp.example",
    );
    // A user acting on their own account (no User target, or no target at all as in Okta's sample).
    assert.equal(
      subject({ eventType: "user.mfa.okta_verify.deny_push", actor: user("dave@corp.example") }),
      "dave@corp.example",
    );
    assert.equal(subject({ target: null }), "admin@corp.example");
    assert.equal(subject({ target: undefined }), "admin@corp.example");
    // Nobody.
    assert.equal(
      subject({
        actor: { id: "0oa1", type: "PublicClientApp", alternateId: "x" },
        target: [{ id: "0oa9", type: "AppInstance" }],
      }),
      null,
    );
  });

  test("a malformed event is invalid_input naming the field, never echoing the payload", () => {
    assert.throws(
      () => oktaLogEventToCordon(logEvent({ uuid: undefined, displayMessage: "SECRET-123" }), "okta"),
      (e) => invalidInput(e, "uuid", "SECRET-123"),
    );
    assert.throws(
      () => oktaLogEventToCordon(logEvent({ published: "SECRET-not-a-date" }), "okta"),
      (e) => invalidInput(e, "published", "SECRET"),
    );
    assert.throws(
      () => oktaLogEventToCordon(logEvent({ actor: "SECRET" }), "okta"),
      (e) => invalidInput(e, "actor", "SECRET"),
    );
    assert.throws(
      () => oktaLogEventToCordon(null, "okta"),
      (e) => invalidInput(e),
    );
    assert.throws(
      () => oktaLogEventToCordon([logEvent({})], "okta"),
      (e) => invalidInput(e),
    );
  });
});

describe("parseOktaEventHookBody", () => {
  test("Okta's documented sample delivery", () => {
    const [event, ...rest] = parseOktaEventHookBody(JSON.stringify(oktaSample), "okta");
    assert.equal(rest.length, 0);
    assert.equal(event?.key, "okta:f790999f-fe87-467a-9880-6982a583986c");
    assert.equal(event?.type, "user.session.start");
    assert.equal(event?.subject, "admin@example.com");
  });

  test("malformed bodies are invalid_input", () => {
    const parse = (body: string) => () => parseOktaEventHookBody(body, "okta");
    assert.throws(parse("{not json SECRET"), (e) => invalidInput(e, undefined, "SECRET"));
    assert.throws(parse(""), (e) => invalidInput(e));
    assert.throws(parse("[]"), (e) => invalidInput(e));
    assert.throws(parse(JSON.stringify({ ...oktaSample, eventType: "com.okta.SECRET" })), (e) =>
      invalidInput(e, "eventType", "SECRET"),
    );
    assert.throws(parse(JSON.stringify({ ...oktaSample, data: { events: "SECRET" } })), (e) =>
      invalidInput(e, "data.events", "SECRET"),
    );
    const { data: _data, ...noData } = oktaSample;
    assert.throws(parse(JSON.stringify(noData)), (e) => invalidInput(e, "data"));
    const second = { ...oktaSample.data.events[0], uuid: 42 };
    assert.throws(
      parse(JSON.stringify({ ...oktaSample, data: { events: [oktaSample.data.events[0], second] } })),
      (e) => invalidInput(e, "data.events[1].uuid"),
    );
    const many = Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, () => oktaSample.data.events[0]);
    assert.throws(parse(JSON.stringify({ ...oktaSample, data: { events: many } })), (e) =>
      invalidInput(e, "data.events"),
    );
    assert.deepEqual(
      parseOktaEventHookBody(JSON.stringify({ ...oktaSample, data: { events: [] } }), "okta"),
      [],
    );
  });
});

describe("Okta events over HTTP (emulator)", () => {
  let h: Harness<OktaEmulator>;
  let client: OktaClient;
  before(async () => {
    h = await oktaHarness({
      seed: {
        tokenOwner: "admin@corp.example",
        users: [{ email: "admin@corp.example", admin: true }, { email: "alice@corp.example" }],
      },
    });
    client = h.connector.client as OktaClient;
  });
  after(() => h.close());

  const report = async (login: string, eventType = REPORT) => {
    const response = await fetch(`${h.server.url}/__cordon/okta/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ eventType, login, debugData: { suspiciousActivityEventType: "x" } }),
    });
    assert.equal(response.status, 201);
    return (await response.json()) as { uuid: string };
  };

  test("a real delivery from the emulator's event hook parses to the events it logged", async () => {
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        if (req.method === "GET") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ verification: req.headers["x-okta-verification-challenge"] }));
          return;
        }
        bodies.push(body);
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const uri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/okta`;
      const api = (path: string, body?: unknown) =>
        fetch(`${h.server.url}${path}`, {
          method: "POST",
          headers: { authorization: "SSWS test-token", "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const hook = (await (
        await api("/api/v1/eventHooks", {
          name: "cordon",
          events: { type: "EVENT_TYPE", items: [REPORT] },
          channel: { type: "HTTP", version: "1.0.0", config: { uri } },
        })
      ).json()) as { id: string };
      assert.equal((await api(`/api/v1/eventHooks/${hook.id}/lifecycle/verify`)).status, 200);

      const logged = await report("alice@corp.example");
      await h.emulator.state.events.idle();
      assert.equal(bodies.length, 1);
      const events = parseOktaEventHookBody(bodies[0]!, "okta-prod");
      assert.equal(events.length, 1);
      assert.equal(events[0]!.key, `okta:${logged.uuid}`);
      assert.equal(events[0]!.type, REPORT);
      assert.equal(events[0]!.subject, "alice@corp.example");
      assert.equal(events[0]!.origin, "okta-prod");
      assert.deepEqual(events[0]!.data, logged);
      await api(`/api/v1/eventHooks/${hook.id}/lifecycle/deactivate`);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  test("readSystemLog: pages in order, the polling next link, the eventType filter and the logs bucket", async () => {
    const first = await readSystemLog(client, { since: new Date(Date.now() - 60_000).toISOString() });
    const mark = first.next?.after;
    assert.ok(mark, "a polling read always has a next link");
    const logged = [
      await report("alice@corp.example"),
      await report("alice@corp.example", "user.mfa.okta_verify.deny_push"),
      await report("admin@corp.example"),
    ];

    const page1 = await readSystemLog(client, { after: mark }, { limit: 2 });
    assert.deepEqual(
      page1.events.map((e) => (e as { uuid: string }).uuid),
      logged.slice(0, 2).map((e) => e.uuid),
    );
    const page2 = await readSystemLog(client, { after: page1.next!.after }, { limit: 2 });
    assert.deepEqual(
      page2.events.map((e) => (e as { uuid: string }).uuid),
      [logged[2]!.uuid],
    );
    const page3 = await readSystemLog(client, { after: page2.next!.after }, { limit: 2 });
    assert.deepEqual(page3.events, []);
    assert.ok(page3.next, "an empty polling page still has a next link");

    const reports = await readSystemLog(
      client,
      { after: mark },
      { eventTypes: [REPORT, "user.lifecycle.suspend"] },
    );
    assert.deepEqual(
      reports.events.map((e) => (e as { uuid: string }).uuid),
      [logged[0]!.uuid, logged[2]!.uuid],
    );
    const logCalls = h.attempts.filter((a) => a.operation === "GET /api/v1/logs");
    assert.ok(logCalls.length >= 5);
    assert.ok(logCalls.every((a) => a.bucket === "logs" && a.limit.limit === 120));

    await assert.rejects(
      readSystemLog(client, { after: mark }, { eventTypes: ['x" or eventType ne "y'] }),
      (e) => invalidInput(e, "eventTypes"),
    );
    await assert.rejects(readSystemLog(client, {}, { limit: 1001 }), (e) => invalidInput(e, "limit"));
  });
});

test("property: any body refuses with invalid_input or parses; nothing else escapes", () => {
  const json = fc
    .jsonValue()
    .map((v) => JSON.stringify({ eventType: "com.okta.event_hook", data: { events: [v] } }));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        json,
      ),
      (body) => {
        try {
          const events = parseOktaEventHookBody(body, "okta");
          for (const e of events) if (!e.key.startsWith("okta:")) return false;
          return true;
        } catch (error) {
          return (error as { kind?: string }).kind === "invalid_input";
        }
      },
    ),
    { numRuns: 500 },
  );
});
