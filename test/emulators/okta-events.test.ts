import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { createOktaEmulator, type OktaEmulator } from "../../src/emulators/okta/index.ts";

const TOKEN = "00abcSSWStoken";

/** Parsed JSON, navigated without checks (the assertions check it). */
// biome-ignore lint/suspicious/noExplicitAny: test-only view of parsed JSON
type Loose = any;
const SECRET = "hook-shared-secret";

interface Received {
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A loopback hook receiver. `echo` decides what the verification reply carries. */
async function receiver(echo: (challenge: string) => string) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ method: req.method ?? "", headers: req.headers, body });
      if (req.method === "GET") {
        const challenge = String(req.headers["x-okta-verification-challenge"] ?? "");
        const ok = req.headers.authorization === SECRET;
        res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ verification: echo(challenge) }));
      } else {
        res.writeHead(200);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { received, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let emulator: OktaEmulator;
let server: RunningServer;
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      Authorization: `SSWS ${TOKEN}`,
      Accept: "application/json",
      "Content-Type": "application/json",
      ...(init.headers ?? {}),
    },
  });
const post = (path: string, body?: unknown) =>
  api(path, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

function nextLink(res: Response): string | undefined {
  const header = res.headers.get("link") ?? "";
  return /<([^>]+)>; rel="next"/.exec(header)?.[1];
}

function hookBody(uri: string, items: string[], name = "cordon") {
  return {
    name,
    events: { type: "EVENT_TYPE", items },
    channel: {
      type: "HTTP",
      version: "1.0.0",
      config: {
        uri,
        headers: [{ key: "X-Custom", value: "custom-value" }],
        authScheme: { type: "HEADER", key: "Authorization", value: SECRET },
      },
    },
  };
}

const userId = (login: string) => emulator.state.findUser(login)!.id;

describe("Okta emulator: System Log and event hooks", () => {
  before(async () => {
    emulator = createOktaEmulator({
      seed: {
        tokens: [TOKEN],
        tokenOwner: "admin@corp.example",
        users: [
          { email: "admin@corp.example", admin: true },
          { email: "alice@corp.example" },
          { email: "bob@corp.example" },
          { email: "carol@corp.example" },
        ],
      },
    });
    server = await serveFetch(emulator.app.fetch, { port: 0 });
  });
  after(() => server.close());

  test("a suspend through the API is logged; paging, filters and the polling next link", async () => {
    assert.equal((await post(`/api/v1/users/alice@corp.example/lifecycle/suspend`)).status, 200);
    assert.equal((await post(`/api/v1/users/alice@corp.example/lifecycle/unsuspend`)).status, 200);
    assert.equal((await post(`/api/v1/users/bob@corp.example/lifecycle/suspend`)).status, 200);

    const all = await api("/api/v1/logs");
    assert.equal(all.status, 200);
    assert.equal(all.headers.get("x-rate-limit-limit"), "120");
    const events = (await all.json()) as Array<Loose>;
    assert.deepEqual(
      events.map((e) => e.eventType),
      ["user.lifecycle.suspend", "user.lifecycle.unsuspend", "user.lifecycle.suspend"],
    );
    const first = events[0]!;
    assert.equal(first.version, "0");
    assert.equal(first.actor.alternateId, "admin@corp.example");
    assert.equal(first.target[0].id, userId("alice@corp.example"));
    assert.equal(first.outcome.result, "SUCCESS");
    assert.ok(first.debugContext.debugData);

    // Filter by type and target.
    const filter = encodeURIComponent(
      `eventType eq "user.lifecycle.suspend" and target.id eq "${userId("bob@corp.example")}"`,
    );
    const filtered = (await (await api(`/api/v1/logs?filter=${filter}`)).json()) as unknown[];
    assert.equal(filtered.length, 1);
    const bad = await api(`/api/v1/logs?filter=${encodeURIComponent("eventType eq")}`);
    assert.equal(bad.status, 400);

    // Paging: limit=2 → a next link; following it gives the third, then (polling) an empty page with a next link.
    const page1 = await api("/api/v1/logs?limit=2");
    assert.equal(((await page1.json()) as unknown[]).length, 2);
    const next1 = nextLink(page1);
    assert.ok(next1);
    const page2 = await fetch(next1, { headers: { Authorization: `SSWS ${TOKEN}` } });
    assert.deepEqual(
      ((await page2.json()) as Array<{ uuid: string }>).map((e) => e.uuid),
      [events[2]!.uuid],
    );
    const next2 = nextLink(page2);
    assert.ok(next2, "a polling query always has a next link");
    const page3 = await fetch(next2, { headers: { Authorization: `SSWS ${TOKEN}` } });
    assert.deepEqual(await page3.json(), []);
    const next3 = nextLink(page3);
    assert.ok(next3, "even an empty polling page has a next link");
    // A new event shows up when the poller resumes.
    await post(`/api/v1/users/carol@corp.example/lifecycle/suspend`);
    const page4 = await fetch(next3, { headers: { Authorization: `SSWS ${TOKEN}` } });
    const resumed = (await page4.json()) as Array<{ eventType: string; target: Array<{ id: string }> }>;
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0]!.target[0]!.id, userId("carol@corp.example"));

    // A bounded query (with until) ends without a next link.
    const bounded = await api(
      `/api/v1/logs?until=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`,
    );
    assert.equal(((await bounded.json()) as unknown[]).length, 4);
    assert.equal(nextLink(bounded), undefined);
    const desc = (await (await api("/api/v1/logs?sortOrder=DESCENDING&limit=1")).json()) as Array<{
      uuid: string;
    }>;
    assert.notEqual(desc[0]!.uuid, events[0]!.uuid);
  });

  test("hook verification: success, and 400 E0000001 on a wrong echo", async () => {
    const good = await receiver((challenge) => challenge);
    const wrong = await receiver(() => "not-the-challenge");
    try {
      const created = await post("/api/v1/eventHooks", hookBody(good.url, ["user.lifecycle.suspend"]));
      assert.equal(created.status, 200);
      const hook = (await created.json()) as Loose;
      assert.match(hook.id, /^who/);
      assert.equal(hook.status, "ACTIVE");
      assert.equal(hook.verificationStatus, "UNVERIFIED");
      assert.equal(hook.channel.config.authScheme.value, undefined);

      const verified = await post(`/api/v1/eventHooks/${hook.id}/lifecycle/verify`);
      assert.equal(verified.status, 200);
      assert.equal(
        ((await verified.json()) as { verificationStatus: string }).verificationStatus,
        "VERIFIED",
      );
      const challenge = good.received[0]!;
      assert.equal(challenge.method, "GET");
      assert.equal(challenge.headers.authorization, SECRET);
      assert.equal(challenge.headers["x-custom"], "custom-value");
      assert.equal(challenge.headers["user-agent"], "Okta-Integrations");
      assert.ok(challenge.headers["x-okta-verification-challenge"]);

      const other = (await (
        await post("/api/v1/eventHooks", hookBody(wrong.url, ["user.lifecycle.suspend"], "Bad hook"))
      ).json()) as { id: string };
      const failed = await post(`/api/v1/eventHooks/${other.id}/lifecycle/verify`);
      assert.equal(failed.status, 400);
      const error = (await failed.json()) as { errorCode: string; errorSummary: string; errorCauses: Loose };
      assert.equal(error.errorCode, "E0000001");
      assert.equal(error.errorSummary, "Api validation failed: eventHook");
      assert.equal(
        error.errorCauses[0].errorSummary,
        "Unable to verify event hook. Hook Bad hook execution failed",
      );
      assert.equal(wrong.received.length, 2, "one retry");

      const listed = (await (await api("/api/v1/eventHooks")).json()) as unknown[];
      assert.equal(listed.length, 2);
      assert.equal((await api(`/api/v1/eventHooks/${other.id}`)).status, 200);
      // Delete only once INACTIVE.
      assert.equal((await api(`/api/v1/eventHooks/${other.id}`, { method: "DELETE" })).status, 403);
      assert.equal((await post(`/api/v1/eventHooks/${other.id}/lifecycle/deactivate`)).status, 200);
      assert.equal((await api(`/api/v1/eventHooks/${other.id}`, { method: "DELETE" })).status, 204);
      assert.equal((await api(`/api/v1/eventHooks/${other.id}`)).status, 404);
      await post(`/api/v1/eventHooks/${hook.id}/lifecycle/deactivate`);
    } finally {
      await good.close();
      await wrong.close();
    }
  });

  test("delivery to active, verified hooks only, with the envelope and headers", async () => {
    const live = await receiver((challenge) => challenge);
    const unverified = await receiver((challenge) => challenge);
    const inactive = await receiver((challenge) => challenge);
    try {
      const types = ["user.lifecycle.suspend", "user.account.report_suspicious_activity_by_enduser"];
      const make = async (url: string, verify: boolean) => {
        const hook = (await (await post("/api/v1/eventHooks", hookBody(url, types))).json()) as {
          id: string;
        };
        if (verify) assert.equal((await post(`/api/v1/eventHooks/${hook.id}/lifecycle/verify`)).status, 200);
        return hook.id;
      };
      const liveId = await make(live.url, true);
      await make(unverified.url, false);
      const inactiveId = await make(inactive.url, true);
      assert.equal((await post(`/api/v1/eventHooks/${inactiveId}/lifecycle/deactivate`)).status, 200);
      const before = emulator.state.events.deliveries.length;

      await post(`/api/v1/users/bob@corp.example/lifecycle/unsuspend`); // not subscribed
      assert.equal((await post(`/api/v1/users/bob@corp.example/lifecycle/suspend`)).status, 200);
      const injected = await fetch(`${server.url}/__cordon/okta/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          eventType: "user.account.report_suspicious_activity_by_enduser",
          login: "alice@corp.example",
          debugData: { suspiciousActivityEventType: "system.email.new_device_notification.sent_message" },
        }),
      });
      assert.equal(injected.status, 201);
      await emulator.state.events.idle();

      const posts = live.received.filter((r) => r.method === "POST");
      assert.equal(posts.length, 2);
      for (const r of posts) {
        assert.equal(r.headers["content-type"], "application/json");
        assert.equal(r.headers.accept, "application/json");
        assert.equal(r.headers.authorization, SECRET);
        assert.equal(r.headers["x-custom"], "custom-value");
      }
      const [suspend, report] = posts.map((r) => JSON.parse(r.body) as Loose);
      assert.equal(suspend!.eventType, "com.okta.event_hook");
      assert.equal(suspend!.eventTypeVersion, "1.0");
      assert.equal(suspend!.cloudEventsVersion, "0.1");
      assert.equal(suspend!.contentType, "application/json");
      assert.equal(suspend!.source, `${server.url}/api/v1/eventHooks/${liveId}`);
      assert.match(String(suspend!.eventId), /^[0-9a-f-]{36}$/);
      assert.ok(Date.parse(String(suspend!.eventTime)));
      assert.equal(suspend!.data.events[0].eventType, "user.lifecycle.suspend");
      assert.equal(suspend!.data.events[0].target[0].id, userId("bob@corp.example"));
      const reported = report!.data.events[0];
      assert.equal(reported.eventType, "user.account.report_suspicious_activity_by_enduser");
      assert.equal(reported.actor.id, userId("alice@corp.example"));
      assert.equal(
        reported.debugContext.debugData.suspiciousActivityEventType,
        "system.email.new_device_notification.sent_message",
      );

      assert.equal(unverified.received.length, 0, "an unverified hook receives nothing");
      assert.equal(
        inactive.received.filter((r) => r.method === "POST").length,
        0,
        "a deactivated hook receives nothing",
      );
      const attempts = emulator.state.events.deliveries.slice(before);
      assert.equal(attempts.length, 2);
      assert.ok(attempts.every((a) => a.ok && a.hookId === liveId && a.attempt === 1));
    } finally {
      await live.close();
      await unverified.close();
      await inactive.close();
    }
  });

  test("a failed delivery is retried once", async () => {
    const dead = await receiver((challenge) => challenge);
    const hook = (await (
      await post("/api/v1/eventHooks", hookBody(dead.url, ["user.session.clear"]))
    ).json()) as {
      id: string;
    };
    assert.equal((await post(`/api/v1/eventHooks/${hook.id}/lifecycle/verify`)).status, 200);
    await dead.close();
    const start = emulator.state.events.deliveries.length;
    const res = await api(`/api/v1/users/${userId("carol@corp.example")}/sessions`, { method: "DELETE" });
    assert.equal(res.status, 204);
    await emulator.state.events.idle();
    const attempts = emulator.state.events.deliveries.slice(start);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.ok]),
      [
        [1, false],
        [2, false],
      ],
    );
  });
});
