import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
// The SDK is CommonJS; under ESM its exports arrive on the default import.
import okta from "@okta/okta-sdk-nodejs";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { createOktaEmulator, type OktaEmulator, type OktaSeed } from "../../src/emulators/okta/index.ts";

const TOKEN = "test-token";

const SEED: OktaSeed = {
  tokens: [TOKEN],
  tokenOwner: "admin@corp.example",
  users: [
    { email: "admin@corp.example", admin: true },
    {
      email: "alice.anders@corp.example",
      sessions: 2,
      grants: 2,
      oauthClients: [{ clientId: "0oaSLACKapp000000001", name: "Slack", refreshTokens: 2 }],
    },
    ...[1, 2, 3, 4, 5].map((n) => ({ email: `page.user${n}@corp.example` })),
    {
      email: "robot@corp.example",
      apiTokens: Array.from({ length: 25 }, (_, i) => ({ name: `robot-${i + 1}` })),
    },
  ],
};

/** The SDK parses a JSON error body into an OktaApiError carrying Okta's fields. */
function isOktaError(status: number, errorCode: string) {
  return (error: unknown) => {
    assert.ok(error instanceof okta.OktaApiError, String(error));
    const e = error as { status?: number; errorCode?: string; errorId?: string; errorSummary?: string };
    assert.equal(e.status, status);
    assert.equal(e.errorCode, errorCode);
    assert.match(e.errorId ?? "", /^oae/);
    return true;
  };
}

describe("okta emulator: @okta/okta-sdk-nodejs 8.1.0, unchanged", () => {
  let emulator: OktaEmulator;
  let server: RunningServer;
  let client: InstanceType<typeof okta.Client>;
  const id = (login: string) => emulator.state.findUser(login)?.id ?? assert.fail(`no user ${login}`);

  before(async () => {
    emulator = createOktaEmulator({ seed: SEED });
    server = await serveFetch(emulator.app.fetch, { port: 0 });
    client = new okta.Client({ orgUrl: server.url, token: TOKEN });
  });
  after(() => server.close());

  test("userApi.listUsers with search iterates across pages", async () => {
    const users = await client.userApi.listUsers({ search: 'profile.email sw "page.user"', limit: 2 });
    const logins: string[] = [];
    for await (const user of users) logins.push(user?.profile?.login ?? "");
    assert.deepEqual(
      logins,
      [1, 2, 3, 4, 5].map((n) => `page.user${n}@corp.example`),
    );
    // Three pages were fetched: the users bucket (600/min) shows three requests, plus this one.
    const probe = await fetch(`${server.url}/api/v1/users?limit=1`, {
      headers: { Authorization: `SSWS ${TOKEN}` },
    });
    assert.equal(probe.headers.get("x-rate-limit-remaining"), "596");
  });

  test("userApi.getUser by id and by login; unknown → 404 E0000007", async () => {
    const alice = id("alice.anders@corp.example");
    const byId = await client.userApi.getUser({ userId: alice });
    assert.equal(byId.id, alice);
    assert.equal(byId.status, "ACTIVE");
    assert.equal(byId.profile?.email, "alice.anders@corp.example");
    assert.equal(byId.credentials?.provider?.type, "OKTA");
    const byLogin = await client.userApi.getUser({ userId: "alice.anders@corp.example" });
    assert.equal(byLogin.id, alice);
    await assert.rejects(client.userApi.getUser({ userId: "00uNOPE" }), isOktaError(404, "E0000007"));
  });

  test("userApi.suspendUser / unsuspendUser", async () => {
    const user = id("page.user1@corp.example");
    await client.userApi.suspendUser({ userId: user });
    assert.equal(emulator.state.userById(user)?.status, "SUSPENDED");
    await assert.rejects(client.userApi.suspendUser({ userId: user }), isOktaError(400, "E0000001"));
    // Collections bypass the SDK's GET cache, so a search sees the new status.
    const found = await client.userApi.listUsers({ search: `id eq "${user}"` });
    const statuses: string[] = [];
    for await (const u of found) statuses.push(String(u?.status));
    assert.deepEqual(statuses, ["SUSPENDED"]);
    await client.userApi.unsuspendUser({ userId: user });
    assert.equal(emulator.state.userById(user)?.status, "ACTIVE");
  });

  test("userApi.revokeUserSessions with oauthTokens revokes sessions and refresh tokens", async () => {
    const alice = id("alice.anders@corp.example");
    assert.equal(emulator.state.sessionsOf(alice).length, 2);
    assert.equal(emulator.state.refreshTokensOf(alice).length, 2);
    await client.userApi.revokeUserSessions({ userId: alice, oauthTokens: true });
    assert.equal(emulator.state.sessionsOf(alice).length, 0);
    assert.equal(emulator.state.refreshTokensOf(alice).length, 0);
  });

  test("userApi.generateResetPasswordToken (the v8 name of resetPassword) with sendEmail=false", async () => {
    const user = id("page.user2@corp.example");
    const result = await client.userApi.generateResetPasswordToken({ userId: user, sendEmail: false });
    assert.match(result.resetPasswordUrl ?? "", new RegExp(`^${server.url}/reset_password/`));
    assert.equal(emulator.state.userById(user)?.status, "RECOVERY");
  });

  test("apiTokenApi.listApiTokens follows Link pages; revokeApiToken", async () => {
    const tokens = await client.apiTokenApi.listApiTokens();
    const ids: string[] = [];
    for await (const token of tokens) ids.push(token?.id ?? "");
    assert.equal(ids.length, 25, "two pages of the default 20");
    assert.equal(new Set(ids).size, 25);
    await client.apiTokenApi.revokeApiToken({ apiTokenId: ids[0]! });
    assert.equal(emulator.state.apiTokens.has(ids[0]!), false);
    await assert.rejects(
      client.apiTokenApi.revokeApiToken({ apiTokenId: ids[0]! }),
      isOktaError(404, "E0000007"),
    );
  });

  test("the SDK backs off a 429 using X-Rate-Limit-Reset and Date, then retries", async () => {
    const backoffs: number[] = [];
    client.requestExecutor.on("backoff", (_req: unknown, _res: unknown, _id: unknown, delayMs: number) => {
      backoffs.push(delayMs);
    });
    await fetch(`${server.url}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        kind: "status",
        status: 429,
        retryAfterSeconds: 0,
        count: 1,
        pathPrefix: "/api/v1/users",
      }),
    });
    const user = await client.userApi.getUser({ userId: "page.user3@corp.example" });
    assert.equal(user.profile?.login, "page.user3@corp.example");
    assert.equal(backoffs.length, 1);
    assert.ok(backoffs[0]! >= 0 && backoffs[0]! <= 2000, `backoff ${backoffs[0]} ms`);
  });
});
