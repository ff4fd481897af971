/**
 * Durability: `cordon serve` killed with SIGKILL in the middle of a containment, then started again, finishes the
 * run without sending a non-idempotent call twice; events committed before a crash but never dispatched run after.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, test } from "node:test";
import { createStack, registerOktaHook, reportSuspicious, resetsOf, type Stack, until } from "./stack.ts";

const BIN = new URL("../../bin/cordon.js", import.meta.url).pathname;

function startServe(stack: Stack): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--config", stack.configPath, "--port", "0", "--json"],
    {
      env: { ...process.env, ...stack.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith('{"url"'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once("exit", (code) => reject(new Error(`cordon serve exited with ${code}: ${stderr}`)));
  });
}

/** Reads the server's store from outside, as an operator would (WAL allows a reader beside the writer). */
function query<T>(stack: Stack, sql: string, ...params: string[]): T[] {
  const db = new DatabaseSync(stack.storePath, { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe("cordon serve survives kill -9", () => {
  let stack: Stack;
  let child: ChildProcess | null = null;
  before(async () => {
    stack = await createStack({ oktaUsers: [{ email: "carol@corp.example", sessions: 1 }] });
  });
  after(async () => {
    child?.kill("SIGKILL");
    await stack.close();
  });

  test("killed while the password reset is in flight: restarted, it finishes the run and never resets twice", async () => {
    const first = await startServe(stack);
    child = first.child;
    // registerOktaHook points the hook at stack.server.url; this server is a child process.
    stack.server = { url: first.url } as Stack["server"];
    await registerOktaHook(stack);
    stack.server = null;

    const alice = stack.okta.state.findUser("alice@corp.example")!;
    // Okta answers the reset slowly, so the process dies between the step's intent and its outcome.
    await fetch(`${stack.oktaUrl}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        kind: "latency",
        latencyMs: 1500,
        method: "POST",
        pathPrefix: `/api/v1/users/${alice.id}/lifecycle/reset_password`,
        count: 1,
      }),
    });
    await reportSuspicious(stack, "alice@corp.example");
    await until(
      "the reset's intent to be recorded",
      () =>
        query(stack, "SELECT state FROM steps WHERE action_id = 'okta.reset_password' AND state = 'intent'")
          .length > 0,
    );
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    assert.equal(
      query<{ state: string }>(stack, "SELECT state FROM playbook_runs")[0]?.state,
      "running",
      "the dead process left the run running",
    );
    // Okta still performs the request it received.
    await until("Okta to finish the reset it received", () => resetsOf(stack, "alice@corp.example") === 1);

    const second = await startServe(stack);
    child = second.child;
    await until(
      "the resumed run to complete",
      () => query(stack, "SELECT id FROM playbook_runs WHERE state = 'completed'").length === 1,
      15_000,
    );
    assert.equal(resetsOf(stack, "alice@corp.example"), 1, "the password was reset once, not twice");
    assert.equal(stack.okta.state.sessionCount(alice.id), 0);
    const steps = query<{ action_id: string; state: string; verification: string }>(
      stack,
      "SELECT action_id, state, verification FROM steps ORDER BY seq",
    );
    assert.deepEqual(
      steps.map((s) => [s.action_id, s.state]),
      [
        ["okta.clear_sessions", "applied"],
        ["okta.reset_password", "applied"],
      ],
    );
    assert.match(steps[1]!.verification, /recovered after an interrupted run/);
    assert.equal(query(stack, "SELECT id FROM table_rows").length, 1, "one audit row");
    assert.equal(stack.slack.state.channelMessages("security").length, 1, "one message");
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));
    child = null;

    const reopened = await stack.start();
    assert.equal((await stack.store!.verifyLedger()).ok, true);
    assert.ok(reopened.url);
    await stack.stop();
  });

  test("a graceful stop lets the step in flight finish, hands the run back, and the next start completes it", async () => {
    await stack.start();
    await fetch(`${stack.oktaUrl}/__cordon/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        kind: "latency",
        latencyMs: 800,
        method: "POST",
        pathPrefix: "/api/v1/users/",
        count: 1,
      }),
    });
    const carol = "carol@corp.example";
    await stack.store!.automation.acceptEvents([
      {
        key: "manual:graceful-1",
        source: "manual",
        type: "manual",
        occurredAt: new Date().toISOString(),
        subject: carol,
        origin: "suspicious-activity-reported",
        data: {},
      },
    ]);
    stack.server!.worker.kick();
    await until("the containment to be in flight", async () =>
      (await stack.store!.listRuns({ kind: "contain" })).some((r) => r.state === "running"),
    );
    const { handedBack } = await stack.server!.stop(5_000);
    assert.equal(handedBack, 1, "the run is handed back, not abandoned half-way");
    const runs = await stack.store!.automation.listPlaybookRuns();
    const run = runs.find((r) => r.eventKey === "manual:graceful-1")!;
    assert.equal(run.state, "running");
    const contained = (await stack.store!.listRuns({ kind: "contain" })).find((r) =>
      r.id.startsWith(run.id),
    )!;
    assert.notEqual(contained.state, "running", "the step in flight finished before the stop");
    await stack.store!.close();
    stack.store = null;
    stack.server = null;

    await stack.start();
    await until(
      "the handed-back run to complete",
      async () => (await stack.store!.automation.getPlaybookRun(run.id))?.state === "completed",
    );
    assert.equal(resetsOf(stack, carol), 1, "reset once: the finished step was not run again");
    await stack.stop();
  });

  test("an event committed before a crash but never dispatched runs at the next start", async () => {
    await stack.start();
    await stack.server!.stop();
    // As if the process died right after answering 200: the event is in the store, queued.
    await stack.store!.automation.acceptEvents([
      {
        key: "okta:33333333-3333-4333-8333-333333333333",
        source: "okta",
        type: "user.account.report_suspicious_activity_by_enduser",
        occurredAt: new Date().toISOString(),
        subject: "bob@corp.example",
        origin: "okta",
        data: { uuid: "33333333-3333-4333-8333-333333333333" },
      },
    ]);
    await stack.store!.close();
    stack.store = null;
    stack.server = null;
    await stack.start();
    await until("bob's run to complete", async () =>
      (await stack.store!.automation.listPlaybookRuns()).find(
        (r) => r.event.subject === "bob@corp.example" && r.state === "completed",
      ),
    );
    assert.equal(resetsOf(stack, "bob@corp.example"), 1);
  });
});
