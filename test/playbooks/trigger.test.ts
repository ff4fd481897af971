import assert from "node:assert/strict";
import { test } from "node:test";
import type { CordonEvent } from "../../src/core/event.ts";
import { loadPlaybookText } from "../../src/playbooks/load.ts";
import type { PlaybookEnvironment } from "../../src/playbooks/runner.ts";
import { connectionsOf } from "../../src/playbooks/schema.ts";
import { triggerMatches } from "../../src/playbooks/worker.ts";

const env = {} as PlaybookEnvironment;

function playbook(text: string) {
  const loaded = loadPlaybookText(text, "test.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.playbook;
}

const event = (over: Partial<CordonEvent>): CordonEvent => ({
  key: "okta:1",
  source: "okta",
  type: "user.mfa.okta_verify.deny_push",
  occurredAt: "2026-11-22T00:00:00.000Z",
  subject: "a@corp.example",
  origin: "okta",
  data: { outcome: { result: "FAILURE" } },
  ...over,
});

test("a trigger matches on source, event type, webhook name and its `when` filter; a manual run names its playbook", () => {
  const denied = playbook(`
name: denied-only
trigger: { source: okta, events: [user.mfa.okta_verify.deny_push], when: 'event.data.outcome.result == "DENY"' }
steps: [{ wait: 1m }]
`);
  assert.equal(triggerMatches(denied, event({}), env), false, "when filter false");
  assert.equal(triggerMatches(denied, event({ data: { outcome: { result: "DENY" } } }), env), true);
  assert.equal(
    triggerMatches(denied, event({ type: "user.session.start", data: { outcome: { result: "DENY" } } }), env),
    false,
  );
  assert.equal(
    triggerMatches(denied, event({ source: "webhook", origin: "siem" }), env),
    false,
    "wrong source",
  );
  assert.equal(
    triggerMatches(denied, event({ source: "manual", origin: "denied-only" }), env),
    true,
    "named manually",
  );
  assert.equal(triggerMatches(denied, event({ source: "manual", origin: "another" }), env), false);

  const siem = playbook(`
name: siem
trigger: { source: webhook, webhook: siem, events: [account.compromised] }
steps: [{ wait: 1m }]
`);
  assert.equal(
    triggerMatches(siem, event({ source: "webhook", origin: "siem", type: "account.compromised" }), env),
    true,
  );
  assert.equal(
    triggerMatches(siem, event({ source: "webhook", origin: "other", type: "account.compromised" }), env),
    false,
  );
  assert.equal(triggerMatches(siem, event({ source: "webhook", origin: "siem", type: "x" }), env), false);
});

test("connectionsOf lists every connection a playbook needs, nested steps included", () => {
  const p = playbook(`
name: many
trigger: { source: manual }
approval: { slack: { connection: chat, channel: "#a", approvers: [U0123ABCD] } }
steps:
  - contain: { profile: sessions, in: [okta, google] }
  - if: 'subject != null'
    then:
      - notify: { teams: { connection: teams, title: t, text: x } }
    else:
      - notify: { slack: { connection: slack, channel: "#s", text: x } }
`);
  assert.deepEqual(connectionsOf(p), ["chat", "google", "okta", "slack", "teams"]);
});
