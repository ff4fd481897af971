import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GithubConnection, githubConnectionFromEnv } from "../../src/connectors/github/config.ts";
import { createGithubConnector, githubActions } from "../../src/connectors/github/index.ts";
import type { Account } from "../../src/core/account.ts";
import { systemClock } from "../../src/core/clock.ts";
import { CONTAINMENT_PROFILES } from "../../src/core/connector.ts";
import { isCordonError } from "../../src/core/errors.ts";
import type { GithubEmulator, GithubSeed } from "../../src/emulators/github/index.ts";
import { RateGovernor } from "../../src/http/governor.ts";
import { runAction } from "../../src/library.ts";
import { GITHUB_TEST_TOKEN, githubHarness } from "../support/github-harness.ts";
import type { Harness } from "../support/harness.ts";

const filler = Array.from({ length: 150 }, (_, i) => ({ nameId: `former${i}@corp.example`, login: null }));

const SEED: GithubSeed = {
  users: [
    { login: "outsider", name: "Not In The Org" },
    { login: "alice", name: "Alice Anders" },
  ],
  orgs: [
    {
      login: "acme",
      members: [
        { login: "root", role: "admin" },
        { login: "carol", role: "admin" },
        "alice",
        "bob",
        "dave",
        "frank",
        "gina",
      ],
      invitations: [{ login: "erin", role: "member" }],
      teams: [
        { slug: "eng" },
        { slug: "platform", parent: "eng", members: [{ login: "alice", role: "maintainer" }, "dave"] },
        { slug: "security", members: ["alice", { login: "carol", role: "maintainer" }] },
      ],
      saml: {
        identities: [
          ...filler,
          { nameId: "Alice@Corp.example", login: "alice" },
          { nameId: "a.anders@corp.example", login: "alice" },
          { nameId: "bob@corp.example", login: "bob" },
          { nameId: "carol@corp.example", login: "carol" },
          { nameId: "dave@corp.example", login: "dave" },
          { nameId: "erin@corp.example", login: "erin" },
          { nameId: "gina@corp.example", login: "gina" },
          { nameId: "shared@corp.example", login: "bob" },
          { nameId: "unclaimed@corp.example", login: null },
        ],
      },
      credentialAuthorizations: [
        { login: "alice", count: 120 },
        { login: "alice", type: "SSH Key", title: "laptop" },
        { login: "bob", count: 2 },
        { login: "gina", count: 1 },
      ],
    },
  ],
  tokenOwner: "root",
};

const LOGINS = {
  "frank@corp.example": "frank",
  "shared@corp.example": "dave",
  "old@corp.example": "outsider",
  "typo@corp.example": "no-such-user",
};

let h: Harness<GithubEmulator>;
before(async () => {
  h = await githubHarness({ seed: SEED, logins: LOGINS });
});
after(() => h.close());

const org = () => h.emulator.state.org("acme")!;

async function account(email: string): Promise<Account> {
  const found = await h.connector.findAccounts({ email, aliases: [] });
  assert.equal(found.length, 1, `${email}: ${found.length} accounts`);
  return found[0]!;
}

const attempts = (operation: string) => h.attempts.filter((a) => a.operation === operation);

function rejectsWith(kind: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(isCordonError(error), String(error));
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  };
}

describe("github connector: lookup", () => {
  test("finds a member by SAML nameId (all GraphQL pages, case-insensitive) and caches the identities", async () => {
    h.attempts.length = 0;
    const alice = await account("alice@corp.example");
    assert.equal(attempts("POST /graphql").length, 2, "160 identities: two pages of 100");
    assert.deepEqual(
      { ...alice, id: undefined },
      {
        connection: "github",
        vendor: "github",
        id: undefined,
        email: "alice@corp.example",
        login: "alice",
        displayName: undefined, // memberships carry a simple-user, without the name
        status: "member",
        protectedReasons: [],
        matchedBy: "SAML nameId alice@corp.example",
      },
    );
    assert.equal(alice.id, String(h.emulator.state.user("alice")!.id));
    await account("bob@corp.example");
    assert.equal(attempts("POST /graphql").length, 2, "the second lookup reuses the identities");
  });

  test("an alias matching the same login yields one account naming both matches", async () => {
    const found = await h.connector.findAccounts({
      email: "alice@corp.example",
      aliases: ["a.anders@corp.example"],
    });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.matchedBy, "SAML nameId alice@corp.example; SAML nameId a.anders@corp.example");
  });

  test("owners are protected; pending invitees and outsiders say so in their status", async () => {
    const carol = await account("carol@corp.example");
    assert.deepEqual([carol.status, carol.protectedReasons], ["admin", ["owner"]]);
    assert.equal((await account("erin@corp.example")).status, "invited");
    const outsider = await account("old@corp.example");
    assert.deepEqual(
      [outsider.login, outsider.status, outsider.matchedBy],
      ["outsider", "not_member", "logins mapping old@corp.example"],
    );
  });

  test("falls back to the logins mapping; conflicting matches are all shown, never guessed", async () => {
    const frank = await account("frank@corp.example");
    assert.deepEqual([frank.login, frank.matchedBy], ["frank", "logins mapping frank@corp.example"]);
    const shared = await h.connector.findAccounts({ email: "shared@corp.example", aliases: [] });
    assert.deepEqual(
      shared.map((a) => [a.login, a.matchedBy]),
      [
        ["bob", "SAML nameId shared@corp.example"],
        ["dave", "logins mapping shared@corp.example"],
      ],
    );
  });

  test("nobody: no account; an unclaimed identity matches nothing; a mapping to a missing user is a config error", async () => {
    assert.deepEqual(await h.connector.findAccounts({ email: "nobody@corp.example", aliases: [] }), []);
    assert.deepEqual(await h.connector.findAccounts({ email: "unclaimed@corp.example", aliases: [] }), []);
    await assert.rejects(
      h.connector.findAccounts({ email: "typo@corp.example", aliases: [] }),
      rejectsWith("config", /no-such-user, which is not a GitHub user/),
    );
  });

  test("bulk lookup reads the member lists once and agrees with single lookups", async () => {
    h.attempts.length = 0;
    const bulk = await h.connector.findAccountsBulk!([
      { email: "alice@corp.example", aliases: [] },
      { email: "carol@corp.example", aliases: [] },
      { email: "erin@corp.example", aliases: [] },
      { email: "nobody@corp.example", aliases: [] },
    ]);
    assert.deepEqual(
      [...bulk].map(([email, accounts]) => [
        email,
        accounts.map((a) => `${a.login}:${a.status}:${a.protectedReasons.join()}`),
      ]),
      [
        ["alice@corp.example", ["alice:member:"]],
        ["carol@corp.example", ["carol:admin:owner"]],
        ["erin@corp.example", ["erin:invited:"]],
        ["nobody@corp.example", []],
      ],
    );
    assert.equal(attempts("GET /orgs/{org}/memberships/{username}").length, 0);
  });

  test("an org without SAML and without a mapping cannot map emails: a config error, not 'no account'", async () => {
    const bare = await githubHarness({
      seed: { orgs: [{ login: "acme", members: [{ login: "root", role: "admin" }] }] },
    });
    try {
      await assert.rejects(
        bare.connector.findAccounts({ email: "alice@corp.example", aliases: [] }),
        rejectsWith("config", /no organization-level SAML identities/),
      );
    } finally {
      await bare.close();
    }
  });

  test("an unknown org is not_found", async () => {
    const clock = systemClock();
    const wrong = createGithubConnector(
      { connection: "github", org: "nope", token: GITHUB_TEST_TOKEN, apiUrl: h.server.url },
      { clock, governor: new RateGovernor({ clock }) },
    );
    await assert.rejects(
      wrong.findAccounts({ email: "alice@corp.example", aliases: [] }),
      rejectsWith("not_found"),
    );
  });

  test("check names the token's owner and its owner role", async () => {
    assert.deepEqual(await h.connector.check(), { ok: true, identity: "root @ acme", problems: [] });
    const weak = await githubHarness({
      seed: {
        orgs: [{ login: "acme", members: [{ login: "root", role: "admin" }, "alice"] }],
        tokens: [{ token: GITHUB_TEST_TOKEN, owner: "alice", scopes: ["read:org"] }],
      },
    });
    try {
      const result = await weak.connector.check();
      assert.equal(result.ok, false);
      assert.equal(result.identity, "alice @ acme");
      assert.deepEqual(result.problems, [
        "alice is a member of acme, not an owner: removing members and SSO authorizations needs an owner",
        "the token lacks the admin:org scope (it has: read:org)",
      ]);
    } finally {
      await weak.close();
    }
  });
});

describe("github connector: revoke_sso_authorizations", () => {
  test("snapshots every page of the user's authorizations (no secrets), removes each, verifies none left", async () => {
    const alice = await account("alice@corp.example");
    h.attempts.length = 0;
    const result = await runAction(h.connector, "github.revoke_sso_authorizations", alice);
    const credentials = (result.snapshot as { credentials: Array<Record<string, unknown>> }).credentials;
    assert.equal(credentials.length, 121);
    assert.deepEqual(Object.keys(credentials[0]!), [
      "id",
      "type",
      "lastEight",
      "fingerprint",
      "authorizedAt",
    ]);
    assert.equal(credentials.at(-1)!.type, "SSH Key");
    assert.match(String(credentials.at(-1)!.fingerprint), /^SHA256:/);
    assert.equal(
      attempts("GET /orgs/{org}/credential-authorizations").length,
      3,
      "two pages, then one to verify",
    );
    assert.equal(result.outcome, "applied");
    assert.deepEqual(result.output, { removed: 121, alreadyGone: 0 });
    assert.deepEqual(result.verification, {
      state: "verified",
      observed: "0 SSO credential authorizations left for alice",
    });
    assert.equal(h.emulator.state.credentialAuthorizationsOf(org(), "alice").length, 0);
    assert.equal(
      h.emulator.state.credentialAuthorizationsOf(org(), "bob").length,
      2,
      "others' are untouched",
    );
  });

  test("nothing left is already_in_state", async () => {
    const alice = await account("alice@corp.example");
    const again = await runAction(h.connector, "github.revoke_sso_authorizations", alice);
    assert.equal(again.outcome, "already_in_state");
    assert.equal(again.verification, undefined);
  });

  test("a 403 secondary limit with retry-after is waited out; a 5xx on the idempotent DELETE is retried", async () => {
    const bob = await account("bob@corp.example");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 403,
      retryAfterSeconds: 0.05,
      method: "DELETE",
      pathPrefix: "/orgs/acme/credential-authorizations/",
      count: 2,
    });
    await h.fault({
      kind: "status",
      status: 502,
      method: "DELETE",
      pathPrefix: "/orgs/acme/credential-authorizations/",
      count: 1,
    });
    const result = await runAction(h.connector, "github.revoke_sso_authorizations", bob);
    assert.equal(result.outcome, "applied");
    assert.equal(result.verification?.state, "verified");
    const deletes = attempts("DELETE /orgs/{org}/credential-authorizations/{credential_id}");
    assert.deepEqual(
      deletes.map((a) => [a.status, a.errorKind]),
      [
        [403, "rate_limited"],
        [403, "rate_limited"],
        [502, "transient"],
        [204, null],
        [204, null],
      ],
    );
  });
});

describe("github connector: remove_from_org and reinvite_to_org", () => {
  test("snapshots role and teams, removes, verifies 404; undo re-invites with role and teams (pending until accepted)", async () => {
    const alice = await account("alice@corp.example");
    const removeFromOrg = h.connector.actions.get("github.remove_from_org")!;
    const removed = await runAction(h.connector, "github.remove_from_org", alice);
    assert.equal(removed.outcome, "applied");
    assert.deepEqual(removed.snapshot, {
      state: "active",
      role: "member",
      teams: [
        { slug: "eng", role: "member", state: "active", parent: null },
        { slug: "platform", role: "maintainer", state: "active", parent: "eng" },
        { slug: "security", role: "member", state: "active", parent: null },
      ],
    });
    assert.deepEqual(removed.verification, {
      state: "verified",
      observed: "no membership or invitation (404)",
    });
    assert.equal(h.emulator.state.member(org(), "alice"), undefined);
    assert.equal(h.emulator.state.teamsOf(org(), "alice").length, 0);

    const again = await runAction(h.connector, "github.remove_from_org", alice);
    assert.equal(again.outcome, "already_in_state", "not a member: already removed");

    const restore = removeFromOrg.restoreInput!(removed.snapshot);
    assert.deepEqual(restore, {
      role: "member",
      teams: [
        { slug: "platform", role: "maintainer" },
        { slug: "security", role: "member" },
      ],
    });
    h.attempts.length = 0;
    const undone = await runAction(h.connector, "github.reinvite_to_org", alice, restore);
    assert.equal(undone.outcome, "applied");
    assert.equal(undone.verification?.state, "partial");
    assert.match(
      (undone.verification as { observed: string }).observed,
      /^pending invitation, role member; teams platform \(maintainer, pending\), security \(member, pending\); alice regains access only after accepting the invitation$/,
    );
    assert.equal(attempts("PUT /orgs/{org}/memberships/{username}").length, 1);
    const invitation = org().invitations.get("alice");
    assert.equal(invitation?.role, "member");

    const accepted = await fetch(`${h.server.url}/__cordon/github/orgs/acme/invitations/alice/accept`, {
      method: "POST",
    });
    assert.equal(accepted.status, 200);
    const verified = await h.connector.actions.get("github.reinvite_to_org")!.verify!(
      {
        client: h.connector.client,
        account: alice,
        clock: systemClock(),
        signal: new AbortController().signal,
      },
      restore,
    );
    assert.deepEqual(verified, {
      state: "verified",
      observed: "active member, role member; teams platform (maintainer, active), security (member, active)",
    });
    // Exactly as before: member; maintainer of platform, member of security; eng only through platform.
    assert.equal(h.emulator.state.member(org(), "alice")?.role, "member");
    assert.deepEqual(
      h.emulator.state.teamsOf(org(), "alice").map((t) => [t.slug, t.members.get("alice")?.role]),
      [
        ["platform", "maintainer"],
        ["security", "member"],
      ],
    );
    const reinviteAgain = await runAction(h.connector, "github.reinvite_to_org", alice, restore);
    assert.equal(reinviteAgain.outcome, "already_in_state");
  });

  test("an owner's role goes back in the request body: the invitation is for an owner", async () => {
    const carol = await account("carol@corp.example");
    const removed = await runAction(h.connector, "github.remove_from_org", carol);
    const restore = h.connector.actions.get("github.remove_from_org")!.restoreInput!(removed.snapshot);
    assert.deepEqual(restore, { role: "admin", teams: [{ slug: "security", role: "maintainer" }] });
    await runAction(h.connector, "github.reinvite_to_org", carol, restore);
    assert.equal(org().invitations.get("carol")?.role, "admin");
  });

  test("a pending invitation is cancelled (it could still be accepted), and restored as one", async () => {
    const erin = await account("erin@corp.example");
    const removed = await runAction(h.connector, "github.remove_from_org", erin);
    assert.deepEqual(removed.output, { removed: "invitation" });
    assert.deepEqual(removed.verification, {
      state: "verified",
      observed: "no membership or invitation (404)",
    });
    assert.equal(org().invitations.has("erin"), false);
    const restore = h.connector.actions.get("github.remove_from_org")!.restoreInput!(removed.snapshot);
    const undone = await runAction(h.connector, "github.reinvite_to_org", erin, restore);
    assert.equal(undone.verification?.state, "partial");
    assert.equal(org().invitations.get("erin")?.role, "member");
  });

  test("an outsider is already removed; unknown logins are not_found on re-invite", async () => {
    const outsider = await account("old@corp.example");
    assert.equal(
      (await runAction(h.connector, "github.remove_from_org", outsider)).outcome,
      "already_in_state",
    );
    const ghost: Account = { ...outsider, id: "0", login: "ghost-user-404" };
    await assert.rejects(
      runAction(h.connector, "github.reinvite_to_org", ghost, { role: "member", teams: [] }),
      rejectsWith("not_found"),
    );
    await assert.rejects(
      runAction(h.connector, "github.reinvite_to_org", outsider, {
        role: "member",
        teams: [{ slug: "no-team", role: "member" }],
      }),
      rejectsWith("not_found"),
    );
  });

  test("a 5xx on the membership read is retried (idempotent GET); a 500 on DELETE member too", async () => {
    const dave = await account("dave@corp.example");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 503,
      method: "GET",
      pathPrefix: "/orgs/acme/memberships/dave",
      count: 1,
    });
    await h.fault({
      kind: "status",
      status: 500,
      method: "DELETE",
      pathPrefix: "/orgs/acme/members/dave",
      count: 1,
    });
    const result = await runAction(h.connector, "github.remove_from_org", dave);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(
      attempts("GET /orgs/{org}/memberships/{username}").map((a) => a.status),
      [503, 200, 404],
    );
    assert.deepEqual(
      attempts("DELETE /orgs/{org}/members/{username}").map((a) => a.status),
      [500, 204],
    );
    assert.deepEqual((result.snapshot as { teams: unknown[] }).teams, [
      { slug: "eng", role: "member", state: "active", parent: null },
      { slug: "platform", role: "member", state: "active", parent: "eng" },
    ]);
  });
});

describe("github connector: errors and limits", () => {
  test("a missing scope is forbidden, naming X-Accepted-OAuth-Scopes; SSO enforcement says so", async () => {
    const scoped = await githubHarness({
      seed: {
        orgs: [
          {
            login: "acme",
            members: [{ login: "root", role: "admin" }, "bob"],
            saml: { identities: [{ nameId: "bob@corp.example", login: "bob" }] },
            credentialAuthorizations: [{ login: "bob" }],
          },
        ],
        tokens: [{ token: GITHUB_TEST_TOKEN, owner: "root", scopes: ["read:org"] }],
      },
    });
    try {
      const [bob] = await scoped.connector.findAccounts({ email: "bob@corp.example", aliases: [] });
      assert.ok(bob);
      await assert.rejects(
        runAction(scoped.connector, "github.revoke_sso_authorizations", bob),
        rejectsWith(
          "forbidden",
          /DELETE \/orgs\/\{org\}\/credential-authorizations\/\{credential_id\}: not allowed \(403\); the endpoint accepts admin:org, the token has read:org/,
        ),
      );
    } finally {
      await scoped.close();
    }
    const sso = await githubHarness({
      seed: {
        orgs: [
          {
            login: "acme",
            members: [{ login: "root", role: "admin" }],
            saml: { identities: [], enforced: true },
          },
        ],
        tokens: [{ token: GITHUB_TEST_TOKEN, owner: "root", ssoAuthorizedFor: [] }],
      },
    });
    try {
      const check = await sso.connector.check();
      assert.equal(check.ok, false);
      assert.match(check.problems[0] ?? "", /not authorized for the organization's SAML single sign-on/);
    } finally {
      await sso.close();
    }
  });

  test("a bad token is an auth error", async () => {
    const strict = await githubHarness({
      seed: { ...SEED, tokens: [{ token: "some-other-token", owner: "root" }] },
    });
    try {
      await assert.rejects(
        strict.connector.findAccounts({ email: "bob@corp.example", aliases: [] }),
        rejectsWith("auth"),
      );
    } finally {
      await strict.close();
    }
  });

  test("primary limit: remaining 0 holds the bucket until x-ratelimit-reset, and refusals are waited out", async () => {
    const limited = await githubHarness({
      seed: SEED,
      logins: LOGINS,
      timeScale: 3600,
      rateLimitOverrides: { core: 4, graphql: 1 },
    });
    try {
      const started = Date.now();
      const [gina] = await limited.connector.findAccounts({ email: "gina@corp.example", aliases: [] });
      assert.ok(gina);
      const result = await runAction(limited.connector, "github.revoke_sso_authorizations", gina);
      assert.equal(result.verification?.state, "verified");
      for (let i = 0; i < 4; i++) await limited.connector.check();
      const core = limited.attempts.filter((a) => a.operation !== "POST /graphql");
      assert.ok(core.length >= 12);
      for (const refused of core.filter((a) => a.status === 403))
        assert.equal(refused.errorKind, "rate_limited");
      // 4 requests per compressed hour (1 s): at least two windows passed.
      assert.ok(Date.now() - started >= 1_500, `took only ${Date.now() - started} ms`);
    } finally {
      await limited.close();
    }
  });
});

describe("github connector: definitions and config", () => {
  test("profiles name existing contain actions whose inputs accept the profile input", () => {
    const connector = h.connector;
    assert.deepEqual(
      connector.profile("sessions").map((c) => c.actionId),
      ["github.revoke_sso_authorizations"],
    );
    assert.deepEqual(
      connector.profile("lock").map((c) => c.actionId),
      ["github.revoke_sso_authorizations", "github.remove_from_org"],
    );
    for (const profile of CONTAINMENT_PROFILES) {
      for (const call of connector.profile(profile)) {
        const action = connector.actions.get(call.actionId)!;
        assert.equal(action.kind, "contain");
        assert.ok(action.input.safeParse(call.input).success);
        assert.ok(action.verify);
      }
    }
    for (const action of githubActions) assert.match(action.docUrl, /^https:\/\/docs\.github\.com\//);
    assert.equal(connector.actions.get("github.remove_from_org")!.inverse, "github.reinvite_to_org");
    assert.equal(connector.actions.get("github.reinvite_to_org")!.inverse, "github.remove_from_org");
    assert.deepEqual(connector.lookupScopes, ["read:org"]);
  });

  test("cordon.yaml schema and the environment (GITHUB_TOKEN, GITHUB_ORG, GITHUB_API_URL)", () => {
    const parsed = GithubConnection.parse({
      vendor: "github",
      org: "acme-corp",
      token: "env:GITHUB_TOKEN",
      logins: { "alice@corp.example": "alice" },
    });
    assert.equal(parsed.apiUrl, "https://api.github.com");
    assert.equal(
      GithubConnection.safeParse({ vendor: "github", org: "acme", token: "ghp_literal" }).success,
      false,
    );
    assert.equal(
      GithubConnection.safeParse({ vendor: "github", org: "-bad-", token: "env:T" }).success,
      false,
    );
    assert.deepEqual(githubConnectionFromEnv({ GITHUB_TOKEN: "ghp_x", GITHUB_ORG: "acme" }), {
      vendor: "github",
      org: "acme",
      token: "env:GITHUB_TOKEN",
      apiUrl: "https://api.github.com",
    });
    assert.equal(
      githubConnectionFromEnv({
        GITHUB_TOKEN: "ghp_x",
        GITHUB_ORG: "acme",
        GITHUB_API_URL: "https://ghe.corp.example/api/v3",
      })?.apiUrl,
      "https://ghe.corp.example/api/v3",
    );
    assert.equal(githubConnectionFromEnv({ GITHUB_ORG: "acme" }), null);
    assert.throws(
      () => githubConnectionFromEnv({ GITHUB_TOKEN: "x", GITHUB_ORG: "acme", GITHUB_API_URL: "not a url" }),
      rejectsWith("config"),
    );
  });

  test("GitHub Enterprise Server: GraphQL at /api/graphql next to /api/v3", () => {
    const clock = systemClock();
    const deps = { clock, governor: new RateGovernor({ clock }) };
    const ghes = createGithubConnector(
      { connection: "g", org: "o", token: "t", apiUrl: "https://ghe.example/api/v3/" },
      deps,
    );
    assert.equal((ghes.client as { graphqlUrl: string }).graphqlUrl, "https://ghe.example/api/graphql");
    const cloud = createGithubConnector({ connection: "g", org: "o", token: "t" }, deps);
    assert.equal((cloud.client as { graphqlUrl: string }).graphqlUrl, "https://api.github.com/graphql");
  });
});
