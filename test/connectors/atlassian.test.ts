import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AtlassianConnection,
  atlassianConnectionFromEnv,
  createAtlassianConnector,
} from "../../src/connectors/atlassian/index.ts";
import type { Account } from "../../src/core/account.ts";
import { systemClock } from "../../src/core/clock.ts";
import { isCordonError, isKind } from "../../src/core/errors.ts";
import type { AtlassianEmulator, AtlassianSeed } from "../../src/emulators/atlassian/index.ts";
import { applyPlan } from "../../src/engine/contain.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { DEFAULT_POLICY } from "../../src/engine/policy.ts";
import { applyUndo, planUndo } from "../../src/engine/uncontain.ts";
import { RateGovernor } from "../../src/http/governor.ts";
import { runAction } from "../../src/library.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { ATLASSIAN_TEST_KEY, atlassianHarness } from "../support/atlassian-harness.ts";
import type { Harness } from "../support/harness.ts";

const seed: AtlassianSeed = {
  orgName: "Corp Example",
  apiKeys: [ATLASSIAN_TEST_KEY],
  users: [
    { email: "ada@corp.example", orgAdmin: true },
    { email: "Alice.Anders@corp.example", apiTokens: [{ label: "ci pipeline" }, { label: "jira cli" }] },
    { email: "bob@corp.example", apiTokens: [{ label: "bob laptop" }] },
    { email: "carol@corp.example" },
    { email: "sam@corp.example", suspended: true, apiTokens: [{ label: "sam script" }] },
    { email: "nina@corp.example", member: false },
    { email: "ursula@partner.example", managed: false },
    { email: "dave@corp.example" },
    { email: "erin@corp.example" },
    ...Array.from({ length: 110 }, (_, i) => ({ email: `page.user${i}@corp.example` })),
  ],
};

let h: Harness<AtlassianEmulator>;
before(async () => {
  h = await atlassianHarness({ seed });
});
after(() => h.close());

async function account(email: string): Promise<Account> {
  const [found] = await h.connector.findAccounts({ email, aliases: [] });
  assert.ok(found, `${email} not found`);
  return found;
}
const state = () => h.emulator.state;
const attemptsOf = (operation: string) => h.attempts.filter((a) => a.operation === operation);
const SEARCH = "POST /admin/v2/orgs/{orgId}/directories/-/users/search";

describe("atlassian connector: lookup and check", () => {
  test("finds a user by exact email, with status, and says when there is none", async () => {
    const alice = await account("alice.anders@CORP.example");
    assert.equal(alice.vendor, "atlassian");
    assert.equal(alice.id, state().findByEmail("alice.anders@corp.example")?.accountId);
    assert.equal(alice.email, "Alice.Anders@corp.example");
    assert.equal(alice.status, "active");
    assert.deepEqual(alice.protectedReasons, []);
    assert.equal(alice.matchedBy, "users/search emails=alice.anders@CORP.example");
    assert.equal((await account("sam@corp.example")).status, "suspended");
    assert.deepEqual(await h.connector.findAccounts({ email: "alice@corp.example", aliases: [] }), []);
  });

  test("org admins are protected; aliases are looked up too, each account once", async () => {
    assert.deepEqual((await account("ada@corp.example")).protectedReasons, ["admin"]);
    const both = await h.connector.findAccounts({
      email: "nobody@corp.example",
      aliases: ["carol@corp.example", "CAROL@corp.example"],
    });
    assert.deepEqual(
      both.map((a) => a.email),
      ["carol@corp.example"],
    );
  });

  test("bulk lookup reads every page of the directory (119 users at 100 a page)", async () => {
    h.attempts.length = 0;
    const found = await h.connector.findAccountsBulk?.([
      { email: "page.user105@corp.example", aliases: [] },
      { email: "dave@corp.example", aliases: ["erin@corp.example"] },
      { email: "ghost@corp.example", aliases: [] },
    ]);
    assert.ok(found);
    assert.deepEqual(
      found.get("page.user105@corp.example")?.map((a) => a.email),
      ["page.user105@corp.example"],
    );
    assert.deepEqual(
      found
        .get("dave@corp.example")
        ?.map((a) => a.email)
        .sort(),
      ["dave@corp.example", "erin@corp.example"],
    );
    assert.deepEqual(found.get("ghost@corp.example"), []);
    assert.equal(attemptsOf(SEARCH).length, 2);
  });

  test("check names the organization; a refused key is reported, not thrown, and not retried", async () => {
    assert.deepEqual(await h.connector.check(), {
      ok: true,
      identity: `Corp Example (${state().orgId})`,
      problems: [],
    });
    const attempts: string[] = [];
    const clock = systemClock();
    const wrong = createAtlassianConnector(
      { connection: "atlassian", orgId: state().orgId, apiKey: "wrong", apiUrl: h.server.url },
      {
        clock,
        governor: new RateGovernor({ clock }),
        onAttempt: (e) => attempts.push(`${e.status}`),
      },
    );
    const check = await wrong.check();
    assert.equal(check.ok, false);
    assert.match(
      check.problems[0] ?? "",
      /GET \/admin\/v1\/orgs\/\{orgId\}: the organization API key was refused/,
    );
    assert.doesNotMatch(check.problems[0] ?? "", /wrong/);
    assert.deepEqual(attempts, ["401"]);
  });
});

describe("atlassian connector: suspend and restore access", () => {
  test("suspend: applied and verified by the directory's membershipStatus; again is already_in_state", async () => {
    const carol = await account("carol@corp.example");
    const first = await runAction(h.connector, "atlassian.suspend_access", carol);
    assert.equal(first.outcome, "applied");
    assert.deepEqual(first.snapshot, { membershipStatus: "active", status: "active" });
    assert.deepEqual(first.verification, {
      state: "verified",
      observed: "membershipStatus suspended (status suspended)",
    });
    assert.equal(state().findByEmail("carol@corp.example")?.membershipStatus, "suspended");
    assert.equal(
      (await runAction(h.connector, "atlassian.suspend_access", carol)).outcome,
      "already_in_state",
    );
  });

  test("restore undoes the suspension exactly, from the recorded snapshot; again is already_in_state", async () => {
    const carol = await account("carol@corp.example");
    assert.equal(carol.status, "suspended");
    const suspend = h.connector.actions.get("atlassian.suspend_access");
    assert.equal(suspend?.inverse, "atlassian.restore_access");
    const input = suspend?.restoreInput?.({ membershipStatus: "active", status: "active" }) ?? {};
    const restored = await runAction(h.connector, "atlassian.restore_access", carol, input);
    assert.equal(restored.outcome, "applied");
    assert.deepEqual(restored.verification, {
      state: "verified",
      observed: "membershipStatus active (status active)",
    });
    assert.equal(state().findByEmail("carol@corp.example")?.membershipStatus, "active");
    assert.equal(
      (await runAction(h.connector, "atlassian.restore_access", carol)).outcome,
      "already_in_state",
    );
  });

  test("an unknown account is not_found; one in no directory is a conflict, refused up front", async () => {
    const ghost = { ...(await account("dave@corp.example")), id: "5b10ac8dffffffffffffffff" };
    for (const id of ["atlassian.suspend_access", "atlassian.restore_access"])
      await assert.rejects(
        runAction(h.connector, id, ghost),
        (e) => isCordonError(e) && e.kind === "not_found",
        id,
      );
    const nina = await account("nina@corp.example");
    assert.equal(nina.status, "not_invited");
    assert.match(
      h.connector.vendorRefuses?.(nina, { actionId: "atlassian.suspend_access", input: {} }) ?? "",
      /none of the organization's directories/,
    );
    await assert.rejects(
      runAction(h.connector, "atlassian.suspend_access", nina),
      (e) => isCordonError(e) && e.kind === "conflict",
    );
  });

  test("a 5xx on suspend-access is retried (the call is idempotent) and the result still verified", async () => {
    const dave = await account("dave@corp.example");
    await h.fault({ kind: "status", status: 503, count: 2, method: "POST", pathPrefix: "/admin/v1/orgs/" });
    h.attempts.length = 0;
    const result = await runAction(h.connector, "atlassian.suspend_access", dave);
    assert.equal(result.outcome, "applied");
    assert.equal(result.verification?.state, "verified");
    assert.deepEqual(
      attemptsOf("POST /admin/v1/orgs/{orgId}/directory/users/{accountId}/suspend-access").map(
        (a) => a.status,
      ),
      [503, 503, 200],
    );
    await runAction(h.connector, "atlassian.restore_access", dave);
  });

  test("a 429 is honoured: the call waits the announced time, then succeeds", async () => {
    await h.fault({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0.3,
      count: 1,
      pathPrefix: "/admin/v2/",
    });
    h.attempts.length = 0;
    const started = Date.now();
    const erin = await account("erin@corp.example");
    assert.equal(erin.email, "erin@corp.example");
    assert.ok(Date.now() - started >= 280, `waited only ${Date.now() - started} ms`);
    assert.deepEqual(
      attemptsOf(SEARCH).map((a) => a.status),
      [429, 200],
    );
  });
});

describe("atlassian connector: API tokens", () => {
  test("revoke_api_tokens snapshots ids and labels, deletes each, verifies none are left", async () => {
    const alice = await account("alice.anders@corp.example");
    const result = await runAction(h.connector, "atlassian.revoke_api_tokens", alice);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(
      (result.snapshot as { tokens: Array<{ label: string }> }).tokens.map((t) => t.label),
      ["ci pipeline", "jira cli"],
    );
    assert.deepEqual(result.output, { revoked: 2, alreadyGone: 0 });
    assert.deepEqual(result.verification, { state: "verified", observed: "0 API tokens left" });
    assert.equal(state().findByEmail("alice.anders@corp.example")?.apiTokens.size, 0);
    assert.equal(h.connector.actions.get("atlassian.revoke_api_tokens")?.inverse, null);
    assert.equal(
      (await runAction(h.connector, "atlassian.revoke_api_tokens", alice)).outcome,
      "already_in_state",
    );
  });

  test("a 5xx on DELETE is retried; a token already gone counts as gone, not as an error", async () => {
    const bob = await account("bob@corp.example");
    await h.fault({ kind: "status", status: 502, count: 1, method: "DELETE", pathPrefix: "/users/" });
    h.attempts.length = 0;
    const result = await runAction(h.connector, "atlassian.revoke_api_tokens", bob);
    assert.deepEqual(result.output, { revoked: 1, alreadyGone: 0 });
    assert.deepEqual(
      attemptsOf("DELETE /users/{account_id}/manage/api-tokens/{tokenId}").map((a) => a.status),
      [502, 204],
    );
    const action = h.connector.actions.get("atlassian.revoke_api_tokens");
    const ctx = {
      client: h.connector.client,
      account: bob,
      clock: systemClock(),
      signal: new AbortController().signal,
    };
    const stale = await action?.execute(ctx, {}, { tokens: [{ id: "7c3e2a10-dead", label: "gone" }] });
    assert.deepEqual(stale?.output, { revoked: 0, alreadyGone: 1 });
  });

  test("an unmanaged account is refused by Atlassian (forbidden), and the plan knows it up front", async () => {
    const ursula = await account("ursula@partner.example");
    assert.match(
      h.connector.vendorRefuses?.(ursula, { actionId: "atlassian.revoke_api_tokens", input: {} }) ?? "",
      /only acts on managed accounts/,
    );
    await assert.rejects(
      runAction(h.connector, "atlassian.revoke_api_tokens", ursula),
      (e) => isKind(e, "forbidden") && e.detail.vendorCode === "forbidden",
    );
    const ghost = { ...ursula, id: "5b10ac8dffffffffffffffff" };
    await assert.rejects(
      runAction(h.connector, "atlassian.revoke_api_tokens", ghost),
      (e) => isCordonError(e) && e.kind === "not_found",
    );
  });
});

describe("atlassian connector: rate limits, profiles, config", () => {
  test("paces to the X-RateLimit-Limit the API announces: a budget of 3 a window, no 429, every call answered", async () => {
    // timeScale 60: the per-minute budget of 3 applies per second, on both sides.
    const paced = await atlassianHarness({ seed, timeScale: 60, rateLimitOverrides: { admin: 3 } });
    try {
      const started = Date.now();
      for (const email of [
        "dave@corp.example",
        "erin@corp.example",
        "carol@corp.example",
        "bob@corp.example",
      ])
        assert.equal((await paced.connector.findAccounts({ email, aliases: [] })).length, 1, email);
      // The first reply says the limit is 3; the fourth call waits for the (compressed) window to pass.
      assert.ok(Date.now() - started >= 950, `took only ${Date.now() - started} ms`);
      assert.deepEqual(
        paced.attempts.map((a) => a.status),
        [200, 200, 200, 200],
      );
    } finally {
      await paced.close();
    }
  });

  test("an emulator-enforced 429 (budget spent by someone else) is waited out, then the call succeeds", async () => {
    const clock = systemClock();
    const paced = await atlassianHarness({ seed, timeScale: 60, rateLimitOverrides: { admin: 2 } });
    try {
      // Another client spends the window's budget.
      for (let i = 0; i < 2; i++)
        await fetch(`${paced.server.url}/admin/v1/orgs/${paced.emulator.state.orgId}`, {
          headers: { authorization: `Bearer ${ATLASSIAN_TEST_KEY}` },
        }).then((r) => r.body?.cancel());
      const started = clock.now();
      assert.equal(
        (await paced.connector.findAccounts({ email: "dave@corp.example", aliases: [] })).length,
        1,
      );
      const statuses = paced.attempts.map((a) => a.status);
      // Unless the window happened to roll over in between, the first attempt was refused and retried.
      if (statuses.length === 2) assert.deepEqual(statuses, [429, 200]);
      else assert.deepEqual(statuses, [200]);
      assert.ok(clock.now() - started < 5_000);
    } finally {
      await paced.close();
    }
  });

  test("profiles: sessions is the token sweep (no session API exists); lock suspends first", () => {
    assert.deepEqual(
      h.connector.profile("sessions").map((c) => c.actionId),
      ["atlassian.revoke_api_tokens"],
    );
    assert.deepEqual(
      h.connector.profile("lock").map((c) => c.actionId),
      ["atlassian.suspend_access", "atlassian.revoke_api_tokens"],
    );
    for (const action of h.connector.actions.values()) {
      assert.match(action.docUrl, /^https:\/\/developer\.atlassian\.com\/cloud\/admin\//);
      if (action.kind === "contain") assert.ok(action.verify, action.id);
    }
  });

  test("config: the schema takes a secret reference; the environment describes a connection", () => {
    const ok = AtlassianConnection.safeParse({
      vendor: "atlassian",
      orgId: "6665a7b2-4644-44e8-932c-68d2f1b0c001",
      apiKey: "env:ATLASSIAN_ADMIN_API_KEY",
    });
    assert.equal(ok.success, true);
    assert.equal(
      AtlassianConnection.safeParse({ vendor: "atlassian", orgId: "o", apiKey: "ATATT3xFfGF0-literal" })
        .success,
      false,
    );
    assert.deepEqual(
      atlassianConnectionFromEnv({ ATLASSIAN_ORG_ID: "org-1", ATLASSIAN_ADMIN_API_KEY: "secret" }),
      { vendor: "atlassian", orgId: "org-1", apiKey: "env:ATLASSIAN_ADMIN_API_KEY" },
    );
    assert.deepEqual(
      atlassianConnectionFromEnv({
        ATLASSIAN_ORG_ID: "org-1",
        ATLASSIAN_ADMIN_API_KEY: "secret",
        ATLASSIAN_API_URL: "http://127.0.0.1:9999",
      })?.apiUrl,
      "http://127.0.0.1:9999",
    );
    assert.equal(atlassianConnectionFromEnv({ ATLASSIAN_ORG_ID: "org-1" }), undefined);
  });
});

describe("atlassian connector: contain and exact uncontain through the engine", () => {
  test("lock contains, records a pre-suspended user as found, and undo restores exactly what changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cordon-atlassian-"));
    const clock = systemClock();
    const store = openSqliteStore({ path: join(dir, "cordon.db"), clock });
    try {
      const connectors = [h.connector];
      const plan = await buildPlan(
        {
          subjects: ["page.user42@corp.example", "sam@corp.example", "ada@corp.example"],
          profile: "lock",
          reason: "INC-7",
          force: null,
          policy: DEFAULT_POLICY,
        },
        connectors,
        clock,
      );
      const decisions = Object.fromEntries(plan.items.map((i) => [i.account.email, i.decision]));
      assert.deepEqual(decisions, {
        "page.user42@corp.example": "contain",
        "sam@corp.example": "contain",
        "ada@corp.example": "skip",
      });
      state().addApiToken(state().findByEmail("page.user42@corp.example")!, "stolen laptop");
      const result = await applyPlan(plan, { clock, actor: "test", store, connectors });
      assert.equal(result.state, "completed");
      assert.equal(state().findByEmail("page.user42@corp.example")?.membershipStatus, "suspended");
      assert.equal(state().findByEmail("page.user42@corp.example")?.apiTokens.size, 0);
      assert.equal(state().findByEmail("sam@corp.example")?.apiTokens.size, 0);
      const samSuspend = result.steps.find(
        (s) => s.email === "sam@corp.example" && s.actionId === "atlassian.suspend_access",
      );
      assert.equal(samSuspend?.state, "already_in_state");

      const undo = await planUndo(result.runId, store, connectors, clock);
      assert.deepEqual(
        undo.items.flatMap((i) => i.calls.map((c) => `${i.account.email} ${c.actionId}`)),
        ["page.user42@corp.example atlassian.restore_access"],
      );
      assert.deepEqual(undo.notUndoable.map((n) => `${n.email} ${n.actionId}`).sort(), [
        "page.user42@corp.example atlassian.revoke_api_tokens",
        "sam@corp.example atlassian.revoke_api_tokens",
      ]);
      const undone = await applyUndo(undo, { clock, actor: "test", store, connectors });
      assert.equal(undone.state, "completed");
      assert.equal(state().findByEmail("page.user42@corp.example")?.membershipStatus, "active");
      // sam was suspended before the incident and stays so.
      assert.equal(state().findByEmail("sam@corp.example")?.membershipStatus, "suspended");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
