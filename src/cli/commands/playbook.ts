import { writeFileSync } from "node:fs";
import { loadPlaybookFile, type PlaybookError } from "../../playbooks/load.ts";
import { playbookJsonSchema, type Step } from "../../playbooks/schema.ts";
import { BUILT_IN_TEMPLATES, loadBuiltInTemplate } from "../../playbooks/templates/index.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, table } from "../output.ts";

type ValidateResult =
  | { file: string; ok: true; name: string; steps: number }
  | { file: string; ok: false; errors: PlaybookError[] };

/** Steps at every level, so "N steps" counts what the playbook can run. */
function countSteps(steps: readonly Step[]): number {
  let n = 0;
  for (const step of steps) {
    n += 1;
    if (step.kind === "if") n += countSteps(step.then) + countSteps(step.else);
    if (step.kind === "for_each") n += countSteps(step.do);
  }
  return n;
}

/**
 * `cordon playbook validate <files…>`: every problem as `file:line:column: message` (what editors and CI
 * annotations parse), or `ok <file> (<name>, N steps)`. Exit 2 when any file has a problem.
 */
export function playbookValidateCommand(files: string[], output: Output): number {
  const results: ValidateResult[] = files.map((file) => {
    const loaded = loadPlaybookFile(file);
    return loaded.ok
      ? { file, ok: true, name: loaded.playbook.name, steps: countSteps(loaded.playbook.steps) }
      : { file, ok: false, errors: loaded.errors };
  });
  if (output.json) output.out(JSON.stringify(results, null, 2));
  else {
    for (const r of results) {
      if (r.ok) output.out(`ok ${r.file} (${r.name}, ${r.steps} step${r.steps === 1 ? "" : "s"})`);
      else
        for (const e of r.errors)
          output.out(`${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ""}${e.message}`);
    }
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.usage;
}

/** `cordon playbook templates`: the built-in templates. */
export function playbookTemplatesCommand(output: Output): number {
  if (output.json) {
    output.out(
      JSON.stringify(
        BUILT_IN_TEMPLATES.map(({ name, description }) => ({ name, description })),
        null,
        2,
      ),
    );
  } else {
    output.out(
      table(
        ["name", "description"],
        BUILT_IN_TEMPLATES.map((t) => [t.name, t.description]),
      ),
    );
    output.out("cordon playbook show-template <name> > playbooks/<name>.yaml copies one to edit.");
  }
  return EXIT.ok;
}

/** `cordon playbook show-template <name>`: the template's YAML as shipped, comments included. */
export function playbookShowTemplateCommand(name: string, output: Output): number {
  if (!BUILT_IN_TEMPLATES.some((t) => t.name === name)) {
    output.err(`no built-in template "${name}"; cordon playbook templates lists them`);
    return EXIT.usage;
  }
  const template = loadBuiltInTemplate(name);
  output.out(
    output.json
      ? JSON.stringify({ name, description: template.description, yaml: template.text })
      : template.text,
  );
  return EXIT.ok;
}

/** `cordon playbook schema [-o file]`: the JSON Schema editors use for playbook files. */
export function playbookSchemaCommand(output: Output, out?: string): number {
  const text = `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else output.out(text);
  return EXIT.ok;
}
