import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, test } from "node:test";
import type { OktaEmulator } from "../../src/emulators/okta/index.ts";
import type { SlackEmulator } from "../../src/emulators/slack/index.ts";
import { type Harness, oktaHarness, slackHarness } from "../support/harness.ts";
import { PEOPLE } from "../support/world.ts";

const BIN = new URL("../../bin/cordon.js", import.meta.url).pathname;
const OKTA_TOKEN = "okta-secret-0123456789";
const SLACK_TOKEN = "xoxp-slack-secret-0123456789";

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cordon(args: string[], env: Record<string, string>, input?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
      cwd: dir,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(input ?? "");
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let okta: Harness<OktaEmulator>;
let slack: Harness<SlackEmulator>;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cordon-cli-"));
  okta = await oktaHarness({ seed: { ...PEOPLE.okta, tokens: [OKTA_TOKEN] } });
  slack = await slackHarness({ seed: { ...PEOPLE.slack, tokens: [SLACK_TOKEN] } });
  env = {
    OKTA_CLIENT_ORGURL: okta.server.url,
    OKTA_CLIENT_TOKEN: OKTA_TOKEN,
    SLACK_ADMIN_TOKEN: SLACK_TOKEN,
    SLACK_API_URL: `${slack.server.url}/api/`,
    SLACK_SCIM_URL: `${slack.server.url}/scim/v2/`,
    CORDON_STORE: join(dir, "ledger.db"),
  };
});
after(async () => {
  await okta.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

function assertNoSecrets(ran: Ran): void {
  for (const secret of [OKTA_TOKEN, SLACK_TOKEN]) {
    assert.ok(!ran.stdout.includes(secret) && !ran.stderr.includes(secret), "a secret reached the output");
  }
}

describe("cordon CLI, end to end against the emulators", () => {
  test("--help explains the commands and the exit codes", async () => {
    const ran = await cordon(["--help"], {});
    assert.equal(ran.code, 0);
    for (const word of [
      "contain",
      "uncontain",
      "plan",
      "apply",
      "status",
      "audit",
      "emulate",
      "demo",
      "Exit codes",
    ])
      assert.match(ran.stdout, new RegExp(word));
  });

  test("contain without --yes and without a terminal refuses and changes nothing", async () => {
    const ran = await cordon(["contain", "dan@corp.example"], env);
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /pass --yes/);
    assert.equal(okta.emulator.state.findUserByLogin("dan@corp.example")?.status, "ACTIVE");
  });

  test("--dry-run shows the plan and changes nothing", async () => {
    const ran = await cordon(["contain", "dan@corp.example", "--dry-run"], env);
    assert.equal(ran.code, 0);
    assert.match(ran.stdout, /dry run: nothing was changed/);
    assert.match(ran.stdout, /suspend_user/);
    assert.equal(okta.emulator.state.findUserByLogin("dan@corp.example")?.status, "ACTIVE");
  });

  test("contain --yes --json, status, audit verify, uncontain: the whole cycle", async () => {
    const ran = await cordon(["contain", "alice@corp.example", "--yes", "--json", "--reason", "INC-9"], env);
    assertNoSecrets(ran);
    assert.equal(ran.code, 0, ran.stderr);
    const result = JSON.parse(ran.stdout) as { runId: string; state: string; steps: unknown[] };
    assert.equal(result.state, "completed");
    assert.equal(result.steps.length, 6);
    assert.equal(okta.emulator.state.findUserByLogin("alice@corp.example")?.status, "SUSPENDED");

    const status = await cordon(["status", "alice@corp.example", "--json"], env);
    assert.equal(status.code, 0);
    assert.equal((JSON.parse(status.stdout) as { holds: unknown[] }).holds.length, 2);

    assert.equal((await cordon(["audit", "verify"], env)).code, 0);
    const show = await cordon(["audit", "show", result.runId], env);
    assert.match(show.stdout, /okta\.suspend_user/);
    const exported = await cordon(["audit", "export", "--format", "jsonl"], env);
    assertNoSecrets(exported);
    assert.ok(
      exported.stdout
        .trim()
        .split("\n")
        .every((line) => JSON.parse(line).hash),
    );

    const undo = await cordon(["uncontain", result.runId, "--yes"], env);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /cannot undo: .*Clear all sessions/);
    assert.equal(okta.emulator.state.findUserByLogin("alice@corp.example")?.status, "ACTIVE");
  });

  test("connections test checks each credential and lists least privilege per action", async () => {
    const ran = await cordon(["connections", "test"], env);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /okta\s+okta\s+yes\s+admin@corp\.example/);
    assert.match(ran.stdout, /okta\s+okta\.suspend_user\s+okta\.users\.manage/);
    assert.match(ran.stdout, /slack\s+slack\.reset_sessions\s+admin\.users:write/);
    const bad = await cordon(["connections", "test", "--json"], { ...env, SLACK_ADMIN_TOKEN: "xoxp-wrong" });
    assert.equal(bad.code, 8);
    const results = JSON.parse(bad.stdout) as Array<{ connection: string; ok: boolean }>;
    assert.deepEqual(
      results.map((r) => [r.connection, r.ok]),
      [
        ["okta", true],
        ["slack", false],
      ],
    );
  });

  test("an unknown email exits 3; a protected account exits 4", async () => {
    const unknown = await cordon(["contain", "nobody@corp.example", "--yes"], env);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stdout, /not found: nobody@corp.example in okta/);
    const protectedAccount = await cordon(["contain", "admin@corp.example", "--yes"], env);
    assert.equal(protectedAccount.code, 4);
    assert.match(protectedAccount.stdout, /protected: okta role admin/);
  });

  test("a malformed --from file exits 2 and names the line", async () => {
    const file = join(dir, "suspects.txt");
    writeFileSync(file, "# suspects\nalice@corp.example\nbob corp example, eve\n");
    const ran = await cordon(["contain", "--from", file, "--yes"], env);
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /suspects.txt line 3: expected one email address per line/);
  });

  test("a config with a missing secret exits 7 and names the variable, not a value", async () => {
    const config = join(dir, "missing-secret.yaml");
    writeFileSync(
      config,
      `connections:\n  okta:\n    vendor: okta\n    orgUrl: ${okta.server.url}\n    token: env:OKTA_TOKEN_NOT_SET\n`,
    );
    const ran = await cordon(["contain", "alice@corp.example", "--yes", "--config", config], {
      CORDON_STORE: env.CORDON_STORE!,
    });
    assert.equal(ran.code, 7);
    assert.match(ran.stderr, /connections\.okta\.token: environment variable OKTA_TOKEN_NOT_SET is not set/);
    const literal = join(dir, "literal.yaml");
    writeFileSync(
      literal,
      `connections:\n  okta:\n    vendor: okta\n    orgUrl: ${okta.server.url}\n    token: ${OKTA_TOKEN}\n`,
    );
    const refused = await cordon(["config", "check", "--config", literal], {});
    assert.equal(refused.code, 7);
    assert.match(refused.stderr, /never the secret itself/);
    assertNoSecrets(refused);
  });

  test("an invalid token exits 8 without echoing it", async () => {
    const ran = await cordon(["contain", "dan@corp.example", "--yes", "--in", "okta"], {
      ...env,
      OKTA_CLIENT_TOKEN: "wrong-okta-token-value",
    });
    assert.equal(ran.code, 8);
    assert.match(ran.stdout, /NOT COVERED: okta could not be read \(auth\)/);
    assert.ok(
      !ran.stdout.includes("wrong-okta-token-value") && !ran.stderr.includes("wrong-okta-token-value"),
    );
  });

  test("a vendor 500 exits 5 (partial) and the ledger still verifies", async () => {
    await slack.fault({
      kind: "status",
      status: 500,
      pathPrefix: "/scim/v2/Users/",
      method: "PATCH",
      count: 20,
    });
    const ran = await cordon(["contain", "dan@corp.example", "--yes"], env);
    assert.equal(ran.code, 5, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /slack\.deactivate_user\s+failed\s+transient/);
    await fetch(`${slack.server.url}/__cordon/faults`, { method: "DELETE" });
    assert.equal((await cordon(["audit", "verify"], env)).code, 0);
  });

  test("plan --out then apply; an edited plan is refused", async () => {
    const file = join(dir, "plan.json");
    const planned = await cordon(["plan", "carol@corp.example", "--out", file], env);
    assert.equal(planned.code, 0, planned.stderr);
    const edited = JSON.parse(readFileSync(file, "utf8"));
    edited.profile = "sessions";
    writeFileSync(join(dir, "edited.json"), JSON.stringify(edited));
    const refused = await cordon(["apply", join(dir, "edited.json"), "--yes"], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /does not match its hash/);
    const applied = await cordon(["apply", file, "--yes"], env);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  });

  test("a tampered ledger fails audit verify with exit 10", async () => {
    const db = new DatabaseSync(env.CORDON_STORE!);
    db.exec("DROP TRIGGER IF EXISTS ledger_no_update");
    const triggers = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger'")
      .all() as Array<{ name: string }>;
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    db.prepare("UPDATE ledger SET payload = ? WHERE seq = 3").run('{"tampered":true}');
    db.close();
    const ran = await cordon(["audit", "verify"], env);
    assert.equal(ran.code, 10);
    assert.match(ran.stdout, /LEDGER BROKEN at record 3/);
  });

  test("demo --all contains and restores one person across every app, with no setup", async () => {
    const ran = await cordon(["demo", "--all", "--json"], {});
    assert.equal(ran.code, 0, ran.stderr);
    const result = JSON.parse(ran.stdout) as {
      contained: { state: string; steps: Array<{ connection: string }> };
      ledger: { ok: boolean };
    };
    assert.equal(result.contained.state, "completed");
    assert.deepEqual([...new Set(result.contained.steps.map((s) => s.connection))].sort(), [
      "atlassian",
      "aws",
      "entra",
      "github",
      "google",
      "okta",
      "slack",
    ]);
    assert.ok(result.ledger.ok);
  });

  test("emulate prints one line per emulator and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "emulate", "okta", "slack", "--port", "0"], {
      env: { PATH: process.env.PATH ?? "" },
    });
    const lines: string[] = await new Promise((resolve) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const got = out.trim().split("\n");
        if (got.length >= 2) resolve(got);
      });
    });
    assert.match(lines[0]!, /^okta http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(lines[1]!, /^slack http:\/\/127\.0\.0\.1:\d+$/);
    const me = await fetch(`${lines[0]!.split(" ")[1]}/api/v1/users/me`);
    assert.equal(me.status, 401, "refuses a request without a token, as Okta does");
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 0);
  });
});
