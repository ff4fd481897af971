/**
 * Orgs without event hooks: `server.poll` reads the Okta System Log, keeps its cursor in the store, and after a
 * restart reads on from the cursor (nothing read twice, nothing missed).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createStack, oktaUserEvent, resetsOf, type Stack, until } from "./stack.ts";

describe("cordon serve: System Log polling", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack({ extraConfig: "" });
    // No hook: the same config with a poll section instead (the hook stays configured but Okta never calls it).
    const { readFileSync, writeFileSync } = await import("node:fs");
    const text = readFileSync(stack.configPath, "utf8").replace(
      "  maxBodyBytes: 65536",
      "  maxBodyBytes: 65536\n  poll:\n    okta: { intervalSeconds: 5, lookbackMinutes: 5 }",
    );
    writeFileSync(stack.configPath, text);
  });
  after(() => stack.close());

  const metric = async (name: string) => {
    const text = await (await fetch(`${stack.server!.url}/metrics`)).text();
    return Number(new RegExp(`${name} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  test("events logged while cordon was down are read at start; the cursor survives a restart", async () => {
    await oktaUserEvent(stack, "user.account.report_suspicious_activity_by_enduser", "alice@corp.example");
    await stack.start();
    await until("alice's run", async () =>
      (await stack.store!.automation.listPlaybookRuns()).find(
        (r) => r.event.subject === "alice@corp.example" && r.state === "completed",
      ),
    );
    assert.equal(resetsOf(stack, "alice@corp.example"), 1);
    const cursor = await stack.store!.automation.getCursor("okta:okta:system-log");
    assert.ok(cursor, "the cursor is stored");
    await stack.stop();

    await oktaUserEvent(stack, "user.account.report_suspicious_activity_by_enduser", "bob@corp.example");
    await stack.start();
    await until("bob's run", async () =>
      (await stack.store!.automation.listPlaybookRuns()).find(
        (r) => r.event.subject === "bob@corp.example" && r.state === "completed",
      ),
    );
    assert.equal(
      await metric('cordon_events_received_total\\{source="okta-poll",result="accepted"\\}'),
      1,
      "only the new event",
    );
    assert.equal(
      await metric('cordon_events_received_total\\{source="okta-poll",result="duplicate"\\}'),
      0,
      "nothing re-read",
    );
    assert.equal((await stack.store!.automation.listPlaybookRuns()).length, 2);
    assert.equal(resetsOf(stack, "alice@corp.example"), 1, "alice not reset again");
    assert.notEqual(
      await stack.store!.automation.getCursor("okta:okta:system-log"),
      cursor,
      "the cursor moved on",
    );
  });
});
