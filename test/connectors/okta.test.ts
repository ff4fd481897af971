import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Account } from "../../src/core/account.ts";
import { isCordonError } from "../../src/core/errors.ts";
import type { OktaEmulator } from "../../src/emulators/okta/index.ts";
import { runAction } from "../../src/library.ts";
import { type Harness, oktaHarness } from "../support/harness.ts";

const manyTokens = Array.from({ length: 205 }, (_, i) => ({ name: `automation-${i}` }));
const seed = {
  users: [
    { email: "admin@corp.example", admin: true },
    {
      email: "alice@corp.example",
      firstName: "Alice",
      sessions: 2,
      oauthClients: [
        { clientId: "0oaslack00000000001", refreshTokens: 2 },
        { clientId: "0oazoom000000000001", refreshTokens: 1 },
      ],
      grants: 205,
      factors: ["push" as const, "totp" as const],
      apiTokens: manyTokens,
    },
    { email: "bob@corp.example", sessions: 1, apiTokens: [{ name: "bob-token" }] },
    { email: "sus@corp.example", status: "SUSPENDED" as const },
    { email: "carol@corp.example" },
    { email: "dave@corp.example" },
  ],
  tokenOwner: "admin@corp.example",
};

let h: Harness<OktaEmulator>;
before(async () => {
  h = await oktaHarness({ seed });
});
after(() => h.close());

async function account(email: string): Promise<Account> {
  const [found] = await h.connector.findAccounts({ email, aliases: [] });
  assert.ok(found, `${email} not found`);
  return found;
}
const state = () => h.emulator.state;

describe("okta connector over HTTP", () => {
  test("finds a user by email with search, reads admin roles, and says when there is none", async () => {
    const alice = await account("alice@corp.example");
    assert.match(alice.id, /^00u/);
    assert.equal(alice.status, "ACTIVE");
    assert.deepEqual(alice.protectedReasons, []);
    assert.deepEqual((await account("admin@corp.example")).protectedReasons, ["admin"]);
    assert.deepEqual(await h.connector.findAccounts({ email: "nobody@corp.example", aliases: [] }), []);
  });

  test("connection check names the token's owner", async () => {
    assert.deepEqual(await h.connector.check(), { ok: true, identity: "admin@corp.example", problems: [] });
  });

  test("suspend: applied and verified, then already_in_state; unsuspend restores", async () => {
    const carol = await account("carol@corp.example");
    const first = await runAction(h.connector, "okta.suspend_user", carol);
    assert.equal(first.outcome, "applied");
    assert.deepEqual(first.snapshot, { status: "ACTIVE" });
    assert.deepEqual(first.verification, { state: "verified", observed: "status SUSPENDED" });
    assert.equal((await runAction(h.connector, "okta.suspend_user", carol)).outcome, "already_in_state");
    assert.equal((await runAction(h.connector, "okta.unsuspend_user", carol)).outcome, "applied");
    assert.equal(state().findUserByLogin("carol@corp.example")?.status, "ACTIVE");
  });

  test("an already suspended user is already_in_state, and unsuspend of an active user too", async () => {
    assert.equal(
      (await runAction(h.connector, "okta.suspend_user", await account("sus@corp.example"))).outcome,
      "already_in_state",
    );
    assert.equal(
      (await runAction(h.connector, "okta.unsuspend_user", await account("carol@corp.example"))).outcome,
      "already_in_state",
    );
  });

  test("an unknown user id is not_found", async () => {
    const ghost = { ...(await account("carol@corp.example")), id: "00u0000000000000000" };
    for (const id of ["okta.suspend_user", "okta.clear_sessions", "okta.revoke_grants"]) {
      await assert.rejects(
        runAction(h.connector, id, ghost),
        (e) => isCordonError(e) && e.kind === "not_found",
        id,
      );
    }
  });

  test("clear_sessions with oauthTokens ends sessions and refresh tokens, and verifies the tokens", async () => {
    const alice = await account("alice@corp.example");
    assert.equal(state().sessionCount(alice.id), 2);
    const result = await runAction(h.connector, "okta.clear_sessions", alice);
    assert.equal(result.outcome, "applied");
    assert.equal(result.verification?.state, "verified");
    assert.match(
      (result.verification as { observed: string }).observed,
      /0 refresh tokens left; sessions cannot be listed/,
    );
    assert.equal(state().sessionCount(alice.id), 0);
    assert.equal(state().refreshTokensOf(alice.id).length, 0);
  });

  test("clear_sessions without oauthTokens says the effect is not observable", async () => {
    const bob = await account("bob@corp.example");
    const result = await runAction(h.connector, "okta.clear_sessions", bob, { oauthTokens: false });
    assert.equal(result.verification?.state, "not_observable");
  });

  test("revoke_grants reads every page of grants (205 at 200 a page) into its snapshot", async () => {
    const alice = await account("alice@corp.example");
    h.attempts.length = 0;
    const result = await runAction(h.connector, "okta.revoke_grants", alice);
    assert.equal((result.snapshot as { grants: unknown[] }).grants.length, 205);
    assert.equal(
      h.attempts.filter((a) => a.operation === "GET /api/v1/users/{id}/grants").length,
      3,
      "two pages for the snapshot, one to verify",
    );
    assert.deepEqual(result.verification, { state: "verified", observed: "0 grants left" });
    assert.equal((await runAction(h.connector, "okta.revoke_grants", alice)).outcome, "already_in_state");
  });

  test("revoke_user_api_tokens finds the user's tokens on every page and leaves others' alone", async () => {
    const alice = await account("alice@corp.example");
    const listed = await runAction(h.connector, "okta.list_api_tokens", alice);
    assert.equal((listed.output as { tokens: unknown[] }).tokens.length, 205);
    const result = await runAction(h.connector, "okta.revoke_user_api_tokens", alice);
    assert.equal((result.snapshot as { tokens: unknown[] }).tokens.length, 205);
    assert.equal(result.verification?.state, "verified");
    const bob = await account("bob@corp.example");
    assert.equal(
      ((await runAction(h.connector, "okta.list_api_tokens", bob)).output as { tokens: unknown[] }).tokens
        .length,
      1,
    );
  });

  test("revoke_api_token refuses a token that belongs to someone else", async () => {
    const bob = await account("bob@corp.example");
    const carol = await account("carol@corp.example");
    const [bobToken] = (
      (await runAction(h.connector, "okta.list_api_tokens", bob)).output as {
        tokens: Array<{ id: string }>;
      }
    ).tokens;
    assert.ok(bobToken, "alice has a token in the seed");
    await assert.rejects(
      runAction(h.connector, "okta.revoke_api_token", carol, { tokenId: bobToken.id }),
      (error: { kind?: string; message?: string }) =>
        error.kind === "policy" && /belongs to another Okta user/.test(error.message ?? ""),
    );
    const after = (await runAction(h.connector, "okta.list_api_tokens", bob)).output as {
      tokens: Array<{ id: string }>;
    };
    assert.ok(
      after.tokens.some((t) => t.id === bobToken.id),
      "bob's token is untouched",
    );
  });

  test("revoke_api_token by id; a second revoke is already_in_state", async () => {
    const bob = await account("bob@corp.example");
    const [token] = (
      (await runAction(h.connector, "okta.list_api_tokens", bob)).output as { tokens: Array<{ id: string }> }
    ).tokens;
    assert.ok(token);
    assert.equal(
      (await runAction(h.connector, "okta.revoke_api_token", bob, { tokenId: token.id })).outcome,
      "applied",
    );
    assert.equal(
      (await runAction(h.connector, "okta.revoke_api_token", bob, { tokenId: token.id })).outcome,
      "already_in_state",
    );
  });

  test("revoke_refresh_tokens per client; none left is already_in_state", async () => {
    const bob = await account("bob@corp.example");
    assert.equal(
      (await runAction(h.connector, "okta.revoke_refresh_tokens", bob)).outcome,
      "already_in_state",
    );
  });

  test("reset_password needs an explicit sendEmail and never returns the reset URL", async () => {
    const bob = await account("bob@corp.example");
    await assert.rejects(
      runAction(h.connector, "okta.reset_password", bob, {}),
      (e) => isCordonError(e) && e.kind === "invalid_input",
    );
    const result = await runAction(h.connector, "okta.reset_password", bob, { sendEmail: false });
    assert.deepEqual(result.output, { emailSent: false });
    assert.doesNotMatch(JSON.stringify(result), /reset_password|resetPasswordUrl|\/signin\//i);
    assert.equal(result.verification?.state, "verified");
  });

  test("expire_password and reset_factors", async () => {
    const alice = await account("alice@corp.example");
    assert.equal((await runAction(h.connector, "okta.reset_factors", alice)).verification?.state, "verified");
    assert.equal((await runAction(h.connector, "okta.reset_factors", alice)).outcome, "already_in_state");
    const carol = await account("carol@corp.example");
    assert.deepEqual((await runAction(h.connector, "okta.expire_password", carol)).verification, {
      state: "verified",
      observed: "status PASSWORD_EXPIRED",
    });
  });

  test("deactivate then reactivate (activate without email)", async () => {
    const carol = await account("carol@corp.example");
    assert.equal(
      (await runAction(h.connector, "okta.deactivate_user", carol)).verification?.state,
      "verified",
    );
    assert.equal((await runAction(h.connector, "okta.deactivate_user", carol)).outcome, "already_in_state");
    const back = await runAction(h.connector, "okta.reactivate_user", carol);
    assert.equal(back.outcome, "applied");
    assert.ok(
      ["ACTIVE", "PROVISIONED"].includes(state().findUserByLogin("carol@corp.example")?.status ?? ""),
    );
  });

  test("a 429 waits for X-Rate-Limit-Reset and the call succeeds", async () => {
    const dave = await account("dave@corp.example");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0.05,
      pathPrefix: "/api/v1/users/",
      method: "POST",
      count: 2,
    });
    const result = await runAction(h.connector, "okta.suspend_user", dave);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(
      h.attempts.filter((a) => a.operation.includes("lifecycle/suspend")).map((a) => a.status),
      [429, 429, 200],
    );
  });

  test("a 5xx is retried for idempotent calls but not for reset_password", async () => {
    const bob = await account("bob@corp.example");
    h.attempts.length = 0;
    await h.fault({ kind: "status", status: 500, pathPrefix: "/api/v1/users/", method: "DELETE", count: 1 });
    assert.equal((await runAction(h.connector, "okta.clear_sessions", bob)).outcome, "applied");
    assert.deepEqual(
      h.attempts.filter((a) => a.operation === "DELETE /api/v1/users/{id}/sessions").map((a) => a.status),
      [500, 204],
    );
    await h.fault({ kind: "status", status: 503, pathPrefix: "/api/v1/users/", method: "POST", count: 1 });
    await assert.rejects(
      runAction(h.connector, "okta.reset_password", bob, { sendEmail: false }),
      (e) => isCordonError(e) && e.kind === "transient",
    );
  });

  test("a dropped connection is retried for idempotent reads", async () => {
    h.attempts.length = 0;
    await h.fault({ kind: "drop", pathPrefix: "/api/v1/users", method: "GET", count: 1 });
    await account("bob@corp.example");
    assert.equal(h.attempts[0]?.errorKind, "transient");
  });
});

describe("okta rate limits", () => {
  test("the governor learns the org's limit from X-Rate-Limit-Limit and paces under it, without 429s", async () => {
    const small = await oktaHarness({
      seed: { users: [{ email: "a@corp.example" }] },
      rateLimitOverrides: { "api-v1": 5 },
      timeScale: 60,
    });
    try {
      const [a] = await small.connector.findAccounts({ email: "a@corp.example", aliases: [] });
      assert.ok(a);
      const started = Date.now();
      for (let i = 0; i < 11; i++) await runAction(small.connector, "okta.list_api_tokens", a);
      const other = small.attempts.filter((x) => x.bucket === "other");
      assert.equal(other.length, 12, "roles + 11 listings");
      assert.equal(other.filter((x) => x.status === 429).length, 0);
      // 12 calls at 5 per (compressed) second need at least two full windows.
      assert.ok(Date.now() - started >= 2_000, `took only ${Date.now() - started} ms`);
    } finally {
      await small.close();
    }
  });
});

describe("okta bulk lookup", () => {
  // 250 p-users (p5 deprovisioned; p0 and p100–p200 hold admin roles, so two pages of role assignees) and one
  // whose login differs from its email: 250 listed users (two pages of 200) plus one DEPROVISIONED.
  const isAdmin = (i: number) => i === 0 || (i >= 100 && i <= 200);
  const bulkSeed = {
    users: [
      ...Array.from({ length: 250 }, (_, i) => ({
        email: `p${i}@corp.example`,
        ...(i === 5 ? { status: "DEPROVISIONED" as const } : {}),
        ...(isAdmin(i) ? { admin: true } : {}),
      })),
      { email: "jane@mail.example", login: "jdoe@corp.example" },
    ],
  };
  const subjects = [
    ...Array.from({ length: 247 }, (_, i) => ({ email: `p${i}@corp.example`, aliases: [] })),
    { email: "jdoe@corp.example", aliases: [] },
    { email: "nobody@corp.example", aliases: [] },
    { email: "someone@else.example", aliases: ["P249@Corp.Example"] },
  ];
  let big: Harness<OktaEmulator>;
  before(async () => {
    big = await oktaHarness({ seed: bulkSeed });
  });
  after(() => big.close());

  test("250 people in a handful of requests: every page of users, the DEPROVISIONED, admins protected", async () => {
    big.attempts.length = 0;
    const found = await big.connector.findAccountsBulk!(subjects);
    assert.equal(found.size, 250);
    const counts = new Map<string, number>();
    for (const a of big.attempts) counts.set(a.operation, (counts.get(a.operation) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), {
      "GET /api/v1/users": 2,
      "GET /api/v1/users?filter": 1,
      "GET /api/v1/iam/assignees/users": 2,
    });
    assert.ok(big.attempts.length <= 5 && big.attempts.every((a) => a.status === 200));

    for (let i = 0; i < 247; i++) {
      const accounts = found.get(`p${i}@corp.example`)!;
      assert.equal(accounts.length, 1, `p${i}`);
      assert.deepEqual(accounts[0]!.protectedReasons, isAdmin(i) ? ["admin"] : [], `p${i}`);
      assert.equal(accounts[0]!.matchedBy, `users list profile.email=p${i}@corp.example`);
    }
    assert.equal(found.get("p5@corp.example")![0]!.status, "DEPROVISIONED");
    assert.equal(found.get("p246@corp.example")![0]!.status, "ACTIVE", "on the second page");
    const [jane] = found.get("jdoe@corp.example")!;
    assert.equal(jane?.email, "jane@mail.example");
    assert.deepEqual(jane?.aliases, ["jdoe@corp.example"]);
    assert.equal(jane?.matchedBy, "users list profile.login=jdoe@corp.example");
    assert.deepEqual(found.get("nobody@corp.example"), []);
    const [viaAlias] = found.get("someone@else.example")!;
    assert.equal(viaAlias?.email, "p249@corp.example");
    assert.equal(viaAlias?.matchedBy, "users list profile.email=P249@Corp.Example");
  });

  test("finds the same accounts as findAccounts, apart from matchedBy", async () => {
    const sample = [0, 5, 150, 246].map((i) => subjects[i]!).concat(subjects.slice(247));
    const bulk = await big.connector.findAccountsBulk!(sample);
    const strip = (accounts: Account[]) => accounts.map(({ matchedBy: _, ...rest }) => rest);
    for (const subject of sample) {
      assert.deepEqual(
        strip(bulk.get(subject.email)!),
        strip(await big.connector.findAccounts(subject)),
        subject.email,
      );
    }
  });

  test("a failing role walk fails the lookup rather than leaving admins unprotected", async () => {
    await big.fault({ kind: "status", status: 403, pathPrefix: "/api/v1/iam/", count: 1 });
    await assert.rejects(big.connector.findAccountsBulk!(subjects.slice(0, 3)), (e) => isCordonError(e));
  });
});
