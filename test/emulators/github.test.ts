import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  createGithubEmulator,
  type GithubEmulator,
  type GithubEmulatorOptions,
  type GithubSeed,
} from "../../src/emulators/github/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { manualClock } from "../support/clock.ts";

const TOKEN = "ghp_owner000000000000000000000000000000";
const MEMBER_TOKEN = "ghp_member00000000000000000000000000000";
const READONLY_TOKEN = "ghp_readonly000000000000000000000000000";
const UNAUTHORIZED_SSO_TOKEN = "ghp_nosso0000000000000000000000000000000";

const SEED: GithubSeed = {
  users: [{ login: "root", name: "Root Owner", email: "root@corp.example" }],
  orgs: [
    {
      login: "acme",
      members: [
        { login: "root", role: "admin" },
        "alice",
        "bob",
        "carol",
        ...[1, 2, 3, 4].map((n) => `page-user${n}`),
      ],
      invitations: [{ login: "invitee", role: "admin" }],
      teams: [
        { slug: "eng", members: [{ login: "root", role: "member" }] },
        { slug: "platform", parent: "eng", members: [{ login: "alice", role: "maintainer" }, "bob"] },
        { slug: "security", members: ["carol"] },
      ],
      saml: {
        identities: [
          { nameId: "alice@corp.example", login: "alice" },
          { nameId: "unclaimed@corp.example", login: null },
          ...Array.from({ length: 248 }, (_, i) => ({ nameId: `saml${i}@corp.example`, login: null })),
        ],
      },
      credentialAuthorizations: [
        { login: "alice", count: 150 },
        { login: "alice", type: "SSH Key", title: "laptop" },
        { login: "bob" },
      ],
    },
    { login: "nosaml", members: [{ login: "root", role: "admin" }] },
    {
      login: "locked",
      members: [{ login: "root", role: "admin" }],
      saml: { identities: [], enforced: true },
    },
  ],
  tokens: [
    { token: TOKEN, owner: "root" },
    { token: MEMBER_TOKEN, owner: "carol" },
    { token: READONLY_TOKEN, owner: "root", scopes: ["read:org", "repo"] },
    { token: UNAUTHORIZED_SSO_TOKEN, owner: "root", ssoAuthorizedFor: ["acme"] },
  ],
};

interface Api {
  emulator: GithubEmulator;
  server: RunningServer;
  url: string;
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

async function start(options: GithubEmulatorOptions = {}): Promise<Api> {
  const emulator = createGithubEmulator({ seed: SEED, ...options });
  const server = await serveFetch(emulator.app.fetch, { port: 0 });
  return {
    emulator,
    server,
    url: server.url,
    api: (path, init = {}) => {
      const { token = TOKEN, ...rest } = init;
      return fetch(`${server.url}${path}`, {
        ...rest,
        headers: {
          Authorization: `token ${token}`,
          Accept: "application/vnd.github+json",
          ...(rest.headers ?? {}),
        },
      });
    },
    close: () => server.close(),
  };
}

const json = (method: string, body?: unknown, token?: string): RequestInit & { token?: string } => ({
  method,
  headers: { "Content-Type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  ...(token ? { token } : {}),
});

async function expectError(
  res: Response,
  status: number,
  message: string | RegExp,
): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  const body = (await res.json()) as Record<string, unknown>;
  if (typeof message === "string") assert.equal(body.message, message);
  else assert.match(String(body.message), message);
  assert.match(String(body.documentation_url), /^https:\/\/docs\.github\.com\//);
  assert.equal(body.status, String(status));
  return body;
}

function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get("link") ?? "").split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim());
    if (match) out[match[2]!] = match[1]!;
  }
  return out;
}

const IDENTITIES = `query($org: String!, $cursor: String) {
  organization(login: $org) {
    samlIdentityProvider {
      externalIdentities(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { samlIdentity { nameId } user { login } }
      }
    }
  }
}`;

interface IdentityNode {
  samlIdentity: { nameId: string };
  user: { login: string } | null;
}
/** The reply shapes these tests read; GraphQL data is otherwise untyped JSON. */
interface GraphqlReply {
  data?: {
    organization: {
      samlIdentityProvider: {
        externalIdentities: {
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          nodes: IdentityNode[];
        };
      } | null;
    } | null;
  };
  errors?: Array<{ type?: string; message?: string }>;
}
interface MembershipJson {
  state: string;
  role: string;
  user: { login: string };
  organization: { login: string };
}

async function graphql(h: Api, query: string, variables: Record<string, unknown> = {}, token = TOKEN) {
  const res = await h.api("/graphql", { ...json("POST", { query, variables }), token });
  assert.equal(res.status, 200);
  return { res, body: (await res.json()) as GraphqlReply };
}

describe("github emulator: auth and errors", () => {
  let h: Api;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("no credentials → 401 Requires authentication; an unknown token → 401 Bad credentials", async () => {
    await expectError(await fetch(`${h.url}/user`), 401, "Requires authentication");
    for (const authorization of ["token nope", "Bearer ", "Basic dXNlcjpwYXNz", TOKEN]) {
      await expectError(
        await fetch(`${h.url}/user`, { headers: { Authorization: authorization } }),
        401,
        "Bad credentials",
      );
    }
  });

  test("`token` and `Bearer` schemes are accepted; X-OAuth-Scopes names the token's scopes", async () => {
    for (const scheme of ["token", "Bearer", "bearer"]) {
      const res = await fetch(`${h.url}/user`, { headers: { Authorization: `${scheme} ${TOKEN}` } });
      assert.equal(res.status, 200);
      const user = (await res.json()) as { login: string; id: number; name: string };
      assert.equal(user.login, "root");
      assert.equal(user.name, "Root Owner");
      assert.equal(res.headers.get("x-oauth-scopes"), "admin:org, repo, user");
    }
  });

  test("unknown org, user and route are 404 with GitHub's error body", async () => {
    await expectError(await h.api("/orgs/nope"), 404, "Not Found");
    await expectError(await h.api("/users/nobody-here"), 404, "Not Found");
    await expectError(await h.api("/orgs/acme/nothing-here"), 404, "Not Found");
    const org = (await (await h.api("/orgs/ACME")).json()) as { login: string; type: string };
    assert.deepEqual([org.login, org.type], ["acme", "Organization"], "org names are not case sensitive");
  });

  test("a token without admin:org is refused with the accepted and granted scopes named", async () => {
    const res = await h.api("/orgs/acme/credential-authorizations/1", {
      method: "DELETE",
      token: READONLY_TOKEN,
    });
    await expectError(res, 403, /required scopes/);
    assert.equal(res.headers.get("x-accepted-oauth-scopes"), "admin:org");
    assert.equal(res.headers.get("x-oauth-scopes"), "read:org, repo");
    assert.equal(
      (await h.api("/orgs/acme/credential-authorizations", { token: READONLY_TOKEN })).status,
      200,
    );
  });

  test("a member is not an owner: owner-only endpoints answer 403", async () => {
    await expectError(
      await h.api("/orgs/acme/credential-authorizations", { token: MEMBER_TOKEN }),
      403,
      /owner/,
    );
    await expectError(
      await h.api("/orgs/acme/memberships/bob", json("PUT", { role: "admin" }, MEMBER_TOKEN)),
      403,
      /owner/,
    );
  });

  test("an org enforcing SAML SSO refuses a token not authorized for it, with X-GitHub-SSO", async () => {
    const res = await h.api("/orgs/locked/members", { token: UNAUTHORIZED_SSO_TOKEN });
    await expectError(res, 403, /SAML enforcement/);
    assert.match(
      res.headers.get("x-github-sso") ?? "",
      /^required; url=https:\/\/github\.com\/orgs\/locked\/sso/,
    );
    assert.equal((await h.api("/orgs/acme/members", { token: UNAUTHORIZED_SSO_TOKEN })).status, 200);
  });
});

describe("github emulator: members, memberships and teams", () => {
  let h: Api;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("members are paginated with Link headers past page 1, and filter by role", async () => {
    const first = await h.api("/orgs/acme/members?per_page=3");
    const firstLinks = links(first);
    assert.deepEqual(Object.keys(firstLinks).sort(), ["last", "next"]);
    const logins: string[] = ((await first.json()) as Array<{ login: string }>).map((u) => u.login);
    let next: string | undefined = firstLinks.next;
    let pages = 1;
    while (next) {
      const res = await fetch(next, { headers: { Authorization: `token ${TOKEN}` } });
      const rels = links(res);
      assert.ok(rels.prev && rels.first, "later pages link back");
      logins.push(...((await res.json()) as Array<{ login: string }>).map((u) => u.login));
      next = rels.next;
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(logins, [
      "root",
      "alice",
      "bob",
      "carol",
      "page-user1",
      "page-user2",
      "page-user3",
      "page-user4",
    ]);
    const admins = (await (await h.api("/orgs/acme/members?role=admin")).json()) as Array<{ login: string }>;
    assert.deepEqual(
      admins.map((u) => u.login),
      ["root"],
    );
    await expectError(await h.api("/orgs/acme/members?role=owner"), 422, "Validation Failed");
    const capped = await h.api("/orgs/acme/members?per_page=500");
    assert.equal(((await capped.json()) as unknown[]).length, 8, "per_page above 100 is served as 100");
  });

  test("GET membership: active member, pending invitation, 404 for neither", async () => {
    const alice = (await (await h.api("/orgs/acme/memberships/alice")).json()) as MembershipJson;
    assert.deepEqual(
      [alice.state, alice.role, alice.user.login, alice.organization.login],
      ["active", "member", "alice", "acme"],
    );
    const invitee = (await (await h.api("/orgs/acme/memberships/invitee")).json()) as MembershipJson;
    assert.deepEqual([invitee.state, invitee.role], ["pending", "admin"]);
    await expectError(await h.api("/orgs/acme/memberships/nobody-here"), 404, "Not Found");
  });

  test("PUT membership reads the role from the JSON body; a role in the query string is ignored", async () => {
    const viaQuery = (await (
      await h.api("/orgs/acme/memberships/page-user1?role=admin", { method: "PUT" })
    ).json()) as Record<string, string>;
    assert.equal(viaQuery.role, "member", "the seed library's query-string role changes nothing");
    const promoted = (await (
      await h.api("/orgs/acme/memberships/page-user1", json("PUT", { role: "admin" }))
    ).json()) as Record<string, string>;
    assert.deepEqual([promoted.state, promoted.role], ["active", "admin"]);
    await expectError(
      await h.api("/orgs/acme/memberships/page-user1", json("PUT", { role: "owner" })),
      422,
      "Validation Failed",
    );
    await expectError(
      await h.api("/orgs/acme/memberships/page-user1", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: "{",
      }),
      400,
      "Problems parsing JSON",
    );
    await h.api("/orgs/acme/memberships/page-user1", json("PUT", { role: "member" }));
  });

  test("team memberships: by body role, inherited from child teams, maintainer for owners", async () => {
    const get = async (team: string, login: string) => h.api(`/orgs/acme/teams/${team}/memberships/${login}`);
    assert.deepEqual(await (await get("platform", "alice")).json(), {
      url: `${h.url}/organizations/${h.emulator.state.org("acme")!.id}/team/${h.emulator.state.team(h.emulator.state.org("acme")!, "platform")!.id}/memberships/alice`,
      role: "maintainer",
      state: "active",
    });
    const inherited = (await (await get("eng", "bob")).json()) as Record<string, string>;
    assert.deepEqual([inherited.role, inherited.state], ["member", "active"], "members of child teams count");
    assert.equal(((await (await get("eng", "root")).json()) as Record<string, string>).role, "maintainer");
    await expectError(await get("security", "alice"), 404, "Not Found");
    const added = (await (
      await h.api("/orgs/acme/teams/security/memberships/alice", json("PUT", { role: "maintainer" }))
    ).json()) as Record<string, string>;
    assert.deepEqual([added.role, added.state], ["maintainer", "active"]);
    assert.equal(
      (await h.api("/orgs/acme/teams/security/memberships/alice", { method: "DELETE" })).status,
      204,
    );
    const teams = (await (await h.api("/orgs/acme/teams")).json()) as Array<{
      slug: string;
      parent: { slug: string } | null;
    }>;
    assert.deepEqual(
      teams.map((t) => [t.slug, t.parent?.slug ?? null]),
      [
        ["eng", null],
        ["platform", "eng"],
        ["security", null],
      ],
    );
  });

  test("removing a member drops their teams; re-inviting creates a pending invitation until accepted", async () => {
    assert.equal((await h.api("/orgs/acme/members/carol", { method: "DELETE" })).status, 204);
    await expectError(await h.api("/orgs/acme/memberships/carol"), 404, "Not Found");
    await expectError(await h.api("/orgs/acme/teams/security/memberships/carol"), 404, "Not Found");

    const invited = (await (
      await h.api("/orgs/acme/memberships/carol", json("PUT", { role: "admin" }))
    ).json()) as Record<string, string>;
    assert.deepEqual([invited.state, invited.role], ["pending", "admin"]);
    const team = (await (
      await h.api("/orgs/acme/teams/security/memberships/carol", json("PUT", { role: "member" }))
    ).json()) as Record<string, string>;
    assert.equal(team.state, "pending", "a team membership of an invitee is pending");
    const invitations = (await (await h.api("/orgs/acme/invitations")).json()) as Array<
      Record<string, unknown>
    >;
    const carol = invitations.find((i) => i.login === "carol");
    assert.deepEqual([carol?.role, carol?.team_count], ["admin", 1]);

    const accept = await fetch(`${h.url}/__cordon/github/orgs/acme/invitations/carol/accept`, {
      method: "POST",
    });
    assert.equal(accept.status, 200);
    const now = (await (await h.api("/orgs/acme/memberships/carol")).json()) as Record<string, string>;
    assert.deepEqual([now.state, now.role], ["active", "admin"]);
    assert.equal(
      ((await (await h.api("/orgs/acme/teams/security/memberships/carol")).json()) as Record<string, string>)
        .state,
      "active",
    );
  });

  test("DELETE membership cancels a pending invitation; 404 when there is none", async () => {
    assert.equal((await h.api("/orgs/acme/memberships/invitee", { method: "DELETE" })).status, 204);
    await expectError(await h.api("/orgs/acme/memberships/invitee"), 404, "Not Found");
    await expectError(await h.api("/orgs/acme/memberships/invitee", { method: "DELETE" }), 404, "Not Found");
  });
});

describe("github emulator: SAML SSO credential authorizations", () => {
  let h: Api;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("lists a login's authorizations over pages, with the documented fields per credential type", async () => {
    const all: Array<Record<string, unknown>> = [];
    let url: string | undefined = `${h.url}/orgs/acme/credential-authorizations?login=ALICE&per_page=100`;
    let pages = 0;
    while (url) {
      const res: Response = await fetch(url, { headers: { Authorization: `token ${TOKEN}` } });
      all.push(...((await res.json()) as Array<Record<string, unknown>>));
      url = links(res).next;
      pages += 1;
    }
    assert.equal(pages, 2);
    assert.equal(all.length, 151);
    assert.ok(all.every((a) => a.login === "alice"));
    const token = all[0]!;
    assert.equal(token.credential_type, "personal access token");
    assert.match(String(token.token_last_eight), /^\d{8}$/);
    assert.equal("fingerprint" in token, false);
    assert.match(String(token.credential_authorized_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const key = all.find((a) => a.credential_type === "SSH Key")!;
    assert.equal("token_last_eight" in key, false);
    assert.match(String(key.fingerprint), /^SHA256:/);
    assert.equal(key.authorized_credential_title, "laptop");
  });

  test("DELETE removes one authorization (204); again is 404", async () => {
    const [bob] = (await (await h.api("/orgs/acme/credential-authorizations?login=bob")).json()) as Array<{
      credential_id: number;
    }>;
    assert.ok(bob);
    assert.equal(
      (await h.api(`/orgs/acme/credential-authorizations/${bob.credential_id}`, { method: "DELETE" })).status,
      204,
    );
    await expectError(
      await h.api(`/orgs/acme/credential-authorizations/${bob.credential_id}`, { method: "DELETE" }),
      404,
      "Not Found",
    );
    assert.deepEqual(await (await h.api("/orgs/acme/credential-authorizations?login=bob")).json(), []);
  });
});

describe("github emulator: GraphQL SAML identities", () => {
  let h: Api;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  test("pages through every external identity with endCursor; unclaimed identities have user null", async () => {
    const nodes: IdentityNode[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const { body } = await graphql(h, IDENTITIES, { org: "acme", cursor });
      assert.equal(body.errors, undefined);
      const page = body.data!.organization!.samlIdentityProvider!.externalIdentities;
      nodes.push(...page.nodes);
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    assert.equal(nodes.length, 250);
    assert.deepEqual(nodes[0], { samlIdentity: { nameId: "alice@corp.example" }, user: { login: "alice" } });
    assert.deepEqual(nodes[1], { samlIdentity: { nameId: "unclaimed@corp.example" }, user: null });
  });

  test("an org without SAML has samlIdentityProvider null; an unknown org is a NOT_FOUND error", async () => {
    const none = await graphql(h, IDENTITIES, { org: "nosaml" });
    assert.deepEqual(none.body, { data: { organization: { samlIdentityProvider: null } } });
    const missing = await graphql(h, IDENTITIES, { org: "nope" });
    assert.deepEqual(missing.body.data, { organization: null });
    assert.equal(missing.body.errors?.[0]?.type, "NOT_FOUND");
  });

  test("anything outside the supported slice is a GraphQL error, with HTTP 200", async () => {
    const unknown = await graphql(
      h,
      `{ organization(login: "acme") { repositories(first: 1) { totalCount } } }`,
    );
    assert.equal(unknown.body.data, undefined);
    assert.equal(
      unknown.body.errors?.[0]?.message,
      "Field 'repositories' doesn't exist on type 'Organization'",
    );
    const unbounded = await graphql(
      h,
      `{ organization(login: "acme") { samlIdentityProvider { externalIdentities { totalCount } } } }`,
    );
    assert.equal(unbounded.body.errors?.[0]?.type, "MISSING_PAGINATION_BOUNDARIES");
    const excessive = await graphql(
      h,
      `{ organization(login: "acme") { samlIdentityProvider { externalIdentities(first: 101) { totalCount } } } }`,
    );
    assert.equal(excessive.body.errors?.[0]?.type, "EXCESSIVE_PAGINATION");
    const syntax = await graphql(h, "{ organization(login: ");
    assert.match(String(syntax.body.errors?.[0]?.message), /^Parse error/);
    const mutation = await graphql(h, "mutation { addStar(input: {}) { clientMutationId } }");
    assert.ok(mutation.body.errors?.length);
    const undeclared = await graphql(h, "{ organization(login: $org) { login } }");
    assert.match(String(undeclared.body.errors?.[0]?.message), /Variable \$org is used/);
  });

  test("a token without read:org gets INSUFFICIENT_SCOPES", async () => {
    const noOrg = createGithubEmulator({
      seed: {
        orgs: [{ login: "acme", members: [{ login: "root", role: "admin" }], saml: { identities: [] } }],
        tokens: [{ token: "t", owner: "root", scopes: ["repo"] }],
      },
    });
    const res = await noOrg.app.fetch(
      new Request("http://gh.test/graphql", {
        method: "POST",
        headers: { Authorization: "bearer t", "Content-Type": "application/json" },
        body: JSON.stringify({ query: IDENTITIES, variables: { org: "acme" } }),
      }),
    );
    const body = (await res.json()) as { errors: Array<{ type: string; message: string }> };
    assert.equal(res.status, 200);
    assert.equal(body.errors[0]?.type, "INSUFFICIENT_SCOPES");
    assert.match(body.errors[0]!.message, /requires one of the following scopes: \['read:org'\]/);
  });
});

describe("github emulator: rate limits", () => {
  test("every reply carries x-ratelimit-* for its resource; remaining counts down", async () => {
    const clock = manualClock(1_700_002_800_000);
    const h = await start({ clock });
    try {
      const a = await h.api("/user");
      const b = await h.api("/orgs/acme");
      assert.equal(a.headers.get("x-ratelimit-limit"), "5000");
      assert.equal(a.headers.get("x-ratelimit-remaining"), "4999");
      assert.equal(b.headers.get("x-ratelimit-remaining"), "4998");
      assert.equal(b.headers.get("x-ratelimit-used"), "2");
      assert.equal(b.headers.get("x-ratelimit-resource"), "core");
      assert.match(b.headers.get("x-ratelimit-reset") ?? "", /^\d{10}$/);
      const g = await h.api("/graphql", json("POST", { query: IDENTITIES, variables: { org: "acme" } }));
      assert.equal(g.headers.get("x-ratelimit-resource"), "graphql");
      assert.equal(g.headers.get("x-ratelimit-remaining"), "4999");
      const notFound = await h.api("/orgs/nope");
      assert.equal(
        notFound.headers.get("x-ratelimit-remaining"),
        "4997",
        "errors count and carry the headers too",
      );
    } finally {
      await h.close();
    }
  });

  test("primary limit exhausted: 403 with remaining 0 until the reset, then served again", async () => {
    const clock = manualClock(1_700_002_800_000);
    const h = await start({ clock, rateLimitOverrides: { core: 3, graphql: 1 } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await h.api("/user")).status, 200);
      const refused = await h.api("/user");
      await expectError(refused, 403, /^API rate limit exceeded for user ID \d+\./);
      assert.equal(refused.headers.get("x-ratelimit-remaining"), "0");
      const reset = Number(refused.headers.get("x-ratelimit-reset")) * 1000;
      assert.equal(Number(refused.headers.get("x-cordon-retry-after-ms")), reset - clock.now());
      assert.equal(
        (await h.api("/graphql", json("POST", { query: IDENTITIES, variables: { org: "acme" } }))).status,
        200,
      );
      const gql = await h.api("/graphql", json("POST", { query: IDENTITIES, variables: { org: "acme" } }));
      assert.equal(gql.status, 200, "GraphQL answers 200 with an error");
      assert.equal(
        ((await gql.json()) as { errors: Array<{ type: string }> }).errors[0]?.type,
        "RATE_LIMITED",
      );
      clock.advance(reset - clock.now());
      assert.equal((await h.api("/user")).status, 200);
    } finally {
      await h.close();
    }
  });

  test("limitStatus 429 answers primary refusals with 429", async () => {
    const h = await start({
      clock: manualClock(1_700_002_800_000),
      rateLimitOverrides: { core: 1 },
      limitStatus: 429,
    });
    try {
      await h.api("/user");
      await expectError(await h.api("/user"), 429, /rate limit exceeded/);
    } finally {
      await h.close();
    }
  });

  test("secondary limits: content creation per minute and points per endpoint, with retry-after", async () => {
    const clock = manualClock(1_700_002_800_000);
    const h = await start({ clock, rateLimitOverrides: { contentPerMinute: 2, restPointsPerMinute: 10 } });
    try {
      for (const login of ["page-user1", "page-user2"])
        assert.equal(
          (await h.api(`/orgs/acme/memberships/${login}`, json("PUT", { role: "member" }))).status,
          200,
        );
      const refused = await h.api("/orgs/acme/memberships/page-user3", json("PUT", { role: "member" }));
      await expectError(refused, 403, /secondary rate limit/);
      assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
      assert.ok(Number(refused.headers.get("x-cordon-retry-after-ms")) <= 60_000);
      assert.notEqual(
        refused.headers.get("x-ratelimit-remaining"),
        "0",
        "a secondary limit is not the primary one",
      );
      // DELETE costs 5 points: two fit in 10, the third is refused; another endpoint is unaffected.
      assert.equal(
        (await h.api("/orgs/acme/teams/platform/memberships/bob", { method: "DELETE" })).status,
        204,
      );
      assert.equal(
        (await h.api("/orgs/acme/teams/platform/memberships/alice", { method: "DELETE" })).status,
        204,
      );
      await expectError(
        await h.api("/orgs/acme/teams/eng/memberships/root", { method: "DELETE" }),
        403,
        /secondary rate limit/,
      );
      assert.equal((await h.api("/orgs/acme/members/bob", { method: "DELETE" })).status, 204);
      clock.advance(60_000);
      assert.equal(
        (await h.api("/orgs/acme/memberships/page-user3", json("PUT", { role: "member" }))).status,
        200,
      );
    } finally {
      await h.close();
    }
  });

  test("timeScale compresses the hour: a 1-second window at timeScale 3600", async () => {
    const clock = manualClock(1_700_002_800_000);
    const h = await start({ clock, timeScale: 3600, rateLimitOverrides: { core: 1 } });
    try {
      await h.api("/user");
      const refused = await h.api("/user");
      assert.equal(refused.status, 403);
      assert.ok(Number(refused.headers.get("x-cordon-retry-after-ms")) <= 1000);
      clock.advance(1000);
      assert.equal((await h.api("/user")).status, 200);
    } finally {
      await h.close();
    }
  });
});

describe("github emulator: faults", () => {
  let h: Api;
  before(async () => {
    h = await start();
  });
  after(() => h.close());

  const fault = async (rule: Record<string, unknown>) => {
    const res = await fetch(`${h.url}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(rule),
    });
    assert.equal(res.status, 200);
  };

  test("an injected 502 is GitHub-shaped and carries rate headers; the next request is served", async () => {
    await fault({ kind: "status", status: 502, pathPrefix: "/orgs/acme/members", count: 1 });
    const failed = await h.api("/orgs/acme/members");
    await expectError(failed, 502, "Server Error");
    assert.match(failed.headers.get("x-ratelimit-remaining") ?? "", /^\d+$/);
    assert.equal((await h.api("/orgs/acme/members")).status, 200);
  });

  test("an injected 429 with retryAfterSeconds looks like a secondary limit", async () => {
    await fault({ kind: "status", status: 429, retryAfterSeconds: 2, pathPrefix: "/user", count: 1 });
    const res = await h.api("/user");
    await expectError(res, 429, /secondary rate limit/);
    assert.equal(res.headers.get("retry-after"), "2");
    assert.equal(res.headers.get("x-cordon-retry-after-ms"), "2000");
  });

  test("a dropped connection reaches the client as a network error", async () => {
    await fault({ kind: "drop", pathPrefix: "/user", count: 1 });
    await assert.rejects(h.api("/user"));
    assert.equal((await h.api("/user")).status, 200);
  });
});
