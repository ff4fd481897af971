/**
 * Approval policy beyond protected accounts: by action risk tier, by the number of accounts, and expiry — an
 * approval nobody gives in time contains nothing.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CordonEvent } from "../../src/core/event.ts";
import { sha256Hex } from "../../src/core/hash.ts";
import { createStack, SIGNING_SECRET, type Stack, until } from "./stack.ts";

const RISKY = `
name: risky
trigger: { source: manual }
approval: { protected: false, risk_at_least: medium, expires_in: 1s }
steps:
  - id: lock
    contain: { profile: lock, in: [okta] }
`;
const COUNTED = `
name: counted
trigger: { source: manual }
approval: { protected: false, accounts_over: 0 }
steps:
  - id: end
    contain: { profile: sessions, in: [okta] }
`;

const manual = (key: string, origin: string, subject: string): CordonEvent => ({
  key,
  source: "manual",
  type: "manual",
  occurredAt: new Date().toISOString(),
  subject,
  origin,
  data: {},
});

describe("approval policy: risk tier, count, expiry", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({ playbooks: ["risky.yaml", "counted.yaml"] });
    writeFileSync(join(stack.dir, "risky.yaml"), RISKY);
    writeFileSync(join(stack.dir, "counted.yaml"), COUNTED);
    await stack.start();
  });
  after(() => stack.close());

  test("an action at or above the risk tier needs approval; unanswered, it expires and nothing is contained", async () => {
    await stack.store!.automation.acceptEvents([manual("manual:risky-1", "risky", "alice@corp.example")]);
    stack.server!.worker.kick();
    const run = await until("the run to finish", async () => {
      const [r] = (await stack.store!.automation.listPlaybookRuns()).filter((x) => x.playbook === "risky");
      return r?.state === "completed" ? r : null;
    });
    const [approval] = await stack.store!.automation.listApprovals({ playbookRunId: run.id });
    assert.equal(approval!.state, "expired");
    assert.match(approval!.reasons.join(), /risk medium: okta\.suspend_user \(medium\)/);
    const [step] = await stack.store!.automation.listPlaybookSteps(run.id);
    assert.equal((step!.output as { outcome: string }).outcome, "expired");
    assert.equal(stack.okta.state.findUser("alice@corp.example")!.status, "ACTIVE", "not suspended");
    assert.equal(stack.okta.state.sessionCount(stack.okta.state.findUser("alice@corp.example")!.id), 2);
  });

  test("more accounts than the bound need approval; approved through the API, exactly that plan runs", async () => {
    const key = "cordon_test_key_for_the_approvals_api_0000000000";
    await stack.store!.automation.createApiKey("approver", sha256Hex(key));
    await stack.store!.automation.acceptEvents([manual("manual:counted-1", "counted", "bob@corp.example")]);
    stack.server!.worker.kick();
    const pending = await until(
      "a pending approval",
      async () => (await stack.store!.automation.listApprovals({ state: "pending" }))[0],
    );
    assert.match(pending.reasons.join(), /1 accounts, more than 0/);
    const bob = stack.okta.state.findUser("bob@corp.example")!;
    assert.equal(stack.okta.state.sessionCount(bob.id), 1, "nothing before approval");
    const res = await fetch(`${stack.server!.url}/api/approvals/${pending.id}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ approve: true, plan_hash: pending.planHash }),
    });
    assert.equal(res.status, 200);
    await until("bob's sessions to end", () => stack.okta.state.sessionCount(bob.id) === 0);
    const run = await until("the run to complete", async () => {
      const r = await stack.store!.automation.getPlaybookRun(pending.playbookRunId);
      return r?.state === "completed" ? r : null;
    });
    const contain = (await stack.store!.listRuns({ kind: "contain" })).find((r) => r.id.startsWith(run.id))!;
    assert.equal(contain.planHash, pending.planHash, "the approved plan is the plan that ran");
  });

  test("POST /api/contain: a dry run changes nothing; a real one is recorded as the key's; protected accounts are left alone; bad input is 400", async () => {
    const key = "cordon_test_key_for_the_contain_api_000000000000";
    await stack.store!.automation.createApiKey("soar", sha256Hex(key));
    const contain = (body: unknown) =>
      fetch(`${stack.server!.url}/api/contain`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const dry = await contain({ subjects: ["alice@corp.example"], profile: "sessions", dry_run: true });
    assert.equal(dry.status, 200);
    const { plan } = (await dry.json()) as { plan: { hash: string; items: Array<{ decision: string }> } };
    assert.match(plan.hash, /^[0-9a-f]{64}$/);
    assert.equal(
      stack.okta.state.sessionCount(stack.okta.state.findUser("alice@corp.example")!.id),
      2,
      "dry",
    );

    const real = await contain({
      subjects: ["alice@corp.example"],
      profile: "sessions",
      in: ["okta"],
      reason: "INC-9",
    });
    assert.equal(real.status, 200);
    const result = (await real.json()) as { state: string; runId: string };
    assert.equal(result.state, "completed");
    assert.equal((await stack.store!.getRun(result.runId))!.actor, "api:soar");
    assert.equal(stack.okta.state.sessionCount(stack.okta.state.findUser("alice@corp.example")!.id), 0);

    const admin = await contain({ subjects: ["admin@corp.example"], profile: "sessions", in: ["okta"] });
    const adminRun = (await admin.json()) as { steps: unknown[] };
    assert.equal(adminRun.steps.length, 0, "an Okta admin is protected: no call without force");
    assert.equal(stack.okta.state.sessionCount(stack.okta.state.findUser("admin@corp.example")!.id), 1);

    const refused = await contain({ subjects: ["not-an-email"] });
    assert.equal(refused.status, 400);
  });
});

describe("the approval step: a human's go before the steps after it", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({
      playbooks: ["gated.yaml"],
      oktaUsers: [{ email: "carol@corp.example", sessions: 1 }],
    });
    writeFileSync(
      join(stack.dir, "gated.yaml"),
      `
name: gated
trigger: { source: manual }
steps:
  - id: go
    approval:
      reason: "Lock {{ subject }} in Okta?"
      slack: { connection: slack, channel: "#sec-approvals", approvers: [${stack.approverId}] }
  - id: lock
    contain: { profile: lock, in: [okta] }
`,
    );
    await stack.start();
  });
  after(() => stack.close());

  const run = async (key: string, subject: string) => {
    await stack.store!.automation.acceptEvents([manual(key, "gated", subject)]);
    stack.server!.worker.kick();
    return until("the approval request", async () =>
      (await stack.store!.automation.listApprovals({ state: "pending" })).find((a) =>
        a.reasons[0]?.includes(subject),
      ),
    );
  };
  const click = (approval: { message: { channel: string; ts: string } | null }, actionId: string) =>
    fetch(`${stack.slackUrl}/__cordon/slack/interactions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        requestUrl: `${stack.server!.url}/hooks/slack/interactions`,
        signingSecret: SIGNING_SECRET,
        userId: stack.approverId,
        channel: approval.message!.channel,
        messageTs: approval.message!.ts,
        actionId,
      }),
    });

  test("approved in Slack: the run goes on and locks the account", async () => {
    const approval = await run("manual:gated-1", "alice@corp.example");
    assert.deepEqual(approval.reasons, ["Lock alice@corp.example in Okta?"]);
    assert.equal((approval.plan as { kind: string }).kind, "continue");
    assert.equal(stack.okta.state.findUser("alice@corp.example")!.status, "ACTIVE", "nothing before the go");
    assert.equal((await click(approval, "cordon_approve")).status, 200);
    await until(
      "alice suspended",
      () => stack.okta.state.findUser("alice@corp.example")!.status === "SUSPENDED",
    );
    const done = await until("the run to complete", async () => {
      const r = await stack.store!.automation.getPlaybookRun(approval.playbookRunId);
      return r?.state === "completed" ? r : null;
    });
    assert.ok(done);
  });

  test("rejected: the run stops and the steps after the gate never run", async () => {
    const approval = await run("manual:gated-2", "bob@corp.example");
    assert.equal((await click(approval, "cordon_reject")).status, 200);
    const stopped = await until("the run to stop", async () => {
      const r = await stack.store!.automation.getPlaybookRun(approval.playbookRunId);
      return r?.state === "failed" ? r : null;
    });
    assert.match(stopped.error ?? "", /rejected by slack:/);
    assert.equal(stack.okta.state.findUser("bob@corp.example")!.status, "ACTIVE", "bob untouched");
    const steps = await stack.store!.automation.listPlaybookSteps(approval.playbookRunId);
    assert.deepEqual(
      steps.map((s) => [s.key, s.state]),
      [["0", "failed"]],
    );
  });

  test("Slack down when the request is posted: the request stands, says so, and the API decides it", async () => {
    await fetch(`${stack.slackUrl}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "status", status: 503, pathPrefix: "/api/chat.postMessage", count: 1 }),
    });
    const approval = await run("manual:gated-3", "carol@corp.example");
    assert.equal(approval.message, null, "not posted");
    const [step] = await until("the waiting step", async () => {
      const steps = await stack.store!.automation.listPlaybookSteps(approval.playbookRunId);
      return steps[0]?.state === "waiting" ? steps : null;
    });
    assert.match(String((step!.output as { notice?: string }).notice), /could not be posted to Slack/);
    const key = "cordon_test_key_for_the_gate_api_000000000000000";
    await stack.store!.automation.createApiKey("gatekeeper", sha256Hex(key));
    const res = await fetch(`${stack.server!.url}/api/approvals/${approval.id}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ approve: true, plan_hash: approval.planHash }),
    });
    assert.equal(res.status, 200);
    await until(
      "carol suspended",
      () => stack.okta.state.findUser("carol@corp.example")!.status === "SUSPENDED",
    );
  });
});
