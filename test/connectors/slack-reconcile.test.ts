import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createConnector } from "../../src/connectors/index.ts";
import type { Account } from "../../src/core/account.ts";
import { createSlackEmulator, type SlackEmulator } from "../../src/emulators/slack/index.ts";
import { runAction } from "../../src/library.ts";
import { type Harness, harness } from "../support/harness.ts";

/** 2,105 people: three SCIM pages of 1,000 (and three users.list pages), plus a bot that SCIM does not list. */
const MANY = 2100;
const seed = {
  adminUser: "admin@corp.example",
  users: [
    { email: "admin@corp.example", name: "ada", isPrimaryOwner: true, isOwner: true, isAdmin: true },
    { email: "owen@corp.example", name: "owen", isOwner: true, isAdmin: true },
    { email: "adam@corp.example", name: "adam", isAdmin: true },
    { email: "gone@corp.example", name: "gone", deleted: true },
    { email: "bot@corp.example", name: "deploybot", isBot: true },
    ...Array.from({ length: MANY }, (_, i) => ({ email: `user${i}@corp.example`, name: `user${i}` })),
  ],
};

/** Requests whose path + query contain `failOn` answer 500 (retries too) until it is cleared. */
let failOn: string | undefined;
const seen: string[] = [];
/** The emulator with its `app` wrapped by the fault switch below. */
type Wrapped = Omit<SlackEmulator, "app"> & {
  app: { fetch: (request: Request, env: unknown) => Response | Promise<Response> };
};
let h: Harness<Wrapped>;
before(async () => {
  const emulator = createSlackEmulator({ seed });
  const wrapped: Wrapped = {
    ...emulator,
    app: {
      fetch: (request: Request, env: unknown) => {
        const url = new URL(request.url);
        seen.push(`${url.pathname}${url.search}`);
        if (failOn && `${url.pathname}${url.search}`.includes(failOn))
          return new Response(JSON.stringify({ detail: "internal error", status: "500" }), {
            status: 500,
            headers: { "content-type": "application/scim+json" },
          });
        return emulator.app.fetch(request, env);
      },
    },
  };
  h = await harness(wrapped, (url, deps) =>
    createConnector(
      {
        vendor: "slack",
        name: "slack",
        token: "xoxp-test-token",
        apiUrl: `${url}/api/`,
        scimUrl: `${url}/scim/v2/`,
      },
      deps,
    ),
  );
});
after(() => h.close());

describe("slack listAccounts (target)", () => {
  test("every account over SCIM pages of 1,000, with owner/admin/bot flags from users.list", async () => {
    seen.length = 0;
    const accounts = await h.connector.listAccounts!();
    assert.equal(accounts.length, seed.users.length);
    assert.equal(new Set(accounts.map((a) => a.id)).size, accounts.length);
    const by = new Map(accounts.map((a) => [a.email, a]));
    assert.deepEqual(by.get("admin@corp.example")?.protectedReasons, ["primary_owner"]);
    assert.deepEqual(by.get("owen@corp.example")?.protectedReasons, ["owner"]);
    assert.deepEqual(by.get("adam@corp.example")?.protectedReasons, ["admin"]);
    // Bots have no email in users.list; found by id.
    const botId = [...h.emulator.state.users.values()].find((u) => u.isBot)!.id;
    const bot = accounts.find((a) => a.id === botId);
    assert.deepEqual(bot?.protectedReasons, ["bot"]);
    assert.equal(bot?.active, true);
    const gone = by.get("gone@corp.example");
    assert.equal(gone?.active, false, "deactivated users are listed, inactive");
    assert.deepEqual(gone?.protectedReasons, []);
    const last = by.get(`user${MANY - 1}@corp.example`);
    assert.equal(last?.active, true);
    assert.deepEqual(last?.protectedReasons, []);
    assert.match(last?.id ?? "", /^[UW]/);

    const scim = seen.filter((r) => r.startsWith("/scim/v2/Users?"));
    assert.deepEqual(scim, [
      "/scim/v2/Users?startIndex=1&count=1000",
      "/scim/v2/Users?startIndex=1001&count=1000",
      "/scim/v2/Users?startIndex=2001&count=1000",
    ]);
    assert.equal(seen.filter((r) => r.startsWith("/api/users.list")).length, 3);
    assert.equal(seen.filter((r) => r.startsWith("/api/admin.teams.list")).length, 1);
  });

  test("a 500 on the second SCIM page rejects the whole call", async () => {
    failOn = "startIndex=1001";
    try {
      await assert.rejects(h.connector.listAccounts!());
    } finally {
      failOn = undefined;
    }
  });

  test("lifecycle is the SCIM deactivate/reactivate pair, and listAccounts sees the change", async () => {
    const { deactivate, reactivate } = h.connector.lifecycle!;
    assert.deepEqual(deactivate, { actionId: "slack.deactivate_user", input: {} });
    assert.deepEqual(reactivate, { actionId: "slack.reactivate_user", input: {} });
    const target = (await h.connector.listAccounts!()).find((a) => a.email === "user5@corp.example")!;
    const account: Account = {
      connection: "slack",
      vendor: "slack",
      id: target.id,
      email: target.email,
      status: "active",
      protectedReasons: target.protectedReasons,
      aliases: [],
      matchedBy: "listAccounts",
    };
    assert.equal((await runAction(h.connector, deactivate.actionId, account)).outcome, "applied");
    assert.equal((await h.connector.listAccounts!()).find((a) => a.id === target.id)?.active, false);
    assert.equal((await runAction(h.connector, reactivate.actionId, account)).outcome, "applied");
  });
});

describe("slack SCIM list paging (client)", () => {
  test("a smaller count is honoured and startIndex advances by what each page held", async () => {
    seen.length = 0;
    const client = h.connector.client as import("../../src/connectors/slack/client.ts").SlackClient;
    let n = 0;
    for await (const _ of client.listScimUsers(undefined, 700)) n += 1;
    assert.equal(n, seed.users.length - 1, "bots are not SCIM users");
    assert.deepEqual(
      seen.filter((r) => r.startsWith("/scim/v2/Users?")),
      [1, 701, 1401, 2101].map((i) => `/scim/v2/Users?startIndex=${i}&count=700`),
    );
  });

  test("an empty page before totalResults is reached throws instead of ending the list", async () => {
    const emulator = createSlackEmulator({ seed });
    const short = {
      ...emulator,
      app: {
        fetch: async (request: Request, env: unknown) => {
          const url = new URL(request.url);
          if (url.pathname === "/scim/v2/Users" && url.searchParams.get("startIndex") !== "1") {
            return new Response(
              JSON.stringify({ totalResults: 5000, itemsPerPage: 0, startIndex: 1001, Resources: [] }),
              { status: 200, headers: { "content-type": "application/scim+json" } },
            );
          }
          return emulator.app.fetch(request, env);
        },
      },
    };
    const hh = await harness(short, (url, deps) =>
      createConnector(
        {
          vendor: "slack",
          name: "slack",
          token: "xoxp-test-token",
          apiUrl: `${url}/api/`,
          scimUrl: `${url}/scim/v2/`,
        },
        deps,
      ),
    );
    try {
      await assert.rejects(hh.connector.listAccounts!(), /incomplete/);
    } finally {
      await hh.close();
    }
  });
});
