import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { systemClock } from "../../src/core/clock.ts";
import { genericEvent, parseBlockAction } from "../../src/server/inbound.ts";

const hook = { typeField: "type", idField: "id", subjectField: "subject" };
const clock = systemClock();

test("property: any generic webhook body becomes one keyed event or a clear invalid_input", () => {
  const bodies = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({
        type: fc.string(),
        id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        subject: fc.anything(),
      })
      .map((v) => JSON.stringify(v)),
  );
  fc.assert(
    fc.property(bodies, (text) => {
      try {
        const event = genericEvent("siem", text, hook, clock);
        return (
          event.key.startsWith("webhook:siem:") &&
          event.source === "webhook" &&
          typeof event.type === "string"
        );
      } catch (error) {
        return (
          (error as { kind?: string }).kind === "invalid_input" &&
          // A fixed sentence naming the field, never the sender's text echoed back.
          String((error as Error).message).length < 120
        );
      }
    }),
    { numRuns: 500 },
  );
});

test("a body without an id is keyed by its hash: the same body twice is one event", () => {
  const a = genericEvent("siem", '{"type":"x","n":1}', hook, clock);
  const b = genericEvent("siem", '{"type":"x","n":1}', hook, clock);
  const c = genericEvent("siem", '{"type":"x","n":2}', hook, clock);
  assert.equal(a.key, b.key);
  assert.notEqual(a.key, c.key);
});

test("property: any form body is a recognised approval click or a reason, never an exception", () => {
  const payloads = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => `payload=${encodeURIComponent(JSON.stringify(v))}`),
    fc
      .record({
        type: fc.constantFrom("block_actions", "view_submission", "x"),
        user: fc.record({ id: fc.oneof(fc.constant("U0123ABCD"), fc.string()) }),
        actions: fc.array(
          fc.record({
            action_id: fc.constantFrom("cordon_approve", "cordon_reject", "other"),
            value: fc.oneof(fc.string(), fc.constant(`apr_abc ${"a".repeat(64)}`)),
          }),
        ),
      })
      .map((v) => `payload=${encodeURIComponent(JSON.stringify(v))}`),
  );
  fc.assert(
    fc.property(payloads, (text) => {
      const click = parseBlockAction(text);
      return "reason" in click ? click.reason.length > 0 : /^apr_/.test(click.id) && /^U/.test(click.userId);
    }),
    { numRuns: 500 },
  );
});
