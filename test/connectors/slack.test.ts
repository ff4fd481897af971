import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Account } from "../../src/core/account.ts";
import { isCordonError } from "../../src/core/errors.ts";
import type { SlackEmulator } from "../../src/emulators/slack/index.ts";
import { runAction } from "../../src/library.ts";
import { type Harness, slackHarness } from "../support/harness.ts";

const seed = {
  adminUser: "admin@corp.example",
  channels: [{ name: "security" }],
  users: [
    { email: "admin@corp.example", name: "ada", isPrimaryOwner: true, isOwner: true, isAdmin: true },
    { email: "alice@corp.example", name: "alice", sessions: { web: 2, mobile: 1 } },
    { email: "bob@corp.example", name: "bob", sessions: { web: 1001 } },
    { email: "owen@corp.example", name: "owen", isOwner: true, isAdmin: true },
    { email: "gone@corp.example", name: "gone", deleted: true },
  ],
};

let h: Harness<SlackEmulator>;
before(async () => {
  h = await slackHarness({ seed });
});
after(() => h.close());

async function account(email: string): Promise<Account> {
  const [found] = await h.connector.findAccounts({ email, aliases: [] });
  assert.ok(found, `${email} not found`);
  return found;
}

describe("slack connector over HTTP", () => {
  test("finds a user by email with roles, and says an unknown email has no account", async () => {
    const alice = await account("ALICE@corp.example".toLowerCase());
    assert.equal(alice.status, "active");
    assert.deepEqual(alice.protectedReasons, []);
    assert.deepEqual((await account("owen@corp.example")).protectedReasons, ["owner"]);
    assert.deepEqual(await h.connector.findAccounts({ email: "nobody@corp.example", aliases: [] }), []);
  });

  test("a deactivated user is still found (through SCIM), as deactivated", async () => {
    const gone = await account("gone@corp.example");
    assert.equal(gone.status, "deactivated");
    assert.match(gone.matchedBy, /SCIM/);
  });

  test("reset_sessions ends web and mobile sessions and verifies through session.list", async () => {
    const alice = await account("alice@corp.example");
    const result = await runAction(h.connector, "slack.reset_sessions", alice);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(result.verification, { state: "verified", observed: "0 active sessions" });
    assert.equal(h.emulator.state.sessionsOf(alice.id).length, 0);
  });

  test("verification pages past the first page of sessions", async () => {
    const bob = await account("bob@corp.example");
    const action = h.connector.actions.get("slack.reset_sessions")!;
    const ctx = {
      client: h.connector.client,
      account: bob,
      clock: { now: Date.now, sleep: async () => {} },
      signal: new AbortController().signal,
    };
    const pending = await action.verify!(ctx, {});
    assert.deepEqual(pending, { state: "pending", observed: "1001 active sessions" });
  });

  test("deactivate snapshots, deactivates, verifies; again is already_in_state; reactivate restores", async () => {
    const alice = await account("alice@corp.example");
    const first = await runAction(h.connector, "slack.deactivate_user", alice);
    assert.equal(first.outcome, "applied");
    assert.deepEqual(first.snapshot, { active: true });
    assert.equal(first.verification?.state, "verified");
    const again = await runAction(h.connector, "slack.deactivate_user", alice);
    assert.equal(again.outcome, "already_in_state");
    const back = await runAction(h.connector, "slack.reactivate_user", alice);
    assert.equal(back.outcome, "applied");
    assert.equal((await account("alice@corp.example")).status, "active");
  });

  test("an unknown user id is not_found", async () => {
    const ghost: Account = { ...(await account("alice@corp.example")), id: "W0000000000" };
    await assert.rejects(
      runAction(h.connector, "slack.deactivate_user", ghost),
      (e) => isCordonError(e) && e.kind === "not_found",
    );
  });

  test("the plan knows Slack refuses to deactivate owners and to reset bots", async () => {
    const owen = await account("owen@corp.example");
    assert.match(
      h.connector.vendorRefuses?.(owen, { actionId: "slack.deactivate_user", input: {} }) ?? "",
      /owner/,
    );
    assert.equal(h.connector.vendorRefuses?.(owen, { actionId: "slack.reset_sessions", input: {} }), null);
  });

  test("a 429 with Retry-After is honoured and the call succeeds", async () => {
    const alice = await account("alice@corp.example");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0,
      pathPrefix: "/api/admin.users.session.reset",
      count: 2,
    });
    const result = await runAction(h.connector, "slack.reset_sessions", alice);
    assert.equal(result.outcome, "applied");
    const resets = h.attempts.filter((a) => a.operation === "admin.users.session.reset");
    assert.deepEqual(
      resets.map((a) => a.status),
      [429, 429, 200],
    );
  });

  test("a 5xx is retried for an idempotent call, never for chat.postMessage", async () => {
    const alice = await account("alice@corp.example");
    h.attempts.length = 0;
    await h.fault({ kind: "status", status: 503, pathPrefix: "/scim/v2/Users/", method: "PATCH", count: 1 });
    assert.equal((await runAction(h.connector, "slack.deactivate_user", alice)).outcome, "applied");
    assert.deepEqual(
      h.attempts.filter((a) => a.operation === "PATCH /Users/{id}").map((a) => a.status),
      [503, 200],
    );
    await runAction(h.connector, "slack.reactivate_user", alice);

    await h.fault({ kind: "status", status: 500, pathPrefix: "/api/chat.postMessage", count: 1 });
    await assert.rejects(
      runAction(h.connector, "slack.post_message", alice, { channel: "security", text: "hi" }),
      (e) => isCordonError(e) && e.kind === "transient",
    );
    const posted = await runAction(h.connector, "slack.post_message", alice, {
      channel: "security",
      text: "alice contained",
    });
    assert.equal(posted.outcome, "applied");
  });

  test("an invalid token is an auth error that names no secret", async () => {
    const { createConnector } = await import("../../src/connectors/index.ts");
    const { RateGovernor } = await import("../../src/http/governor.ts");
    const { systemClock } = await import("../../src/core/clock.ts");
    const strict = await slackHarness({ seed: { ...seed, tokens: ["xoxp-the-right-one"] } });
    try {
      const wrong = createConnector(
        {
          vendor: "slack",
          name: "slack",
          token: "xoxp-wrong-secret-value",
          apiUrl: `${strict.server.url}/api/`,
          scimUrl: `${strict.server.url}/scim/v2/`,
        },
        { clock: systemClock(), governor: new RateGovernor({ clock: systemClock() }) },
      );
      const check = await wrong.check();
      assert.equal(check.ok, false);
      assert.doesNotMatch(check.problems.join(" "), /wrong-secret/);
      await assert.rejects(
        wrong.findAccounts({ email: "alice@corp.example", aliases: [] }),
        (e) => isCordonError(e) && e.kind === "auth" && !e.message.includes("wrong-secret"),
      );
    } finally {
      await strict.close();
    }
  });
});

describe("slack bulk lookup", () => {
  test("lists every workspace's users once, across pages, including deactivated users", async () => {
    const users = Array.from({ length: 1203 }, (_, i) => ({
      email: `user${i}@corp.example`,
      name: `user${i}`,
    }));
    const big = await slackHarness({
      seed: {
        adminUser: "admin@corp.example",
        workspaces: [{ name: "One" }, { name: "Two" }],
        users: [
          { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
          ...users,
          { email: "gone@corp.example", deleted: true },
        ],
      },
    });
    try {
      const subjects = [
        "user0@corp.example",
        "user1202@corp.example",
        "gone@corp.example",
        "nobody@corp.example",
      ].map((email) => ({ email, aliases: [] }));
      const found = await big.connector.findAccountsBulk!(subjects);
      assert.equal(found.get("user0@corp.example")?.length, 1);
      assert.equal(found.get("user1202@corp.example")?.length, 1);
      assert.equal(found.get("gone@corp.example")?.[0]?.status, "deactivated");
      assert.deepEqual(found.get("nobody@corp.example"), []);
      const lists = big.attempts.filter((a) => a.operation === "users.list");
      assert.equal(lists.length, 4, "two workspaces × two pages of at most 1,000");
    } finally {
      await big.close();
    }
  });
});
