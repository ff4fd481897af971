import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Octokit } from "@octokit/rest";
import {
  createGithubEmulator,
  type GithubEmulator,
  type GithubSeed,
} from "../../src/emulators/github/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";

const TOKEN = "ghp_sdk0000000000000000000000000000000000";

const SEED: GithubSeed = {
  orgs: [
    {
      login: "acme",
      members: [
        { login: "root", role: "admin" },
        "alice",
        "bob",
        ...[1, 2, 3, 4, 5].map((n) => `page-user${n}`),
      ],
      teams: [{ slug: "platform", members: [{ login: "alice", role: "maintainer" }] }],
      saml: {
        identities: [
          { nameId: "alice@corp.example", login: "alice" },
          ...Array.from({ length: 120 }, (_, i) => ({ nameId: `user${i}@corp.example`, login: null })),
        ],
      },
      credentialAuthorizations: [
        { login: "alice", count: 3 },
        { login: "alice", type: "SSH Key" },
        { login: "bob" },
      ],
    },
  ],
  tokens: [{ token: TOKEN, owner: "root" }],
};

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

interface IdentitiesResult {
  organization: {
    samlIdentityProvider: {
      externalIdentities: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{ samlIdentity: { nameId: string }; user: { login: string } | null }>;
      };
    };
  };
}

describe("github emulator: @octokit/rest 22, unchanged", () => {
  let emulator: GithubEmulator;
  let server: RunningServer;
  let octokit: Octokit;

  before(async () => {
    emulator = createGithubEmulator({ seed: SEED });
    server = await serveFetch(emulator.app.fetch, { port: 0 });
    const quiet = () => undefined;
    octokit = new Octokit({
      auth: TOKEN,
      baseUrl: server.url,
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
  });
  after(() => server.close());

  test("users.getAuthenticated", async () => {
    const { data, status, headers } = await octokit.users.getAuthenticated();
    assert.equal(status, 200);
    assert.equal(data.login, "root");
    assert.equal(headers["x-ratelimit-resource"], "core");
  });

  test("octokit.paginate(orgs.listMembers) follows Link headers across pages", async () => {
    const members = await octokit.paginate(octokit.orgs.listMembers, { org: "acme", per_page: 3 });
    assert.deepEqual(
      members.map((m) => m.login),
      ["root", "alice", "bob", "page-user1", "page-user2", "page-user3", "page-user4", "page-user5"],
    );
    const admins = await octokit.paginate(octokit.orgs.listMembers, { org: "acme", role: "admin" });
    assert.deepEqual(
      admins.map((m) => m.login),
      ["root"],
    );
  });

  test("orgs.getMembershipForUser, and a RequestError 404 for a non-member", async () => {
    const { data } = await octokit.orgs.getMembershipForUser({ org: "acme", username: "alice" });
    assert.deepEqual([data.state, data.role, data.user?.login], ["active", "member", "alice"]);
    await assert.rejects(
      octokit.orgs.getMembershipForUser({ org: "acme", username: "nobody" }),
      (error: unknown) => {
        const e = error as { name: string; status: number; response?: { data: { message: string } } };
        assert.equal(e.name, "HttpError");
        assert.equal(e.status, 404);
        assert.equal(e.response?.data.message, "Not Found");
        return true;
      },
    );
  });

  test("orgs.removeMember, then orgs.setMembershipForUser with a role re-invites (pending)", async () => {
    const removed = await octokit.orgs.removeMember({ org: "acme", username: "bob" });
    assert.equal(removed.status, 204);
    assert.equal(emulator.state.member(emulator.state.org("acme")!, "bob"), undefined);
    const { data } = await octokit.orgs.setMembershipForUser({ org: "acme", username: "bob", role: "admin" });
    assert.deepEqual([data.state, data.role], ["pending", "admin"], "Octokit sends role in the body");
    const promoted = await octokit.orgs.setMembershipForUser({
      org: "acme",
      username: "alice",
      role: "admin",
    });
    assert.deepEqual([promoted.data.state, promoted.data.role], ["active", "admin"]);
    await octokit.orgs.setMembershipForUser({ org: "acme", username: "alice", role: "member" });
  });

  test("teams.addOrUpdateMembershipForUserInOrg and getMembershipForUserInOrg", async () => {
    const { data } = await octokit.teams.addOrUpdateMembershipForUserInOrg({
      org: "acme",
      team_slug: "platform",
      username: "page-user1",
      role: "maintainer",
    });
    assert.deepEqual([data.role, data.state], ["maintainer", "active"]);
    const read = await octokit.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "platform",
      username: "alice",
    });
    assert.equal(read.data.role, "maintainer");
  });

  test('octokit.request("GET /orgs/{org}/credential-authorizations") and its DELETE', async () => {
    const { data } = await octokit.request("GET /orgs/{org}/credential-authorizations", {
      org: "acme",
      login: "alice",
    });
    const list = data as Array<{ login: string; credential_id: number; credential_type: string }>;
    assert.equal(list.length, 4);
    assert.ok(list.every((c) => c.login === "alice"));
    const all = await octokit.paginate<{ credential_id: number }>(
      "GET /orgs/{org}/credential-authorizations",
      {
        org: "acme",
        per_page: 2,
      },
    );
    assert.equal(all.length, 5);
    const removed = await octokit.request("DELETE /orgs/{org}/credential-authorizations/{credential_id}", {
      org: "acme",
      credential_id: list[0]!.credential_id,
    });
    assert.equal(removed.status, 204);
  });

  test("octokit.graphql pages through SAML external identities", async () => {
    const nodes: IdentitiesResult["organization"]["samlIdentityProvider"]["externalIdentities"]["nodes"] = [];
    let cursor: string | null = null;
    for (;;) {
      const result: IdentitiesResult = await octokit.graphql<IdentitiesResult>(IDENTITIES, {
        org: "acme",
        cursor,
      });
      const page = result.organization.samlIdentityProvider.externalIdentities;
      nodes.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
    }
    assert.equal(nodes.length, 121);
    assert.deepEqual(nodes[0], { samlIdentity: { nameId: "alice@corp.example" }, user: { login: "alice" } });
    await assert.rejects(octokit.graphql(`{ organization(login: "acme") { nope } }`), (error: unknown) => {
      assert.equal((error as { name: string }).name, "GraphqlResponseError");
      assert.match((error as Error).message, /Field 'nope' doesn't exist on type 'Organization'/);
      return true;
    });
  });
});
