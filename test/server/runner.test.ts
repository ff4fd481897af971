/**
 * The step machine's control flow through `cordon serve`: `for_each`, `wait`, `if`, and a retry with backoff that
 * survives as a stored `waiting` step — against the emulators, reading vendor state afterwards.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadPlaybookText } from "../../src/playbooks/load.ts";
import { createStack, type Stack, until } from "./stack.ts";

const PLAYBOOK = `
name: features
trigger: { source: manual }
steps:
  - id: each
    for_each: 'event.data.people'
    as: person
    do:
      - contain: { subject: "{{ person }}", in: [okta], actions: [okta.clear_sessions] }
  - id: pause
    wait: 1s
  - id: branch
    if: 'steps.each.count == 2'
    then:
      - id: told
        on_error: { retry: { attempts: 2, backoff: 1s } }
        notify:
          slack: { connection: slack, channel: "#security", text: "contained {{ event.data.people | join(', ') }}" }
    else:
      - record: { table: Never, row: { x: "no" } }
`;

describe("playbook control flow", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({ playbooks: ["features.yaml"] });
    writeFileSync(join(stack.dir, "features.yaml"), PLAYBOOK);
    await stack.start();
  });
  after(() => stack.close());

  test("for_each contains each person, wait waits, if takes its branch, a failed notification is retried after its backoff", async () => {
    // Slack fails the first post (5xx): a notification is not idempotent, so only the step's retry policy resends.
    await fetch(`${stack.slackUrl}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "status", status: 500, pathPrefix: "/api/chat.postMessage", count: 1 }),
    });
    const started = Date.now();
    await stack.store!.automation.acceptEvents([
      {
        key: "manual:features-1",
        source: "manual",
        type: "manual",
        occurredAt: new Date().toISOString(),
        subject: null,
        origin: "features",
        data: { people: ["alice@corp.example", "bob@corp.example"] },
      },
    ]);
    stack.server!.worker.kick();
    const run = await until(
      "the run to complete",
      async () => {
        const [r] = await stack.store!.automation.listPlaybookRuns();
        return r?.state === "completed" ? r : null;
      },
      15_000,
    );
    assert.ok(Date.now() - started >= 2_000, "the wait and the backoff both took their time");
    const steps = new Map((await stack.store!.automation.listPlaybookSteps(run.id)).map((s) => [s.key, s]));
    assert.deepEqual([...steps.keys()].sort(), ["0", "0.do[0].0", "0.do[1].0", "1", "2", "2.then.0"]);
    assert.equal((steps.get("0")!.output as { count: number }).count, 2);
    assert.equal((steps.get("2")!.output as { outcome: string }).outcome, "then");
    const told = steps.get("2.then.0")!;
    assert.equal(told.attempt, 2, "sent on the second attempt");
    assert.equal((told.output as { outcome: string }).outcome, "sent");
    for (const login of ["alice@corp.example", "bob@corp.example"])
      assert.equal(
        stack.okta.state.sessionCount(stack.okta.state.findUser(login)!.id),
        0,
        `${login} contained`,
      );
    const messages = stack.slack.state.channelMessages("security");
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.text, "contained alice@corp.example, bob@corp.example");
    assert.equal(
      (await stack.store!.automation.listTableRows("Never")).length,
      0,
      "the else branch did not run",
    );
  });
});

describe("uncontain steps and scheduled playbooks", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({ playbooks: ["undo.yaml", "tick.yaml"] });
    writeFileSync(
      join(stack.dir, "undo.yaml"),
      `
name: undo
trigger: { source: manual }
steps:
  - id: lock
    contain: { profile: lock, in: [okta] }
  - id: restore
    uncontain: { in: [okta] }
`,
    );
    writeFileSync(
      join(stack.dir, "tick.yaml"),
      `
name: tick
trigger: { source: schedule, cron: "* * * * * *" }
steps:
  - record: { table: Ticks, row: { at: "{{ event.occurredAt }}" } }
`,
    );
    await stack.start();
  });
  after(() => stack.close());

  test("uncontain restores exactly what the playbook's own containment changed, and releases its hold", async () => {
    const bob = stack.okta.state.findUser("bob@corp.example")!;
    await stack.store!.automation.acceptEvents([
      {
        key: "manual:undo-1",
        source: "manual",
        type: "manual",
        occurredAt: new Date().toISOString(),
        subject: "bob@corp.example",
        origin: "undo",
        data: {},
      },
    ]);
    stack.server!.worker.kick();
    const run = await until("the run to complete", async () => {
      const r = (await stack.store!.automation.listPlaybookRuns()).find((x) => x.playbook === "undo");
      return r?.state === "completed" ? r : null;
    });
    const steps = await stack.store!.automation.listPlaybookSteps(run.id);
    assert.equal((steps.find((s) => s.key === "1")!.output as { outcome: string }).outcome, "completed");
    assert.equal(stack.okta.state.findUser(bob.id)!.status, "ACTIVE", "suspended, then unsuspended");
    assert.equal(stack.okta.state.sessionCount(bob.id), 0, "revoked sessions stay revoked");
    assert.deepEqual(await stack.store!.listOpenHolds({ email: "bob@corp.example" }), []);
  });

  test("a cron trigger starts its playbook once per tick", async () => {
    const rows = await until("two ticks", async () => {
      const list = await stack.store!.automation.listTableRows("Ticks");
      return list.length >= 2 ? list : null;
    });
    const ticks = rows.map((r) => String(r.row.at));
    assert.equal(new Set(ticks).size, ticks.length, "one run per tick");
    for (const at of ticks)
      assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/, "the scheduled second");
  });
});

describe("recovery details", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({ playbooks: ["both.yaml", "gate.yaml"], teams: true });
    writeFileSync(
      join(stack.dir, "both.yaml"),
      `
name: both
trigger: { source: manual }
steps:
  - on_error: { retry: { attempts: 2, backoff: 1s } }
    notify:
      slack: { connection: slack, channel: "#security", text: "heads up {{ subject }}" }
      teams: { connection: teams, title: Heads up, text: "{{ subject }}" }
`,
    );
    writeFileSync(
      join(stack.dir, "gate.yaml"),
      `
name: gate
trigger: { source: manual }
steps:
  - approval:
      reason: "Go on for {{ subject }}?"
      slack: { connection: slack, channel: "#sec-approvals", approvers: [${stack.approverId}] }
  - record: { table: Gone, row: { who: "{{ subject }}" } }
`,
    );
  });
  after(() => stack.close());

  const manual = (key: string, origin: string, subject: string) => ({
    key,
    source: "manual" as const,
    type: "manual",
    occurredAt: new Date().toISOString(),
    subject,
    origin,
    data: {},
  });

  test("a retried notification is sent only where the failed attempt did not get through", async () => {
    await stack.start();
    await fetch(`${stack.teamsUrl}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "status", status: 503, count: 1 }),
    });
    await stack.store!.automation.acceptEvents([manual("manual:both-1", "both", "alice@corp.example")]);
    stack.server!.worker.kick();
    const run = await until(
      "the run to complete",
      async () => {
        const r = (await stack.store!.automation.listPlaybookRuns()).find((x) => x.playbook === "both");
        return r?.state === "completed" ? r : null;
      },
      10_000,
    );
    const [step] = await stack.store!.automation.listPlaybookSteps(run.id);
    assert.equal(step!.attempt, 2);
    assert.equal(
      stack.slack.state.channelMessages("security").filter((m) => m.text.includes("heads up")).length,
      1,
    );
    assert.equal(stack.teams!.state.received.length, 1);
    await stack.stop();
  });

  test("an approval request recorded but never posted (the process died in between) is posted on resume", async () => {
    // As a dead process left it: run dispatched, the gate's intent and its approval recorded, nothing posted.
    await stack.start();
    await stack.server!.stop();
    const store = stack.store!;
    await store.automation.acceptEvents([manual("manual:gate-1", "gate", "bob@corp.example")]);
    const loaded = loadPlaybookText(readFileSync(join(stack.dir, "gate.yaml"), "utf8"), "gate.yaml");
    assert.ok(loaded.ok);
    const [run] = await store.automation.dispatchEvent("manual:gate-1", [
      {
        id: "pbr_crashed_gate",
        playbook: "gate",
        playbookHash: "h",
        definition: loaded.playbook,
        actor: "manual",
      },
    ]);
    await store.automation.setPlaybookRunState(run!.id, "running");
    await store.automation.recordPlaybookStepIntent(run!.id, "0", "approval", 1);
    await store.automation.requestApproval({
      id: "apr_crashed_gate",
      playbookRunId: run!.id,
      stepKey: "0",
      planHash: "0".repeat(64),
      plan: { kind: "continue" },
      reasons: ["Go on for bob@corp.example?"],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await store.close();
    stack.store = null;
    stack.server = null;

    await stack.start();
    const posted = await until(
      "the request to be posted",
      async () => (await stack.store!.automation.getApproval("apr_crashed_gate"))?.message,
    );
    const message = stack.slack.state.findMessage(posted.channel, posted.ts);
    assert.match(message?.text ?? "", /Go on for bob@corp\.example\?/);
    assert.equal((await stack.store!.automation.getPlaybookRun(run!.id))!.state, "waiting");
  });
});
