import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  playbookShowTemplateCommand,
  playbookTemplatesCommand,
  playbookValidateCommand,
} from "../../src/cli/commands/playbook.ts";
import { EXIT } from "../../src/cli/exit-codes.ts";
import type { Output } from "../../src/cli/output.ts";
import { isCordonError } from "../../src/core/errors.ts";
import { renderTemplate, renderValue } from "../../src/playbooks/language/index.ts";
import { loadPlaybookText } from "../../src/playbooks/load.ts";
import type { NotifyStep, RecordStep } from "../../src/playbooks/schema.ts";
import { playbookJsonSchema } from "../../src/playbooks/schema.ts";
import { BUILT_IN_TEMPLATES, loadBuiltInTemplate } from "../../src/playbooks/templates/index.ts";

const root = new URL("../../", import.meta.url).pathname;

function capture(json = false): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    json,
    interactive: false,
    lines,
    errors,
    out: (text) => lines.push(text),
    err: (text) => errors.push(text),
  };
}

test("the committed playbook JSON Schema is the one the zod schema exports (regenerate: cordon playbook schema -o playbook.schema.json)", () => {
  assert.deepEqual(
    JSON.parse(readFileSync(join(root, "playbook.schema.json"), "utf8")),
    playbookJsonSchema(),
  );
});

for (const template of BUILT_IN_TEMPLATES) {
  test(`built-in template ${template.name} loads, names the schema and says what it does`, () => {
    const loaded = loadBuiltInTemplate(template.name);
    assert.equal(loaded.playbook.name, template.name);
    assert.equal(loaded.playbook.description, template.description);
    assert.ok(loaded.text.startsWith("# yaml-language-server: $schema=../../../playbook.schema.json\n#"));
    assert.ok(loadPlaybookText(loaded.text, template.file).ok);
  });
}

test("an unknown template name is invalid input", () => {
  assert.throws(
    () => loadBuiltInTemplate("nope"),
    (e: unknown) => isCordonError(e) && e.kind === "invalid_input",
  );
});

test("suspicious-activity-reported renders its audit row and escapes hostile event text in Slack", () => {
  const { playbook } = loadBuiltInTemplate("suspicious-activity-reported");
  const scope = {
    event: {
      key: "okta:abc",
      source: "okta",
      type: "user.account.report_suspicious_activity_by_enduser",
      occurredAt: "2026-01-02T03:04:05.000Z",
      subject: "alice@corp.example",
      origin: "okta",
      admin_url: "https://acme-admin.okta.com",
      data: {
        uuid: "a b&c",
        actor: { id: "00u1", displayName: "<!channel> <https://evil.example|Alice>" },
        debugContext: { debugData: { suspiciousActivityEventType: "<@U999> & more" } },
      },
    },
    subject: "alice@corp.example",
    steps: { contain: { outcome: "completed", output: {} } },
    playbook: { name: playbook.name },
  };
  const record = playbook.steps.find((s): s is RecordStep => s.kind === "record");
  assert.ok(record);
  const row = renderValue(record.row, scope) as Record<string, string>;
  assert.equal(row.SysLogURL, "https://acme-admin.okta.com/report/system_log_2?search=a%20b%26c");
  assert.equal(row.Outcome, "completed");
  assert.equal(row.Email, "alice@corp.example");
  const notify = playbook.steps.find((s): s is NotifyStep => s.kind === "notify");
  assert.ok(notify?.slack);
  const blocks = JSON.stringify(renderValue(notify.slack.blocks, scope));
  assert.ok(
    !blocks.includes("<!channel>") && !blocks.includes("<@U999>") && !blocks.includes("<https://evil"),
  );
  assert.ok(blocks.includes("&lt;!channel&gt;"));
  assert.match(renderTemplate(notify.slack.text, scope), /containment completed/);
});

test("cordon playbook validate: ok lines, file:line:column errors, JSON, exit codes", () => {
  const dir = mkdtempSync(join(tmpdir(), "cordon-playbooks-"));
  const good = join(dir, "good.yaml");
  const bad = join(dir, "bad.yaml");
  writeFileSync(good, readFileSync(BUILT_IN_TEMPLATES[0]?.file ?? "", "utf8"));
  writeFileSync(
    bad,
    "name: bad\ntrigger: { source: manual }\nsteps:\n  - contain: { actions: [okta.nope] }\n",
  );
  const out = capture();
  assert.equal(playbookValidateCommand([good], out), EXIT.ok);
  assert.deepEqual(out.lines, [`ok ${good} (suspicious-activity-reported, 3 steps)`]);
  const both = capture();
  assert.equal(playbookValidateCommand([good, bad], both), EXIT.usage);
  assert.equal(both.lines[1], `${bad}:4:26: steps[0].contain.actions[0]: unknown action "okta.nope"`);
  const json = capture(true);
  assert.equal(playbookValidateCommand([bad], json), EXIT.usage);
  const parsed = JSON.parse(json.lines.join("\n"));
  assert.equal(parsed[0].ok, false);
  assert.equal(parsed[0].errors[0].line, 4);
});

test("cordon playbook templates and show-template", () => {
  const list = capture();
  assert.equal(playbookTemplatesCommand(list), EXIT.ok);
  for (const t of BUILT_IN_TEMPLATES) assert.ok(list.lines[0]?.includes(t.name));
  const show = capture();
  assert.equal(playbookShowTemplateCommand("mfa-push-fatigue", show), EXIT.ok);
  assert.match(show.lines[0] ?? "", /^# yaml-language-server/);
  const missing = capture();
  assert.equal(playbookShowTemplateCommand("nope", missing), EXIT.usage);
  assert.match(missing.errors[0] ?? "", /no built-in template/);
});
