import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isCordonError } from "../../src/core/errors.ts";
import {
  checkExpression,
  checkTemplate,
  evaluate,
  isTruthy,
  LIMITS,
  parseExpression,
  readPaths,
  renderTemplate,
  renderValue,
} from "../../src/playbooks/language/index.ts";

const event = {
  type: "user.account.report_suspicious_activity_by_enduser",
  subject: "alice@corp.example",
  data: {
    uuid: "e1 2/3",
    target: [{ id: "00u1", alternateId: "alice@corp.example" }],
    outcome: { result: "SUCCESS" },
    tags: ["a", "b"],
    count: 3,
  },
};
const scope = { event, subject: "alice@corp.example", steps: { contain: { outcome: "completed" } } };

function throwsInvalid(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isCordonError(error), `not a CordonError: ${String(error)}`);
    assert.equal(error.kind, "invalid_input");
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

test("paths, indexes and literals", () => {
  assert.equal(evaluate("event.data.target[0].alternateId", scope), "alice@corp.example");
  assert.equal(evaluate('event.data["outcome"].result', scope), "SUCCESS");
  assert.equal(evaluate("event.data.target[1]", scope), null);
  assert.equal(evaluate("event.data.missing.deeper", scope), null);
  assert.equal(evaluate("nothing", scope), null);
  assert.deepEqual(evaluate("[1, 'two', true, null, -2.5]", scope), [1, "two", true, null, -2.5]);
  assert.equal(evaluate('"a\\"b\\\\c\\n"', scope), 'a"b\\c\n');
  assert.equal(evaluate("'it\\'s'", scope), "it's");
});

test("comparisons, boolean operators and membership", () => {
  assert.equal(evaluate('steps.contain.outcome == "completed"', scope), true);
  assert.equal(evaluate('steps.contain.outcome != "completed"', scope), false);
  assert.equal(evaluate("event.data.count > 2 and event.data.count <= 3", scope), true);
  assert.equal(evaluate("event.data.count < 2 or not event.data.missing", scope), true);
  assert.equal(evaluate('"b" in event.data.tags', scope), true);
  assert.equal(evaluate('"corp" in subject', scope), true);
  assert.equal(evaluate('"z" not in event.data.tags', scope), true);
  assert.equal(evaluate('1 == "1"', scope), false, "== is strict");
  assert.equal(evaluate('1 < "2"', scope), false, "mixed types are not ordered");
  assert.equal(evaluate("(1 == 1) and (2 == 2 or false)", scope), true);
});

test("filters", () => {
  const cases: Array<[string, unknown]> = [
    ['" Hi " | trim | upper', "HI"],
    ['"Hi" | lower', "hi"],
    ['event.data.nope | default("n/a")', "n/a"],
    ['"" | default("empty")', "empty"],
    ["event.data.tags | json", '["a","b"]'],
    ['event.data.tags | join("+")', "a+b"],
    ["event.data.tags | join", "a, b"],
    ["event.data.tags | first", "a"],
    ["event.data.tags | last", "b"],
    ["event.data.tags | length", 2],
    ["subject | length", 18],
    ["event.data.uuid | urlencode", "e1%202%2F3"],
    ['"abcdef" | truncate(4)', "abc…"],
    ['"abc" | truncate(4)', "abc"],
    ['"<!channel> & <http://x|y>" | slack_escape', "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"],
    ["event.data.outcome | keys", ["result"]],
    ["event.data.count | string", "3"],
    ["event.data.nope | lower", null],
  ];
  for (const [expr, expected] of cases) assert.deepEqual(evaluate(expr, scope), expected, expr);
});

test("isTruthy", () => {
  for (const v of [null, undefined, false, 0, "", []]) assert.equal(isTruthy(v), false, String(v));
  for (const v of [true, 1, "x", [0], {}]) assert.equal(isTruthy(v), true, JSON.stringify(v));
});

test("renderTemplate writes values as text", () => {
  assert.equal(
    renderTemplate("{{ subject }} had {{ event.data.count }} {{ event.data.nope }}!", scope),
    "alice@corp.example had 3 !",
  );
  assert.equal(renderTemplate("{{ event.data.tags }}", scope), '["a","b"]');
  assert.equal(renderTemplate('{{ "}}" }} and {{ true }}', scope), "}} and true");
  assert.equal(renderTemplate("no braces } here }}", scope), "no braces } here }}");
});

test("renderValue renders deeply and passes a sole expression through raw", () => {
  const rendered = renderValue(
    {
      list: "{{ event.data.tags }}",
      n: " {{ event.data.count }} ",
      text: "x {{ subject }}",
      keep: 5,
      deep: [["{{ subject }}"]],
    },
    scope,
  );
  assert.deepEqual(rendered, {
    list: ["a", "b"],
    n: 3,
    text: "x alice@corp.example",
    keep: 5,
    deep: [["alice@corp.example"]],
  });
});

test("parse errors name the character offset", () => {
  throwsInvalid(() => parseExpression("a == "), /offset 5/);
  throwsInvalid(() => parseExpression("a | nosuchfilter"), /unknown filter "nosuchfilter" at offset 4/);
  throwsInvalid(() => parseExpression('"unterminated'), /offset 0/);
  throwsInvalid(() => parseExpression("a $ b"), /offset 2/);
  throwsInvalid(() => parseExpression("a | truncate"), /argument/);
  throwsInvalid(() => parseExpression("1 < 2 < 3"), /chained/);
  throwsInvalid(() => renderTemplate("ok {{ a ", {}), /offset 3/);
  throwsInvalid(() => renderTemplate("ok {{ a $ }}", {}), /offset 8/);
  assert.deepEqual(checkExpression("a.b"), []);
  assert.equal(checkExpression("a.").length, 1);
  assert.deepEqual(checkTemplate("x {{ a }}"), []);
  assert.equal(checkTemplate("{{ }}").length, 1);
});

test("prototype names are refused when parsing and never readable", () => {
  for (const text of [
    "event.__proto__",
    "event.constructor",
    "x.prototype",
    'event["__proto__"]',
    "constructor",
    "__proto__.polluted",
  ]) {
    throwsInvalid(() => parseExpression(text), /cannot be read/);
  }
  // Computed keys reach the same names at run time: they read as null.
  const s = { event: {}, k: "constructor", p: "__proto__", list: [1] };
  assert.equal(evaluate("event[k]", s), null);
  assert.equal(evaluate("event[p]", s), null);
  assert.equal(evaluate('list["length"]', s), null, "length only through the filter");
  assert.equal(evaluate('subject["length"]', { subject: "abc" }), null);
  assert.equal(evaluate("toString", s), null, "inherited names are not in the scope");
  assert.equal(evaluate("event.hasOwnProperty", s), null);
  // Own properties that are getters or functions are not data: never run.
  let ran = false;
  const hostile = {
    get secret() {
      ran = true;
      return "x";
    },
    fn: () => "x",
  };
  assert.equal(evaluate("h.secret", { h: hostile }), null);
  assert.equal(evaluate("h.fn", { h: hostile }), null);
  assert.equal(ran, false);
  // A class instance is opaque.
  assert.equal(
    evaluate("d.x", {
      d: new (class {
        x = 1;
      })(),
    }),
    null,
  );
});

test("limits: length, output, steps and depth", () => {
  throwsInvalid(() => parseExpression(`"${"a".repeat(LIMITS.expressionChars)}"`), /longer than/);
  throwsInvalid(() => renderTemplate("a".repeat(LIMITS.templateChars + 1), {}), /longer than/);
  throwsInvalid(() => renderTemplate("{{ s }}{{ s }}", { s: "x".repeat(60_000) }), /exceeds/);
  throwsInvalid(() => parseExpression(`${"(".repeat(100)}1${")".repeat(100)}`), /nested deeper/);
  throwsInvalid(() => parseExpression(`${"not ".repeat(100)}1`), /nested deeper/);
  throwsInvalid(() => parseExpression(`${"[".repeat(100)}${"]".repeat(100)}`), /nested deeper/);
  const many = Array.from(
    { length: 300 },
    () => `{{ ${Array.from({ length: 20 }, () => "a").join(" or ")} }}`,
  );
  throwsInvalid(() => renderTemplate(many.join(""), { a: false }), /steps/);
  let deep: unknown = "{{ 1 }}";
  for (let i = 0; i < 100; i += 1) deep = [deep];
  throwsInvalid(() => renderValue(deep, {}), /nested deeper/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throwsInvalid(() => renderTemplate("{{ c }}", { c: cyclic }), /JSON/);
});

test("readPaths lists static paths from their roots", () => {
  assert.deepEqual(readPaths(parseExpression('steps.contain.outcome == "x" and event.data[k].y')), [
    ["steps", "contain", "outcome"],
    ["k"],
    ["event", "data"],
  ]);
  assert.deepEqual(readPaths(parseExpression('steps["a"].outcome | default(subject)')), [
    ["steps", "a", "outcome"],
    ["subject"],
  ]);
});

test("property: arbitrary text never throws anything but CordonError", () => {
  const onlyCordon = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (!isCordonError(error)) throw error;
    }
  };
  const alphabet = fc.constantFrom(..."{}[]()|.,'\"\\ -=<>!abcnotrinu_0123456789\n".split(""));
  const grammarish = fc.array(alphabet, { maxLength: 60 }).map((chars) => chars.join(""));
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), grammarish),
      (text) => {
        onlyCordon(() => parseExpression(text));
        onlyCordon(() => evaluate(text, scope));
        onlyCordon(() => renderTemplate(text, scope));
        onlyCordon(() => renderTemplate(`{{ ${text} }}`, scope));
        onlyCordon(() => renderValue({ a: [text] }, scope));
        checkTemplate(text);
        checkExpression(text);
      },
    ),
    { numRuns: 2000 },
  );
});

test("property: hostile strings in the scope are data, never evaluated", () => {
  const hostile = fc.oneof(
    fc.string(),
    fc.constantFrom(
      "{{ steps }}",
      "{{ constructor }}",
      "}} {{ event",
      "<!channel> <https://evil.example|click>",
      "$" + "{process.exit(1)}",
      "__proto__",
    ),
  );
  fc.assert(
    fc.property(hostile, (text) => {
      const s = { event: { data: { text } } };
      assert.equal(renderTemplate("{{ event.data.text }}", s), text);
      assert.equal(renderValue("{{ event.data.text }}", s), text);
      assert.equal(renderValue("x{{ event.data.text }}", s), `x${text}`);
      const escaped = renderTemplate("{{ event.data.text | slack_escape }}", s);
      assert.ok(!/[<>]/.test(escaped), "no < or > survives slack_escape");
      assert.equal(escaped.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"), text);
    }),
  );
});

test("property: prototype names are never readable through computed keys", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "length"),
      (key) => {
        for (const value of [{}, [], "text", { a: 1 }])
          assert.equal(evaluate("v[k]", { v: value, k: key }), null);
      },
    ),
  );
});
