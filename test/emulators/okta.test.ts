import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import {
  createOktaEmulator,
  type OktaEmulator,
  type OktaEmulatorOptions,
  OktaSeed,
} from "../../src/emulators/okta/index.ts";
import { manualClock } from "../support/clock.ts";

const TOKEN = "00abcSSWStoken";

/**
 * admin owns the API token; alice has sessions, grants, factors and tokens at two apps; bob is suspended; carol
 * deactivated; dave locked out; erin staged; frank provisioned (no password); five "page" users for pagination.
 */
const SEED: OktaSeed = {
  tokens: [TOKEN],
  tokenOwner: "admin@corp.example",
  users: [
    { email: "admin@corp.example", admin: true, apiTokens: [{ name: "Admin automation" }] },
    {
      email: "alice.anders@corp.example",
      sessions: 2,
      grants: 5,
      factors: ["push", "totp", "webauthn"],
      oauthClients: [
        { clientId: "0oaSLACKapp000000001", name: "Slack", refreshTokens: 3 },
        { clientId: "0oaZOOMapp0000000001", name: "Zoom", refreshTokens: 1 },
      ],
      apiTokens: [{ name: "Alice script" }],
    },
    { email: "bob.baker@corp.example", status: "SUSPENDED", sessions: 1 },
    { email: "carol.chen@corp.example", status: "DEPROVISIONED" },
    { email: "dave.diaz@corp.example", status: "LOCKED_OUT" },
    { email: "erin.eng@corp.example", status: "STAGED" },
    { email: "frank.fox@corp.example", status: "PROVISIONED" },
    ...[1, 2, 3, 4, 5].map((n) => ({ email: `page.user${n}@corp.example` })),
  ],
};

interface UserJson {
  id: string;
  status: string;
  profile: Record<string, string | null>;
  credentials: { password?: object; provider: { type: string; name: string } };
  _links: { self: { href: string } };
  [key: string]: unknown;
}
interface OktaErrorJson {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: Array<{ errorSummary: string }>;
}

interface Harness {
  emulator: OktaEmulator;
  server: RunningServer;
  url: string;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** The user id for a seeded login. */
  id(login: string): string;
  close(): Promise<void>;
}

async function start(options: OktaEmulatorOptions = {}): Promise<Harness> {
  const emulator = createOktaEmulator({ seed: SEED, ...options });
  const server = await serveFetch(emulator.app.fetch, { port: 0 });
  return {
    emulator,
    server,
    url: server.url,
    api: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { Authorization: `SSWS ${TOKEN}`, Accept: "application/json", ...(init.headers ?? {}) },
      }),
    id: (login) => {
      const user = emulator.state.findUser(login);
      assert.ok(user, `no seeded user ${login}`);
      return user.id;
    },
    close: () => server.close(),
  };
}

const post = (body?: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const del: RequestInit = { method: "DELETE" };

async function expectError(res: Response, status: number, code: string): Promise<OktaErrorJson> {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = (await res.json()) as OktaErrorJson;
  assert.deepEqual(Object.keys(body), ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"]);
  assert.equal(body.errorCode, code);
  assert.equal(body.errorLink, code);
  assert.match(body.errorId, /^oae[0-9A-Za-z]{22}$/);
  return body;
}

/** Okta's Link headers, by rel. */
function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get("link") ?? "").split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim());
    if (match) out[match[2]!] = match[1]!;
  }
  return out;
}

function assertRateHeaders(res: Response): void {
  assert.match(res.headers.get("x-rate-limit-limit") ?? "", /^\d+$/);
  assert.match(res.headers.get("x-rate-limit-remaining") ?? "", /^\d+$/);
  assert.match(res.headers.get("x-rate-limit-reset") ?? "", /^\d{10}$/);
  assert.equal(res.headers.get("retry-after"), null);
}

const search = (expr: string) => `search=${encodeURIComponent(expr)}`;
const filter = (expr: string) => `filter=${encodeURIComponent(expr)}`;

describe("okta emulator: auth", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("no Authorization header → 401 E0000011 with rate-limit headers", async () => {
    const res = await fetch(`${h.url}/api/v1/users`);
    const body = await expectError(res, 401, "E0000011");
    assert.equal(body.errorSummary, "Invalid token provided");
    assert.deepEqual(body.errorCauses, []);
    assertRateHeaders(res);
  });

  test("wrong scheme, empty token and unknown token are refused", async () => {
    for (const authorization of [
      "Basic dXNlcjpwYXNz",
      "SSWS",
      "SSWS ",
      "Bearer ",
      TOKEN,
      "SSWS not-a-seeded-token",
    ]) {
      const res = await fetch(`${h.url}/api/v1/users`, { headers: { Authorization: authorization } });
      await expectError(res, 401, "E0000011");
    }
  });

  test("SSWS and Bearer with a seeded token are accepted", async () => {
    for (const scheme of ["SSWS", "Bearer"]) {
      const res = await fetch(`${h.url}/api/v1/users/me`, {
        headers: { Authorization: `${scheme} ${TOKEN}` },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as UserJson).profile.login, "admin@corp.example");
    }
  });

  test("without seeded tokens any well-formed token is accepted", async () => {
    const open = await start({ seed: { users: [{ email: "x@corp.example" }] } });
    try {
      const res = await fetch(`${open.url}/api/v1/users`, { headers: { Authorization: "SSWS anything" } });
      assert.equal(res.status, 200);
      await expectError(
        await fetch(`${open.url}/api/v1/users`, { headers: { Authorization: "Token x" } }),
        401,
        "E0000011",
      );
    } finally {
      await open.close();
    }
  });

  test("DELETE /api/v1/api-tokens/current revokes the calling token", async () => {
    const open = await start({ seed: {} });
    try {
      const headers = { Authorization: "SSWS leaked-token" };
      const res = await fetch(`${open.url}/api/v1/api-tokens/current`, { method: "DELETE", headers });
      assert.equal(res.status, 204);
      await expectError(await fetch(`${open.url}/api/v1/users`, { headers }), 401, "E0000011");
    } finally {
      await open.close();
    }
  });

  test("unknown path → 404 E0000008; unsupported method → 405 E0000022", async () => {
    const missing = await expectError(await h.api("/api/v1/nothing-here"), 404, "E0000008");
    assert.equal(missing.errorSummary, "The requested path was not found");
    await expectError(await h.api("/api/v1/users", { method: "PUT" }), 405, "E0000022");
  });
});

describe("okta emulator: users", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("create: activate=true with a password → ACTIVE, without → PROVISIONED, activate=false → STAGED", async () => {
    const cases = [
      { query: "?activate=true", password: true, status: "ACTIVE" },
      { query: "", password: false, status: "PROVISIONED" },
      { query: "?activate=false", password: true, status: "STAGED" },
    ];
    for (const [i, { query, password, status }] of cases.entries()) {
      const login = `New.User${i}@corp.example`;
      const res = await h.api(
        `/api/v1/users${query}`,
        post({
          profile: { firstName: "New", lastName: `User${i}`, email: login, login },
          ...(password ? { credentials: { password: { value: "Sup3r-secret!" } } } : {}),
        }),
      );
      assert.equal(res.status, 200);
      const user = (await res.json()) as UserJson;
      assert.equal(user.status, status);
      assert.match(user.id, /^00u[0-9A-Za-z]{17}$/);
      assert.equal(user.credentials.password !== undefined, password);
      assert.equal(user._links.self.href, `${h.url}/api/v1/users/${user.id}`);
    }
  });

  test("create with a taken login (any case) → 400 E0000001 with the field cause", async () => {
    const res = await h.api(
      "/api/v1/users",
      post({
        profile: {
          firstName: "A",
          lastName: "B",
          email: "ALICE.ANDERS@corp.example",
          login: "ALICE.ANDERS@corp.example",
        },
      }),
    );
    const body = await expectError(res, 400, "E0000001");
    assert.equal(body.errorSummary, "Api validation failed: login");
    assert.deepEqual(body.errorCauses, [
      { errorSummary: "login: An object with this field already exists in the current organization" },
    ]);
  });

  test("create with missing profile fields or a malformed body → 400", async () => {
    const res = await h.api("/api/v1/users", post({ profile: { email: "z@corp.example" } }));
    const body = await expectError(res, 400, "E0000001");
    assert.ok(body.errorCauses.some((c) => c.errorSummary.startsWith("login:")));
    await expectError(
      await h.api("/api/v1/users", {
        method: "POST",
        body: "{nope",
        headers: { "Content-Type": "application/json" },
      }),
      400,
      "E0000003",
    );
  });

  test("search profile.email eq matches the value case-insensitively", async () => {
    const res = await h.api(`/api/v1/users?${search('profile.email eq "NEW.USER0@CORP.EXAMPLE"')}`);
    assert.equal(res.status, 200);
    const users = (await res.json()) as UserJson[];
    assert.deepEqual(
      users.map((u) => u.profile.email),
      ["New.User0@corp.example"],
    );
  });

  test("search combines and/or/parentheses; property names are case-sensitive", async () => {
    const res = await h.api(
      `/api/v1/users?${search('(profile.login sw "bob" or profile.login sw "carol") and status eq "suspended"')}`,
    );
    assert.deepEqual(
      ((await res.json()) as UserJson[]).map((u) => u.profile.login),
      ["bob.baker@corp.example"],
    );
    const wrongCase = await h.api(`/api/v1/users?${search('profile.Email eq "bob.baker@corp.example"')}`);
    assert.deepEqual(await wrongCase.json(), []);
  });

  test("filter on the supported properties, exact values; DEPROVISIONED users included", async () => {
    const byEmail = await h.api(`/api/v1/users?${filter('profile.email eq "New.User0@corp.example"')}`);
    assert.equal(((await byEmail.json()) as UserJson[]).length, 1);
    const byStatus = await h.api(`/api/v1/users?${filter('status eq "DEPROVISIONED"')}`);
    assert.deepEqual(
      ((await byStatus.json()) as UserJson[]).map((u) => u.profile.login),
      ["carol.chen@corp.example"],
    );
    const plain = (await (await h.api("/api/v1/users")).json()) as UserJson[];
    assert.ok(!plain.some((u) => u.status === "DEPROVISIONED"), "a plain list omits DEPROVISIONED users");
  });

  test("invalid search or filter → 400 E0000031; search with filter → 400 E0000033", async () => {
    await expectError(await h.api(`/api/v1/users?${search("profile.email eq")}`), 400, "E0000031");
    await expectError(await h.api(`/api/v1/users?${search('profile.email ne "x"')}`), 400, "E0000031");
    await expectError(await h.api(`/api/v1/users?${search('profile.department co "x"')}`), 400, "E0000031");
    await expectError(await h.api(`/api/v1/users?${filter('profile.department eq "x"')}`), 400, "E0000031");
    await expectError(await h.api(`/api/v1/users?${filter('profile.login sw "x"')}`), 400, "E0000031");
    await expectError(
      await h.api(`/api/v1/users?${search('status eq "ACTIVE"')}&${filter('status eq "ACTIVE"')}`),
      400,
      "E0000033",
    );
  });

  test("q is a startsWith match on first name, last name or email, 10 by default, without a next link", async () => {
    const res = await h.api("/api/v1/users?q=page");
    const users = (await res.json()) as UserJson[];
    assert.equal(users.length, 5);
    assert.equal(links(res).next, undefined);
    const limited = (await (await h.api("/api/v1/users?q=page&limit=2")).json()) as UserJson[];
    assert.equal(limited.length, 2);
  });

  test("pagination: limit=2 over 5 users follows rel=next until absent, each user once", async () => {
    const seen: string[] = [];
    let next: string | undefined = `${h.url}/api/v1/users?limit=2&${search('profile.email sw "page.user"')}`;
    let pages = 0;
    while (next) {
      const res = await h.api(next.slice(h.url.length));
      assert.equal(res.status, 200);
      const rels = links(res);
      assert.ok(rels.self?.startsWith(`${h.url}/api/v1/users?`), "a rel=self link echoes the request");
      seen.push(...((await res.json()) as UserJson[]).map((u) => u.profile.login ?? ""));
      next = rels.next;
      if (next) {
        assert.match(
          next,
          /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/users\?after=00u[0-9A-Za-z]{17}&limit=2&search=/,
        );
      }
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      [1, 2, 3, 4, 5].map((n) => `page.user${n}@corp.example`),
    );
  });

  test("limit above 200 is capped; a non-numeric limit is refused", async () => {
    assert.equal((await h.api("/api/v1/users?limit=500")).status, 200);
    await expectError(await h.api("/api/v1/users?limit=abc"), 400, "E0000001");
  });

  test("get by id, login, login shortname and me; the user has Okta's shape", async () => {
    const id = h.id("alice.anders@corp.example");
    for (const key of [id, "alice.anders@corp.example", "ALICE.ANDERS%40corp.example", "alice.anders"]) {
      const res = await h.api(`/api/v1/users/${key}`);
      assert.equal(res.status, 200, key);
      assert.match(res.headers.get("etag") ?? "", /^W\/"[0-9a-f]+"$/);
      assert.equal(((await res.json()) as UserJson).id, id);
    }
    const user = (await (await h.api(`/api/v1/users/${id}`)).json()) as UserJson;
    assert.deepEqual(Object.keys(user), [
      "id",
      "status",
      "created",
      "activated",
      "statusChanged",
      "lastLogin",
      "lastUpdated",
      "passwordChanged",
      "type",
      "profile",
      "credentials",
      "_links",
    ]);
    assert.deepEqual(user.profile, {
      firstName: "Alice",
      lastName: "Anders",
      mobilePhone: null,
      secondEmail: null,
      login: "alice.anders@corp.example",
      email: "alice.anders@corp.example",
    });
    assert.deepEqual(user.credentials, { password: {}, provider: { type: "OKTA", name: "OKTA" } });
    assert.match(String(user.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match((user.type as { id: string }).id, /^oty/);
    const me = (await (await h.api("/api/v1/users/me")).json()) as UserJson;
    assert.equal(me.profile.login, "admin@corp.example");
  });

  test("unknown user → 404 E0000007 naming the id", async () => {
    const body = await expectError(await h.api("/api/v1/users/00uNOPE"), 404, "E0000007");
    assert.equal(body.errorSummary, "Not found: Resource not found: 00uNOPE (User)");
  });

  test("DELETE a user deactivates first, deletes on the second call", async () => {
    const id = h.id("page.user5@corp.example");
    assert.equal((await h.api(`/api/v1/users/${id}`, del)).status, 204);
    assert.equal(h.emulator.state.userById(id)?.status, "DEPROVISIONED");
    assert.equal((await h.api(`/api/v1/users/${id}`, del)).status, 204);
    await expectError(await h.api(`/api/v1/users/${id}`), 404, "E0000007");
  });
});

describe("okta emulator: sessions and lifecycle", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  const lifecycle = (who: string, op: string, query = "") =>
    h.api(`/api/v1/users/${who}/lifecycle/${op}${query}`, post());
  const status = (login: string) => h.emulator.state.findUser(login)?.status;

  test("clearing sessions keeps OAuth tokens unless oauthTokens=true", async () => {
    const alice = h.id("alice.anders@corp.example");
    const state = h.emulator.state;
    assert.equal(state.sessionsOf(alice).length, 2);
    const first = await h.api(`/api/v1/users/${alice}/sessions`, del);
    assert.equal(first.status, 204);
    assert.equal(await first.text(), "");
    assert.equal(state.sessionsOf(alice).length, 0);
    assert.equal(state.refreshTokensOf(alice).length, 4);

    await fetch(`${h.url}/__cordon/okta/users/${alice}/signin`, post({ clientId: "0oaSLACKapp000000001" }));
    assert.equal(state.sessionsOf(alice).length, 1);
    const second = await h.api(`/api/v1/users/${alice}/sessions?oauthTokens=true`, del);
    assert.equal(second.status, 204);
    assert.equal(state.sessionsOf(alice).length, 0);
    assert.equal(state.refreshTokensOf(alice).length, 0);
    assert.equal(state.accessTokensOf(alice).length, 0);
    const tokens = await h.api(`/api/v1/users/${alice}/clients/0oaSLACKapp000000001/tokens`);
    assert.deepEqual(await tokens.json(), []);
    assert.equal(state.grantsOf(alice).length, 6, "consent grants survive a session revocation");
  });

  test("sessions take a user id, not a login", async () => {
    await expectError(await h.api("/api/v1/users/alice.anders@corp.example/sessions", del), 404, "E0000007");
  });

  test("suspend ACTIVE → SUSPENDED; suspending a non-active user → 400 E0000001", async () => {
    const res = await lifecycle("page.user1@corp.example", "suspend");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal(status("page.user1@corp.example"), "SUSPENDED");
    for (const who of ["page.user1@corp.example", "erin.eng@corp.example", "carol.chen@corp.example"]) {
      const body = await expectError(await lifecycle(who, "suspend"), 400, "E0000001");
      assert.match(body.errorSummary, /^Api validation failed: .*not active/);
    }
  });

  test("unsuspend SUSPENDED → ACTIVE; anything else → 400 E0000001", async () => {
    assert.equal((await lifecycle("page.user1@corp.example", "unsuspend")).status, 200);
    assert.equal(status("page.user1@corp.example"), "ACTIVE");
    await expectError(await lifecycle("page.user1@corp.example", "unsuspend"), 400, "E0000001");
  });

  test("deactivate → DEPROVISIONED and signs the user out; again → 404 E0000007", async () => {
    const bob = h.id("bob.baker@corp.example");
    assert.equal(h.emulator.state.sessionsOf(bob).length, 1);
    assert.equal((await lifecycle(bob, "deactivate")).status, 200);
    assert.equal(status("bob.baker@corp.example"), "DEPROVISIONED");
    assert.equal(h.emulator.state.sessionsOf(bob).length, 0);
    await expectError(await lifecycle(bob, "deactivate"), 404, "E0000007");
  });

  test("activate DEPROVISIONED or STAGED; an active user → 403 E0000016", async () => {
    const res = await lifecycle("bob.baker@corp.example", "activate", "?sendEmail=false");
    assert.equal(res.status, 200);
    const token = (await res.json()) as { activationUrl: string; activationToken: string };
    assert.equal(token.activationUrl, `${h.url}/tokens/${token.activationToken}/verify`);
    assert.equal(status("bob.baker@corp.example"), "ACTIVE");
    const staged = await lifecycle("erin.eng@corp.example", "activate");
    assert.deepEqual(await staged.json(), {}, "sendEmail defaults to true: the token goes by email");
    assert.equal(status("erin.eng@corp.example"), "PROVISIONED", "no password yet");
    const body = await expectError(await lifecycle("bob.baker@corp.example", "activate"), 403, "E0000016");
    assert.equal(body.errorSummary, "Activation failed because the user is already active");
  });

  test("reactivate PROVISIONED returns an activation token; ACTIVE → 403 E0000038", async () => {
    const res = await lifecycle("frank.fox@corp.example", "reactivate");
    assert.equal(res.status, 200);
    assert.match(((await res.json()) as { activationToken: string }).activationToken, /^[0-9A-Za-z]{20}$/);
    assert.equal(status("frank.fox@corp.example"), "PROVISIONED");
    await expectError(await lifecycle("page.user2@corp.example", "reactivate"), 403, "E0000038");
  });

  test("reset_password needs sendEmail; it moves the user to RECOVERY", async () => {
    const missing = await expectError(
      await lifecycle("page.user2@corp.example", "reset_password"),
      400,
      "E0000028",
    );
    assert.equal(missing.errorSummary, "The request is missing a required parameter.");
    assert.equal(status("page.user2@corp.example"), "ACTIVE");
    const res = await lifecycle("page.user2@corp.example", "reset_password", "?sendEmail=false");
    assert.equal(res.status, 200);
    const { resetPasswordUrl } = (await res.json()) as { resetPasswordUrl: string };
    assert.match(resetPasswordUrl, new RegExp(`^${h.url}/reset_password/[0-9A-Za-z]{20}$`));
    assert.equal(status("page.user2@corp.example"), "RECOVERY");
  });

  test("reset_password with sendEmail=true&revokeSessions=true returns {} and clears sessions", async () => {
    const who = h.id("page.user3@corp.example");
    h.emulator.state.createSession(who);
    const res = await lifecycle(who, "reset_password", "?sendEmail=true&revokeSessions=true");
    assert.deepEqual(await res.json(), {});
    assert.equal(h.emulator.state.sessionsOf(who).length, 0);
    assert.equal(status("page.user3@corp.example"), "RECOVERY");
  });

  test("expire_password returns the user as PASSWORD_EXPIRED", async () => {
    const res = await lifecycle("page.user4@corp.example", "expire_password");
    assert.equal(res.status, 200);
    const user = (await res.json()) as UserJson;
    assert.equal(user.status, "PASSWORD_EXPIRED");
    assert.equal(user.profile.login, "page.user4@corp.example");
  });

  test("expire_password_with_temp_password returns {tempPassword} and can revoke sessions", async () => {
    const who = h.id("admin@corp.example");
    h.emulator.state.createSession(who);
    const res = await lifecycle(who, "expire_password_with_temp_password", "?revokeSessions=true");
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys((await res.json()) as object), ["tempPassword"]);
    assert.equal(status("admin@corp.example"), "PASSWORD_EXPIRED");
    assert.equal(h.emulator.state.sessionsOf(who).length, 0);
    await expectError(await lifecycle(h.id("erin.eng@corp.example"), "expire_password"), 403, "E0000038");
  });

  test("reset_factors removes every factor; status unchanged", async () => {
    const alice = h.id("alice.anders@corp.example");
    const before = (await (await h.api(`/api/v1/users/${alice}/factors`)).json()) as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      before.map((f) => [f.factorType, f.provider, f.status]),
      [
        ["push", "OKTA", "ACTIVE"],
        ["token:software:totp", "OKTA", "ACTIVE"],
        ["webauthn", "FIDO", "ACTIVE"],
      ],
    );
    const res = await lifecycle(alice, "reset_factors");
    assert.equal(res.status, 200);
    assert.deepEqual(await (await h.api(`/api/v1/users/${alice}/factors`)).json(), []);
    assert.equal(status("alice.anders@corp.example"), "ACTIVE");
  });

  test("unlock LOCKED_OUT → ACTIVE; SUSPENDED → 403 E0000032", async () => {
    assert.equal((await lifecycle("dave.diaz@corp.example", "unlock")).status, 200);
    assert.equal(status("dave.diaz@corp.example"), "ACTIVE");
    await lifecycle("dave.diaz@corp.example", "suspend");
    await expectError(await lifecycle("dave.diaz@corp.example", "unlock"), 403, "E0000032");
  });

  test("unknown user or lifecycle operation", async () => {
    await expectError(await lifecycle("nobody@corp.example", "suspend"), 404, "E0000007");
    await expectError(await lifecycle("dave.diaz@corp.example", "explode"), 404, "E0000008");
  });
});

describe("okta emulator: grants, clients, refresh tokens, API tokens", () => {
  let h: Harness;
  before(async () => {
    h = await start({
      seed: {
        ...SEED,
        users: [
          ...(SEED.users ?? []),
          {
            email: "robot@corp.example",
            apiTokens: Array.from({ length: 23 }, (_, i) => ({ name: `robot-${i + 1}` })),
          },
        ],
      },
    });
  });
  after(() => h.close());

  async function collect<T>(firstPath: string): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let next: string | undefined = `${h.url}${firstPath}`;
    let pages = 0;
    while (next) {
      const res = await h.api(next.slice(h.url.length));
      assert.equal(res.status, 200);
      items.push(...((await res.json()) as T[]));
      next = links(res).next;
      pages += 1;
    }
    return { items, pages };
  }

  test("grants: Link pagination with limit=2, then revoke one and all", async () => {
    const alice = h.id("alice.anders@corp.example");
    const { items, pages } = await collect<{ id: string; scopeId: string; status: string; userId: string }>(
      `/api/v1/users/${alice}/grants?limit=2`,
    );
    assert.equal(pages, 3);
    assert.equal(items.length, 5);
    assert.equal(new Set(items.map((g) => g.id)).size, 5);
    assert.ok(
      items.every((g) => /^oag[0-9A-Za-z]{17}$/.test(g.id) && g.status === "ACTIVE" && g.userId === alice),
    );

    const defaults = (await (await h.api(`/api/v1/users/${alice}/grants`)).json()) as unknown[];
    assert.equal(defaults.length, 5, "default limit 20");
    await expectError(await h.api(`/api/v1/users/${alice}/grants?limit=0`), 400, "E0000001");

    const victim = items[0]!.id;
    assert.equal((await h.api(`/api/v1/users/${alice}/grants/${victim}`)).status, 200);
    assert.equal((await h.api(`/api/v1/users/${alice}/grants/${victim}`, del)).status, 204);
    await expectError(await h.api(`/api/v1/users/${alice}/grants/${victim}`, del), 404, "E0000007");
    assert.equal(((await (await h.api(`/api/v1/users/${alice}/grants`)).json()) as unknown[]).length, 4);

    assert.equal((await h.api(`/api/v1/users/${alice}/grants`, del)).status, 204);
    assert.deepEqual(await (await h.api(`/api/v1/users/${alice}/grants`)).json(), []);
  });

  test("clients the user has tokens for, and their refresh tokens", async () => {
    const alice = h.id("alice.anders@corp.example");
    const clients = (await (await h.api(`/api/v1/users/${alice}/clients`)).json()) as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      clients.map((c) => [c.client_id, c.client_name]),
      [
        ["0oaSLACKapp000000001", "Slack"],
        ["0oaZOOMapp0000000001", "Zoom"],
      ],
    );
    const slack = `/api/v1/users/${alice}/clients/0oaSLACKapp000000001/tokens`;
    const { items, pages } = await collect<{ id: string; clientId: string; status: string }>(
      `${slack}?limit=2`,
    );
    assert.equal(pages, 2);
    assert.equal(items.length, 3);
    assert.ok(items.every((t) => /^oar[0-9A-Za-z]{17}$/.test(t.id) && t.clientId === "0oaSLACKapp000000001"));

    assert.equal((await h.api(`${slack}/${items[0]!.id}`)).status, 200);
    assert.equal((await h.api(slack, del)).status, 204);
    assert.deepEqual(await (await h.api(slack)).json(), []);
    assert.equal(
      h.emulator.state.refreshTokensOf(alice, "0oaZOOMapp0000000001").length,
      1,
      "other clients keep theirs",
    );
    await expectError(await h.api(`/api/v1/users/${alice}/clients/0oaNOPE/tokens`), 404, "E0000007");
  });

  test("API tokens: default page of 20, limit pagination, get, revoke, 404", async () => {
    const first = await h.api("/api/v1/api-tokens");
    assert.equal(((await first.json()) as unknown[]).length, 20);
    assert.ok(links(first).next);

    type Token = { id: string; name: string; userId: string; tokenWindow: string; clientName: string };
    const { items, pages } = await collect<Token>("/api/v1/api-tokens?limit=10");
    assert.equal(items.length, 25);
    assert.equal(pages, 3);
    assert.equal(new Set(items.map((t) => t.id)).size, 25);
    const token = items[1]!;
    assert.equal(token.name, "Alice script");
    assert.match(token.id, /^00T[0-9A-Za-z]{17}$/);
    assert.equal(token.userId, h.id("alice.anders@corp.example"));
    assert.equal(token.clientName, "Okta API");
    assert.equal(token.tokenWindow, "P30D");
    assert.deepEqual(Object.keys(token).sort(), [
      "_links",
      "clientName",
      "created",
      "expiresAt",
      "id",
      "lastUpdated",
      "name",
      "network",
      "tokenWindow",
      "userId",
    ]);

    assert.equal((await h.api(`/api/v1/api-tokens/${token.id}`)).status, 200);
    assert.equal((await h.api(`/api/v1/api-tokens/${token.id}`, del)).status, 204);
    await expectError(await h.api(`/api/v1/api-tokens/${token.id}`), 404, "E0000007");
    await expectError(await h.api(`/api/v1/api-tokens/${token.id}`, del), 404, "E0000007");
    assert.equal(h.emulator.state.apiTokens.size, 24);
  });
});

describe("okta emulator: role assignments", () => {
  test("GET /api/v1/iam/assignees/users: RoleAssignedUsers pages via _links.next; api-v1 bucket", async () => {
    const h = await start({
      seed: {
        ...SEED,
        users: [
          ...SEED.users!,
          { email: "second.admin@corp.example", admin: true },
          { email: "gone.admin@corp.example", admin: true, status: "DEPROVISIONED" },
        ],
      },
      rateLimitOverrides: { "api-v1": 500 },
    });
    try {
      const admins = ["admin@corp.example", "second.admin@corp.example", "gone.admin@corp.example"].map(h.id);
      const seen: string[] = [];
      let path: string | undefined = "/api/v1/iam/assignees/users?limit=2";
      const pages: number[] = [];
      while (path) {
        const res = await h.api(path);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-rate-limit-limit"), "500", "rated in the other /api/v1 bucket");
        const body = (await res.json()) as {
          value: Array<{ id: string; orn: string; _links: Record<string, { href: string }> }>;
          _links: { next?: { href: string } };
        };
        assert.deepEqual(Object.keys(body), ["value", "_links"]);
        pages.push(body.value.length);
        for (const item of body.value) {
          assert.deepEqual(Object.keys(item), ["id", "orn", "_links"]);
          assert.match(item.orn, new RegExp(`^orn:okta:00o[0-9A-Za-z]{17}:users:${item.id}$`));
          assert.deepEqual(item._links, {
            self: { href: `${h.url}/api/v1/users/${item.id}` },
            roles: { href: `${h.url}/api/v1/users/${item.id}/roles` },
          });
          seen.push(item.id);
        }
        const next = body._links.next?.href;
        if (next) {
          assert.equal(next, `${h.url}/api/v1/iam/assignees/users?after=${seen.at(-1)}&limit=2`);
          path = next.slice(h.url.length);
        } else path = undefined;
      }
      assert.deepEqual(pages, [2, 1]);
      assert.deepEqual(seen, admins, "only users holding a role, DEPROVISIONED ones too, in order");

      const all = (await (await h.api("/api/v1/iam/assignees/users")).json()) as {
        value: unknown[];
        _links: object;
      };
      assert.equal(all.value.length, 3, "default limit 100");
      assert.deepEqual(all._links, {});
      await expectError(await h.api("/api/v1/iam/assignees/users?limit=0"), 400, "E0000001");
      await expectError(await h.api("/api/v1/iam/assignees/users", post({})), 405, "E0000022");
    } finally {
      await h.close();
    }
  });
});

describe("okta emulator: rate limits", () => {
  test("bucket breach → 429 E0000047 with X-Rate-Limit-* (reset in epoch seconds); next window admits", async () => {
    const clock = manualClock();
    const h = await start({ clock, rateLimitOverrides: { users: 3 } });
    try {
      const windowEnd = 1_699_999_980_000 + 60_000;
      for (const remaining of [2, 1, 0]) {
        const res = await h.api("/api/v1/users?limit=1");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-rate-limit-limit"), "3");
        assert.equal(res.headers.get("x-rate-limit-remaining"), String(remaining));
        assert.equal(res.headers.get("x-rate-limit-reset"), String(windowEnd / 1000));
      }
      const limited = await h.api("/api/v1/users?limit=1");
      const body = await expectError(limited, 429, "E0000047");
      assert.equal(body.errorSummary, "API call exceeded rate limit due to too many requests.");
      assert.equal(limited.headers.get("x-rate-limit-limit"), "3");
      assert.equal(limited.headers.get("x-rate-limit-remaining"), "0");
      assert.equal(limited.headers.get("x-rate-limit-reset"), String(windowEnd / 1000));
      assert.equal(limited.headers.get("retry-after"), null);

      const other = await h.api(`/api/v1/users/${h.id("alice.anders@corp.example")}`);
      assert.equal(other.status, 200, "GET /users/{id} is a separate bucket");
      assert.equal(other.headers.get("x-rate-limit-limit"), "2000");

      clock.advance(60_000);
      const again = await h.api("/api/v1/users?limit=1");
      assert.equal(again.status, 200);
      assert.equal(again.headers.get("x-rate-limit-remaining"), "2");
      assert.equal(again.headers.get("x-rate-limit-reset"), String(windowEnd / 1000 + 60));
    } finally {
      await h.close();
    }
  });

  test("buckets per endpoint and plan", async () => {
    const h = await start({ seed: { ...SEED, plan: "free_developer" } });
    try {
      const alice = h.id("alice.anders@corp.example");
      const cases: Array<[string, RequestInit | undefined, string]> = [
        ["/api/v1/users", undefined, "100"],
        [`/api/v1/users/${alice}`, undefined, "1000"],
        [`/api/v1/users/${alice}/lifecycle/suspend`, post(), "600"],
        [`/api/v1/users/${alice}/grants`, undefined, "600"],
        ["/api/v1/api-tokens", undefined, "600"],
      ];
      for (const [path, init, limit] of cases) {
        const res = await h.api(path, init);
        assert.equal(res.headers.get("x-rate-limit-limit"), limit, path);
      }
    } finally {
      await h.close();
    }
  });

  test("timeScale compresses the window", async () => {
    const clock = manualClock();
    const h = await start({ clock, timeScale: 60, rateLimitOverrides: { users: 1 } });
    try {
      const first = await h.api("/api/v1/users?limit=1");
      assert.equal(first.headers.get("x-rate-limit-reset"), String(1_699_999_980 + 1));
      await expectError(await h.api("/api/v1/users?limit=1"), 429, "E0000047");
      clock.advance(1000);
      assert.equal((await h.api("/api/v1/users?limit=1")).status, 200);
    } finally {
      await h.close();
    }
  });

  test("enforceRateLimits: false still sends the headers", async () => {
    const h = await start({ enforceRateLimits: false, rateLimitOverrides: { users: 1 } });
    try {
      await h.api("/api/v1/users?limit=1");
      const res = await h.api("/api/v1/users?limit=1");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-rate-limit-remaining"), "0");
      assertRateHeaders(res);
    } finally {
      await h.close();
    }
  });

  test("more concurrent requests than the limit → 429 E0000047 reporting the concurrent limit", async () => {
    const h = await start({ rateLimitOverrides: { concurrent: 2 } });
    try {
      await fetch(
        `${h.url}/__cordon/faults`,
        post({ kind: "latency", latencyMs: 300, pathPrefix: "/api/v1/users" }),
      );
      const responses = await Promise.all([1, 2, 3].map(() => h.api("/api/v1/users?limit=1")));
      const limited = responses.filter((r) => r.status === 429);
      assert.equal(limited.length, 1);
      assert.equal(responses.filter((r) => r.status === 200).length, 2);
      const body = await expectError(limited[0]!, 429, "E0000047");
      assert.equal(body.errorCode, "E0000047");
      assert.equal(limited[0]!.headers.get("x-rate-limit-limit"), "2");
      assert.equal(limited[0]!.headers.get("x-rate-limit-remaining"), "0");
    } finally {
      await h.close();
    }
  });
});

describe("okta emulator: faults", () => {
  let h: Harness;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("500 once, then success; the fault speaks Okta's error format", async () => {
    const added = await fetch(`${h.url}/__cordon/faults`, post({ kind: "status", status: 500, count: 1 }));
    assert.equal(added.status, 200);
    const failed = await h.api("/api/v1/users?limit=1");
    const body = await expectError(failed, 500, "E0000009");
    assert.equal(body.errorSummary, "Internal Server Error");
    assertRateHeaders(failed);
    assert.equal((await h.api("/api/v1/users?limit=1")).status, 200);
  });

  test("an injected 429 announces its reset delay in epoch seconds", async () => {
    await fetch(
      `${h.url}/__cordon/faults`,
      post({ kind: "status", status: 429, retryAfterSeconds: 30, count: 1 }),
    );
    const before = Date.now();
    const res = await h.api("/api/v1/users?limit=1");
    await expectError(res, 429, "E0000047");
    const reset = Number(res.headers.get("x-rate-limit-reset"));
    assert.ok(
      reset >= Math.ceil((before + 30_000) / 1000) && reset <= Math.ceil((Date.now() + 30_000) / 1000),
    );
    assert.equal(res.headers.get("x-rate-limit-remaining"), "0");
    assert.equal(res.headers.get("retry-after"), null);
  });

  test("503 → E0000010", async () => {
    await fetch(`${h.url}/__cordon/faults`, post({ kind: "status", status: 503, count: 1 }));
    await expectError(await h.api("/api/v1/users?limit=1"), 503, "E0000010");
  });

  test("drop: the connection dies and fetch rejects", async () => {
    await fetch(`${h.url}/__cordon/faults`, post({ kind: "drop", count: 1 }));
    await assert.rejects(h.api("/api/v1/users?limit=1"));
    assert.equal((await h.api("/api/v1/users?limit=1")).status, 200);
  });

  test("latency delays the reply", async () => {
    await fetch(`${h.url}/__cordon/faults`, post({ kind: "latency", latencyMs: 250, count: 1 }));
    const started = performance.now();
    const res = await h.api("/api/v1/users?limit=1");
    assert.equal(res.status, 200);
    assert.ok(performance.now() - started >= 240);
    const listed = (await (await fetch(`${h.url}/__cordon/faults`)).json()) as {
      injected: Record<string, number>;
    };
    assert.deepEqual(listed.injected, { status: 3, latency: 1, drop: 1 });
  });
});

describe("okta emulator: control endpoints and seed", () => {
  test("signin creates a session, a grant and a refresh token; suspended users cannot sign in", async () => {
    const h = await start();
    try {
      const alice = h.id("alice.anders@corp.example");
      const res = await fetch(`${h.url}/__cordon/okta/users/alice.anders@corp.example/signin`, post({}));
      assert.equal(res.status, 201);
      const created = (await res.json()) as Record<string, string>;
      assert.equal(created.userId, alice);
      assert.match(created.sessionId ?? "", /^102[0-9A-Za-z]{22}$/);
      assert.match(created.clientId ?? "", /^0oa/);
      assert.ok(h.emulator.state.grants.has(created.grantId ?? ""));
      assert.ok(h.emulator.state.refreshTokens.has(created.refreshTokenId ?? ""));
      const count = await fetch(`${h.url}/__cordon/okta/users/${alice}/sessions`);
      assert.deepEqual(await count.json(), { count: 3 });
      const bob = await fetch(`${h.url}/__cordon/okta/users/bob.baker@corp.example/signin`, post());
      assert.equal(bob.status, 409);
      assert.equal((await fetch(`${h.url}/__cordon/okta/users/nobody/sessions`)).status, 404);
    } finally {
      await h.close();
    }
  });

  test("the same seed yields the same ids", () => {
    const a = createOktaEmulator({ seed: SEED });
    const b = createOktaEmulator({ seed: SEED });
    const ids = (e: OktaEmulator) => [
      ...e.state.users.keys(),
      ...e.state.grants.keys(),
      ...e.state.apiTokens.keys(),
    ];
    assert.deepEqual(ids(a), ids(b));
    assert.ok(ids(a).every((id) => /^(00u|oag|00T)[0-9A-Za-z]{17}$/.test(id)));
  });

  test("an invalid seed is refused with every problem and its path", () => {
    assert.throws(
      () =>
        createOktaEmulator({
          seed: {
            users: [
              { email: "a@corp.example" },
              { email: "A@corp.example", status: "ASLEEP" as "ACTIVE" },
              { email: "not-an-email", colour: "blue" } as unknown as { email: string },
            ],
            tokenOwner: "ghost@corp.example",
          },
        }),
      (error: Error) => {
        assert.match(error.message, /invalid okta seed/);
        assert.match(error.message, /users\[1\]\.status/);
        assert.match(error.message, /users\[2\]\.email/);
        assert.match(error.message, /colour/);
        assert.match(error.message, /duplicate login "a@corp\.example"/);
        assert.match(error.message, /tokenOwner/);
        return true;
      },
    );
    assert.equal(OktaSeed.safeParse({ plan: "enterprise" }).success, false);
  });
});

describe("okta emulator: groups", () => {
  interface GroupJson {
    id: string;
    type: string;
    objectClass: string[];
    profile: { name: string; description: string | null };
    _links: { users: { href: string } };
  }
  /** Follows `Link: <…>; rel="next"` from `path`, returning each page's items. */
  async function walk<T>(h: Harness, path: string): Promise<T[][]> {
    const pages: T[][] = [];
    let next: string | undefined = path;
    while (next) {
      const res = await h.api(next);
      assert.equal(res.status, 200);
      pages.push((await res.json()) as T[]);
      const link = res.headers.get("link") ?? "";
      const match = /<([^>]+)>;\s*rel="next"/.exec(link);
      next = match ? match[1]!.slice(h.url.length) : undefined;
    }
    return pages;
  }
  const members = Array.from({ length: 25 }, (_, i) => ({
    email: `member${i}@corp.example`,
    groups: i % 5 === 0 ? ["Staff", "Leads"] : ["Staff"],
    ...(i === 3 ? { status: "DEPROVISIONED" as const } : {}),
  }));
  const groupSeed: OktaSeed = {
    ...SEED,
    groups: [
      { name: "AD Finance", type: "APP_GROUP", description: "imported" },
      { name: "Everyone", type: "BUILT_IN" },
    ],
    users: [...SEED.users!, ...members],
  };

  test("GET /api/v1/groups pages with Link headers, filters on type, in the groups bucket", async () => {
    const h = await start({ seed: groupSeed, rateLimitOverrides: { groups: 77 } });
    try {
      const pages = await walk<GroupJson>(h, "/api/v1/groups?limit=2");
      assert.deepEqual(
        pages.map((p) => p.length),
        [2, 2],
      );
      const all = pages.flat();
      assert.deepEqual(
        all.map((g) => [g.profile.name, g.type]),
        [
          ["AD Finance", "APP_GROUP"],
          ["Everyone", "BUILT_IN"],
          ["Staff", "OKTA_GROUP"],
          ["Leads", "OKTA_GROUP"],
        ],
      );
      assert.equal(all[0]!.profile.description, "imported");
      assert.deepEqual(all[2]!.objectClass, ["okta:user_group"]);
      assert.equal(all[2]!._links.users.href, `${h.url}/api/v1/groups/${all[2]!.id}/users`);
      const res = await h.api("/api/v1/groups?limit=1");
      assert.equal(res.headers.get("x-rate-limit-limit"), "77", "rated in the groups bucket");
      const filtered = await walk<GroupJson>(
        h,
        `/api/v1/groups?limit=1&filter=${encodeURIComponent('type eq "OKTA_GROUP" or type eq "APP_GROUP"')}`,
      );
      assert.deepEqual(
        filtered.flat().map((g) => g.profile.name),
        ["AD Finance", "Staff", "Leads"],
      );
      await expectError(
        await h.api(`/api/v1/groups?filter=${encodeURIComponent('profile.name eq "Staff"')}`),
        400,
        "E0000031",
      );
      const q = (await (await h.api("/api/v1/groups?q=le")).json()) as GroupJson[];
      assert.deepEqual(
        q.map((g) => g.profile.name),
        ["Leads"],
      );
      await expectError(await h.api("/api/v1/groups?limit=0"), 400, "E0000001");
    } finally {
      await h.close();
    }
  });

  test("GET /api/v1/groups/{id}/users pages past page 1, every status; unknown group 404", async () => {
    const h = await start({ seed: groupSeed });
    try {
      const staff = h.emulator.state.groupByName("Staff")!;
      const pages = await walk<UserJson>(h, `/api/v1/groups/${staff.id}/users?limit=10`);
      assert.deepEqual(
        pages.map((p) => p.length),
        [10, 10, 5],
      );
      const emails = pages.flat().map((u) => u.profile.email);
      assert.deepEqual(
        emails,
        members.map((m) => m.email),
      );
      assert.equal(pages.flat()[3]!.status, "DEPROVISIONED");
      const leads = h.emulator.state.groupByName("Leads")!;
      const all = (await (await h.api(`/api/v1/groups/${leads.id}/users`)).json()) as UserJson[];
      assert.equal(all.length, 5, "default limit 1000");
      await expectError(await h.api("/api/v1/groups/00gnothere/users"), 404, "E0000007");
      await expectError(await h.api(`/api/v1/groups/${staff.id}/users`, post({})), 405, "E0000022");
    } finally {
      await h.close();
    }
  });
});

describe("app users (spec ApplicationUsers)", () => {
  const emulator = createOktaEmulator({
    seed: {
      users: [{ email: "a@corp.example" }, { email: "b@corp.example" }, { email: "c@corp.example" }],
      apps: [{ id: "0oaApp1", label: "App", assignments: ["a@corp.example", "b@corp.example"] }],
    },
  });
  const call = (method: string, path: string, body?: unknown) =>
    emulator.app.fetch(
      new Request(`https://org.example${path}`, {
        method,
        headers: { authorization: "SSWS t", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  const idOf = (email: string) => emulator.state.listUsers().find((u) => u.profile.email === email)!.id;

  test("list is Link-paged and embeds the user with expand=user", async () => {
    const first = await call("GET", "/api/v1/apps/0oaApp1/users?limit=1&expand=user");
    assert.equal(first.status, 200);
    const page = (await first.json()) as Array<{
      id: string;
      _embedded?: { user: { profile: { email: string } } };
    }>;
    assert.equal(page[0]?._embedded?.user.profile.email, "a@corp.example");
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
    assert.ok(next);
    const second = (await (
      await call("GET", new URL(next).pathname + new URL(next).search)
    ).json()) as Array<{ id: string }>;
    assert.deepEqual(
      second.map((u) => u.id),
      [idOf("b@corp.example")],
    );
  });

  test("assign (200 AppUser, no password), get, unassign (204), then 404", async () => {
    const c = idOf("c@corp.example");
    const assigned = await call("POST", "/api/v1/apps/0oaApp1/users", {
      id: c,
      scope: "USER",
      credentials: { userName: "c", password: { value: "s3cret" } },
      profile: { role: "viewer" },
    });
    assert.equal(assigned.status, 200);
    const body = (await assigned.json()) as { scope: string; profile: unknown; credentials: unknown };
    assert.deepEqual(
      [body.scope, body.profile, body.credentials],
      ["USER", { role: "viewer" }, { userName: "c" }],
    );
    assert.equal((await call("GET", `/api/v1/apps/0oaApp1/users/${c}`)).status, 200);
    assert.equal((await call("DELETE", `/api/v1/apps/0oaApp1/users/${c}?sendEmail=false`)).status, 204);
    const gone = await call("GET", `/api/v1/apps/0oaApp1/users/${c}`);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { errorCode: string }).errorCode, "E0000007");
    assert.equal((await call("DELETE", `/api/v1/apps/0oaApp1/users/${c}`)).status, 404);
    assert.equal((await call("GET", "/api/v1/apps/0oaNope/users")).status, 404);
    assert.equal((await call("POST", "/api/v1/apps/0oaApp1/users", { scope: "USER" })).status, 400);
  });
});
