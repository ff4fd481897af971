/**
 * End to end through a real Slack connector (its SCIM listing joined with Web API role flags, and its
 * deactivate/reactivate actions) over HTTP against the Slack emulator, and a real SQLite store.
 */
import assert from "node:assert/strict";
import test, { type TestContext } from "node:test";
import type { Clock } from "../../src/core/clock.ts";
import type { Connector } from "../../src/core/connector.ts";
import { isKind } from "../../src/core/errors.ts";
import type { EntitledPerson } from "../../src/core/reconcile.ts";
import { type PeopleSource, parseAccessRules, reconcile } from "../../src/reconcile/index.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import type { Store } from "../../src/store/types.ts";
import { slackHarness } from "../support/harness.ts";

const clock: Clock = { now: () => Date.UTC(2025, 5, 1), sleep: async () => {} };
const RULES = parseAccessRules(
  `apps:\n  - application:\n      name: Slack\n      authorized_users: [contractor@partner.example]\n      authorized_groups: [team_moco]\n`,
  "apps.yml",
);
const USERS = [
  { email: "owner@corp.example", isPrimaryOwner: true },
  { email: "alice@corp.example" },
  { email: "bob@corp.example" },
  { email: "carol@corp.example" },
  { email: "dave@corp.example" },
  { email: "erin@corp.example" },
  { email: "contractor@partner.example" },
  { email: "bot@corp.example", isBot: true },
];
const entitled = (email: string, active = true): EntitledPerson => ({
  email,
  aliases: [],
  groups: ["ldap_team_moco"],
  active,
});

function source(people: EntitledPerson[] | (() => Promise<EntitledPerson[]>)): PeopleSource {
  return { name: "okta", readPeople: async () => (typeof people === "function" ? people() : people) };
}

async function world(t: TestContext) {
  const h = await slackHarness({ seed: { users: USERS } });
  t.after(() => h.close());
  const store = openSqliteStore({ path: ":memory:" });
  t.after(() => store.close());
  const target: Connector = h.connector;
  const idOf = async (email: string) => (await target.listAccounts!()).find((a) => a.email === email)!.id;
  const activeOf = async () =>
    Object.fromEntries(
      (await target.listAccounts!()).filter((a) => a.email).map((a) => [a.email.split("@")[0], a.active]),
    );
  return { h, store, target, idOf, activeOf };
}

const base = (store: Store, target: Connector) => ({
  rules: RULES,
  app: "Slack",
  target,
  store,
  clock,
  actor: "test",
  run: { verifyIntervalMs: 1, verifyTimeoutMs: 2000 },
  // 8 accounts (the bot comes from users.list: Slack's SCIM lists no bots): the default 10% share would stop every apply here.
  caps: { maxChanges: 25, maxShare: 0.5 },
});

test("first run reports only; then apply deactivates, keeps protected and held accounts, reactivates only its own", async (t) => {
  const { store, target, idOf, activeOf } = await world(t);
  let people = [
    entitled("alice@corp.example"),
    entitled("bob@corp.example"),
    entitled("carol@corp.example", false),
    entitled("erin@corp.example"),
  ];

  // First run: even with apply, nothing changes.
  const first = await reconcile({ ...base(store, target), source: source(people), apply: true });
  assert.equal(first.firstRun, true);
  assert.equal(first.reportOnly, true);
  assert.equal(first.result, undefined);
  assert.deepEqual(first.plan.changes.map((c) => c.account.email).sort(), [
    "carol@corp.example",
    "dave@corp.example",
  ]);
  assert.equal((await activeOf()).carol, true);

  // An analyst contains erin; an admin deactivated nobody yet.
  await store.createRun({
    id: "run_contain",
    kind: "contain",
    planHash: "h",
    plan: {},
    reason: "INC-1",
    actor: "analyst",
    parentRunId: null,
  });
  await store.openHold({
    connection: "slack",
    accountId: await idOf("erin@corp.example"),
    email: "erin@corp.example",
    runId: "run_contain",
  });
  people = people.filter((p) => p.email !== "erin@corp.example"); // erin also lost entitlement

  const applied = await reconcile({
    ...base(store, target),
    source: source(people),
    apply: true,
    firstRun: "apply",
  });
  assert.equal(applied.reportOnly, false);
  assert.equal(applied.result?.state, "completed");
  assert.deepEqual(applied.plan.changes.map((c) => c.account.email).sort(), [
    "carol@corp.example",
    "dave@corp.example",
  ]);
  const skipped = Object.fromEntries(applied.plan.skipped.map((s) => [s.account.email, s.reason]));
  assert.match(skipped["owner@corp.example"]!, /protected: primary_owner/);
  assert.match(skipped["erin@corp.example"]!, /open containment \(run run_contain\)/);
  assert.deepEqual(await activeOf(), {
    owner: true,
    alice: true,
    bob: true,
    carol: false,
    dave: false,
    erin: true,
    contractor: true,
  });
  // The ledger has every change with the plan hash; the hold is untouched.
  const run = await store.getRun(applied.result!.runId);
  assert.equal(run?.kind, "reconcile");
  assert.equal(run?.planHash, applied.plan.hash);
  assert.equal((await store.listSteps(run!.id)).filter((s) => s.state === "applied").length, 2);
  assert.equal((await store.listOpenHolds()).length, 1);
  assert.equal((await store.verifyLedger()).ok, true);

  // Carol is entitled again, and so is alice after an admin deactivates her by hand: only carol comes back.
  await target.actions.get("slack.deactivate_user")!.execute(
    {
      client: target.client,
      account: {
        connection: "slack",
        vendor: "slack",
        id: await idOf("alice@corp.example"),
        email: "alice@corp.example",
        status: "active",
        protectedReasons: [],
        matchedBy: "test",
      },
      clock,
      signal: new AbortController().signal,
    },
    {},
    { active: true },
  );
  people = [...people.filter((p) => p.email !== "carol@corp.example"), entitled("carol@corp.example")];
  const again = await reconcile({ ...base(store, target), source: source(people), apply: true });
  assert.equal(again.firstRun, false);
  assert.deepEqual(
    again.plan.changes.map((c) => [c.account.email, c.change]),
    [["carol@corp.example", "reactivate"]],
  );
  assert.match(
    again.plan.skipped.find((s) => s.account.email === "alice@corp.example")!.reason,
    /deactivated outside cordon/,
  );
  const after = await activeOf();
  assert.equal(after.carol, true);
  assert.equal(after.alice, false);
  assert.equal((await store.listOpenHolds()).length, 1, "reconciliation never opens or releases holds");
});

test("empty, failed and partial source reads, an empty target and a missing app stop before anything changes", async (t) => {
  const { store, target, activeOf } = await world(t);
  const before = await activeOf();
  const stops: Array<[string, Parameters<typeof reconcile>[0], RegExp]> = [
    [
      "empty source",
      { ...base(store, target), source: source([]), apply: true, firstRun: "apply" },
      /returned nothing/,
    ],
    [
      "failed source",
      {
        ...base(store, target),
        source: source(async () => {
          throw new Error("boom");
        }),
        apply: true,
        firstRun: "apply",
      },
      /reading the source of truth okta failed/,
    ],
    [
      "partial source (fails on page 3)",
      {
        ...base(store, target),
        source: source(async () => {
          const got: EntitledPerson[] = [];
          for (let page = 1; page <= 5; page++) {
            if (page === 3) throw new Error("HTTP 503 on page 3");
            got.push(entitled(`p${page}@corp.example`));
          }
          return got;
        }),
        apply: true,
        firstRun: "apply",
      },
      /failed .*partial or failed read never counts as complete/,
    ],
    [
      "empty target",
      {
        ...base(store, { ...target, listAccounts: async () => [] }),
        source: source([entitled("alice@corp.example")]),
        apply: true,
        firstRun: "apply",
      },
      /target slack returned nothing/,
    ],
    [
      "missing app",
      {
        ...base(store, target),
        app: "Zoom",
        source: source([entitled("alice@corp.example")]),
        apply: true,
        firstRun: "apply",
      },
      /no entry for the app "Zoom"/,
    ],
  ];
  for (const [name, options, pattern] of stops) {
    await assert.rejects(reconcile(options), (e) => isKind(e, "policy") && pattern.test(e.message), name);
  }
  assert.deepEqual(await store.listRuns(), [], "no run was recorded");
  assert.deepEqual(await activeOf(), before);
});

test("a failed target read mid-pagination stops; a cap exceeded stops with the numbers", async (t) => {
  const { h, store, target, activeOf } = await world(t);
  const before = await activeOf();
  await h.fault({ kind: "status", status: 400, pathPrefix: "/scim/v2/Users", method: "GET", count: 1 });
  await assert.rejects(
    reconcile({
      ...base(store, target),
      source: source([entitled("alice@corp.example")]),
      apply: true,
      firstRun: "apply",
    }),
    (e) => isKind(e, "policy") && /reading the target slack failed/.test(e.message),
  );

  // Only alice (and the contractor, by authorized_users) are entitled: 4 deactivations of 8 accounts (50 %).
  const plan = await reconcile({
    ...base(store, target),
    source: source([entitled("alice@corp.example")]),
    apply: false,
    caps: { maxChanges: 25, maxShare: 0.4 },
  });
  assert.equal(plan.reportOnly, true);
  assert.equal(plan.plan.changes.length, 4);
  assert.deepEqual(plan.plan.alarms.length, 1);
  await assert.rejects(
    reconcile({
      ...base(store, target),
      source: source([entitled("alice@corp.example")]),
      apply: true,
      firstRun: "apply",
      caps: { maxChanges: 3, maxShare: 1 },
    }),
    (e) => isKind(e, "policy") && /4 changes planned, at most 3 per run/.test(e.message),
  );
  await assert.rejects(
    reconcile({
      ...base(store, target),
      source: source([entitled("alice@corp.example")]),
      apply: true,
      firstRun: "apply",
      caps: undefined,
    }),
    (e) =>
      isKind(e, "policy") &&
      /4 changes planned = 50\.0% of 8 accounts, at most 10\.0% \(0\) per run/.test(e.message),
  );
  assert.deepEqual(await activeOf(), before);
});
