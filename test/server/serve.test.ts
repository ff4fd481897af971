import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { loadConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { startServer } from "../../src/server/serve.ts";
import { signSlackRequest } from "../../src/server/verify/slack.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import {
  createStack,
  HOOK_SECRET,
  registerOktaHook,
  reportSuspicious,
  resetsOf,
  SIGNING_SECRET,
  type Stack,
  until,
} from "./stack.ts";

// biome-ignore lint/suspicious/noExplicitAny: test-only view of parsed JSON
type Loose = any;

const delivery = (uuid: string, login: string, userId: string) =>
  JSON.stringify({
    eventType: "com.okta.event_hook",
    eventTypeVersion: "1.0",
    cloudEventsVersion: "0.1",
    source: "https://test.okta.example/api/v1/eventHooks/who",
    eventId: `delivery-${uuid}`,
    eventTime: new Date().toISOString(),
    contentType: "application/json",
    data: {
      events: [
        {
          uuid,
          published: new Date().toISOString(),
          eventType: "user.account.report_suspicious_activity_by_enduser",
          version: "0",
          severity: "WARN",
          displayMessage: "User report suspicious activity",
          actor: { id: userId, type: "User", alternateId: login, displayName: login },
          outcome: { result: "SUCCESS" },
          target: [],
          debugContext: { debugData: {} },
        },
      ],
    },
  });

describe("cordon serve: Okta event hooks to containment", () => {
  let stack: Stack;
  let url: string;
  before(async () => {
    stack = await createStack();
    url = (await stack.start()).url;
  });
  after(() => stack.close());

  test("Okta verifies the hook; a reported user's sessions are cleared, password reset, row written, Slack told", async () => {
    await registerOktaHook(stack);
    const alice = stack.okta.state.findUser("alice@corp.example")!;
    assert.equal(stack.okta.state.sessionCount(alice.id), 2);
    await reportSuspicious(stack, "alice@corp.example");

    const run = await until("the run to complete", async () =>
      (await stack.store!.automation.listPlaybookRuns()).find((r) => r.state === "completed"),
    );
    assert.equal(run.playbook, "suspicious-activity-reported");
    assert.equal(run.event.subject, "alice@corp.example");
    assert.equal(stack.okta.state.sessionCount(alice.id), 0, "sessions cleared");
    assert.equal(stack.okta.state.findUser(alice.id)!.status, "RECOVERY", "password reset");
    assert.equal(resetsOf(stack, "alice@corp.example"), 1);

    const rows = await stack.store!.automation.listTableRows("SuspiciousActivityReportedLog");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.row.Outcome, "completed");
    assert.equal(rows[0]!.row.Email, "alice@corp.example");
    assert.match(String(rows[0]!.row.SysLogURL), /\/report\/system_log_2\?search=[0-9a-f-]{36}$/);

    const messages = stack.slack.state.channelMessages("security");
    assert.equal(messages.length, 1);
    assert.match(messages[0]!.text, /alice@corp\.example: containment completed/);
    assert.equal((await stack.store!.verifyLedger()).ok, true);
  });

  test("a wrong or missing secret is 401 and nothing is stored or run", async () => {
    const before = await stack.store!.automation.listPlaybookRuns();
    const body = delivery("11111111-1111-4111-8111-111111111111", "bob@corp.example", "00ubob");
    for (const headers of [{ Authorization: "wrong" }, {}]) {
      const res = await fetch(`${url}/hooks/okta`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body,
      });
      assert.equal(res.status, 401);
    }
    const challenge = await fetch(`${url}/hooks/okta`, {
      headers: { Authorization: "wrong", "X-Okta-Verification-Challenge": "abc" },
    });
    assert.equal(challenge.status, 401, "the verification challenge needs the secret too");
    assert.equal(await stack.store!.automation.getEvent("okta:11111111-1111-4111-8111-111111111111"), null);
    assert.equal((await stack.store!.automation.listPlaybookRuns()).length, before.length);
    const rejected = (await stack.store!.listLedger({ limit: 100_000 })).filter(
      (r) => r.type === "inbound.rejected",
    );
    assert.ok(rejected.length >= 3);
    assert.ok(
      rejected.every((r) => !JSON.stringify(r.payload).includes("wrong")),
      "the presented secret is not logged",
    );
  });

  test("malformed and oversized bodies: 4xx, nothing runs, recorded", async () => {
    const before = (await stack.store!.automation.listPlaybookRuns()).length;
    const post = (body: string) =>
      fetch(`${url}/hooks/okta`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: HOOK_SECRET },
        body,
      });
    assert.equal((await post("{not json")).status, 400);
    assert.equal((await post(JSON.stringify({ eventType: "com.okta.event_hook", data: {} }))).status, 400);
    assert.equal((await post(JSON.stringify({ data: { events: [{ uuid: 1 }] } }))).status, 400);
    assert.equal((await post("x".repeat(70_000))).status, 413);
    assert.equal((await stack.store!.automation.listPlaybookRuns()).length, before);
    const reasons = (await stack.store!.listLedger({ limit: 100_000 }))
      .filter((r) => r.type === "inbound.rejected")
      .map((r) => (r.payload as Loose).status);
    assert.ok(reasons.includes(400) && reasons.includes(413));
  });

  test("a redelivered event (same uuid) runs once", async () => {
    const bob = stack.okta.state.findUser("bob@corp.example")!;
    const body = delivery("22222222-2222-4222-8222-222222222222", "bob@corp.example", bob.id);
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        fetch(`${url}/hooks/okta`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: HOOK_SECRET },
          body,
        }).then((r) => r.json() as Promise<Loose>),
      ),
    );
    assert.equal(
      answers.reduce((n, a) => n + a.accepted, 0),
      1,
    );
    assert.equal(
      answers.reduce((n, a) => n + a.duplicates, 0),
      2,
    );
    await stack.server!.worker.idle();
    const runs = (await stack.store!.automation.listPlaybookRuns()).filter(
      (r) => r.eventKey === "okta:22222222-2222-4222-8222-222222222222",
    );
    assert.equal(runs.length, 1);
    assert.equal(resetsOf(stack, "bob@corp.example"), 1);
  });

  test("an admin's containment waits for approval; a Slack click by a non-approver is refused, by the approver applies", async () => {
    const admin = stack.okta.state.findUser("admin@corp.example")!;
    await reportSuspicious(stack, "admin@corp.example");
    const run = await until(
      "the run to wait",
      async () => (await stack.store!.automation.listPlaybookRuns({ states: ["waiting"] }))[0],
    );
    assert.equal(stack.okta.state.sessionCount(admin.id), 1, "nothing done before approval");
    const [approval] = await stack.store!.automation.listApprovals({ playbookRunId: run.id });
    assert.ok(approval?.message, "the request was posted to Slack");
    assert.match(approval.reasons.join(), /admin@corp\.example in okta is protected/);

    const click = (userId: string) =>
      fetch(`${stack.slackUrl}/__cordon/slack/interactions`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          requestUrl: `${url}/hooks/slack/interactions`,
          signingSecret: SIGNING_SECRET,
          userId,
          channel: approval.message!.channel,
          messageTs: approval.message!.ts,
          actionId: "cordon_approve",
        }),
      }).then((r) => r.json() as Promise<Loose>);
    const eve = stack.slack.state.findByEmail("eve@corp.example")!.id;
    const refused = await click(eve);
    assert.equal(refused.status, 200);
    assert.match(JSON.stringify(refused.body), /not an approver/);
    assert.equal((await stack.store!.automation.getApproval(approval.id))!.state, "pending");

    const accepted = await click(stack.approverId);
    assert.equal(accepted.status, 200);
    const done = await until("the run to complete", async () => {
      const r = await stack.store!.automation.getPlaybookRun(run.id);
      return r?.state === "completed" ? r : null;
    });
    assert.equal(done.state, "completed");
    assert.equal(stack.okta.state.sessionCount(admin.id), 0);
    assert.equal(resetsOf(stack, "admin@corp.example"), 1);
    const decided = (await stack.store!.automation.getApproval(approval.id))!;
    assert.equal(decided.decidedBy, `slack:${stack.approverId} (sam)`);
    const thread = stack.slack.state
      .channelMessages("sec-approvals")
      .filter((m) => m.threadTs === approval.message!.ts);
    assert.match(thread[0]?.text ?? "", /^Approved by slack:/);
    const request = stack.slack.state.findMessage(approval.message!.channel, approval.message!.ts)!;
    assert.match(request.text, /^Approved by slack:/, "the request itself says it was decided");
    assert.ok(
      !JSON.stringify(request.blocks ?? []).includes("cordon_approve"),
      "its buttons are gone: nobody can press them again",
    );
  });

  test("a forged Slack click (bad signature, stale timestamp) is refused before parsing", async () => {
    const body = `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions" }))}`;
    const stale = signSlackRequest(body, SIGNING_SECRET, Math.floor(Date.now() / 1000) - 600);
    const wrong = signSlackRequest(body, "not-the-secret", Math.floor(Date.now() / 1000));
    for (const headers of [stale, wrong]) {
      const res = await fetch(`${url}/hooks/slack/interactions`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
      assert.equal(res.status, 401);
    }
  });

  test("the REST API needs a key; metrics and health answer", async () => {
    assert.equal((await fetch(`${url}/api/runs`)).status, 401);
    assert.equal((await fetch(`${url}/api/runs`, { headers: { Authorization: "Bearer nope" } })).status, 401);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /cordon_events_received_total\{source="okta",result="accepted"\} \d+/);
    assert.match(metrics, /cordon_playbook_runs\{state="completed"\} \d+/);
    assert.match(metrics, /cordon_time_to_containment_seconds_count \d+/);
    assert.match(metrics, /cordon_requests_rejected_total\{path="\/hooks\/okta",status="401"\}/);
  });
});

describe("cordon serve: approvals across a restart, the CLI and the API", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack();
    // The CLI reads secrets from the environment, as it would on an analyst's machine.
    Object.assign(process.env, stack.env);
  });
  after(() => stack.close());

  test("a pending approval survives a restart; cordon approve (CLI) resumes the run in the running server", async () => {
    await stack.start();
    await registerOktaHook(stack);
    await reportSuspicious(stack, "admin@corp.example");
    const waiting = await until(
      "the run to wait",
      async () => (await stack.store!.automation.listPlaybookRuns({ states: ["waiting"] }))[0],
    );
    await stack.stop();

    const server = await stack.start();
    assert.equal((await stack.store!.automation.getPlaybookRun(waiting.id))!.state, "waiting");
    const code = await runCli([
      "approve",
      waiting.id,
      "--yes",
      "--config",
      stack.configPath,
      "--store",
      stack.storePath,
      "--json",
    ]);
    assert.equal(code, 0);
    const done = await until("the run to complete", async () => {
      const r = await stack.store!.automation.getPlaybookRun(waiting.id);
      return r?.state === "completed" ? r : null;
    });
    assert.equal(done.state, "completed");
    assert.equal(stack.okta.state.findUser("admin@corp.example")!.status, "RECOVERY");
    const [approval] = await stack.store!.automation.listApprovals({ playbookRunId: waiting.id });
    assert.equal(approval!.decidedVia, "cli");
    assert.ok(server.url);
  });

  test("the API approves only the plan it names, and rejects with a reason", async () => {
    const server = stack.server!;
    const keyOut: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      keyOut.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      assert.equal(
        await runCli([
          "apikey",
          "create",
          "soar",
          "--config",
          stack.configPath,
          "--store",
          stack.storePath,
          "--json",
        ]),
        0,
      );
    } finally {
      process.stdout.write = write;
    }
    // The test reporter shares stdout: keep only the CLI's JSON line.
    const line = keyOut
      .join("")
      .split("\n")
      .find((l) => l.startsWith('{"name":"soar"'));
    const key = (JSON.parse(line!) as { key: string }).key;
    assert.match(key, /^cordon_[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(await stack.store!.automation.listApiKeys());
    assert.ok(!stored.includes(key), "the key itself is not stored");
    const api = (path: string, body?: unknown) =>
      fetch(`${server.url}/api${path}`, {
        method: body ? "POST" : "GET",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });

    // A manual run through the API for the admin: it waits for approval.
    const started = await api("/playbooks/suspicious-activity-reported/run", {
      subject: "admin@corp.example",
    });
    assert.equal(started.status, 202);
    const pending = await until("a pending approval", async () => {
      const list = (await (await api("/approvals?state=pending")).json()) as Loose[];
      return list[0];
    });
    const wrongHash = await api(`/approvals/${pending.id}`, { approve: true, plan_hash: "0".repeat(64) });
    assert.equal(wrongHash.status, 409);
    const rejected = await api(`/approvals/${pending.id}`, {
      approve: false,
      plan_hash: pending.planHash,
      note: "false positive",
    });
    assert.equal(rejected.status, 200);
    const run = await until("the run to finish", async () => {
      const detail = (await (await api(`/runs/${pending.playbookRunId}`)).json()) as Loose;
      return detail.state === "completed" ? detail : null;
    });
    assert.equal(run.steps.find((s: Loose) => s.key === "0").output.outcome, "rejected");
    const again = await api(`/approvals/${pending.id}`, { approve: true, plan_hash: pending.planHash });
    assert.equal(again.status, 409, "a decision is final");
    const list = (await (await api("/runs")).json()) as Loose;
    assert.ok(list.playbookRuns.length >= 2);
  });
});

describe("cordon serve: a port in use", () => {
  test("fails to start, leaves nothing running, and gives the lock back", async () => {
    const stack = await createStack();
    try {
      const first = await stack.start();
      const port = Number(new URL(first.url).port);
      await stack.stop();
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
      try {
        const loadedStore = openSqliteStore({ path: stack.storePath });
        await assert.rejects(
          startServer({
            loaded: loadConfig(stack.configPath, stack.env, stack.dir),
            env: stack.env,
            store: loadedStore,
            clock: systemClock(),
            port,
            log: () => {},
          }),
          /EADDRINUSE/,
        );
        assert.equal(await loadedStore.automation.readServerLock(), null, "the lock was given back");
        await loadedStore.close();
      } finally {
        await new Promise<void>((resolve) => blocker.close(() => resolve()));
      }
      assert.ok((await stack.start()).url, "a corrected start works at once");
    } finally {
      await stack.close();
    }
  });
});

describe("cordon serve: refuses to start with a playbook it could not run", () => {
  test("a playbook naming an unconfigured connection is a configuration error at start, not at 3 a.m.", async () => {
    const stack = await createStack({ playbooks: ["builtin:account-compromised"] });
    try {
      await assert.rejects(stack.start(), /account-compromised uses connection\(s\) teams, not configured/);
    } finally {
      await stack.store?.close();
      stack.store = null;
      await stack.close();
    }
  });
});

describe("cordon serve: a flood of bad requests", () => {
  test("refusals are counted in /metrics but written to the ledger only up to its per-minute budget", async () => {
    const stack = await createStack();
    try {
      const { url } = await stack.start();
      const statuses = await Promise.all(
        Array.from({ length: 150 }, () =>
          fetch(`${url}/hooks/okta`, {
            method: "POST",
            headers: { Authorization: "wrong" },
            body: "{}",
          }).then((r) => r.status),
        ),
      );
      assert.ok(statuses.every((s) => s === 401));
      const recorded = (await stack.store!.listLedger({ limit: 100_000 })).filter(
        (r) => r.type === "inbound.rejected",
      );
      assert.equal(recorded.length, 120);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /cordon_requests_rejected_total\{path="\/hooks\/okta",status="401"\} 150/);
    } finally {
      await stack.close();
    }
  });
});
