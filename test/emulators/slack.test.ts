import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import {
  createSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from "../../src/emulators/slack/index.ts";
import type { SlackSeed } from "../../src/emulators/slack/seed.ts";
import { manualClock } from "../support/clock.ts";

const TOKEN = "xoxp-test";

/** ada: primary owner (owns the token); olga: owner; adam: admin; alice and bob: members with sessions; a bot. */
const SEED: SlackSeed = {
  tokens: [TOKEN],
  adminUser: "ada@corp.example",
  channels: [{ name: "security-incidents" }, { name: "general" }],
  users: [
    { email: "ada@corp.example", name: "ada", realName: "Ada Admin", isPrimaryOwner: true },
    { email: "olga@corp.example", name: "olga", realName: "Olga Owner", isOwner: true },
    { email: "adam@corp.example", name: "adam", realName: "Adam Admin", isAdmin: true },
    {
      email: "Alice.Anders@corp.example",
      name: "alice",
      realName: "Alice Anders",
      sessions: { web: 2, mobile: 1 },
    },
    { email: "bob@corp.example", name: "bob", realName: "Bob Baker", sessions: { web: 1, mobile: 2 } },
    { email: "deploybot@corp.example", name: "deploybot", isBot: true },
  ],
};

interface Harness {
  emulator: SlackEmulator;
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

async function start(options: SlackEmulatorOptions = {}): Promise<Harness> {
  const emulator = createSlackEmulator({ seed: SEED, ...options });
  const server = await serveFetch(emulator.app.fetch, { port: 0 });
  return { emulator, server, url: server.url, close: () => server.close() };
}

interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary wire fields.
  body: any;
}

/** A Web API call the way @slack/web-api makes it: form-encoded POST with a Bearer header. */
async function call(
  url: string,
  method: string,
  args: Record<string, string | number | boolean> = {},
  token: string | null = TOKEN,
): Promise<Reply> {
  const response = await fetch(`${url}/api/${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new URLSearchParams(
      Object.entries(args).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString(),
  });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

async function scim(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<Reply> {
  const response = await fetch(`${url}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function idOf(harness: Harness, email: string): string {
  const user = harness.emulator.state.findByEmail(email, { includeDeleted: true });
  if (!user) throw new Error(`no seeded user ${email}`);
  return user.id;
}

function kindsOf(harness: Harness, userId: string): string[] {
  return harness.emulator.state
    .sessionsOf(userId)
    .map((s) => s.kind)
    .sort();
}

describe("Web API authentication and dispatch", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("no token is not_authed, a wrong one invalid_auth, both HTTP 200", async () => {
    const none = await call(h.url, "auth.test", {}, null);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, { ok: false, error: "not_authed" });
    const wrong = await call(h.url, "auth.test", {}, "xoxp-not-a-seeded-token");
    assert.equal(wrong.status, 200);
    assert.deepEqual(wrong.body, { ok: false, error: "invalid_auth" });
  });

  test("the token may come as a form field or query argument, but not inside a JSON body", async () => {
    const form = await call(h.url, "auth.test", { token: TOKEN }, null);
    assert.equal(form.body.ok, true);
    const query = await fetch(`${h.url}/api/auth.test?token=${TOKEN}`);
    assert.equal(((await query.json()) as { ok: boolean }).ok, true);
    const json = await fetch(`${h.url}/api/auth.test`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN }),
    });
    assert.deepEqual(await json.json(), { ok: false, error: "not_authed" });
  });

  test("JSON bodies with a Bearer header are read", async () => {
    const response = await fetch(`${h.url}/api/users.lookupByEmail`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ email: "bob@corp.example" }),
    });
    const body = (await response.json()) as { ok: boolean; user: { name: string } };
    assert.equal(body.user.name, "bob");
  });

  test("an unknown method is unknown_method, even without a token", async () => {
    const reply = await call(h.url, "users.nonexistent", {}, null);
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.body, { ok: false, error: "unknown_method", req_method: "users.nonexistent" });
  });

  test("auth.test describes the org-level token of the admin", async () => {
    const { body } = await call(h.url, "auth.test");
    const state = h.emulator.state;
    assert.equal(body.ok, true);
    assert.equal(body.user_id, idOf(h, "ada@corp.example"));
    assert.equal(body.user, "ada");
    assert.equal(body.team_id, state.enterprise.id);
    assert.equal(body.enterprise_id, state.enterprise.id);
    assert.equal(body.is_enterprise_install, true);
    assert.match(body.url, /^https:\/\/cordon-test\.enterprise\.slack\.com\/$/);
    assert.match(body.user_id, /^W[A-Z0-9]{10}$/);
    assert.match(body.enterprise_id, /^E[A-Z0-9]{10}$/);
  });
});

describe("users", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("lookupByEmail finds a user whatever the case of the address", async () => {
    const { body } = await call(h.url, "users.lookupByEmail", { email: "ALICE.anders@CORP.example" });
    assert.equal(body.ok, true);
    const user = body.user;
    assert.equal(user.id, idOf(h, "alice.anders@corp.example"));
    assert.equal(user.name, "alice");
    assert.equal(user.real_name, "Alice Anders");
    assert.equal(user.deleted, false);
    assert.equal(user.profile.email, "Alice.Anders@corp.example");
    assert.equal(user.profile.display_name, "alice");
    for (const flag of [
      "is_admin",
      "is_owner",
      "is_primary_owner",
      "is_restricted",
      "is_ultra_restricted",
      "is_bot",
    ]) {
      assert.equal(user[flag], false, flag);
    }
    assert.equal(user.is_app_user, false);
    assert.equal(typeof user.updated, "number");
    assert.equal(user.has_2fa, false);
    assert.equal(user.team_id, h.emulator.state.workspaces[0]!.id);
    assert.deepEqual(user.enterprise_user, {
      id: user.id,
      enterprise_id: h.emulator.state.enterprise.id,
      enterprise_name: "Cordon Test Org",
      is_admin: false,
      is_owner: false,
      teams: [h.emulator.state.workspaces[0]!.id],
    });
  });

  test("lookupByEmail answers users_not_found for an unknown address and for bots", async () => {
    assert.deepEqual((await call(h.url, "users.lookupByEmail", { email: "nobody@corp.example" })).body, {
      ok: false,
      error: "users_not_found",
    });
    assert.equal(
      (await call(h.url, "users.lookupByEmail", { email: "deploybot@corp.example" })).body.error,
      "users_not_found",
    );
    const missing = await call(h.url, "users.lookupByEmail");
    assert.equal(missing.body.error, "invalid_arguments");
    assert.deepEqual(missing.body.response_metadata.messages, ["[ERROR] missing required field: email"]);
  });

  test("owners are admins too, and the primary owner an owner", async () => {
    const { body } = await call(h.url, "users.info", { user: idOf(h, "ada@corp.example") });
    assert.equal(body.user.is_primary_owner, true);
    assert.equal(body.user.is_owner, true);
    assert.equal(body.user.is_admin, true);
  });

  test("users.info answers user_not_found for an unknown id", async () => {
    assert.deepEqual((await call(h.url, "users.info", { user: "W0000000000" })).body, {
      ok: false,
      error: "user_not_found",
    });
  });

  test("users.list pages with cursors, each member once, and an empty next_cursor on the last page", async () => {
    const teamId = h.emulator.state.workspaces[0]!.id;
    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    do {
      const { body } = await call(h.url, "users.list", {
        team_id: teamId,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      assert.equal(body.ok, true);
      assert.ok(body.members.length <= 2);
      assert.equal(typeof body.cache_ts, "number");
      seen.push(...body.members.map((m: { id: string }) => m.id));
      cursor = body.response_metadata.next_cursor;
      pages += 1;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), [...h.emulator.state.users.keys()].sort());
  });

  test("users.list needs team_id with an org token, and refuses a bad cursor", async () => {
    assert.equal((await call(h.url, "users.list")).body.error, "missing_argument");
    const teamId = h.emulator.state.workspaces[0]!.id;
    assert.equal(
      (await call(h.url, "users.list", { team_id: teamId, cursor: "bm9wZQ==" })).body.error,
      "invalid_cursor",
    );
  });
});

describe("admin.users.session.*", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("reset with both flags false ends web and mobile sessions", async () => {
    const alice = idOf(h, "alice.anders@corp.example");
    assert.deepEqual(kindsOf(h, alice), ["mobile", "web", "web"]);
    const { body } = await call(h.url, "admin.users.session.reset", { user_id: alice });
    assert.deepEqual(body, { ok: true });
    assert.deepEqual(kindsOf(h, alice), []);
  });

  test("mobile_only ends only mobile sessions, web_only only web ones", async () => {
    const bob = idOf(h, "bob@corp.example");
    assert.deepEqual(kindsOf(h, bob), ["mobile", "mobile", "web"]);
    assert.equal(
      (await call(h.url, "admin.users.session.reset", { user_id: bob, mobile_only: true })).body.ok,
      true,
    );
    assert.deepEqual(kindsOf(h, bob), ["web"]);
    h.emulator.state.signIn(bob, "mobile");
    assert.equal(
      (await call(h.url, "admin.users.session.reset", { user_id: bob, web_only: "true" })).body.ok,
      true,
    );
    assert.deepEqual(kindsOf(h, bob), ["mobile"]);
  });

  test("errors: user_not_found, cannot_reset_bot, missing user_id", async () => {
    assert.equal(
      (await call(h.url, "admin.users.session.reset", { user_id: "W0000000000" })).body.error,
      "user_not_found",
    );
    const bot = idOf(h, "deploybot@corp.example");
    assert.equal(
      (await call(h.url, "admin.users.session.reset", { user_id: bot })).body.error,
      "cannot_reset_bot",
    );
    assert.equal((await call(h.url, "admin.users.session.reset")).body.error, "invalid_arguments");
  });

  test("the primary owner may reset their own sessions", async () => {
    const ada = idOf(h, "ada@corp.example");
    h.emulator.state.signIn(ada, "web");
    assert.equal((await call(h.url, "admin.users.session.reset", { user_id: ada })).body.ok, true);
    assert.deepEqual(kindsOf(h, ada), []);
  });

  test("session.list pages through every session once; user_id and team_id filter together", async () => {
    const state = h.emulator.state;
    const olga = idOf(h, "olga@corp.example");
    const adam = idOf(h, "adam@corp.example");
    for (let i = 0; i < 3; i += 1) state.signIn(olga, "web");
    for (let i = 0; i < 2; i += 1) state.signIn(adam, "mobile");
    const all = [...state.sessions.keys()];
    const seen: number[] = [];
    let cursor = "";
    do {
      const { body } = await call(h.url, "admin.users.session.list", {
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      assert.equal(body.ok, true);
      assert.ok(body.active_sessions.length <= 2);
      for (const s of body.active_sessions) {
        assert.equal(typeof s.session_id, "number");
        assert.match(s.user_id, /^W/);
        assert.match(s.team_id, /^T/);
        assert.deepEqual(Object.keys(s.created).sort(), [
          "device_hardware",
          "ip",
          "os",
          "os_version",
          "slack_client_version",
        ]);
        seen.push(s.session_id);
      }
      cursor = body.response_metadata.next_cursor;
    } while (cursor);
    assert.deepEqual(seen.sort(), all.sort());

    const teamId = state.workspaces[0]!.id;
    const mine = await call(h.url, "admin.users.session.list", { user_id: olga, team_id: teamId });
    assert.equal(mine.body.active_sessions.length, 3);
    assert.ok(mine.body.active_sessions.every((s: { user_id: string }) => s.user_id === olga));
    assert.equal(mine.body.response_metadata.next_cursor, "");
    assert.equal(
      (await call(h.url, "admin.users.session.list", { user_id: olga })).body.error,
      "invalid_arguments",
    );
  });

  test("session.invalidate ends one session by id", async () => {
    const adam = idOf(h, "adam@corp.example");
    const [first, second] = h.emulator.state.sessionsOf(adam);
    assert.ok(first && second);
    const { body } = await call(h.url, "admin.users.session.invalidate", {
      session_id: first.id,
      user_id: adam,
    });
    assert.deepEqual(body, { ok: true });
    assert.deepEqual(
      h.emulator.state.sessionsOf(adam).map((s) => s.id),
      [second.id],
    );
    const again = await call(h.url, "admin.users.session.invalidate", {
      session_id: first.id,
      user_id: adam,
    });
    assert.equal(again.body.error, "session_not_found");
    // The 2021 spec's team_id form still works.
    const byTeam = await call(h.url, "admin.users.session.invalidate", {
      session_id: second.id,
      team_id: second.teamId,
    });
    assert.equal(byTeam.body.ok, true);
  });
});

describe("admin methods called by non-primary owners and members", () => {
  test("an admin cannot reset the primary owner's sessions", async () => {
    const h = await start({ seed: { ...SEED, adminUser: "adam@corp.example" } });
    try {
      const ada = idOf(h, "ada@corp.example");
      h.emulator.state.signIn(ada, "web");
      const reset = await call(h.url, "admin.users.session.reset", { user_id: ada });
      assert.deepEqual(reset.body, { ok: false, error: "cannot_reset_primary_owner" });
      assert.deepEqual(kindsOf(h, ada), ["web"]);
      const [session] = h.emulator.state.sessionsOf(ada);
      const invalidate = await call(h.url, "admin.users.session.invalidate", {
        session_id: session!.id,
        user_id: ada,
      });
      assert.equal(invalidate.body.error, "cannot_invalidate_primary_owner");
      // Anyone else is fair game for an admin.
      assert.equal(
        (await call(h.url, "admin.users.session.reset", { user_id: idOf(h, "olga@corp.example") })).body.ok,
        true,
      );
    } finally {
      await h.close();
    }
  });

  test("a member's token gets not_an_admin", async () => {
    const h = await start({ seed: { ...SEED, adminUser: "bob@corp.example" } });
    try {
      const alice = idOf(h, "alice.anders@corp.example");
      assert.equal(
        (await call(h.url, "admin.users.session.reset", { user_id: alice })).body.error,
        "not_an_admin",
      );
      assert.equal((await call(h.url, "admin.users.session.list")).body.error, "not_an_admin");
      assert.equal((await scim(h.url, "GET", "/Users")).status, 403);
    } finally {
      await h.close();
    }
  });
});

describe("chat.postMessage and conversations.history", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("a posted message reads back, newest first", async () => {
    const channel = h.emulator.state.findChannel("security-incidents")!.id;
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Contained* alice" } }];
    const first = await call(h.url, "chat.postMessage", { channel: "#security-incidents", text: "first" });
    assert.equal(first.body.ok, true);
    assert.equal(first.body.channel, channel);
    assert.match(first.body.ts, /^\d{10}\.\d{6}$/);
    assert.deepEqual(first.body.message, {
      type: "message",
      text: "first",
      user: idOf(h, "ada@corp.example"),
      ts: first.body.ts,
      team: h.emulator.state.workspaces[0]!.id,
    });
    const second = await call(h.url, "chat.postMessage", {
      channel,
      text: "second",
      blocks: JSON.stringify(blocks),
    });
    assert.deepEqual(second.body.message.blocks, blocks);
    assert.ok(second.body.ts > first.body.ts);

    const history = await call(h.url, "conversations.history", { channel });
    assert.equal(history.body.ok, true);
    assert.deepEqual(
      history.body.messages.map((m: { text: string }) => m.text),
      ["second", "first"],
    );
    assert.equal(history.body.has_more, false);

    const paged = await call(h.url, "conversations.history", { channel, limit: 1 });
    assert.deepEqual(
      paged.body.messages.map((m: { text: string }) => m.text),
      ["second"],
    );
    assert.equal(paged.body.has_more, true);
    const rest = await call(h.url, "conversations.history", {
      channel,
      limit: 1,
      cursor: paged.body.response_metadata.next_cursor,
    });
    assert.deepEqual(
      rest.body.messages.map((m: { text: string }) => m.text),
      ["first"],
    );
    assert.equal(rest.body.response_metadata.next_cursor, "");
  });

  test("errors: channel_not_found, no_text, invalid_blocks_format, invalid_blocks", async () => {
    const post = (args: Record<string, string>) => call(h.url, "chat.postMessage", args);
    assert.equal((await post({ channel: "C0000000000", text: "x" })).body.error, "channel_not_found");
    assert.equal((await post({ channel: "general" })).body.error, "no_text");
    assert.equal(
      (await post({ channel: "general", blocks: "{not json" })).body.error,
      "invalid_blocks_format",
    );
    assert.equal(
      (await post({ channel: "general", blocks: '{"type":"section"}' })).body.error,
      "invalid_blocks_format",
    );
    assert.equal(
      (await post({ channel: "general", blocks: '[{"text":"no type"}]' })).body.error,
      "invalid_blocks",
    );
    assert.equal(
      (await call(h.url, "conversations.history", { channel: "C0000000000" })).body.error,
      "channel_not_found",
    );
  });

  test("text beyond 40,000 characters is truncated, as Slack documents", async () => {
    const { body } = await call(h.url, "chat.postMessage", { channel: "general", text: "x".repeat(40_005) });
    assert.equal(body.ok, true);
    assert.equal(body.message.text.length, 40_000);
  });
});

describe("SCIM v2 Users", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("list pages by startIndex and count, each person once; bots are not SCIM users", async () => {
    const seen: string[] = [];
    for (let startIndex = 1; ; startIndex += 2) {
      const { status, headers, body } = await scim(h.url, "GET", `/Users?startIndex=${startIndex}&count=2`);
      assert.equal(status, 200);
      assert.match(headers.get("content-type") ?? "", /^application\/scim\+json/);
      assert.deepEqual(body.schemas, ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
      assert.equal(body.totalResults, 5);
      assert.equal(body.startIndex, startIndex);
      assert.equal(body.itemsPerPage, body.Resources.length);
      seen.push(...body.Resources.map((u: { id: string }) => u.id));
      if (startIndex + 2 > body.totalResults) break;
    }
    const people = [...h.emulator.state.users.values()].filter((u) => !u.isBot).map((u) => u.id);
    assert.deepEqual(seen.sort(), people.sort());
    const defaults = await scim(h.url, "GET", "/Users");
    assert.equal(defaults.body.itemsPerPage, 5);
    assert.equal(defaults.body.startIndex, 1);
  });

  test("the SCIM user has Slack's shape and the Web API user's id", async () => {
    const alice = idOf(h, "alice.anders@corp.example");
    const { status, body } = await scim(h.url, "GET", `/Users/${alice}`);
    assert.equal(status, 200);
    assert.deepEqual(body.schemas, ["urn:ietf:params:scim:schemas:core:2.0:User"]);
    assert.equal(body.id, alice);
    assert.equal(body.userName, "alice");
    assert.deepEqual(body.name, { givenName: "Alice", familyName: "Anders" });
    assert.equal(body.displayName, "alice");
    assert.equal(body.active, true);
    assert.deepEqual(body.emails, [{ value: "Alice.Anders@corp.example", primary: true }]);
    assert.equal(body.meta.location, `${h.url}/scim/v2/Users/${alice}`);
    assert.ok(!Number.isNaN(Date.parse(body.meta.created)));
    for (const key of ["externalId", "nickName", "profileUrl", "title", "timezone", "photos", "groups"]) {
      assert.ok(key in body, key);
    }
  });

  test("filters by email and userName, case-insensitively", async () => {
    const byEmail = await scim(
      h.url,
      "GET",
      `/Users?filter=${encodeURIComponent('emails.value eq "alice.anders@CORP.example"')}`,
    );
    assert.deepEqual(
      byEmail.body.Resources.map((u: { userName: string }) => u.userName),
      ["alice"],
    );
    const byName = await scim(h.url, "GET", `/Users?filter=${encodeURIComponent('userName eq "BOB"')}`);
    assert.equal(byName.body.totalResults, 1);
    const none = await scim(h.url, "GET", `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`);
    assert.equal(none.body.totalResults, 0);
    assert.deepEqual(none.body.Resources, []);
    const bad = await scim(h.url, "GET", `/Users?filter=${encodeURIComponent("userName gt 3")}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.scimType, "invalidFilter");
  });

  test("PATCH active false deactivates: deleted in users.info, sessions gone, no sign-in; PATCH active true restores", async () => {
    const bob = idOf(h, "bob@corp.example");
    assert.ok(h.emulator.state.sessionsOf(bob).length > 0);
    const off = await scim(h.url, "PATCH", `/Users/${bob}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    assert.equal(off.status, 200);
    assert.equal(off.body.active, false);
    assert.equal((await call(h.url, "users.info", { user: bob })).body.user.deleted, true);
    assert.deepEqual(kindsOf(h, bob), []);
    const listed = await call(h.url, "admin.users.session.list");
    assert.ok(listed.body.active_sessions.every((s: { user_id: string }) => s.user_id !== bob));
    assert.equal(
      (await call(h.url, "users.lookupByEmail", { email: "bob@corp.example" })).body.error,
      "users_not_found",
    );
    const signin = await fetch(`${h.url}/__cordon/slack/users/${bob}/signin`, {
      method: "POST",
      body: JSON.stringify({ kind: "web" }),
    });
    assert.equal(signin.status, 409);

    const on = await scim(h.url, "PATCH", `/Users/${bob}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", value: { active: true } }],
    });
    assert.equal(on.status, 200);
    assert.equal(on.body.active, true);
    assert.equal((await call(h.url, "users.info", { user: bob })).body.user.deleted, false);
    assert.equal((await call(h.url, "users.lookupByEmail", { email: "bob@corp.example" })).body.ok, true);
  });

  test("the path-less form {op:replace, value:{active:false}} deactivates too", async () => {
    const adam = idOf(h, "adam@corp.example");
    const { status, body } = await scim(h.url, "PATCH", `/Users/${adam}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    assert.equal(status, 200);
    assert.equal(body.active, false);
    await scim(h.url, "PATCH", `/Users/${adam}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: "True" }],
    });
    assert.equal(h.emulator.state.getUser(adam)?.deleted, false);
  });

  test("DELETE deactivates (204) and the user stays readable with active false", async () => {
    const alice = idOf(h, "alice.anders@corp.example");
    h.emulator.state.signIn(alice, "mobile");
    const deleted = await scim(h.url, "DELETE", `/Users/${alice}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    assert.deepEqual(kindsOf(h, alice), []);
    const read = await scim(h.url, "GET", `/Users/${alice}`);
    assert.equal(read.body.active, false);
    assert.equal((await call(h.url, "users.info", { user: alice })).body.user.deleted, true);
  });

  test("POST creates a user seen by both APIs; duplicates are 409; bad bodies 400", async () => {
    const created = await scim(h.url, "POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "carol@corp.example",
      name: { givenName: "Carol", familyName: "Chen" },
      emails: [{ value: "carol@corp.example", primary: true }],
      active: true,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.userName, "carol");
    assert.match(created.body.id, /^W[A-Z0-9]{10}$/);
    assert.equal(created.headers.get("location"), `${h.url}/scim/v2/Users/${created.body.id}`);
    const viaWeb = await call(h.url, "users.lookupByEmail", { email: "carol@corp.example" });
    assert.equal(viaWeb.body.user.id, created.body.id);
    assert.equal(viaWeb.body.user.real_name, "Carol Chen");
    const again = await scim(h.url, "POST", "/Users", {
      userName: "carol2",
      emails: [{ value: "CAROL@corp.example" }],
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.scimType, "uniqueness");
    const bad = await scim(h.url, "POST", "/Users", { userName: "dave" });
    assert.equal(bad.status, 400);
  });

  test("PUT replaces the given attributes", async () => {
    const olga = idOf(h, "olga@corp.example");
    const { status, body } = await scim(h.url, "PUT", `/Users/${olga}`, {
      userName: "olga",
      emails: [{ value: "olga@corp.example", primary: true }],
      title: "CISO",
      active: true,
    });
    assert.equal(status, 200);
    assert.equal(body.title, "CISO");
  });

  test("errors are RFC 7644 envelopes with a string status", async () => {
    const missing = await scim(h.url, "GET", "/Users/W0000000000");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      detail: "user_not_found",
      status: "404",
    });
    const unauthenticated = await scim(h.url, "GET", "/Users", undefined, null);
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.body.status, "401");
    assert.equal((await scim(h.url, "GET", "/Users", undefined, "xoxp-wrong")).status, 401);
    const badPatch = await scim(h.url, "PATCH", `/Users/${idOf(h, "bob@corp.example")}`, { active: false });
    assert.equal(badPatch.status, 400);
    assert.equal(badPatch.body.scimType, "invalidSyntax");
  });
});

describe("SCIM refuses to deactivate owners", () => {
  test("nobody deactivates the primary owner; an admin cannot touch an owner", async () => {
    const asPrimary = await start();
    try {
      const ada = idOf(asPrimary, "ada@corp.example");
      const refused = await scim(asPrimary.url, "DELETE", `/Users/${ada}`);
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        detail: "cannot_disable_primary_owner",
        status: "403",
      });
      assert.equal(asPrimary.emulator.state.getUser(ada)?.deleted, false);
      // The primary owner's token may deactivate an owner.
      const olga = idOf(asPrimary, "olga@corp.example");
      assert.equal((await scim(asPrimary.url, "DELETE", `/Users/${olga}`)).status, 204);
    } finally {
      await asPrimary.close();
    }

    const asAdmin = await start({ seed: { ...SEED, adminUser: "adam@corp.example" } });
    try {
      const olga = idOf(asAdmin, "olga@corp.example");
      const refused = await scim(asAdmin.url, "PATCH", `/Users/${olga}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "active", value: false }],
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.detail, "cannot_disable_owner");
      assert.equal(asAdmin.emulator.state.getUser(olga)?.deleted, false);
      // Members are fine.
      assert.equal(
        (await scim(asAdmin.url, "DELETE", `/Users/${idOf(asAdmin, "bob@corp.example")}`)).status,
        204,
      );
    } finally {
      await asAdmin.close();
    }
  });
});

describe("rate limits", () => {
  test("Web API: 429 with Retry-After and ratelimited once the window is spent, then recovery", async () => {
    const clock = manualClock();
    const h = await start({ clock, rateLimitOverrides: { "users.info": 2 } });
    try {
      const user = idOf(h, "bob@corp.example");
      assert.equal((await call(h.url, "users.info", { user })).body.ok, true);
      clock.advance(15_000);
      assert.equal((await call(h.url, "users.info", { user })).body.ok, true);
      const limited = await call(h.url, "users.info", { user });
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body, { ok: false, error: "ratelimited" });
      assert.equal(limited.headers.get("retry-after"), "45");
      assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "45000");
      // Limits are per method: another method is unaffected.
      assert.equal((await call(h.url, "users.lookupByEmail", { email: "bob@corp.example" })).body.ok, true);
      clock.advance(45_000);
      assert.equal((await call(h.url, "users.info", { user })).body.ok, true);
    } finally {
      await h.close();
    }
  });

  test("timeScale compresses the window; Retry-After stays whole seconds, the ms header is exact", async () => {
    const clock = manualClock();
    const h = await start({ clock, timeScale: 60, rateLimitOverrides: { "admin.users.session.list": 1 } });
    try {
      assert.equal((await call(h.url, "admin.users.session.list")).body.ok, true);
      clock.advance(250);
      const limited = await call(h.url, "admin.users.session.list");
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "1");
      assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "750");
      clock.advance(750);
      assert.equal((await call(h.url, "admin.users.session.list")).body.ok, true);
    } finally {
      await h.close();
    }
  });

  test("the documented tier applies without overrides (Tier 2: 20 per minute)", async () => {
    const clock = manualClock();
    const h = await start({ clock });
    try {
      for (let i = 0; i < 20; i += 1)
        assert.equal((await call(h.url, "admin.users.session.list")).status, 200);
      assert.equal((await call(h.url, "admin.users.session.list")).status, 429);
    } finally {
      await h.close();
    }
  });

  test("chat.postMessage: a burst of 5 per channel, then one per second", async () => {
    const clock = manualClock();
    const h = await start({ clock });
    try {
      for (let i = 0; i < 5; i += 1) {
        assert.equal(
          (await call(h.url, "chat.postMessage", { channel: "general", text: `m${i}` })).status,
          200,
        );
      }
      const limited = await call(h.url, "chat.postMessage", { channel: "general", text: "too fast" });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "1");
      assert.equal(
        (await call(h.url, "chat.postMessage", { channel: "security-incidents", text: "other" })).status,
        200,
      );
      clock.advance(1000);
      assert.equal(
        (await call(h.url, "chat.postMessage", { channel: "general", text: "paced" })).status,
        200,
      );
    } finally {
      await h.close();
    }
  });

  test("SCIM: org-wide buckets answer 429 with Retry-After and a SCIM error", async () => {
    const clock = manualClock();
    const h = await start({ clock, rateLimitOverrides: { "scim.users.get": 1 } });
    try {
      const bob = idOf(h, "bob@corp.example");
      assert.equal((await scim(h.url, "GET", `/Users/${bob}`)).status, 200);
      const limited = await scim(h.url, "GET", `/Users/${bob}`);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "60");
      assert.equal(limited.body.status, "429");
      // The list endpoint only counts against the org-wide read bucket.
      assert.equal((await scim(h.url, "GET", "/Users")).status, 200);
      clock.advance(60_000);
      assert.equal((await scim(h.url, "GET", `/Users/${bob}`)).status, 200);
    } finally {
      await h.close();
    }
  });

  test("enforceRateLimits false turns limits off", async () => {
    const h = await start({
      clock: manualClock(),
      enforceRateLimits: false,
      rateLimitOverrides: { "auth.test": 1 },
    });
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await call(h.url, "auth.test")).status, 200);
    } finally {
      await h.close();
    }
  });
});

describe("fault injection", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  const inject = async (rule: Record<string, unknown>) => {
    const response = await fetch(`${h.url}/__cordon/faults`, { method: "POST", body: JSON.stringify(rule) });
    assert.equal(response.status, 200);
  };

  test("a 500 once, then normal service", async () => {
    await inject({ kind: "status", status: 500, pathPrefix: "/api/auth.test", count: 1 });
    const failed = await call(h.url, "auth.test");
    assert.equal(failed.status, 500);
    assert.match(String(failed.body), /Internal Server Error/);
    assert.equal((await call(h.url, "auth.test")).body.ok, true);
  });

  test("an injected 429 in Slack's form", async () => {
    await inject({
      kind: "status",
      status: 429,
      retryAfterSeconds: 3,
      pathPrefix: "/api/users.info",
      count: 1,
    });
    const limited = await call(h.url, "users.info", { user: idOf(h, "bob@corp.example") });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "3");
    assert.deepEqual(limited.body, { ok: false, error: "ratelimited" });
  });

  test("SCIM faults use the SCIM error envelope", async () => {
    await inject({ kind: "status", status: 503, pathPrefix: "/scim/v2/Users", count: 1 });
    const failed = await scim(h.url, "GET", "/Users");
    assert.equal(failed.status, 503);
    assert.equal(failed.body.status, "503");
    assert.deepEqual(failed.body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
  });

  test("a dropped connection is a network error, and the next request is served", async () => {
    await inject({ kind: "drop", pathPrefix: "/api/auth.test", count: 1 });
    await assert.rejects(call(h.url, "auth.test"));
    assert.equal((await call(h.url, "auth.test")).body.ok, true);
  });

  test("in-process (app.fetch), a drop rejects too", async () => {
    await inject({ kind: "drop", pathPrefix: "/api/auth.test", count: 1 });
    await assert.rejects(
      Promise.resolve(
        h.emulator.app.fetch(new Request("http://slack.test/api/auth.test", { method: "POST" })),
      ),
      /injected fault/,
    );
  });
});

describe("emulator-only control endpoints", () => {
  test("signin starts a session the admin API can see; sessions lists kinds", async () => {
    const h = await start();
    try {
      const olga = idOf(h, "olga@corp.example");
      const response = await fetch(`${h.url}/__cordon/slack/users/${olga}/signin`, {
        method: "POST",
        body: JSON.stringify({ kind: "mobile", ip: "203.0.113.9" }),
      });
      assert.equal(response.status, 201);
      const session = (await response.json()) as {
        session_id: number;
        kind: string;
        created: { ip: string };
      };
      assert.equal(session.kind, "mobile");
      assert.equal(session.created.ip, "203.0.113.9");
      const listed = await call(h.url, "admin.users.session.list", {
        user_id: olga,
        team_id: h.emulator.state.workspaces[0]!.id,
      });
      assert.deepEqual(
        listed.body.active_sessions.map((s: { session_id: number }) => s.session_id),
        [session.session_id],
      );
      const kinds = (await (await fetch(`${h.url}/__cordon/slack/users/${olga}/sessions`)).json()) as {
        sessions: Array<{ kind: string }>;
      };
      assert.deepEqual(
        kinds.sessions.map((s) => s.kind),
        ["mobile"],
      );
      const bad = await fetch(`${h.url}/__cordon/slack/users/${olga}/signin`, {
        method: "POST",
        body: JSON.stringify({ kind: "desktop" }),
      });
      assert.equal(bad.status, 400);
    } finally {
      await h.close();
    }
  });
});

describe("seed", () => {
  test("ids are deterministic and Slack-shaped; invalid seeds are refused", () => {
    const a = createSlackEmulator({ seed: SEED });
    const b = createSlackEmulator({ seed: SEED });
    assert.deepEqual([...a.state.users.keys()], [...b.state.users.keys()]);
    for (const id of a.state.users.keys()) assert.match(id, /^W[A-Z0-9]{10}$/);
    for (const id of a.state.channels.keys()) assert.match(id, /^C[A-Z0-9]{10}$/);
    assert.match(a.state.workspaces[0]!.id, /^T[A-Z0-9]{10}$/);
    assert.throws(() => createSlackEmulator({ seed: { users: [{ email: "x@y.z" }, { email: "X@y.z" }] } }));
    assert.throws(() => createSlackEmulator({ seed: { tokens: ["not-a-token"] } }));
    assert.throws(() => createSlackEmulator({ seed: { unknown: true } as unknown as SlackSeed }));
  });

  test("without a seed: one primary owner, and any Slack-shaped token works", async () => {
    const h = await start({ seed: {} });
    try {
      const { body } = await call(h.url, "auth.test", {}, "xoxb-anything-1");
      assert.equal(body.ok, true);
      assert.equal(h.emulator.state.tokenOwner.isPrimaryOwner, true);
      assert.equal((await call(h.url, "auth.test", {}, "bearer-garbage")).body.error, "invalid_auth");
    } finally {
      await h.close();
    }
  });
});
