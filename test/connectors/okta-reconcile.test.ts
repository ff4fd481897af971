import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createConnector } from "../../src/connectors/index.ts";
import type { Account } from "../../src/core/account.ts";
import { createOktaEmulator, type OktaEmulator } from "../../src/emulators/okta/index.ts";
import { runAction } from "../../src/library.ts";
import { type Harness, harness } from "../support/harness.ts";

/**
 * 450 users (3 pages of the 200-a-page users list, plus the DEPROVISIONED walk), an "All Staff" group of 1,204
 * members (2 pages of 1,000; the rest are seeded below), an APP_GROUP, and a group with no members.
 */
const STAFF = 450;
const users = [
  { email: "admin@corp.example", admin: true, groups: ["All Staff", "IT Admins"] },
  ...Array.from({ length: STAFF }, (_, i) => ({
    email: `user${i}@corp.example`,
    groups: i % 2 === 0 ? ["All Staff", "Engineering"] : ["All Staff"],
    ...(i === 7 ? { status: "DEPROVISIONED" as const } : {}),
    ...(i === 8 ? { status: "SUSPENDED" as const } : {}),
    ...(i === 9 ? { status: "STAGED" as const } : {}),
    ...(i === 10 ? { login: "u10@corp.example" } : {}),
  })),
  // Beyond the users walk's interest: enough extra members to push "All Staff" past one page of 1,000.
  ...Array.from({ length: 754 }, (_, i) => ({ email: `contractor${i}@corp.example`, groups: ["All Staff"] })),
];
const seed = {
  tokenOwner: "admin@corp.example",
  groups: [
    { name: "Engineering", description: "builders" },
    { name: "AD Finance", type: "APP_GROUP" as const },
    { name: "Everyone", type: "BUILT_IN" as const },
    { name: "Empty" },
  ],
  users: [...users, { email: "fin@corp.example", groups: ["AD Finance", "Everyone"] }],
};

/**
 * The harness with a switch that answers 500 to one page: requests whose path and query contain `failOn` fail
 * until it is cleared (every retry too), while every other page is served.
 */
let failOn: string | undefined;
/** Every request the emulator received (path + query), retries included. */
const seen: string[] = [];
/** The emulator with its `app` wrapped by the fault switch below. */
type Wrapped = Omit<OktaEmulator, "app"> & {
  app: { fetch: (request: Request, env: unknown) => Response | Promise<Response> };
};
let h: Harness<Wrapped>;
before(async () => {
  const emulator = createOktaEmulator({ seed });
  const wrapped: Wrapped = {
    ...emulator,
    app: {
      fetch: (request: Request, env: unknown) => {
        const url = new URL(request.url);
        seen.push(`${url.pathname}${url.search}`);
        if (failOn && `${url.pathname}${url.search}`.includes(failOn))
          return new Response(
            JSON.stringify({ errorCode: "E0000009", errorSummary: "Internal Server Error" }),
            {
              status: 500,
              headers: { "content-type": "application/json" },
            },
          );
        return emulator.app.fetch(request, env);
      },
    },
  };
  h = await harness(wrapped, (url, deps) =>
    createConnector({ vendor: "okta", name: "okta", orgUrl: url, token: "test-token" }, deps),
  );
});
after(() => h.close());

const requests = (pattern: RegExp) => seen.filter((r) => pattern.test(r));

describe("okta listPeople (source of truth)", () => {
  test("every user, DEPROVISIONED included, with group names read from the Groups API in pages", async () => {
    seen.length = 0;
    const people = await h.connector.listPeople!();
    assert.equal(people.length, users.length + 1);
    const by = new Map(people.map((p) => [p.email, p]));
    assert.deepEqual(by.get("admin@corp.example")?.groups, ["All Staff", "IT Admins"]);
    assert.deepEqual(by.get("user0@corp.example"), {
      email: "user0@corp.example",
      aliases: [],
      groups: ["All Staff", "Engineering"],
      active: true,
    });
    assert.deepEqual(by.get("user1@corp.example")?.groups, ["All Staff"]);
    // Past the first page of "All Staff" members (1,000 a page).
    assert.deepEqual(by.get("contractor753@corp.example")?.groups, ["All Staff"]);
    // APP_GROUP read; BUILT_IN (Everyone) left out.
    assert.deepEqual(by.get("fin@corp.example")?.groups, ["AD Finance"]);
    // DEPROVISIONED and SUSPENDED are inactive; STAGED is a person still to start.
    assert.equal(by.get("user7@corp.example")?.active, false);
    assert.deepEqual(by.get("user7@corp.example")?.groups, ["All Staff"]);
    assert.equal(by.get("user8@corp.example")?.active, false);
    assert.equal(by.get("user9@corp.example")?.active, true);
    assert.deepEqual(by.get("user10@corp.example")?.aliases, ["u10@corp.example"]);

    // Requests: 1,205 listed users (DEPROVISIONED omitted) → 7 pages, + 1 DEPROVISIONED filter page; 1 page of
    // groups; member pages: All Staff 2 (1,205 members), the 4 other non-built-in groups 1 each.
    assert.equal(requests(/^\/api\/v1\/users\?/).length, 8);
    assert.equal(requests(/^\/api\/v1\/groups\?/).length, 1);
    const staff = h.emulator.state.groupByName("All Staff")!;
    assert.equal(requests(new RegExp(`^/api/v1/groups/${staff.id}/users`)).length, 2);
    const everyone = h.emulator.state.groupByName("Everyone")!;
    assert.equal(requests(new RegExp(`^/api/v1/groups/${everyone.id}/`)).length, 0);
    assert.equal(requests(/^\/api\/v1\/groups\/[^/]+\/users/).length, 6);
    assert.equal(requests(/^\/api\/v1\/users\/[^/?]+/).length, 0, "no per-user calls");
  });

  test("a 500 on a page of group members rejects the whole call (no partial list)", async () => {
    const engineering = h.emulator.state.groupByName("Engineering")!;
    failOn = `/api/v1/groups/${engineering.id}/users`;
    try {
      await assert.rejects(h.connector.listPeople!());
    } finally {
      failOn = undefined;
    }
  });

  test("a 500 on the second page of users rejects the whole call", async () => {
    // The cursor of page 2 is the last user of page 1 (the plain list omits DEPROVISIONED users).
    const listed = h.emulator.state.listUsers().filter((u) => u.status !== "DEPROVISIONED");
    const second = listed[199]!.id;
    failOn = `after=${second}`;
    try {
      await assert.rejects(h.connector.listPeople!());
      assert.ok(seen.some((r) => r.includes(`after=${second}`)));
    } finally {
      failOn = undefined;
    }
  });
});

describe("okta listAccounts and lifecycle (target)", () => {
  test("every account, inactive when SUSPENDED or DEPROVISIONED, admins protected", async () => {
    const accounts = await h.connector.listAccounts!();
    assert.equal(accounts.length, users.length + 1);
    const by = new Map(accounts.map((a) => [a.email, a]));
    assert.deepEqual(by.get("admin@corp.example")?.protectedReasons, ["admin"]);
    assert.equal(by.get("user0@corp.example")?.active, true);
    assert.deepEqual(by.get("user0@corp.example")?.protectedReasons, []);
    assert.equal(by.get("user0@corp.example")?.displayName, "User0 User");
    assert.equal(by.get("user7@corp.example")?.active, false);
    assert.equal(by.get("user8@corp.example")?.active, false);
  });

  test("lifecycle suspends and unsuspends, and listAccounts sees each change", async () => {
    const { deactivate, reactivate } = h.connector.lifecycle!;
    assert.deepEqual(deactivate, { actionId: "okta.suspend_user", input: {} });
    assert.deepEqual(reactivate, { actionId: "okta.unsuspend_user", input: {} });
    const target = (await h.connector.listAccounts!()).find((a) => a.email === "user3@corp.example")!;
    const account: Account = {
      connection: "okta",
      vendor: "okta",
      id: target.id,
      email: target.email,
      status: "ACTIVE",
      protectedReasons: target.protectedReasons,
      aliases: [],
      matchedBy: "listAccounts",
    };
    assert.equal(
      (await runAction(h.connector, deactivate.actionId, account, deactivate.input)).outcome,
      "applied",
    );
    let now = (await h.connector.listAccounts!()).find((a) => a.id === target.id);
    assert.equal(now?.active, false);
    assert.equal(h.emulator.state.userById(target.id)?.status, "SUSPENDED");
    assert.equal(
      (await runAction(h.connector, reactivate.actionId, account, reactivate.input)).outcome,
      "applied",
    );
    now = (await h.connector.listAccounts!()).find((a) => a.id === target.id);
    assert.equal(now?.active, true);
  });

  test("a failing role walk rejects listAccounts", async () => {
    failOn = "/api/v1/iam/assignees/users";
    try {
      await assert.rejects(h.connector.listAccounts!());
    } finally {
      failOn = undefined;
    }
  });
});
