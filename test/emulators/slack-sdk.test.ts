import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ErrorCode, LogLevel, type UsersListResponse, WebClient, WebClientEvent } from "@slack/web-api";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import {
  createSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from "../../src/emulators/slack/index.ts";
import type { SlackSeed } from "../../src/emulators/slack/seed.ts";

/** The official client, unchanged, pointed at the emulator. */

const TOKEN = "xoxp-test";
const SEED: SlackSeed = {
  tokens: [TOKEN],
  adminUser: "ada@corp.example",
  channels: [{ name: "security-incidents" }],
  users: [
    { email: "ada@corp.example", name: "ada", realName: "Ada Admin", isPrimaryOwner: true },
    { email: "alice@corp.example", name: "alice", realName: "Alice Anders", sessions: { web: 2, mobile: 1 } },
    { email: "bob@corp.example", name: "bob", realName: "Bob Baker", sessions: { web: 1 } },
    { email: "carol@corp.example", name: "carol" },
    { email: "deploybot@corp.example", name: "deploybot", isBot: true },
  ],
};

async function start(
  options: SlackEmulatorOptions = {},
): Promise<{ emulator: SlackEmulator; server: RunningServer }> {
  const emulator = createSlackEmulator({ seed: SEED, ...options });
  return { emulator, server: await serveFetch(emulator.app.fetch, { port: 0 }) };
}

/** `defaultRetry`: keep the client's own retry policy (10 retries over about 30 minutes) instead of none. */
function client(url: string, options: { defaultRetry?: boolean } = {}): WebClient {
  return new WebClient(TOKEN, {
    slackApiUrl: `${url}/api/`,
    logLevel: LogLevel.ERROR,
    ...(options.defaultRetry ? {} : { retryConfig: { retries: 0 } }),
  });
}

/**
 * Real time, shifted so a rate window of `windowMs` starts when the test starts: two quick calls then always
 * land in the same window, however the wall clock happens to be aligned.
 */
function alignedClock(windowMs: number): Clock {
  const shift = Date.now() % windowMs;
  const real = systemClock();
  return { now: () => real.now() - shift, sleep: real.sleep };
}

describe("@slack/web-api against the emulator", () => {
  let emulator: SlackEmulator;
  let server: RunningServer;
  let web: WebClient;
  before(async () => {
    ({ emulator, server } = await start());
    web = client(server.url);
  });
  after(() => server.close());

  const idOf = (email: string) => emulator.state.findByEmail(email, { includeDeleted: true })!.id;

  test("auth.test", async () => {
    const result = await web.auth.test();
    assert.equal(result.ok, true);
    assert.equal(result.user_id, idOf("ada@corp.example"));
    assert.equal(result.enterprise_id, emulator.state.enterprise.id);
    assert.equal(result.is_enterprise_install, true);
  });

  test("users.lookupByEmail, and users_not_found as a platform error", async () => {
    const found = await web.users.lookupByEmail({ email: "Alice@Corp.Example" });
    assert.equal(found.user?.id, idOf("alice@corp.example"));
    assert.equal(found.user?.profile?.email, "alice@corp.example");
    await assert.rejects(web.users.lookupByEmail({ email: "nobody@corp.example" }), (error: unknown) => {
      const e = error as { code: string; data: { error: string } };
      assert.equal(e.code, ErrorCode.PlatformError);
      assert.equal(e.data.error, "users_not_found");
      return true;
    });
  });

  test("admin.users.session.reset({ user_id }) ends every session", async () => {
    const alice = idOf("alice@corp.example");
    assert.equal(emulator.state.sessionsOf(alice).length, 3);
    const result = await web.admin.users.session.reset({ user_id: alice });
    assert.equal(result.ok, true);
    assert.equal(emulator.state.sessionsOf(alice).length, 0);
  });

  test("admin.users.session.list", async () => {
    const result = await web.admin.users.session.list({ limit: 10 });
    assert.equal(result.ok, true);
    assert.ok(
      result.active_sessions?.every((s) => typeof s.session_id === "number" && s.created?.device_hardware),
    );
  });

  test("chat.postMessage with text and blocks, read back with conversations.history", async () => {
    const channel = emulator.state.findChannel("security-incidents")!.id;
    const blocks = [
      { type: "section" as const, text: { type: "mrkdwn" as const, text: "*alice* contained" } },
    ];
    const posted = await web.chat.postMessage({ channel, text: "alice contained", blocks });
    assert.equal(posted.ok, true);
    assert.equal(posted.channel, channel);
    assert.equal(posted.message?.text, "alice contained");
    const history = await web.conversations.history({ channel });
    assert.equal(history.messages?.[0]?.ts, posted.ts);
    assert.deepEqual(history.messages?.[0]?.blocks, blocks);
  });

  test("users.list through the paginate helper", async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of web.paginate("users.list", {
      team_id: emulator.state.workspaces[0]!.id,
      limit: 2,
    })) {
      pages += 1;
      ids.push(...((page as UsersListResponse).members ?? []).map((m) => m.id ?? ""));
    }
    assert.equal(pages, 3);
    assert.deepEqual(ids.sort(), [...emulator.state.users.keys()].sort());
  });

  test("an unknown method surfaces as an HTTP error", async () => {
    await assert.rejects(web.apiCall("users.nonexistent"), (error: unknown) => {
      assert.equal((error as { code: string }).code, ErrorCode.HTTPError);
      assert.equal((error as { statusCode: number }).statusCode, 404);
      return true;
    });
  });
});

describe("@slack/web-api and rate limiting", () => {
  test("with rejectRateLimitedCalls the 429 surfaces with its Retry-After", async () => {
    const { server } = await start({ clock: alignedClock(60_000), rateLimitOverrides: { "auth.test": 1 } });
    try {
      const web = new WebClient(TOKEN, {
        slackApiUrl: `${server.url}/api/`,
        logLevel: LogLevel.ERROR,
        rejectRateLimitedCalls: true,
      });
      await web.auth.test();
      await assert.rejects(web.auth.test(), (error: unknown) => {
        const e = error as { code: string; retryAfter: number };
        assert.equal(e.code, ErrorCode.RateLimitedError);
        assert.ok(e.retryAfter >= 1);
        return true;
      });
    } finally {
      await server.close();
    }
  });

  test("the default retry policy waits out a real 429 and succeeds", async () => {
    // A 1-second window (per-minute limits at timeScale 60) keeps the client's Retry-After wait short.
    const { emulator, server } = await start({
      timeScale: 60,
      rateLimitOverrides: { "users.lookupByEmail": 1 },
    });
    try {
      const web = client(server.url, { defaultRetry: true });
      const waits: number[] = [];
      web.on(WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
      await web.users.lookupByEmail({ email: "bob@corp.example" });
      const second = await web.users.lookupByEmail({ email: "bob@corp.example" });
      assert.equal(second.user?.id, emulator.state.findByEmail("bob@corp.example")?.id);
      assert.deepEqual(waits, [1]);
    } finally {
      await server.close();
    }
  });

  test("the default retry policy survives a single injected 429", async () => {
    const { emulator, server } = await start();
    try {
      emulator.faults.add({
        kind: "status",
        status: 429,
        retryAfterSeconds: 0,
        pathPrefix: "/api/auth.test",
        count: 1,
      });
      const web = client(server.url, { defaultRetry: true });
      let limited = 0;
      web.on(WebClientEvent.RATE_LIMITED, () => {
        limited += 1;
      });
      const result = await web.auth.test();
      assert.equal(result.ok, true);
      assert.equal(limited, 1);
      assert.equal(emulator.faults.injected.status, 1);
    } finally {
      await server.close();
    }
  });
});
