import assert from "node:assert/strict";
import test from "node:test";
import { isKind } from "../../src/core/errors.ts";
import type { EntitledPerson, TargetAccount } from "../../src/core/reconcile.ts";
import {
  type AppRule,
  buildReconcilePlan,
  formatReconcilePlan,
  type ReconcilePlanInput,
  reconcilePlanIsIntact,
} from "../../src/reconcile/index.ts";

const NOW = Date.UTC(2025, 5, 1);
const person = (email: string, groups: string[], active = true, aliases: string[] = []): EntitledPerson => ({
  email,
  aliases,
  groups,
  active,
});
const account = (
  id: string,
  email: string,
  active = true,
  protectedReasons: string[] = [],
): TargetAccount => ({
  id,
  email,
  active,
  protectedReasons,
});
const rule: AppRule = { name: "Slack", allowedGroups: ["eng"], allowedEmails: [], exceptions: [] };

function input(overrides: Partial<ReconcilePlanInput> = {}): ReconcilePlanInput {
  return {
    app: "Slack",
    target: {
      connection: "slack",
      vendor: "slack",
      lifecycle: {
        deactivate: { actionId: "slack.deactivate_user", input: {} },
        reactivate: { actionId: "slack.reactivate_user", input: {} },
      },
    },
    sources: [
      { name: "okta", people: [person("a@corp.example", ["eng"]), person("b@corp.example", ["sales"])] },
    ],
    accounts: [account("U1", "a@corp.example"), account("U2", "b@corp.example")],
    rule,
    history: new Map(),
    holds: new Map(),
    now: NOW,
    caps: { maxChanges: 100, maxShare: 1 },
    ...overrides,
  };
}

test("deactivates who is not entitled, each with a reason; the plan is sealed", () => {
  const plan = buildReconcilePlan(
    input({
      sources: [
        {
          name: "okta",
          people: [
            person("a@corp.example", ["eng"], true, ["alias-a@corp.example"]),
            person("b@corp.example", ["sales"]),
            person("c@corp.example", ["eng"], false),
          ],
        },
      ],
      accounts: [
        account("U1", "ALIAS-A@corp.example"),
        account("U2", "b@corp.example"),
        account("U3", "c@corp.example"),
        account("U4", "ghost@corp.example"),
      ],
    }),
  );
  assert.equal(plan.kind, "reconcile");
  assert.ok(reconcilePlanIsIntact(plan));
  assert.deepEqual(
    plan.changes.map((c) => [c.account.id, c.change, c.reason]),
    [
      ["U2", "deactivate", "not entitled to Slack: in no group allowed for Slack"],
      ["U3", "deactivate", "not entitled to Slack: inactive in okta"],
      ["U4", "deactivate", "not entitled to Slack: not found in okta"],
    ],
  );
  assert.equal(plan.changes[0]!.call.actionId, "slack.deactivate_user");
  assert.deepEqual(plan.alarms, []);
  assert.equal(plan.counts.entitledAccounts, 1);
  assert.match(formatReconcilePlan(plan), /deactivate\s+b@corp\.example\s+U2/);
  assert.equal(reconcilePlanIsIntact({ ...plan, changes: [] }), false, "an edited plan no longer matches");
});

test("owners, primary owners, bots, admins and protected accounts are never touched, and say why", () => {
  const plan = buildReconcilePlan(
    input({
      sources: [{ name: "okta", people: [person("a@corp.example", ["eng"])] }],
      accounts: [
        account("U1", "a@corp.example"),
        account("U2", "owner@corp.example", true, ["owner"]),
        account("U3", "primary@corp.example", true, ["primary_owner"]),
        account("B1", "bot@corp.example", true, ["bot"]),
        account("U4", "admin@corp.example", true, ["admin"]),
        account("U5", "breakglass@corp.example", true, ["protected"]),
        account("B2", "", true),
      ],
    }),
  );
  assert.deepEqual(plan.changes, []);
  assert.deepEqual(
    plan.skipped.map((s) => [s.account.id, s.reason.replace(/.* but /, "")]),
    [
      ["U2", "it is protected: owner"],
      ["U3", "it is protected: primary_owner"],
      ["B1", "it is protected: bot"],
      ["U4", "it is protected: admin"],
      ["U5", "it is protected: protected"],
      ["B2", "the account has no email address; cordon never guesses whose it is"],
    ],
  );
});

test("an open containment hold wins: neither deactivated nor reactivated", () => {
  const plan = buildReconcilePlan(
    input({
      sources: [
        { name: "okta", people: [person("a@corp.example", ["eng"]), person("c@corp.example", ["eng"])] },
      ],
      accounts: [
        account("U1", "a@corp.example"),
        account("U2", "b@corp.example"),
        account("U3", "c@corp.example", false),
        account("U4", "d@corp.example"),
      ],
      history: new Map([["U3", "deactivate"]]),
      holds: new Map([["U3", "run_contain_1"]]),
      holdsByEmail: new Map([["d@corp.example", "run_contain_2"]]),
    }),
  );
  assert.deepEqual(
    plan.changes.map((c) => c.account.id),
    ["U2"],
  );
  assert.deepEqual(
    plan.skipped.map((s) => [s.account.id, /open containment \(run (\w+)\)/.exec(s.reason)?.[1]]),
    [
      ["U3", "run_contain_1"],
      ["U4", "run_contain_2"],
    ],
  );
});

test("reactivates only accounts cordon deactivated; an admin's deactivation stays", () => {
  const plan = buildReconcilePlan(
    input({
      sources: [
        {
          name: "okta",
          people: [
            person("a@corp.example", ["eng"]),
            person("b@corp.example", ["eng"]),
            person("c@corp.example", ["eng"]),
          ],
        },
      ],
      accounts: [
        account("U1", "a@corp.example", false), // cordon deactivated it, entitled again
        account("U2", "b@corp.example", false), // an admin deactivated it
        account("U3", "c@corp.example", false), // cordon deactivated then reactivated; someone deactivated it since
        account("U4", "x@corp.example", false), // cordon deactivated, still not entitled
      ],
      history: new Map([
        ["U1", "deactivate"],
        ["U3", "reactivate"],
        ["U4", "deactivate"],
      ]),
    }),
  );
  assert.deepEqual(
    plan.changes.map((c) => [c.account.id, c.change, c.call.actionId]),
    [["U1", "reactivate", "slack.reactivate_user"]],
  );
  assert.deepEqual(
    plan.skipped.map((s) => s.account.id),
    ["U2", "U3"],
  );
  assert.match(plan.skipped[0]!.reason, /deactivated outside cordon/);
});

test("allowed emails and unexpired exceptions entitle; expired exceptions do not and are reported", () => {
  const plan = buildReconcilePlan(
    input({
      rule: {
        name: "Slack",
        allowedGroups: ["eng"],
        allowedEmails: ["svc@corp.example"],
        exceptions: [
          { email: "contractor@partner.example", owner: "secops", expires: "2025-07-01", reason: "audit" },
          { email: "old@partner.example", owner: "secops", expires: "2025-06-01", reason: "pentest" },
        ],
      },
      accounts: [
        account("U1", "svc@corp.example"),
        account("U2", "contractor@partner.example"),
        account("U3", "old@partner.example"),
      ],
    }),
  );
  assert.deepEqual(
    plan.changes.map((c) => [c.account.id, c.reason]),
    [["U3", "not entitled to Slack: not found in okta; its exception expired 2025-06-01"]],
  );
  assert.deepEqual(
    plan.expiredExceptions.map((e) => e.email),
    ["old@partner.example"],
  );
});

test("an empty source or an empty target stops with an alarm", () => {
  assert.throws(
    () => buildReconcilePlan(input({ sources: [{ name: "okta", people: [] }] })),
    (e) => isKind(e, "policy") && /source of truth okta returned no people/.test(e.message),
  );
  assert.throws(
    () => buildReconcilePlan(input({ accounts: [] })),
    (e) => isKind(e, "policy") && /target slack returned no accounts/.test(e.message),
  );
});

test("caps: absolute and share of the target, with the numbers", () => {
  const people = [person("keep@corp.example", ["eng"])];
  const accounts = [account("K", "keep@corp.example")];
  for (let i = 0; i < 30; i++) accounts.push(account(`U${i}`, `gone${i}@corp.example`));
  const absolute = buildReconcilePlan(
    input({ sources: [{ name: "okta", people }], accounts, caps: { maxChanges: 25, maxShare: 1 } }),
  );
  assert.deepEqual(absolute.alarms, [
    "cap exceeded: 30 changes planned, at most 25 per run (maxChanges); nothing changes",
  ]);
  const share = buildReconcilePlan(
    input({ sources: [{ name: "okta", people }], accounts, caps: { maxChanges: 1000, maxShare: 0.5 } }),
  );
  assert.deepEqual(share.alarms, [
    "cap exceeded: 30 changes planned = 96.8% of 31 accounts, at most 50.0% (15) per run (maxShare); nothing changes",
  ]);
  const defaults = buildReconcilePlan(
    input({ sources: [{ name: "okta", people }], accounts, caps: undefined }),
  );
  assert.equal(defaults.alarms.length, 2, "defaults: 25 changes and 10%");
  assert.deepEqual(defaults.caps, { maxChanges: 25, maxShare: 0.1 });
});
