import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { systemClock } from "../../src/core/clock.ts";
import { isCordonError } from "../../src/core/errors.ts";
import { planIsIntact } from "../../src/core/plan.ts";
import { applyPlan } from "../../src/engine/contain.ts";
import { buildPlan, type PlanRequest } from "../../src/engine/plan.ts";
import { DEFAULT_POLICY } from "../../src/engine/policy.ts";
import { applyUndo, planUndo } from "../../src/engine/uncontain.ts";
import { PEOPLE, type World, world } from "../support/world.ts";

const clock = systemClock();
let w: World;
beforeEach(async () => {
  w = await world(PEOPLE);
});
afterEach(() => w.close());

const request = (subjects: string[], extra: Partial<PlanRequest> = {}): PlanRequest => ({
  subjects,
  profile: "lock",
  reason: "INC-1",
  force: null,
  policy: DEFAULT_POLICY,
  ...extra,
});
const run = { clock, actor: "test" };

describe("plans", () => {
  test("a plan is sealed: editing it breaks the hash, and apply refuses it without recording a run", async () => {
    const plan = await buildPlan(request(["alice@corp.example"]), w.connectors, clock);
    assert.ok(planIsIntact(plan));
    assert.equal(plan.items.length, 2);
    const edited = structuredClone(plan);
    edited.items[0]!.account.id = "00uSOMEONEELSE000001";
    assert.equal(planIsIntact(edited), false);
    await assert.rejects(
      applyPlan(edited, { ...run, store: w.store, connectors: w.connectors }),
      (e) => isCordonError(e) && e.kind === "invalid_input",
    );
    assert.deepEqual(await w.store.listRuns(), []);
  });

  test("the same request gives the same hash apart from its time", async () => {
    const a = await buildPlan(request(["alice@corp.example", "dan@corp.example"]), w.connectors, clock);
    const b = await buildPlan(request(["dan@corp.example", "ALICE@corp.example"]), w.connectors, clock);
    assert.deepEqual(
      { ...a, createdAt: "", hash: "", subjects: [] },
      { ...b, createdAt: "", hash: "", subjects: [] },
    );
  });

  test("unknown emails are listed as unmatched, per app; garbage is refused", async () => {
    const plan = await buildPlan(request(["nobody@corp.example"]), w.connectors, clock);
    assert.equal(plan.items.length, 0);
    assert.deepEqual(
      plan.unmatched.map((u) => u.connection),
      ["okta", "slack"],
    );
    await assert.rejects(
      buildPlan(request(["not-an-email"]), w.connectors, clock),
      (e) => isCordonError(e) && e.kind === "invalid_input",
    );
  });

  test("protected accounts are skipped unless forced with a reason, which the plan keeps", async () => {
    const refused = await buildPlan(request(["admin@corp.example"]), w.connectors, clock);
    assert.deepEqual(
      refused.items.map((i) => i.decision),
      ["skip", "skip"],
    );
    assert.match(refused.items[0]!.policy[0]!.reason, /okta role admin/);
    await assert.rejects(
      buildPlan(request(["admin@corp.example"], { force: { reason: " " } }), w.connectors, clock),
      /--force needs a --reason/,
    );
    const forced = await buildPlan(
      request(["admin@corp.example"], { force: { reason: "admin phished, CISO approved" } }),
      w.connectors,
      clock,
    );
    const okta = forced.items.find((i) => i.account.connection === "okta")!;
    assert.equal(okta.decision, "contain");
    assert.equal(okta.policy[0]!.effect, "forced");
    assert.match(okta.policy[0]!.reason, /CISO approved/);
    // Slack still refuses to deactivate the primary owner: that call is dropped, with the reason.
    const slack = forced.items.find((i) => i.account.connection === "slack")!;
    assert.deepEqual(
      slack.calls.map((c) => c.actionId),
      ["slack.reset_sessions"],
    );
  });

  test("a run over the cap stops before acting", async () => {
    const policy = { ...DEFAULT_POLICY, maxAccountsPerRun: 3 };
    await assert.rejects(
      buildPlan(request(["alice@corp.example", "dan@corp.example"], { policy }), w.connectors, clock),
      (e) =>
        isCordonError(e) &&
        e.kind === "policy" &&
        /4 accounts, more than policy.maxAccountsPerRun \(3\)/.test(e.message),
    );
    assert.equal(w.okta.emulator.state.findUserByLogin("alice@corp.example")?.status, "ACTIVE");
  });
});

describe("contain and exact uncontain", () => {
  test("contains across apps, records intent and outcome, opens holds; uncontain restores exactly", async () => {
    const plan = await buildPlan(request(["alice@corp.example", "carol@corp.example"]), w.connectors, clock);
    const result = await applyPlan(plan, { ...run, store: w.store, connectors: w.connectors });
    assert.equal(result.state, "completed");
    const okta = w.okta.emulator.state;
    const slack = w.slack.emulator.state;
    assert.equal(okta.findUserByLogin("alice@corp.example")?.status, "SUSPENDED");
    assert.equal(slack.findByEmail("alice@corp.example", { includeDeleted: true })?.deleted, true);
    // carol was suspended before the incident: recorded as already in state.
    const carolSuspend = result.steps.find(
      (s) => s.email === "carol@corp.example" && s.actionId === "okta.suspend_user",
    );
    assert.equal(carolSuspend?.state, "already_in_state");

    const steps = await w.store.listSteps(result.runId);
    assert.equal(steps.length, result.steps.length);
    assert.ok(steps.every((s) => s.state !== "intent"));
    assert.equal((await w.store.listOpenHolds({ email: "alice@corp.example" })).length, 2);

    const undo = await planUndo(result.runId, w.store, w.connectors, clock);
    assert.ok(undo.notUndoable.some((n) => n.actionId === "okta.clear_sessions"));
    assert.ok(
      undo.leftAsFound.some((l) => l.email === "carol@corp.example" && l.actionId === "okta.suspend_user"),
    );
    const restored = await applyUndo(undo, { ...run, store: w.store, connectors: w.connectors });
    assert.equal(restored.state, "completed");
    assert.equal(okta.findUserByLogin("alice@corp.example")?.status, "ACTIVE");
    assert.equal(slack.findByEmail("alice@corp.example")?.deleted, false);
    assert.equal(
      okta.findUserByLogin("carol@corp.example")?.status,
      "SUSPENDED",
      "exact undo: carol stays as she was",
    );
    assert.deepEqual(await w.store.listOpenHolds({ email: "alice@corp.example" }), []);
    assert.ok((await w.store.verifyLedger()).ok);
    await assert.rejects(planUndo(result.runId, w.store, w.connectors, clock), /already undone/);
  });

  test("a vendor failing mid-run fails only its steps; the rest proceeds and the ledger stays consistent", async () => {
    await w.slack.fault({ kind: "status", status: 500, pathPrefix: "/scim/v2/Users/", method: "PATCH" });
    const plan = await buildPlan(request(["alice@corp.example"]), w.connectors, clock);
    const result = await applyPlan(plan, { ...run, store: w.store, connectors: w.connectors });
    assert.equal(result.state, "partial");
    const failed = result.steps.filter((s) => s.state === "failed");
    assert.deepEqual(
      failed.map((s) => s.actionId),
      ["slack.deactivate_user"],
    );
    assert.equal(failed[0]?.error?.kind, "transient");
    assert.equal(w.okta.emulator.state.findUserByLogin("alice@corp.example")?.status, "SUSPENDED");
    const stored = await w.store.listSteps(result.runId);
    assert.ok(
      stored.every((s) => s.state !== "intent"),
      "every intent has its outcome",
    );
    assert.equal((await w.store.getRun(result.runId))?.state, "partial");
    assert.ok((await w.store.verifyLedger()).ok);
  });

  test("an app with a refused credential is reported as not covered; the other app is still contained", async () => {
    const { createConnector } = await import("../../src/connectors/index.ts");
    const { RateGovernor } = await import("../../src/http/governor.ts");
    const strict = await import("../support/harness.ts").then((m) =>
      m.slackHarness({ seed: { ...PEOPLE.slack, tokens: ["xoxp-right"] } }),
    );
    try {
      const badSlack = createConnector(
        {
          vendor: "slack",
          name: "slack",
          token: "xoxp-wrong",
          apiUrl: `${strict.server.url}/api/`,
          scimUrl: `${strict.server.url}/scim/v2/`,
        },
        { clock, governor: new RateGovernor({ clock }) },
      );
      const connectors = [w.okta.connector, badSlack];
      const plan = await buildPlan(request(["alice@corp.example"]), connectors, clock);
      assert.deepEqual(
        plan.unreachable.map((u) => [u.connection, u.kind]),
        [["slack", "auth"]],
      );
      assert.doesNotMatch(plan.unreachable[0]!.message, /xoxp-wrong/);
      const result = await applyPlan(plan, { ...run, store: w.store, connectors });
      assert.equal(result.state, "completed");
      assert.equal(w.okta.emulator.state.findUserByLogin("alice@corp.example")?.status, "SUSPENDED");
    } finally {
      await strict.close();
    }
  });
});

describe("identity resolution", () => {
  test("an alias one app knows finds the person in another, and the plan says how", async () => {
    const aliased = await world({
      okta: { users: [{ email: "alice@corp.example", login: "alice.anders@corp.example" }] },
      slack: {
        users: [
          { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
          { email: "alice.anders@corp.example" },
        ],
      },
    });
    try {
      const plan = await buildPlan(request(["alice@corp.example"]), aliased.connectors, clock);
      const slack = plan.items.find((i) => i.account.connection === "slack");
      assert.ok(slack, "found in Slack through the Okta login");
      assert.equal(slack.subject, "alice@corp.example");
      assert.match(
        slack.account.matchedBy,
        /alice\.anders@corp\.example.*alias of alice@corp\.example known to okta/,
      );
      assert.deepEqual(plan.unmatched, []);
    } finally {
      await aliased.close();
    }
  });

  test("two accounts for one person in one app are shown and skipped, never guessed, unless forced", async () => {
    const twins = await world({
      okta: {
        users: [
          { email: "alice@corp.example", login: "alice.a@corp.example" },
          { email: "a.other@corp.example", login: "alice@corp.example" },
        ],
      },
      slack: {
        users: [
          { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
          { email: "a.other@corp.example" },
        ],
      },
    });
    try {
      const plan = await buildPlan(request(["alice@corp.example"]), twins.connectors, clock);
      const okta = plan.items.filter((i) => i.account.connection === "okta");
      assert.equal(okta.length, 2);
      for (const item of okta) {
        assert.equal(item.decision, "skip");
        assert.match(
          item.policy.map((p) => p.reason).join(),
          /ambiguous: 2 okta accounts match alice@corp.example; cordon does not guess/,
        );
      }
      assert.deepEqual(
        plan.items.filter((i) => i.account.connection === "slack"),
        [],
        "the other account's address is not used to look for alice elsewhere",
      );
      const forced = await buildPlan(
        request(["alice@corp.example"], { force: { reason: "both are hers" } }),
        twins.connectors,
        clock,
      );
      assert.deepEqual(
        forced.items.filter((i) => i.account.connection === "okta").map((i) => i.decision),
        ["contain", "contain"],
      );
    } finally {
      await twins.close();
    }
  });
});

describe("fan-out across apps", () => {
  test("an app whose credential lacks a permission fails its steps, naming it; the other apps are contained", async () => {
    const { entraHarness, CLIENT_SECRET } = await import("../support/entra-harness.ts");
    const READER = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    const entra = await entraHarness({
      seed: {
        apps: [
          {
            clientId: READER,
            secrets: [CLIENT_SECRET],
            permissions: ["User.Read.All", "Directory.Read.All"],
          },
        ],
        users: [{ userPrincipalName: "alice@corp.example" }],
      },
      connector: { clientId: READER },
    });
    try {
      const connectors = [w.okta.connector, w.slack.connector, entra.connector];
      const plan = await buildPlan(request(["alice@corp.example"]), connectors, clock);
      assert.deepEqual([...new Set(plan.items.map((i) => i.account.connection))].sort(), [
        "entra",
        "okta",
        "slack",
      ]);
      const result = await applyPlan(plan, { ...run, store: w.store, connectors });
      assert.equal(result.state, "partial");
      const entraSteps = result.steps.filter((s) => s.connection === "entra");
      assert.ok(
        entraSteps.length > 0 &&
          entraSteps.every((s) => s.state === "failed" && s.error?.kind === "forbidden"),
      );
      assert.match(
        entraSteps.map((s) => s.error?.message).join(" "),
        /User\.EnableDisableAccount\.All|User\.RevokeSessions\.All/,
      );
      assert.ok(result.steps.filter((s) => s.connection !== "entra").every((s) => s.state === "applied"));
      assert.equal(w.okta.emulator.state.findUserByLogin("alice@corp.example")?.status, "SUSPENDED");
    } finally {
      await entra.close();
    }
  });
});
