import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { OktaEmulator } from "../../src/emulators/okta/index.ts";
import type { SlackEmulator } from "../../src/emulators/slack/index.ts";
import { type Harness, oktaHarness, slackHarness } from "../support/harness.ts";

const BIN = new URL("../../bin/cordon.js", import.meta.url).pathname;
let dir: string;
let okta: Harness<OktaEmulator>;
let slack: Harness<SlackEmulator>;
let env: Record<string, string>;

function cordon(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      cwd: dir,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cordon-reconcile-"));
  okta = await oktaHarness({
    seed: {
      users: [
        { email: "admin@corp.example", admin: true, groups: ["engineering"] },
        { email: "alice@corp.example", groups: ["engineering"] },
        { email: "bob@corp.example", groups: ["sales"] },
      ],
      apps: [{ id: "0oaWiki", label: "Wiki", assignments: ["alice@corp.example", "bob@corp.example"] }],
      tokenOwner: "admin@corp.example",
    },
  });
  slack = await slackHarness({
    seed: {
      users: [
        { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
        { email: "alice@corp.example" },
        { email: "bob@corp.example" },
        { email: "carol@corp.example" },
      ],
      channels: [{ name: "security" }],
    },
  });
  writeFileSync(
    join(dir, "rules.yaml"),
    "apps:\n  Slack:\n    allowedGroups: [engineering]\n  Wiki:\n    allowedGroups: [engineering]\n",
  );
  writeFileSync(
    join(dir, "cordon.yaml"),
    `connections:
  okta: { vendor: okta, orgUrl: "${okta.server.url}", token: "env:OKTA_TOKEN" }
  slack: { vendor: slack, token: "env:SLACK_TOKEN", apiUrl: "${slack.server.url}/api/", scimUrl: "${slack.server.url}/scim/v2/" }
reconcile:
  source: okta
  rules: rules.yaml
  targets:
    slack: { app: Slack }
  maxChanges: 5
  maxShare: 0.6
  notify: { connection: slack, channel: security }
`,
  );
  env = { OKTA_TOKEN: "okta-token", SLACK_TOKEN: "xoxp-slack-token", CORDON_STORE: join(dir, "ledger.db") };
});
after(async () => {
  await okta.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

const activeIn = (email: string) =>
  !slack.emulator.state.findByEmail(email, { includeDeleted: true })?.deleted;

test("cordon reconcile: plan by default, first run reports only, then applies; owners and held accounts untouched", async () => {
  const plan = await cordon(["reconcile", "--json"]);
  assert.equal(plan.code, 0, plan.stderr);
  const [outcome] = JSON.parse(plan.stdout) as Array<{
    plan: { changes: Array<{ account: { email: string }; change: string }> };
    reportOnly: boolean;
  }>;
  assert.deepEqual(outcome!.plan.changes.map((c) => [c.account.email, c.change]).sort(), [
    ["bob@corp.example", "deactivate"],
    ["carol@corp.example", "deactivate"],
  ]);
  assert.equal(outcome!.reportOnly, true);

  const first = await cordon(["reconcile", "--apply"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /first reconcile of this target: report only/);
  assert.ok(activeIn("bob@corp.example"));

  const applied = await cordon(["reconcile", "--apply", "--first-run-apply"]);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(activeIn("bob@corp.example"), false);
  assert.equal(activeIn("carol@corp.example"), false);
  assert.ok(activeIn("admin@corp.example") && activeIn("alice@corp.example"));
  assert.equal((await cordon(["audit", "verify"])).code, 0);
  const security = slack.emulator.state.findChannel("security")!;
  const posted = (slack.emulator.state.messages.get(security.id) ?? []).map((m) => m.text);
  assert.ok(
    posted.some((t) => /cordon reconcile slack \(Slack\): 2 deactivated, 0 reactivated/.test(t)),
    posted.join("\n"),
  );
});

test("cordon reconcile fails closed when the source of truth reads empty", async () => {
  const empty = join(dir, "empty.yaml");
  writeFileSync(
    empty,
    `connections:\n  slack: { vendor: slack, token: "env:SLACK_TOKEN", apiUrl: "${slack.server.url}/api/", scimUrl: "${slack.server.url}/scim/v2/" }\nreconcile:\n  source: { file: people.json }\n  rules: rules.yaml\n  targets:\n    slack: { app: Slack }\n`,
  );
  writeFileSync(join(dir, "people.json"), "[]");
  const ran = await cordon(["reconcile", "--apply", "--first-run-apply", "--config", empty]);
  assert.equal(ran.code, 4, ran.stdout + ran.stderr);
  assert.match(ran.stderr + ran.stdout, /empty|no people/i);
  assert.ok(activeIn("alice@corp.example"));
});

test("cordon reconcile on one Okta application's assignments (appId): unassigns who lost entitlement", async () => {
  const config = join(dir, "app.yaml");
  writeFileSync(
    config,
    `connections:\n  okta: { vendor: okta, orgUrl: "${okta.server.url}", token: "env:OKTA_TOKEN" }\nreconcile:\n  source: okta\n  rules: rules.yaml\n  targets:\n    okta: { app: Wiki, appId: 0oaWiki }\n  maxShare: 0.6\n`,
  );
  const ran = await cordon(["reconcile", "--apply", "--first-run-apply", "--config", config, "--json"]);
  assert.equal(ran.code, 0, ran.stdout + ran.stderr);
  const [outcome] = JSON.parse(ran.stdout) as Array<{
    plan: { changes: Array<{ account: { email: string }; change: string }> };
  }>;
  assert.deepEqual(
    outcome!.plan.changes.map((c) => [c.account.email, c.change]),
    [["bob@corp.example", "deactivate"]],
  );
  const wiki = okta.emulator.state.apps.get("0oaWiki")!;
  const bob = okta.emulator.state.findUserByLogin("bob@corp.example")!;
  assert.equal(wiki.assignments.has(bob.id), false);
  assert.equal(
    okta.emulator.state.findUserByLogin("bob@corp.example")?.status,
    "ACTIVE",
    "app-level: the user stays active",
  );
});
