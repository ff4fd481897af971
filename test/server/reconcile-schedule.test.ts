/**
 * Issue 5's last piece: reconciliation as a scheduled job inside `cordon serve`, applying through the same engine
 * and posting its summary to Slack; a failed-closed stop is logged as an alarm and changes nothing.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { createStack, type Stack, until } from "./stack.ts";

const people = (emails: string[]) => JSON.stringify(emails.map((email) => ({ email, groups: ["staff"] })));

describe("cordon serve: scheduled reconcile", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({
      extraConfig: `
reconcile:
  source: { file: people.json }
  rules: rules.yaml
  targets:
    slack: { app: Slack }
  maxChanges: 5
  maxShare: 0.5
  notify: { connection: slack, channel: security }
  schedule: "* * * * * *"
  apply: true
`,
    });
    writeFileSync(join(stack.dir, "rules.yaml"), "apps:\n  Slack:\n    allowedGroups: [staff]\n");
    Object.assign(process.env, stack.env);
  });
  after(() => stack.close());

  test("the schedule reactivates whom cordon deactivated once they are entitled again, and tells Slack", async () => {
    // An analyst's first reconcile: Eve lost her entitlement and is deactivated.
    writeFileSync(join(stack.dir, "people.json"), people(["ops@corp.example", "sam@corp.example"]));
    const code = await runCli([
      "reconcile",
      "--apply",
      "--first-run-apply",
      "--config",
      stack.configPath,
      "--store",
      stack.storePath,
      "--json",
    ]);
    assert.equal(code, 0);
    const eve = stack.slack.state.findByEmail("eve@corp.example", { includeDeleted: true })!;
    assert.equal(eve.deleted, true, "Eve deactivated");
    const summaries = () =>
      stack.slack.state.channelMessages("security").filter((m) => m.text.startsWith("cordon reconcile"));
    const before = summaries().length;

    // Eve is entitled again; the server's schedule picks it up without anyone running a command.
    writeFileSync(
      join(stack.dir, "people.json"),
      people(["ops@corp.example", "sam@corp.example", "eve@corp.example"]),
    );
    await stack.start();
    await until(
      "Eve to be reactivated by the schedule",
      () => !stack.slack.state.findByEmail("eve@corp.example")?.deleted,
      8_000,
    );
    await until("the summary in Slack", () => summaries().length > before, 5_000);
    assert.match(summaries().at(-1)!.text, /1 reactivated/);
    const runs = await stack.store!.listRuns({ kind: "reconcile" });
    assert.ok(runs.some((r) => r.actor === "schedule:reconcile" && r.state === "completed"));
    await stack.stop();
  });

  test("an empty source stops the scheduled run with an alarm and changes nothing", async () => {
    writeFileSync(join(stack.dir, "people.json"), "[]");
    await stack.start();
    await until("an alarm in the log", () =>
      stack.logs.find(
        (l) => l.msg === "scheduled reconcile stopped" && /empty|nothing/i.test(String(l.error)),
      ),
    );
    assert.equal(stack.slack.state.findByEmail("sam@corp.example")?.deleted, false, "nobody deactivated");
    assert.equal(stack.slack.state.findByEmail("eve@corp.example")?.deleted, false);
    await stack.stop();
  });
});
