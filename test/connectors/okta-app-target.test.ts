/**
 * One Okta app's assignments as a reconcile target, over HTTP against the Okta emulator: paged listing, unassign
 * (verified), exact re-assignment from the snapshot, and reconcile() removing and re-assigning.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { oktaAppTarget } from "../../src/connectors/okta/index.ts";
import type { Account } from "../../src/core/account.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Connector } from "../../src/core/connector.ts";
import type { EntitledPerson } from "../../src/core/reconcile.ts";
import type { OktaEmulator } from "../../src/emulators/okta/index.ts";
import { parseAccessRules, reconcile } from "../../src/reconcile/index.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { type Harness, oktaHarness } from "../support/harness.ts";

const MANY = 520; // two pages of 500
let h: Harness<OktaEmulator>;
let target: Connector;
before(async () => {
  h = await oktaHarness({
    seed: {
      tokenOwner: "admin@corp.example",
      users: [
        { email: "admin@corp.example", admin: true },
        { email: "alice@corp.example" },
        { email: "bob@corp.example" },
        { email: "gina@corp.example" },
        ...Array.from({ length: MANY }, (_, i) => ({ email: `u${i}@corp.example` })),
      ],
      apps: [
        {
          id: "0oaWiki",
          label: "Wiki",
          assignments: [
            "admin@corp.example",
            "alice@corp.example",
            { email: "bob@corp.example", profile: { role: "editor", team: "ops" } },
            { email: "gina@corp.example", scope: "GROUP" },
          ],
        },
        {
          id: "0oaBig",
          label: "Big",
          assignments: Array.from({ length: MANY }, (_, i) => `u${i}@corp.example`),
        },
      ],
    },
  });
  target = oktaAppTarget(h.connector, "0oaWiki");
});
after(() => h.close());

const userId = (email: string) => h.emulator.state.listUsers().find((u) => u.profile.email === email)!.id;
const accountOf = (email: string): Account => ({
  connection: target.connection,
  vendor: "okta",
  id: userId(email),
  email,
  status: "active",
  protectedReasons: [],
  matchedBy: "test",
});

test("listAccounts reads every page of the app's assignments, with emails from _embedded.user", async () => {
  const big = await oktaAppTarget(h.connector, "0oaBig").listAccounts!();
  assert.equal(big.length, MANY);
  assert.equal(big.at(-1)?.email, `u${MANY - 1}@corp.example`);
  const wiki = await target.listAccounts!();
  assert.deepEqual(
    wiki.map((a) => [a.email, a.protectedReasons]),
    [
      ["admin@corp.example", ["admin"]],
      ["alice@corp.example", []],
      ["bob@corp.example", []],
      ["gina@corp.example", ["group_assignment"]],
    ],
  );
  assert.equal(target.connection, "okta");
});

test("unassign is verified; assign from the snapshot restores scope and profile exactly", async () => {
  const app = h.emulator.state.apps.get("0oaWiki")!;
  const bob = accountOf("bob@corp.example");
  const before = { ...app.assignments.get(bob.id)! };
  const unassign = target.actions.get("okta.unassign_app_user")!;
  const snapshot = await unassign.snapshot!(
    { client: target.client, account: bob, clock: systemClock(), signal: AbortSignal.timeout(5000) },
    { appId: "0oaWiki" },
  );
  const ctx = {
    client: target.client,
    account: bob,
    clock: systemClock(),
    signal: AbortSignal.timeout(5000),
  };
  assert.equal((await unassign.execute(ctx, { appId: "0oaWiki" }, snapshot)).outcome, "applied");
  assert.deepEqual(await unassign.verify!(ctx, { appId: "0oaWiki" }), {
    state: "verified",
    observed: "not assigned to app 0oaWiki (404)",
  });
  assert.equal(app.assignments.has(bob.id), false);
  assert.equal(JSON.stringify(snapshot).includes("password"), false);
  const restore = unassign.restoreInput!(snapshot);
  assert.deepEqual(restore, { appId: "0oaWiki", scope: "USER", profile: { role: "editor", team: "ops" } });
  // Again: nothing to do.
  assert.equal(
    (await unassign.execute(ctx, { appId: "0oaWiki" }, await unassign.snapshot!(ctx, { appId: "0oaWiki" })))
      .outcome,
    "already_in_state",
  );

  const assign = target.actions.get("okta.assign_app_user")!;
  assert.equal(assign.input.safeParse({ appId: "x", extra: 1 }).success, false);
  assert.equal((await assign.execute(ctx, assign.input.parse(restore), undefined)).outcome, "applied");
  assert.equal((await assign.verify!(ctx, { appId: "0oaWiki" })).state, "verified");
  const back = app.assignments.get(bob.id)!;
  assert.equal(back.scope, before.scope);
  assert.deepEqual(back.profile, before.profile);
});

test("reconcile with the app target unassigns who lost entitlement and re-assigns them when entitled again", async (t) => {
  const store = openSqliteStore({ path: ":memory:" });
  t.after(() => store.close());
  const rules = parseAccessRules("apps:\n  Wiki:\n    allowedGroups: [wiki-users]\n", "rules.yaml");
  const person = (email: string, groups: string[]): EntitledPerson => ({
    email,
    aliases: [],
    groups,
    active: true,
  });
  const run = (people: EntitledPerson[]) =>
    reconcile({
      source: { name: "okta", readPeople: async () => people },
      rules,
      app: "Wiki",
      target,
      store,
      clock: systemClock(),
      actor: "test",
      apply: true,
      firstRun: "apply",
      caps: { maxChanges: 5, maxShare: 0.5 },
      run: { verifyIntervalMs: 1, verifyTimeoutMs: 500 },
    });
  const app = h.emulator.state.apps.get("0oaWiki")!;
  const bobId = userId("bob@corp.example");

  // bob lost the group; admin is protected, gina is assigned through a group (protected), alice stays.
  const first = await run([
    person("alice@corp.example", ["wiki-users"]),
    person("bob@corp.example", ["sales"]),
  ]);
  assert.deepEqual(
    first.plan.changes.map((c) => [c.account.email, c.change, c.call]),
    [["bob@corp.example", "deactivate", { actionId: "okta.unassign_app_user", input: { appId: "0oaWiki" } }]],
  );
  assert.equal(first.result?.state, "completed");
  assert.equal(app.assignments.has(bobId), false);

  const second = await run([
    person("alice@corp.example", ["wiki-users"]),
    person("bob@corp.example", ["wiki-users"]),
  ]);
  const change = second.plan.changes[0]!;
  assert.equal(change.change, "reactivate");
  assert.deepEqual(change.call, {
    actionId: "okta.assign_app_user",
    input: { appId: "0oaWiki", scope: "USER", profile: { role: "editor", team: "ops" } },
  });
  assert.equal(second.result?.steps[0]?.state, "applied");
  assert.deepEqual(app.assignments.get(bobId)?.profile, { role: "editor", team: "ops" });
});
