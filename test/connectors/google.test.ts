import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { googlePolicy } from "../../src/connectors/google/index.ts";
import type { Account } from "../../src/core/account.ts";
import { isCordonError } from "../../src/core/errors.ts";
import type { GoogleSeed } from "../../src/emulators/google/index.ts";
import { runAction } from "../../src/library.ts";
import { type GoogleHarness, googleHarness } from "../support/google-harness.ts";

const BULK = Array.from({ length: 520 }, (_, i) => ({ primaryEmail: `bulk.user${i + 1}@corp.example` }));

const seed: GoogleSeed = {
  users: [
    { primaryEmail: "admin@corp.example", isAdmin: true },
    {
      primaryEmail: "alice.anders@corp.example",
      aliases: ["al@corp.example"],
      sessions: 2,
      tokens: [
        {
          clientId: "1234-slack.apps.googleusercontent.com",
          displayText: "Slack",
          scopes: ["openid", "email"],
        },
        { clientId: "5678-zoom.apps.googleusercontent.com", displayText: "Zoom", nativeApp: true },
        { clientId: "9012-notes.apps.googleusercontent.com", displayText: "Notes" },
      ],
      asps: [{ name: "Thunderbird" }, { name: "iPhone Mail" }],
    },
    { primaryEmail: "bob.baker@corp.example", sessions: 1 },
    { primaryEmail: "carol.chen@corp.example", suspended: true, changePasswordAtNextLogin: true },
    { primaryEmail: "dave.diaz@corp.example" },
    { primaryEmail: "erin.eng@corp.example", isDelegatedAdmin: true },
    { primaryEmail: "frank.fox@corp.example", tokens: [{ clientId: "3456-crm.apps.googleusercontent.com" }] },
    ...BULK,
  ],
};

let h: GoogleHarness;
before(async () => {
  h = await googleHarness({ seed, adminSubject: "admin@corp.example" });
});
after(() => h.close());

async function account(email: string): Promise<Account> {
  const [found] = await h.connector.findAccounts({ email, aliases: [] });
  assert.ok(found, `${email} not found`);
  return found;
}
const state = () => h.emulator.state;
const user = (email: string) => state().findUser(email) ?? assert.fail(`no user ${email}`);
const kindIs = (kind: string) => (e: unknown) => isCordonError(e) && e.kind === kind;
const ghost = async (): Promise<Account> => ({
  ...(await account("dave.diaz@corp.example")),
  id: "100000000000000000999",
});

describe("google connector over HTTP", () => {
  test("finds a user by primary email or alias, says which, and marks admins protected", async () => {
    const alice = await account("alice.anders@corp.example");
    assert.match(alice.id, /^\d+$/);
    assert.equal(alice.status, "active");
    assert.equal(alice.displayName, "Alice Anders");
    assert.deepEqual(alice.protectedReasons, []);
    assert.equal(alice.matchedBy, "users.get primary alice.anders@corp.example");
    const byAlias = await h.connector.findAccounts({
      email: "al@corp.example",
      aliases: ["alice.anders@corp.example"],
    });
    assert.equal(byAlias.length, 1, "one account however many of its addresses are given");
    assert.equal(byAlias[0]?.matchedBy, "users.get alias al@corp.example");
    assert.equal((await account("carol.chen@corp.example")).status, "suspended");
    assert.deepEqual((await account("admin@corp.example")).protectedReasons, ["admin"]);
    assert.deepEqual((await account("erin.eng@corp.example")).protectedReasons, ["admin"]);
  });

  test("an unknown address is no account, and so is one in a domain the customer does not own", async () => {
    assert.deepEqual(await h.connector.findAccounts({ email: "nobody@corp.example", aliases: [] }), []);
    const found = await h.connector.findAccounts({
      email: "bob.baker@corp.example",
      aliases: ["bob.personal@gmail.example"],
    });
    assert.deepEqual(
      found.map((a) => a.email),
      ["bob.baker@corp.example"],
    );
  });

  test("the connection check names the impersonated admin, and the token is fetched once and cached", async () => {
    assert.deepEqual(await h.connector.check(), {
      ok: true,
      identity: "admin@corp.example (super admin)",
      problems: [],
    });
    assert.equal(state().tokensIssued, 1);
  });

  test("sign_out ends every session and says the effect is not observable through the API", async () => {
    const bob = await account("bob.baker@corp.example");
    assert.equal(state().sessionsOf(bob.id).length, 1);
    const result = await runAction(h.connector, "google.sign_out", bob);
    assert.equal(result.outcome, "applied");
    assert.equal(result.verification?.state, "not_observable");
    assert.match((result.verification as { why: string }).why, /no read of a user's sessions/);
    assert.equal(state().sessionsOf(bob.id).length, 0);
  });

  test("revoke_oauth_tokens snapshots each app by id and name, revokes all, verifies none left", async () => {
    const alice = await account("alice.anders@corp.example");
    const result = await runAction(h.connector, "google.revoke_oauth_tokens", alice);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(
      (result.snapshot as { clients: Array<{ clientId: string; displayText: string }> }).clients.map((c) => [
        c.clientId,
        c.displayText,
      ]),
      [
        ["1234-slack.apps.googleusercontent.com", "Slack"],
        ["5678-zoom.apps.googleusercontent.com", "Zoom"],
        ["9012-notes.apps.googleusercontent.com", "Notes"],
      ],
    );
    assert.deepEqual(result.verification, { state: "verified", observed: "0 OAuth grants left" });
    assert.equal(state().tokensOf(alice.id).length, 0);
    const again = await runAction(h.connector, "google.revoke_oauth_tokens", alice);
    assert.equal(again.outcome, "already_in_state");
  });

  test("delete_asps deletes every app password; none left is already_in_state", async () => {
    const alice = await account("alice.anders@corp.example");
    const result = await runAction(h.connector, "google.delete_asps", alice);
    assert.deepEqual(
      (result.snapshot as { asps: Array<{ name: string }> }).asps.map((a) => a.name),
      ["Thunderbird", "iPhone Mail"],
    );
    assert.deepEqual(result.verification, { state: "verified", observed: "0 app-specific passwords left" });
    assert.equal((await runAction(h.connector, "google.delete_asps", alice)).outcome, "already_in_state");
  });

  test("suspend: applied and verified, then already_in_state; unsuspend restores", async () => {
    const dave = await account("dave.diaz@corp.example");
    const first = await runAction(h.connector, "google.suspend_user", dave);
    assert.equal(first.outcome, "applied");
    assert.deepEqual(first.snapshot, { suspended: false });
    assert.deepEqual(first.verification, { state: "verified", observed: "suspended true (ADMIN)" });
    assert.equal((await runAction(h.connector, "google.suspend_user", dave)).outcome, "already_in_state");
    const back = await runAction(h.connector, "google.unsuspend_user", dave);
    assert.deepEqual(back.verification, { state: "verified", observed: "suspended false" });
    assert.equal(user("dave.diaz@corp.example").suspended, false);
    assert.equal((await runAction(h.connector, "google.unsuspend_user", dave)).outcome, "already_in_state");
    assert.equal(
      (await runAction(h.connector, "google.suspend_user", await account("carol.chen@corp.example"))).outcome,
      "already_in_state",
    );
  });

  test("force_password_change is undone exactly from its snapshot, whatever the prior value", async () => {
    const force = h.connector.actions.get("google.force_password_change");
    assert.ok(force?.restoreInput);
    const dave = await account("dave.diaz@corp.example");
    const forced = await runAction(h.connector, "google.force_password_change", dave);
    assert.equal(forced.outcome, "applied");
    assert.deepEqual(forced.snapshot, { changeAtNextLogin: false });
    assert.deepEqual(forced.verification, { state: "verified", observed: "changePasswordAtNextLogin true" });
    assert.equal(user("dave.diaz@corp.example").changePasswordAtNextLogin, true);
    const undo = await runAction(
      h.connector,
      "google.clear_password_change",
      dave,
      force.restoreInput(forced.snapshot),
    );
    assert.equal(undo.outcome, "applied");
    assert.equal(user("dave.diaz@corp.example").changePasswordAtNextLogin, false);
    // Carol already had to change her password: forcing changes nothing, and restoring keeps it required.
    const carol = await account("carol.chen@corp.example");
    const already = await runAction(h.connector, "google.force_password_change", carol);
    assert.equal(already.outcome, "already_in_state");
    const keep = await runAction(
      h.connector,
      "google.clear_password_change",
      carol,
      force.restoreInput(already.snapshot),
    );
    assert.equal(keep.outcome, "already_in_state");
    assert.equal(user("carol.chen@corp.example").changePasswordAtNextLogin, true);
  });

  test("an unknown user id is not_found for every action", async () => {
    const nobody = await ghost();
    for (const id of [
      "google.sign_out",
      "google.revoke_oauth_tokens",
      "google.delete_asps",
      "google.suspend_user",
      "google.force_password_change",
    ]) {
      await assert.rejects(runAction(h.connector, id, nobody), kindIs("not_found"), id);
    }
  });

  test("a 403 userRateLimitExceeded and a 429 are waited out and the call succeeds", async () => {
    const frank = await account("frank.fox@corp.example");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 403,
      retryAfterSeconds: 0.05,
      method: "GET",
      pathPrefix: "/admin/directory/v1/users/",
      count: 1,
    });
    await h.fault({ kind: "status", status: 429, retryAfterSeconds: 0.05, method: "DELETE", count: 1 });
    const result = await runAction(h.connector, "google.revoke_oauth_tokens", frank);
    assert.equal(result.verification?.state, "verified");
    assert.deepEqual(
      h.attempts.map((a) => [a.operation, a.status, a.errorKind]),
      [
        ["GET /admin/directory/v1/users/{userKey}/tokens", 403, "rate_limited"],
        ["GET /admin/directory/v1/users/{userKey}/tokens", 200, null],
        ["DELETE /admin/directory/v1/users/{userKey}/tokens/{clientId}", 429, "rate_limited"],
        ["DELETE /admin/directory/v1/users/{userKey}/tokens/{clientId}", 204, null],
        ["GET /admin/directory/v1/users/{userKey}/tokens", 200, null],
      ],
    );
  });

  test("a 5xx is retried for these idempotent calls, and a dropped connection too", async () => {
    const dave = await account("dave.diaz@corp.example");
    h.attempts.length = 0;
    await h.fault({ kind: "status", status: 503, method: "PUT", count: 1 });
    await h.fault({
      kind: "status",
      status: 500,
      method: "POST",
      pathPrefix: "/admin/directory/v1/users/",
      count: 1,
    });
    assert.equal((await runAction(h.connector, "google.suspend_user", dave)).outcome, "applied");
    assert.equal((await runAction(h.connector, "google.sign_out", dave)).outcome, "applied");
    assert.deepEqual(
      h.attempts
        .filter((a) => a.operation !== "GET /admin/directory/v1/users/{userKey}")
        .map((a) => a.status),
      [503, 200, 500, 204],
    );
    await runAction(h.connector, "google.unsuspend_user", dave);
    h.attempts.length = 0;
    await h.fault({ kind: "drop", method: "GET", count: 1 });
    await account("dave.diaz@corp.example");
    assert.equal(h.attempts[0]?.errorKind, "transient");
  });

  test("findAccountsBulk walks every page of users.list (500 a page) and matches aliases", async () => {
    h.attempts.length = 0;
    const found = await h.connector.findAccountsBulk?.([
      { email: "bulk.user517@corp.example", aliases: [] },
      { email: "alice@elsewhere.example", aliases: ["al@corp.example"] },
      { email: "nobody@corp.example", aliases: [] },
    ]);
    assert.ok(found);
    assert.deepEqual(
      found.get("bulk.user517@corp.example")?.map((a) => a.email),
      ["bulk.user517@corp.example"],
    );
    assert.deepEqual(
      found.get("alice@elsewhere.example")?.map((a) => [a.email, a.matchedBy]),
      [["alice.anders@corp.example", "users.list alias"]],
    );
    assert.deepEqual(found.get("nobody@corp.example"), []);
    assert.equal(h.attempts.filter((a) => a.operation === "GET /admin/directory/v1/users").length, 2);
  });

  test("the profiles, and no suspending the admin the connection acts as", async () => {
    assert.deepEqual(
      h.connector.profile("lock").map((c) => c.actionId),
      ["google.suspend_user", "google.sign_out", "google.revoke_oauth_tokens", "google.delete_asps"],
    );
    assert.deepEqual(
      h.connector.profile("sessions").map((c) => c.actionId),
      ["google.sign_out", "google.revoke_oauth_tokens", "google.delete_asps"],
    );
    const admin = await account("admin@corp.example");
    assert.match(
      h.connector.vendorRefuses?.(admin, { actionId: "google.suspend_user", input: {} }) ?? "",
      /impersonates/,
    );
    assert.equal(h.connector.vendorRefuses?.(admin, { actionId: "google.sign_out", input: {} }), null);
  });
});

describe("google connector: credentials and permissions", () => {
  test("a failed token request is retried with the Directory call", async () => {
    const fresh = await googleHarness({ seed, adminSubject: "admin@corp.example" });
    try {
      await fresh.fault({ kind: "status", status: 503, pathPrefix: "/token", count: 1 });
      const [alice] = await fresh.connector.findAccounts({ email: "alice.anders@corp.example", aliases: [] });
      assert.ok(alice);
      assert.deepEqual(
        fresh.attempts.map((a) => a.errorKind),
        ["transient", null],
      );
    } finally {
      await fresh.close();
    }
  });

  test("a non-admin subject gets a token but no Directory access: forbidden, and check() says why", async () => {
    const bobAsAdmin = await googleHarness({ seed, adminSubject: "bob.baker@corp.example" });
    try {
      await assert.rejects(
        bobAsAdmin.connector.findAccounts({ email: "alice.anders@corp.example", aliases: [] }),
        (e) => kindIs("forbidden")(e) && /impersonated admin is not allowed/.test((e as Error).message),
      );
      const check = await bobAsAdmin.connector.check();
      assert.equal(check.ok, false);
    } finally {
      await bobAsAdmin.close();
    }
  });

  test("scopes not delegated to the client id: forbidden, naming the scopes", async () => {
    const narrow = await googleHarness({
      seed,
      adminSubject: "admin@corp.example",
      delegatedScopes: ["https://www.googleapis.com/auth/admin.directory.user"],
    });
    try {
      await assert.rejects(
        narrow.connector.findAccounts({ email: "alice.anders@corp.example", aliases: [] }),
        (e) => {
          assert.ok(isCordonError(e) && e.detail.kind === "forbidden");
          assert.match(e.detail.neededScope ?? "", /admin\.directory\.user\.security/);
          assert.match(e.message, /unauthorized_client/);
          return true;
        },
      );
    } finally {
      await narrow.close();
    }
  });

  test("an unknown admin subject is an auth error; a broken key file is a config error that quotes nothing", async () => {
    const wrong = await googleHarness({ seed, adminSubject: "ghost@corp.example" });
    try {
      await assert.rejects(
        wrong.connector.findAccounts({ email: "alice.anders@corp.example", aliases: [] }),
        (e) => kindIs("auth")(e) && /Invalid email or User ID/.test((e as Error).message),
      );
      const broken = await googleHarness({ seed, adminSubject: "admin@corp.example" });
      try {
        writeFileSync(
          broken.keyFile,
          '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv-secret-material",',
        );
        const check = await broken.connector.check();
        assert.equal(check.ok, false);
        assert.match(check.problems[0] ?? "", /not a JSON service-account key file/);
        assert.doesNotMatch(JSON.stringify(check), /secret-material|BEGIN/);
      } finally {
        await broken.close();
      }
    } finally {
      await wrong.close();
    }
  });

  test("403 reasons are told apart: missing scope names it, the daily limit is not retried", () => {
    const reply = (status: number, reason: string, headers: Record<string, string> = {}) => ({
      status,
      headers: new Headers(headers),
      body: { error: { code: status, message: "m", errors: [{ reason, domain: "global", message: "m" }] } },
    });
    const scope = googlePolicy.classify(
      reply(403, "insufficientPermissions", {
        "www-authenticate":
          'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="x y"',
      }),
      "POST /admin/directory/v1/users/{userKey}/signOut",
      0,
    );
    assert.equal(scope?.detail.kind, "forbidden");
    assert.equal(
      scope?.detail.kind === "forbidden" && scope.detail.neededScope,
      "https://www.googleapis.com/auth/admin.directory.user.security",
    );
    assert.equal(googlePolicy.classify(reply(403, "dailyLimitExceeded"), "GET /x", 0)?.kind, "forbidden");
    assert.equal(googlePolicy.classify(reply(403, "quotaExceeded"), "GET /x", 0)?.kind, "rate_limited");
    assert.equal(googlePolicy.classify(reply(400, "invalid"), "PUT /x", 0)?.kind, "vendor");
  });
});
