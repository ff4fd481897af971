import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import {
  type LoadResult,
  loadPlaybookFile,
  loadPlaybookText,
  MAX_PLAYBOOK_BYTES,
  type PlaybookError,
} from "../../src/playbooks/load.ts";
import { type ContainStep, DEFAULT_APPROVAL, type IfStep } from "../../src/playbooks/schema.ts";

const HEAD = `name: test-playbook
trigger:
  source: okta
  events: [user.session.start]
steps:
`;

function errorsOf(result: LoadResult): PlaybookError[] {
  assert.equal(result.ok, false, "expected the playbook to be refused");
  return result.ok ? [] : result.errors;
}

/** One error, as `line:column path: message`, for compact assertions. */
function only(text: string): string {
  const errors = errorsOf(loadPlaybookText(text, "p.yaml"));
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const e = errors[0] as PlaybookError;
  return `${e.line}:${e.column} ${e.path}: ${e.message}`;
}

test("a complete playbook normalises to the runner's shape, defaults filled in", () => {
  const result = loadPlaybookText(
    `${HEAD}  - id: contain
    on_error: { retry: { attempts: 3, backoff: 10s }, then: continue }
    contain:
      actions: [okta.clear_sessions]
      with: { okta.clear_sessions: { oauthTokens: "{{ event.data.flag }}" } }
      approval: { risk_at_least: high }
  - if: 'steps.contain.outcome == "completed"'
    then:
      - for_each: event.data.target
        as: target
        do:
          - record: { table: Log_1, row: { Id: "{{ target.id }}", Outcome: "{{ steps.contain.outcome }}" } }
    else:
      - wait: 2d
  - notify:
      teams: { connection: teams, title: t, text: "{{ playbook.name }}" }
  - uncontain: {}
`,
    "p.yaml",
  );
  assert.ok(result.ok, JSON.stringify(result));
  const p = result.playbook;
  assert.equal(p.subject, "{{ event.subject }}");
  assert.equal(p.description, "");
  assert.deepEqual(p.trigger, {
    source: "okta",
    events: ["user.session.start"],
    webhook: null,
    cron: null,
    when: null,
  });
  assert.deepEqual(p.approval, DEFAULT_APPROVAL);
  const contain = p.steps[0] as ContainStep;
  assert.equal(contain.subject, "{{ subject }}");
  assert.equal(contain.profile, null);
  assert.deepEqual(contain.onError, { mode: "continue", retry: { attempts: 3, backoffMs: 10_000 } });
  assert.deepEqual(contain.approval, { ...DEFAULT_APPROVAL, riskAtLeast: "high" });
  const branch = p.steps[1] as IfStep;
  assert.equal(branch.then[0]?.kind, "for_each");
  assert.deepEqual(branch.else[0], {
    id: null,
    name: null,
    onError: { mode: "stop", retry: null },
    kind: "wait",
    durationMs: 2 * 86_400_000,
  });
  assert.deepEqual(p.steps[2], {
    id: null,
    name: null,
    onError: { mode: "stop", retry: null },
    kind: "notify",
    slack: null,
    teams: { connection: "teams", title: "t", text: "{{ playbook.name }}", facts: {}, link: null },
  });
  assert.deepEqual(p.steps[3], {
    id: null,
    name: null,
    onError: { mode: "stop", retry: null },
    kind: "uncontain",
    subject: "{{ subject }}",
    in: null,
  });
});

test("step approval merges over the playbook's field by field", () => {
  const result = loadPlaybookText(
    `name: p
trigger: { source: manual }
approval:
  accounts_over: 5
  slack: { connection: slack, channel: "#a", approvers: [U01ABC] }
  expires_in: 1h
steps:
  - contain: { profile: lock, approval: { protected: false, expires_in: 30m } }
`,
    "p.yaml",
  );
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual((result.playbook.steps[0] as ContainStep).approval, {
    protected: false,
    riskAtLeast: null,
    accountsOver: 5,
    slack: { connection: "slack", channel: "#a", approvers: ["U01ABC"] },
    expiresInMs: 30 * 60_000,
  });
});

test("a broken file: every error with the line and column of its node", () => {
  const text = `name: Bad_Name
trigger:
  source: okta
  events: [user.session.start]
steps:
  - contain:
      profile: sessions
      colour: red
  - wait: 9d
  - notify: {}
  - {}
`;
  const errors = errorsOf(loadPlaybookText(text, "bad.yaml")).map((e) => `${e.line}:${e.column} ${e.path}`);
  assert.deepEqual(errors, [
    "1:7 name",
    "8:7 steps[0].contain", // the unknown key itself
    "9:11 steps[1].wait",
    "10:13 steps[2].notify",
    "11:5 steps[3]",
  ]);
  const all = errorsOf(loadPlaybookText(text, "bad.yaml"));
  assert.match(all[1]?.message ?? "", /unknown field "colour"/);
  assert.match(all[3]?.message ?? "", /slack, teams or both/);
  assert.match(all[4]?.message ?? "", /one of contain, uncontain/);
  assert.equal(all[0]?.file, "bad.yaml");
});

test("YAML syntax errors carry line and column", () => {
  const errors = errorsOf(loadPlaybookText(`${HEAD}  - wait: [5m\n`, "p.yaml"));
  assert.equal(errors[0]?.line, 7);
  assert.ok((errors[0]?.column ?? 0) >= 1);
  const dup = errorsOf(loadPlaybookText(`name: a\nname: b\n`, "p.yaml"));
  assert.equal(dup[0]?.line, 2);
});

test("an unknown action id, and a non-containment action", () => {
  assert.equal(
    only(`${HEAD}  - contain: { actions: [okta.clear_sessions, okta.explode] }\n`),
    '6:47 steps[0].contain.actions[1]: unknown action "okta.explode"',
  );
  assert.match(
    only(`${HEAD}  - contain: { actions: [okta.unsuspend_user] }\n`),
    /uncontain action, not a containment/,
  );
});

test("a bad `with` input fails that action's own schema; templated values are left to the run", () => {
  assert.equal(
    only(`${HEAD}  - contain:
      actions: [okta.reset_password]
      with:
        okta.reset_password: { sendEmail: "yes" }
`),
    '9:43 steps[0].contain.with["okta.reset_password"].sendEmail: okta.reset_password input: Invalid input: expected boolean, received string',
  );
  assert.match(
    only(`${HEAD}  - contain:
      profile: sessions
      with:
        okta.clear_sessions: { oauthTokens: true, everything: true }
`),
    /^9:51 .*okta.clear_sessions has no input "everything"/,
  );
  assert.match(
    only(`${HEAD}  - contain: { profile: sessions, with: { okta.nope: {} } }\n`),
    /unknown action "okta.nope"/,
  );
  assert.match(
    only(
      `${HEAD}  - contain: { actions: [okta.clear_sessions], with: { okta.reset_password: { sendEmail: true } } }\n`,
    ),
    /not among this step's actions/,
  );
  const ok = loadPlaybookText(
    `${HEAD}  - contain: { actions: [okta.revoke_api_token], with: { okta.revoke_api_token: { tokenId: "{{ event.data.id }}" } } }\n`,
    "p.yaml",
  );
  assert.ok(ok.ok, JSON.stringify(ok));
});

test("steps.<id> must name a step defined earlier", () => {
  assert.equal(
    only(`${HEAD}  - notify: { slack: { connection: slack, channel: "#s", text: "{{ steps.later.outcome }}" } }
  - id: later
    wait: 1m
`),
    "6:64 steps[0].notify.slack.text: steps.later names no step defined earlier in the playbook",
  );
  assert.match(
    only(`${HEAD}  - if: steps.nowhere.outcome\n    then: [{ wait: 1m }]\n`),
    /steps.nowhere names no step/,
  );
  assert.match(
    only(
      `${HEAD}  - id: outer\n    if: "true"\n    then: [{ record: { table: T, row: { A: "{{ steps.outer }}" } } }]\n`,
    ),
    /before step "outer" has finished/,
  );
  assert.match(
    only(`${HEAD}  - record: { table: T, row: { A: "{{ evnt.data }}" } }\n`),
    /unknown name "evnt"/,
  );
  assert.match(
    only(`name: p\ntrigger: { source: okta, events: [a], when: "subject == 1" }\nsteps: [{ wait: 1m }]\n`),
    /unknown name "subject"/,
  );
  assert.match(
    only(`${HEAD}  - record: { table: T, row: { A: "{{ a | bogus }}" } }\n`),
    /unknown filter "bogus"/,
  );
});

test("step ids are unique across the whole playbook, nested included", () => {
  assert.match(
    only(`${HEAD}  - id: a
    wait: 1m
  - if: "true"
    then:
      - id: a
        wait: 1m
`),
    /^10:13 steps\[1\]\.then\[0\]\.id: duplicate step id "a" \(first used at steps\[0\]\)/,
  );
});

test("triggers: each source's required fields, cron checked", () => {
  const trigger = (t: string) => only(`name: p\ntrigger: ${t}\nsteps: [{ wait: 1m }]\n`);
  assert.match(trigger("{ source: okta }"), /source okta needs events/);
  assert.match(trigger("{ source: webhook }"), /needs webhook/);
  assert.match(trigger("{ source: schedule }"), /needs cron/);
  assert.match(trigger('{ source: schedule, cron: "* * *" }'), /^2:.* trigger.cron: .*5 fields/);
  assert.match(trigger('{ source: manual, cron: "* * * * *" }'), /cron is only for source schedule/);
  assert.ok(
    loadPlaybookText(
      `name: p\ntrigger: { source: schedule, cron: "*/15 * * * *" }\nsteps: [{ wait: 1m }]\n`,
      "p",
    ).ok,
  );
  assert.ok(
    loadPlaybookText(`name: p\ntrigger: { source: webhook, webhook: siem }\nsteps: [{ wait: 1m }]\n`, "p").ok,
  );
  assert.match(
    only(
      `name: p\ntrigger: { source: manual }\nsteps:\n  - for_each: "[1]"\n    as: event\n    do: [{ wait: 1m }]\n`,
    ),
    /taken/,
  );
});

test("an alias bomb is refused, not expanded", () => {
  const lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
  for (let i = 1; i < 10; i += 1)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  const errors = errorsOf(loadPlaybookText(`${lines.join("\n")}\nname: p\n`, "bomb.yaml"));
  assert.match(errors[0]?.message ?? "", /too many aliases/);
});

test("an oversized file is refused before parsing", () => {
  const big = `${HEAD}  - wait: 1m\n# ${"x".repeat(MAX_PLAYBOOK_BYTES)}\n`;
  assert.match(errorsOf(loadPlaybookText(big, "big.yaml"))[0]?.message ?? "", /larger than 256 KiB/);
  const dir = mkdtempSync(join(tmpdir(), "cordon-playbook-"));
  const file = join(dir, "big.yaml");
  writeFileSync(file, big);
  assert.match(errorsOf(loadPlaybookFile(file))[0]?.message ?? "", /larger than 256 KiB/);
  assert.match(errorsOf(loadPlaybookFile(join(dir, "missing.yaml")))[0]?.message ?? "", /ENOENT/);
});

test("absurd nesting and prototype keys are reported, never thrown or obeyed", () => {
  const deep = `${HEAD}  - notify: { slack: { connection: s, channel: c, text: t, blocks: [${"[".repeat(100)}${"]".repeat(100)}] } }\n`;
  assert.match(errorsOf(loadPlaybookText(deep, "p"))[0]?.message ?? "", /nested deeper/);
  const nested = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
  assert.equal(loadPlaybookText(nested, "p").ok, false);
  assert.match(only(`${HEAD}  - wait: 1m\n    __proto__: { polluted: true }\n`), /unknown field "__proto__"/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.match(
    only(`${HEAD}  - record: { table: T, row: { A: "{{ event.constructor }}" } }\n`),
    /cannot be read/,
  );
});

test("property: any text loads or returns located errors; nothing throws", () => {
  const yamlish = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.constantFrom(
      "name: x\ntrigger: { source: manual }\nsteps:\n  - ",
      "steps: [{ if: '(((' }]",
      "*a\n&a [*a]",
    ),
  );
  fc.assert(
    fc.property(yamlish, (text) => {
      const result = loadPlaybookText(text, "fuzz.yaml");
      return result.ok || result.errors.every((e) => e.line >= 1 && e.column >= 1 && e.message !== "");
    }),
    { numRuns: 300 },
  );
});
