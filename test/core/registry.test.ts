import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { allActions } from "../../src/connectors/index.ts";
import { createOktaConnector } from "../../src/connectors/okta/index.ts";
import { createSlackConnector } from "../../src/connectors/slack/index.ts";
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

test("every input schema compiles to JSON Schema and accepts what the profiles send", () => {
  for (const action of allActions) assert.doesNotThrow(() => z.toJSONSchema(action.input), action.id);
  const deps = { clock: systemClock(), governor: new RateGovernor({ clock: systemClock() }) };
  const connectors = [
    createOktaConnector({ connection: "okta", orgUrl: "https://example.okta.com", token: "t" }, deps),
    createSlackConnector({ connection: "slack", token: "xoxp-t" }, deps),
  ];
  for (const connector of connectors) {
    for (const profile of CONTAINMENT_PROFILES) {
      for (const call of connector.profile(profile)) {
        const action = connector.actions.get(call.actionId);
        assert.ok(action, `${connector.vendor} profile ${profile} names missing ${call.actionId}`);
        assert.equal(action.kind, "contain");
        assert.ok(action.input.safeParse(call.input).success, `${call.actionId} rejects its profile input`);
      }
    }
  }
});
