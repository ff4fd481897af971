import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type AtlassianEmulator,
  type AtlassianEmulatorOptions,
  type AtlassianSeed,
  createAtlassianEmulator,
} from "../../src/emulators/atlassian/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { manualClock } from "../support/clock.ts";

const KEY = "atl-admin-key";
const ORG = "6665a7b2-4644-44e8-932c-68d2f1b0c0ff";

/** ada: org admin; alice: tokens; sam: suspended; dee: deactivated; nina: no membership; ursula: unmanaged; 120 page users. */
const SEED: AtlassianSeed = {
  orgId: ORG,
  orgName: "Corp Example",
  apiKeys: [KEY],
  users: [
    { email: "ada@corp.example", name: "Ada Admin", orgAdmin: true },
    {
      email: "Alice.Anders@corp.example",
      apiTokens: [{ label: "ci pipeline" }, { label: "jira cli", expiresInDays: 30 }],
    },
    { email: "sam@corp.example", suspended: true },
    { email: "dee@corp.example", deactivated: true },
    { email: "nina@corp.example", member: false },
    { email: "ursula@partner.example", managed: false },
    ...Array.from({ length: 120 }, (_, i) => ({ email: `page.user${i}@corp.example` })),
  ],
};

interface Running {
  emulator: AtlassianEmulator;
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

async function start(options: AtlassianEmulatorOptions = {}): Promise<Running> {
  const emulator = createAtlassianEmulator({ seed: SEED, ...options });
  const server = await serveFetch(emulator.app.fetch);
  return { emulator, server, url: server.url, close: () => server.close() };
}

let h: Running;
before(async () => {
  h = await start();
});
after(() => h.close());

type Json = Record<string, unknown> & {
  data?: unknown;
  links?: { self?: string | null; next?: string };
  errors?: Array<Record<string, string>>;
};

async function call(
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; base?: string } = {},
): Promise<{ status: number; headers: Headers; json: Json }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? KEY}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${options.base ?? h.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Json) : {} };
}

const usersBase = `/admin/v2/orgs/${ORG}/directories/-/users`;
const search = (body: unknown) => call("POST", `${usersBase}/search`, { body });
const accountIdOf = (email: string) => {
  const user = h.emulator.state.findByEmail(email);
  assert.ok(user, email);
  return user.accountId;
};

describe("atlassian emulator: auth and errors", () => {
  test("no key, a malformed header or an unknown key is 401 from the gateway, on both APIs", async () => {
    for (const path of [
      `/admin/v1/orgs/${ORG}`,
      `/users/${accountIdOf("ada@corp.example")}/manage/profile`,
    ]) {
      const missing = await call("GET", path, { key: null });
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.json, { code: 401, message: "Unauthorized" });
      assert.equal((await call("GET", path, { key: "not-the-key" })).status, 401);
      const basic = await fetch(`${h.url}${path}`, { headers: { authorization: "Basic YTpi" } });
      assert.equal(basic.status, 401);
      await basic.body?.cancel();
    }
  });

  test("another organization is ADMIN-404-2, an unknown path ADMIN-404-1, a wrong method ADMIN-405-1", async () => {
    const other = await call("GET", "/admin/v1/orgs/some-other-org");
    assert.equal(other.status, 404);
    assert.equal(other.json.errors?.[0]?.code, "ADMIN-404-2");
    assert.equal(other.json.errors?.[0]?.status, "404");
    assert.ok(other.json.errors?.[0]?.id);
    assert.equal((await call("GET", `/admin/v9/nothing`)).json.errors?.[0]?.code, "ADMIN-404-1");
    const wrong = await call("DELETE", `/admin/v1/orgs/${ORG}`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.json.errors?.[0]?.code, "ADMIN-405-1");
  });

  test("the org and its directory are readable", async () => {
    const org = await call("GET", `/admin/v1/orgs/${ORG}`);
    assert.equal(org.status, 200);
    assert.deepEqual((org.json.data as Json).attributes, { name: "Corp Example" });
    assert.equal((org.json.data as Json).type, "orgs");
    const dirs = await call("GET", `/admin/v2/orgs/${ORG}/directories`);
    assert.equal((dirs.json.data as Array<Json>)[0]?.directoryId, h.emulator.state.directoryId);
  });

  test("every API response carries X-RateLimit-Limit, -Remaining and an ISO 8601 -Reset", async () => {
    const response = await call("GET", `/admin/v1/orgs/${ORG}`);
    assert.match(response.headers.get("x-ratelimit-limit") ?? "", /^\d+$/);
    assert.match(response.headers.get("x-ratelimit-remaining") ?? "", /^\d+$/);
    assert.match(response.headers.get("x-ratelimit-reset") ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe("atlassian emulator: directory users", () => {
  test("search by emails is exact and case-insensitive; platformRoles only when expanded", async () => {
    const found = await search({ emails: ["alice.anders@CORP.example"] });
    assert.equal(found.status, 200);
    const [alice, ...rest] = found.json.data as Json[];
    assert.equal(rest.length, 0);
    assert.equal(alice?.email, "Alice.Anders@corp.example");
    assert.equal(alice?.status, "active");
    assert.equal(alice?.membershipStatus, "active");
    assert.equal(alice?.accountStatus, "active");
    assert.equal(alice?.claimStatus, "managed");
    assert.equal("platformRoles" in (alice ?? {}), false);
    assert.deepEqual((await search({ emails: ["alice@corp.example"] })).json.data, []);
    const ada = (await search({ emails: ["ada@corp.example"], expand: ["platformRoles"] })).json
      .data as Json[];
    assert.deepEqual(ada[0]?.platformRoles, ["atlassian/org-admin"]);
  });

  test("composite status follows accountStatus and membershipStatus", async () => {
    const statuses = async (email: string) => ((await search({ emails: [email] })).json.data as Json[])[0];
    assert.deepEqual(
      [
        (await statuses("sam@corp.example"))?.status,
        (await statuses("dee@corp.example"))?.status,
        (await statuses("nina@corp.example"))?.status,
      ],
      ["suspended", "deactivated", "not_invited"],
    );
    assert.equal((await statuses("ursula@partner.example"))?.claimStatus, "unmanaged");
  });

  test("searchTerm and emails together are ADMIN-400-24; a bad limit too", async () => {
    const both = await search({ emails: ["a@b.c"], searchTerm: "a" });
    assert.equal(both.status, 400);
    assert.equal(both.json.errors?.[0]?.code, "ADMIN-400-24");
    assert.equal((await search({ limit: 0 })).status, 400);
    assert.equal((await search("not an object")).status, 400);
  });

  test("search pages past the first page with links.next cursors; the cursor alone carries the query", async () => {
    const emails = new Set<string>();
    let body: unknown = { searchTerm: "page.user", limit: 50 };
    let pages = 0;
    for (;;) {
      const page = await search(body);
      assert.equal(page.status, 200);
      pages += 1;
      for (const user of page.json.data as Json[]) emails.add(String(user.email));
      const next = page.json.links?.next;
      if (!next) break;
      body = { cursor: next, searchTerm: "ignored-when-a-cursor-is-given" };
    }
    assert.equal(pages, 3);
    assert.equal(emails.size, 120);
  });

  test("the deprecated GET list pages the same way with ?cursor=, and refuses a forged cursor", async () => {
    let path = `${usersBase}?limit=100`;
    let total = 0;
    let pages = 0;
    for (;;) {
      const page = await call("GET", path);
      assert.equal(page.status, 200);
      total += (page.json.data as unknown[]).length;
      pages += 1;
      const next = page.json.links?.next;
      if (!next) break;
      path = `${usersBase}?cursor=${encodeURIComponent(next)}`;
    }
    assert.equal(total, 126);
    assert.equal(pages, 2);
    const forged = await call("GET", `${usersBase}?cursor=bm90LWEtY3Vyc29y`);
    assert.equal(forged.status, 400);
    assert.equal(forged.json.errors?.[0]?.code, "ADMIN-400-1");
  });

  test("user details by account id; an unknown one is ADMIN-404-8", async () => {
    const id = accountIdOf("ada@corp.example");
    const ada = await call("GET", `${usersBase}/${id}`);
    assert.equal(ada.status, 200);
    assert.equal((ada.json.data as Json).accountId, id);
    assert.deepEqual((ada.json.data as Json).platformRoles, ["atlassian/org-admin"]);
    const ghost = await call("GET", `${usersBase}/5b10ac8dffffffffffffffff`);
    assert.equal(ghost.status, 404);
    assert.equal(ghost.json.errors?.[0]?.code, "ADMIN-404-8");
    assert.equal((await call("GET", `/admin/v2/orgs/${ORG}/directories/nope/users/${id}`)).status, 404);
  });
});

describe("atlassian emulator: suspend-access and restore-access", () => {
  const path = (email: string, change: string) =>
    `/admin/v1/orgs/${ORG}/directory/users/${accountIdOf(email)}/${change}`;

  test("suspend answers 200 {message}, the directory then shows suspended; restore reverses it", async () => {
    const email = "page.user7@corp.example";
    const suspended = await call("POST", path(email, "suspend-access"));
    assert.equal(suspended.status, 200);
    assert.match(String(suspended.json.message), new RegExp(`^Access to organization ${ORG} `));
    const user = h.emulator.state.findByEmail(email);
    assert.equal(user?.membershipStatus, "suspended");
    const read = await call("GET", `${usersBase}/${accountIdOf(email)}`);
    assert.equal((read.json.data as Json).status, "suspended");
    // Suspending again is a success that changes nothing (the docs name no error for it).
    assert.equal((await call("POST", path(email, "suspend-access"))).status, 200);
    const restored = await call("POST", path(email, "restore-access"));
    assert.equal(restored.status, 200);
    assert.equal(user?.membershipStatus, "active");
  });

  test("an unknown account, or one in no directory, is ADMIN-404-8; another org ADMIN-404-2", async () => {
    const ghost = await call("POST", `/admin/v1/orgs/${ORG}/directory/users/nobody/suspend-access`);
    assert.equal(ghost.json.errors?.[0]?.code, "ADMIN-404-8");
    assert.equal((await call("POST", path("nina@corp.example", "suspend-access"))).status, 404);
    const other = await call(
      "POST",
      `/admin/v1/orgs/other/directory/users/${accountIdOf("ada@corp.example")}/suspend-access`,
    );
    assert.equal(other.json.errors?.[0]?.code, "ADMIN-404-2");
  });
});

describe("atlassian emulator: user management API", () => {
  const manage = (email: string, rest: string) => `/users/${accountIdOf(email)}/manage${rest}`;

  test("profile of a managed account; an unmanaged one is 403 {key: forbidden}", async () => {
    const profile = await call("GET", manage("ada@corp.example", "/profile"));
    assert.equal(profile.status, 200);
    const account = profile.json.account as Json;
    assert.equal(account.account_id, accountIdOf("ada@corp.example"));
    assert.equal(account.account_status, "active");
    const refused = await call("GET", manage("ursula@partner.example", "/profile"));
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.json, { key: "forbidden" });
    assert.equal((await call("GET", "/users/nobody/manage/profile")).status, 404);
  });

  test("API tokens: list (ids, labels, dates, never secrets), delete 204, a second delete 404", async () => {
    const listed = await fetch(`${h.url}${manage("alice.anders@corp.example", "/api-tokens")}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const tokens = (await listed.json()) as Array<Record<string, string>>;
    assert.equal(tokens.length, 2);
    assert.deepEqual(Object.keys(tokens[0] ?? {}).sort(), ["createdAt", "id", "label"]);
    assert.deepEqual(Object.keys(tokens[1] ?? {}).sort(), ["createdAt", "expiry", "id", "label"]);
    const id = tokens[0]?.id ?? "";
    const deleted = await call("DELETE", manage("alice.anders@corp.example", `/api-tokens/${id}`));
    assert.equal(deleted.status, 204);
    const again = await call("DELETE", manage("alice.anders@corp.example", `/api-tokens/${id}`));
    assert.equal(again.status, 404);
    assert.deepEqual(again.json, { key: "notFound" });
    assert.equal(h.emulator.state.findByEmail("alice.anders@corp.example")?.apiTokens.size, 1);
  });

  test("the control endpoint adds a token as a user would", async () => {
    const made = await fetch(`${h.url}/__cordon/atlassian/users/ada@corp.example/api-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ label: "laptop" }),
    });
    assert.equal(made.status, 201);
    const state = await (await fetch(`${h.url}/__cordon/atlassian/users/ada@corp.example`)).json();
    assert.equal((state as Json).apiTokens, 1);
  });

  test("lifecycle disable deactivates the account (status deactivated), enable reactivates it", async () => {
    const disabled = await call("POST", manage("page.user3@corp.example", "/lifecycle/disable"), {
      body: { message: "incident 42" },
    });
    assert.equal(disabled.status, 204);
    const read = await call("GET", `${usersBase}/${accountIdOf("page.user3@corp.example")}`);
    assert.equal((read.json.data as Json).status, "deactivated");
    assert.equal((read.json.data as Json).accountStatus, "inactive");
    assert.equal((await call("POST", manage("page.user3@corp.example", "/lifecycle/enable"))).status, 204);
    assert.equal(h.emulator.state.findByEmail("page.user3@corp.example")?.accountStatus, "active");
  });
});

/** A clock tests move by hand, on a minute boundary so fixed windows are predictable. */
/** This file's clocks start at 1700000040000. */
const atlassianClock = (start = 1_700_000_040_000) => manualClock(start);

describe("atlassian emulator: rate limits and faults", () => {
  test("past the budget: 429 ADMIN-429-1 with Retry-After, exact ms and the reset; the next window recovers", async () => {
    const clock = atlassianClock();
    const emulator = createAtlassianEmulator({ seed: SEED, clock, rateLimitOverrides: { admin: 3 } });
    const get = () =>
      emulator.app.fetch(
        new Request(`http://atl.test/admin/v1/orgs/${ORG}`, { headers: { authorization: `Bearer ${KEY}` } }),
      );
    for (let i = 0; i < 3; i++) assert.equal((await get()).status, 200);
    clock.advance(20_000);
    const limited = await get();
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as Json).errors?.[0]?.code, "ADMIN-429-1");
    assert.equal(limited.headers.get("retry-after"), "40");
    assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "40000");
    assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
    assert.equal(limited.headers.get("x-ratelimit-reset"), new Date(1_700_000_100_000).toISOString());
    // The user management API has its own budget.
    const profile = await emulator.app.fetch(
      new Request(`http://atl.test/users/${emulator.state.listUsers()[0]?.accountId}/manage/profile`, {
        headers: { authorization: `Bearer ${KEY}` },
      }),
    );
    assert.equal(profile.status, 200);
    clock.advance(40_000);
    assert.equal((await get()).status, 200);
  });

  test("timeScale compresses the window: the wait is exact in X-Cordon-Retry-After-Ms", async () => {
    const clock = atlassianClock();
    const emulator = createAtlassianEmulator({
      seed: SEED,
      clock,
      timeScale: 60,
      rateLimitOverrides: { admin: 2 },
    });
    const get = () =>
      emulator.app.fetch(
        new Request(`http://atl.test/admin/v1/orgs/${ORG}`, { headers: { authorization: `Bearer ${KEY}` } }),
      );
    await get();
    await get();
    clock.advance(250);
    const limited = await get();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "750");
    assert.equal(limited.headers.get("retry-after"), "1");
    clock.advance(750);
    assert.equal((await get()).status, 200);
  });

  test("injected faults: 503 then recovery, a 429 with its Retry-After, the user API's envelope, a drop", async () => {
    const r = await start();
    try {
      const fault = (rule: Record<string, unknown>) =>
        fetch(`${r.url}/__cordon/faults`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(rule),
        });
      assert.equal(
        (await fault({ kind: "status", status: 503, count: 1, pathPrefix: "/admin" })).status,
        200,
      );
      const failed = await call("GET", `/admin/v1/orgs/${ORG}`, { base: r.url });
      assert.equal(failed.status, 503);
      assert.equal(failed.json.errors?.[0]?.status, "503");
      assert.equal((await call("GET", `/admin/v1/orgs/${ORG}`, { base: r.url })).status, 200);

      await fault({ kind: "status", status: 429, retryAfterSeconds: 2, count: 1 });
      const limited = await call("GET", `/admin/v1/orgs/${ORG}`, { base: r.url });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "2");
      assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "2000");

      await fault({ kind: "status", status: 500, count: 1, pathPrefix: "/users" });
      const id = r.emulator.state.listUsers()[0]?.accountId;
      const userApi = await call("GET", `/users/${id}/manage/api-tokens`, { base: r.url });
      assert.equal(userApi.status, 500);
      assert.deepEqual(userApi.json, { key: "error" });

      await fault({ kind: "drop", count: 1 });
      await assert.rejects(
        fetch(`${r.url}/admin/v1/orgs/${ORG}`, { headers: { authorization: `Bearer ${KEY}` } }),
      );
      assert.equal((await call("GET", `/admin/v1/orgs/${ORG}`, { base: r.url })).status, 200);
    } finally {
      await r.close();
    }
  });

  test("a seed with duplicate emails is refused with every problem named", () => {
    assert.throws(
      () =>
        createAtlassianEmulator({
          seed: {
            users: [{ email: "a@corp.example" }, { email: "A@corp.example", roles: ["nope" as never] }],
          },
        }),
      (error: Error) => /duplicate email/.test(error.message) && /roles/.test(error.message),
    );
  });
});
