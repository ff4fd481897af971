import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { allActions, createConnector, VENDORS } from "../../src/connectors/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { CONTAINMENT_PROFILES } from "../../src/core/connector.ts";
import { RateGovernor } from "../../src/http/governor.ts";

const ids = allActions.map((a) => a.id);

test("every action id is unique and named <vendor>.<verb>_<object>", () => {
  assert.equal(
    new Set(ids).size,
    ids.length,
    `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i)}`,
  );
  for (const id of ids) assert.match(id, /^[a-z]+\.[a-z]+(_[a-z]+)+$/, id);
});

test("every action links its vendor doc over https", () => {
  for (const action of allActions)
    assert.match(
      action.docUrl,
      /^https:\/\/(developer\.okta\.com|docs\.slack\.dev|developer\.atlassian\.com|developers\.google\.com|docs\.github\.com|learn\.microsoft\.com|docs\.aws\.amazon\.com)\//,
      action.id,
    );
});

test("every inverse exists, is of the opposite kind, and points back", () => {
  for (const action of allActions) {
    if (!action.inverse) continue;
    const inverse = allActions.find((a) => a.id === action.inverse);
    assert.ok(inverse, `${action.id} names a missing inverse ${action.inverse}`);
    assert.notEqual(inverse.kind, action.kind, `${action.id} and its inverse are both ${action.kind}`);
    assert.equal(inverse.inverse, action.id, `${inverse.id} does not point back to ${action.id}`);
  }
});

test("every contain action says what it affects, and reversible ones snapshot prior state", () => {
  for (const action of allActions.filter((a) => a.kind === "contain")) {
    assert.ok(action.affects.length > 0, `${action.id} affects nothing`);
    assert.ok(action.scopes.length > 0, `${action.id} names no scope`);
    if (action.inverse) assert.ok(action.snapshot, `${action.id} is reversible but snapshots nothing`);
    assert.ok(action.verify, `${action.id} has no verify`);
  }
});

/** One valid connection per vendor: adding a vendor without adding it here fails the test below. */
const SAMPLE_CONNECTIONS: Record<string, Record<string, unknown>> = {
  okta: { orgUrl: "https://example.okta.com", token: "t" },
  slack: { token: "xoxp-t", apiUrl: "https://slack.com/api/", scimUrl: "https://api.slack.com/scim/v2/" },
  atlassian: { orgId: "org-1", apiKey: "k" },
  google: {
    credentials: "{}",
    adminSubject: "admin@corp.example",
    directoryUrl: "https://admin.googleapis.com",
  },
  github: { org: "acme", token: "t", apiUrl: "https://api.github.com" },
  entra: {
    tenantId: "contoso.onmicrosoft.com",
    clientId: "00000000-0000-0000-0000-000000000000",
    clientSecret: "s",
  },
  aws: { region: "us-east-1", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  teams: { webhookUrl: "https://example.webhook.office.com/webhookb2/sample" },
};

test("every containment vendor's connector offers both profiles, made of its own contain actions with valid inputs", () => {
  const deps = { clock: systemClock(), governor: new RateGovernor({ clock: systemClock() }) };
  for (const vendor of VENDORS) {
    const sample = SAMPLE_CONNECTIONS[vendor.vendor];
    assert.ok(sample, `add a sample connection for ${vendor.vendor}`);
    const connector = createConnector({ name: vendor.vendor, vendor: vendor.vendor, ...sample }, deps);
    assert.equal(connector.vendor, vendor.vendor);
    // A notification-only vendor (Teams) has no accounts: nothing to look up, empty profiles.
    if (!vendor.actions.some((a) => a.kind === "contain")) {
      for (const profile of CONTAINMENT_PROFILES) assert.deepEqual(connector.profile(profile), []);
      continue;
    }
    assert.ok(connector.lookupScopes.length > 0, `${vendor.vendor} names no lookup scope`);
    for (const profile of CONTAINMENT_PROFILES) {
      const calls = connector.profile(profile);
      assert.ok(calls.length > 0, `${vendor.vendor} has an empty ${profile} profile`);
      for (const call of calls) {
        const action = connector.actions.get(call.actionId);
        assert.ok(action, `${vendor.vendor} profile ${profile} names missing ${call.actionId}`);
        assert.equal(action.kind, "contain");
        assert.ok(action.input.safeParse(call.input).success, `${call.actionId} rejects its profile input`);
      }
    }
  }
});

test("every input schema compiles to JSON Schema", () => {
  for (const action of allActions) assert.doesNotThrow(() => z.toJSONSchema(action.input), action.id);
});
