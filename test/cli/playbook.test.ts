import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openSqliteStore } from "../../src/store/index.ts";

const BIN = new URL("../../bin/cordon.js", import.meta.url).pathname;
const EVENT = new URL("../../examples/events/suspicious-activity.json", import.meta.url).pathname;
let dir: string;

function cordon(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
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

before(() => {
  dir = mkdtempSync(join(tmpdir(), "cordon-playbook-cli-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("cordon playbook validate: ok for a good file, file:line:column for a broken one, exit 2", async () => {
  writeFileSync(
    join(dir, "good.yaml"),
    "name: notify-only\ntrigger: { source: manual }\nsteps:\n  - notify:\n      slack: { connection: slack, channel: '#sec', text: hi }\n",
  );
  writeFileSync(
    join(dir, "bad.yaml"),
    "name: broken\ntrigger: { source: manual }\nsteps:\n  - contain:\n      actions: [okta.no_such_action]\n",
  );
  const good = await cordon(["playbook", "validate", "good.yaml"]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /ok good\.yaml \(notify-only, 1 steps?\)/);
  const bad = await cordon(["playbook", "validate", "bad.yaml", "--json"]);
  assert.equal(bad.code, 2);
  const [result] = JSON.parse(bad.stdout) as Array<{
    errors: Array<{ line: number; column: number; message: string }>;
  }>;
  assert.equal(result!.errors[0]!.line, 5);
  assert.match(result!.errors[0]!.message, /okta\.no_such_action/);
});

test("cordon playbook templates lists the five built-ins; show prints one", async () => {
  const list = await cordon(["playbook", "templates", "--json"]);
  assert.equal(list.code, 0, list.stderr);
  const names = (JSON.parse(list.stdout) as Array<{ name: string }>).map((t) => t.name).sort();
  assert.deepEqual(names, [
    "account-compromised",
    "api-token-suspicious",
    "mfa-push-fatigue",
    "session-token-stolen",
    "suspicious-activity-reported",
  ]);
  const shown = await cordon(["playbook", "show", "suspicious-activity-reported"]);
  assert.match(shown.stdout, /^# yaml-language-server/);
});

test("cordon playbook run --rehearse: the whole playbook against emulators, step by step", async () => {
  const rehearsal = await cordon([
    "playbook",
    "run",
    "builtin:suspicious-activity-reported",
    "--event",
    EVENT,
    "--rehearse",
    "--json",
  ]);
  assert.equal(rehearsal.code, 0, rehearsal.stderr);
  const report = JSON.parse(rehearsal.stdout) as {
    run: { state: string };
    calls: Array<{ action: string; account: string; state: string }>;
    tables: Array<{ table: string; rows: Array<Record<string, string>> }>;
  };
  assert.equal(report.run.state, "completed");
  assert.deepEqual(
    report.calls.map((c) => [c.action, c.account, c.state]),
    [
      ["okta.clear_sessions", "alice@corp.example", "applied"],
      ["okta.reset_password", "alice@corp.example", "applied"],
    ],
  );
  assert.match(report.tables[0]!.rows[0]!.SysLogURL!, /search=9a2f4c1e-5b7d-4e8f-a1b2-c3d4e5f60718$/);
});

test("cordon playbook table shows the rows playbooks recorded", async () => {
  const path = join(dir, "tables.db");
  const store = openSqliteStore({ path });
  await store.automation.insertTableRow("SuspiciousActivityReportedLog", "pbr_1", "1", {
    Email: "a@corp.example",
  });
  await store.automation.insertTableRow("SuspiciousActivityReportedLog", "pbr_1", "1", { Email: "twice" });
  await store.close();
  const shown = await cordon([
    "playbook",
    "table",
    "SuspiciousActivityReportedLog",
    "--store",
    path,
    "--json",
  ]);
  assert.equal(shown.code, 0, shown.stderr);
  const rows = JSON.parse(shown.stdout) as Array<{ row: { Email: string } }>;
  assert.deepEqual(
    rows.map((r) => r.row.Email),
    ["a@corp.example"],
    "a resumed step writes its row once",
  );
});

test("cordon config check refuses what cordon serve would: a playbook naming an unconfigured connection", async () => {
  writeFileSync(
    join(dir, "serve.yaml"),
    [
      "connections:",
      '  okta: { vendor: okta, orgUrl: "https://acme.okta.com", token: env:T_OKTA }',
      "  slack: { vendor: slack, token: env:T_SLACK }",
      "playbooks: [builtin:suspicious-activity-reported, builtin:account-compromised]",
      "",
    ].join("\n"),
  );
  const env = { T_OKTA: "00x", T_SLACK: "xoxp-x" };
  const refused = await cordon(["config", "check", "--config", "serve.yaml"], env);
  assert.equal(refused.code, 7);
  assert.match(refused.stderr, /account-compromised uses connection\(s\) teams, not configured/);
  writeFileSync(
    join(dir, "serve.yaml"),
    readFileSync(join(dir, "serve.yaml"), "utf8").replace(", builtin:account-compromised", ""),
  );
  const ok = await cordon(["config", "check", "--config", "serve.yaml"], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /1 playbook\(s\): suspicious-activity-reported/);
});

test("cordon approvals lists what waits; cordon approve --reject decides it, bound to its plan", async () => {
  const path = join(dir, "approvals.db");
  const store = openSqliteStore({ path });
  await store.automation.acceptEvents([
    {
      key: "manual:cli-1",
      source: "manual",
      type: "manual",
      occurredAt: new Date().toISOString(),
      subject: "alice@corp.example",
      origin: "p",
      data: {},
    },
  ]);
  await store.automation.dispatchEvent("manual:cli-1", [
    { id: "pbr_cli_1", playbook: "p", playbookHash: "h", definition: { steps: [] }, actor: "test" },
  ]);
  await store.automation.requestApproval({
    id: "apr_cli_1",
    playbookRunId: "pbr_cli_1",
    stepKey: "0",
    planHash: "a".repeat(64),
    plan: { kind: "continue", playbook: "p", question: "Go on?" },
    reasons: ["Go on?"],
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  await store.close();

  const listed = await cordon(["approvals", "--store", path, "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    (JSON.parse(listed.stdout) as Array<{ id: string }>).map((a) => a.id),
    ["apr_cli_1"],
  );
  const refusedWithoutYes = await cordon(["approve", "apr_cli_1", "--store", path]);
  assert.equal(refusedWithoutYes.code, 2, "not interactive and no --yes: refused");
  const rejected = await cordon([
    "approve",
    "apr_cli_1",
    "--reject",
    "--yes",
    "--note",
    "false positive",
    "--store",
    path,
  ]);
  assert.equal(rejected.code, 0, rejected.stderr);
  assert.match(rejected.stdout, /approving lets playbook p continue past: Go on\?/);
  assert.match(rejected.stdout, /rejected: apr_cli_1/);
  const after = await cordon(["approvals", "--all", "--store", path, "--json"]);
  const [decided] = JSON.parse(after.stdout) as Array<{ state: string; decidedVia: string; note: string }>;
  assert.deepEqual(
    [decided!.state, decided!.decidedVia, decided!.note],
    ["rejected", "cli", "false positive"],
  );
});
