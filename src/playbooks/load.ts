/**
 * Playbook YAML → `Playbook`, or every problem found with the line and column of the YAML node it is about, so
 * `cordon playbook validate` reads like a compiler. Beyond the schema: every template and expression parses,
 * `steps.<id>` names a step defined earlier, names in expressions exist in the scope, action ids exist in the
 * connectors registry and each `with` input passes that action's own input schema.
 */
import { readFileSync, statSync } from "node:fs";
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { z } from "zod";
import { allActions } from "../connectors/index.ts";
import type { AnyActionDefinition } from "../core/action.ts";
import { type Expr, MAX_DEPTH, parseExpression, readPaths, templateExpressions } from "./language/index.ts";
import {
  normalisePlaybook,
  type Playbook,
  PlaybookSchema,
  type PlaybookYaml,
  STEP_KINDS,
  type StepYaml,
} from "./schema.ts";

/** Larger files are refused before parsing: a playbook is a page of YAML, not a payload. */
export const MAX_PLAYBOOK_BYTES = 256 * 1024;
/**
 * Aliases expanded when building the value. Playbooks rarely need any; a low bound stops a "billion laughs" file
 * (each alias doubling the last) long before it costs memory.
 */
export const MAX_ALIAS_COUNT = 50;

export interface PlaybookError {
  file: string;
  /** 1-based line of the YAML node the problem is about. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Where in the playbook, e.g. `steps[0].contain.actions[1]`; empty for the whole file. */
  path: string;
  message: string;
}

export type LoadResult = { ok: true; playbook: Playbook } | { ok: false; errors: PlaybookError[] };

type Path = readonly (string | number)[];

export function formatPath(path: Path): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Locates YAML nodes by path and turns problems into `PlaybookError`s. */
class Reporter {
  readonly errors: PlaybookError[] = [];
  readonly #file: string;
  readonly #root: Node | null;
  readonly #lines: LineCounter;
  readonly #doc: Document;

  constructor(file: string, root: Node | null, lines: LineCounter, doc: Document) {
    this.#file = file;
    this.#root = root;
    this.#lines = lines;
    this.#doc = doc;
  }

  /** The deepest node on `path` (a missing key reports at its parent map); `key` points at a map key instead. */
  #offset(path: Path, key?: string): number {
    let node: unknown = this.#root;
    let offset = rangeStart(node) ?? 0;
    const segments = key === undefined ? path : [...path, key];
    for (const [i, segment] of segments.entries()) {
      node = resolveAlias(node, this.#doc);
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (pair && key !== undefined && i === segments.length - 1) return rangeStart(pair.key) ?? offset;
        next = pair?.value;
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      const start = rangeStart(next);
      if (start === null) break;
      node = next;
      offset = start;
    }
    return offset;
  }

  add(path: Path, message: string, key?: string): void {
    const { line, col } = this.#lines.linePos(this.#offset(path, key));
    this.errors.push({ file: this.#file, line, column: col, path: formatPath(path), message });
  }
}

function rangeStart(node: unknown): number | null {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : null;
}

function resolveAlias(node: unknown, doc: Document): unknown {
  return isAlias(node) ? (node.resolve(doc) ?? node) : node;
}

function errorAt(file: string, message: string): LoadResult {
  return { ok: false, errors: [{ file, line: 1, column: 1, path: "", message }] };
}

/** Parses and checks one playbook's text. Never throws for bad input: every problem is in `errors`. */
export function loadPlaybookText(text: string, file: string): LoadResult {
  if (Buffer.byteLength(text, "utf8") > MAX_PLAYBOOK_BYTES)
    return errorAt(file, `the file is larger than ${MAX_PLAYBOOK_BYTES / 1024} KiB`);
  const lines = new LineCounter();
  let value: unknown;
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        errors: doc.errors.map((e) => {
          const { line, col } = lines.linePos(e.pos[0]);
          return { file, line, column: col, path: "", message: e.message };
        }),
      };
    }
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws for alias bombs (ReferenceError) and may exhaust the stack on absurd nesting: both are the
    // file's fault, so they are reported, never thrown.
    const why =
      error instanceof ReferenceError
        ? `too many aliases (more than ${MAX_ALIAS_COUNT} expansions)`
        : "the YAML is nested too deeply or cannot be read";
    return errorAt(file, why);
  }
  const reporter = new Reporter(file, doc.contents, lines, doc);
  const parsed = PlaybookSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(reporter, issue, [], value);
    return { ok: false, errors: sorted(reporter.errors) };
  }
  checkPlaybook(parsed.data, reporter);
  if (reporter.errors.length > 0) return { ok: false, errors: sorted(reporter.errors) };
  return { ok: true, playbook: normalisePlaybook(parsed.data) };
}

/** Reads a file and loads it; an unreadable or oversized file is an error like any other. */
export function loadPlaybookFile(path: string): LoadResult {
  let text: string;
  try {
    if (statSync(path).size > MAX_PLAYBOOK_BYTES)
      return errorAt(path, `the file is larger than ${MAX_PLAYBOOK_BYTES / 1024} KiB`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    return errorAt(path, `cannot read the file (${code})`);
  }
  return loadPlaybookText(text, path);
}

function sorted(errors: PlaybookError[]): PlaybookError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

// ---------------------------------------------------------------------------------------------------------------
// Schema issues

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/**
 * Reports one zod issue at its node. A failed union (a step, `on_error`) would only say "Invalid input"; the
 * branch the author meant is picked instead — for a step, the one named by its kind key — and its issues reported.
 */
function reportIssue(reporter: Reporter, issue: z.core.$ZodIssue, base: Path, root: unknown): void {
  const path = [...base, ...(issue.path as (string | number)[])];
  if (issue.code === "unrecognized_keys") {
    for (const key of issue.keys) reporter.add(path, `unknown field "${key}"`, key);
    return;
  }
  if (issue.code === "invalid_union") {
    const value = valueAt(root, path);
    const isStep =
      typeof path.at(-1) === "number" && ["steps", "then", "else", "do"].includes(String(path.at(-2)));
    if (isStep) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        reporter.add(path, `a step is a map with one of ${STEP_KINDS.join(", ")}`);
        return;
      }
      const kinds = STEP_KINDS.filter((k) => Object.hasOwn(value, k));
      const kind = kinds[0];
      if (kinds.length !== 1 || kind === undefined) {
        reporter.add(
          path,
          kinds.length === 0
            ? `a step needs one of ${STEP_KINDS.join(", ")}`
            : `a step has exactly one kind, found ${kinds.join(" and ")}`,
        );
        return;
      }
      for (const inner of issue.errors[STEP_KINDS.indexOf(kind)] ?? [])
        reportIssue(reporter, inner, path, root);
      return;
    }
    // Other unions: the branch whose failures are all inside the value (not "wrong type" at its root) is the one
    // meant, e.g. an `on_error` map with a bad retry.
    const meant = issue.errors.filter((branch) =>
      branch.every((i) => i.path.length > 0 || i.code !== "invalid_type"),
    );
    const only = meant[0];
    if (meant.length === 1 && only) {
      for (const inner of only) reportIssue(reporter, inner, path, root);
      return;
    }
  }
  reporter.add(path, issue.message);
}

// ---------------------------------------------------------------------------------------------------------------
// Checks beyond the schema

const ACTIONS: ReadonlyMap<string, AnyActionDefinition> = new Map(allActions.map((a) => [a.id, a]));

interface Walk {
  reporter: Reporter;
  /** Ids of steps that come before the current one, in document order, whose results are then readable. */
  defined: Set<string>;
  /** Every id seen so far, with where. */
  seen: Map<string, Path>;
}

function checkPlaybook(playbook: PlaybookYaml, reporter: Reporter): void {
  const walk: Walk = { reporter, defined: new Set(), seen: new Map() };
  const triggerScope = ["event", "playbook"];
  if (playbook.trigger.when !== undefined)
    checkExpressionAt(walk, ["trigger", "when"], playbook.trigger.when, triggerScope);
  if (playbook.subject !== undefined) checkTemplateAt(walk, ["subject"], playbook.subject, triggerScope);
  checkSteps(walk, playbook.steps, ["steps"], ["event", "subject", "steps", "playbook"]);
}

function checkSteps(walk: Walk, steps: StepYaml[], path: Path, scope: readonly string[]): void {
  for (const [i, step] of steps.entries()) checkStep(walk, step, [...path, i], scope);
}

function checkStep(walk: Walk, step: StepYaml, path: Path, scope: readonly string[]): void {
  if (step.id !== undefined) {
    const first = walk.seen.get(step.id);
    if (first)
      walk.reporter.add(
        [...path, "id"],
        `duplicate step id "${step.id}" (first used at ${formatPath(first)})`,
      );
    else walk.seen.set(step.id, path);
  }
  const template = (at: Path, text: string | undefined) => {
    if (text !== undefined) checkTemplateAt(walk, [...path, ...at], text, scope);
  };
  if ("contain" in step) {
    const c = step.contain;
    template(["contain", "subject"], c.subject);
    for (const [j, id] of (c.actions ?? []).entries()) {
      const action = ACTIONS.get(id);
      if (!action) walk.reporter.add([...path, "contain", "actions", j], `unknown action "${id}"`);
      else if (action.kind !== "contain")
        walk.reporter.add(
          [...path, "contain", "actions", j],
          `"${id}" is a ${action.kind} action, not a containment`,
        );
    }
    for (const [id, input] of Object.entries(c.with ?? {})) {
      const at = [...path, "contain", "with", id];
      const action = ACTIONS.get(id);
      if (!action) walk.reporter.add(at, `unknown action "${id}"`, undefined);
      else if (c.actions && !c.actions.includes(id))
        walk.reporter.add(at, `"${id}" is not among this step's actions`);
      else checkActionInput(walk, action, input, at);
      checkDeep(walk, input, at, scope, 0);
    }
  } else if ("uncontain" in step) {
    template(["uncontain", "subject"], step.uncontain.subject);
  } else if ("notify" in step) {
    const { slack, teams } = step.notify;
    if (slack) {
      template(["notify", "slack", "channel"], slack.channel);
      template(["notify", "slack", "text"], slack.text);
      if (slack.blocks) checkDeep(walk, slack.blocks, [...path, "notify", "slack", "blocks"], scope, 0);
    }
    if (teams) {
      template(["notify", "teams", "title"], teams.title);
      template(["notify", "teams", "text"], teams.text);
      for (const [key, text] of Object.entries(teams.facts ?? {}))
        template(["notify", "teams", "facts", key], text);
      template(["notify", "teams", "link", "title"], teams.link?.title);
      template(["notify", "teams", "link", "url"], teams.link?.url);
    }
  } else if ("approval" in step) {
    template(["approval", "reason"], step.approval.reason);
  } else if ("record" in step) {
    for (const [column, text] of Object.entries(step.record.row)) template(["record", "row", column], text);
  } else if ("if" in step) {
    checkExpressionAt(walk, [...path, "if"], step.if, scope);
    checkSteps(walk, step.then, [...path, "then"], scope);
    if (step.else) checkSteps(walk, step.else, [...path, "else"], scope);
  } else if ("for_each" in step) {
    checkExpressionAt(walk, [...path, "for_each"], step.for_each, scope);
    checkSteps(walk, step.do, [...path, "do"], [...scope, step.as]);
  }
  // Added after the step's own children: an `if` or a loop has no result until everything inside it ran.
  if (step.id !== undefined) walk.defined.add(step.id);
}

/** Strings anywhere inside `with` inputs and Slack blocks are templates too. */
function checkDeep(walk: Walk, value: unknown, path: Path, scope: readonly string[], depth: number): void {
  if (depth > MAX_DEPTH) {
    walk.reporter.add(path, `nested deeper than ${MAX_DEPTH}`);
    return;
  }
  if (typeof value === "string") checkTemplateAt(walk, path, value, scope);
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) checkDeep(walk, item, [...path, i], scope, depth + 1);
  else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) checkDeep(walk, item, [...path, key], scope, depth + 1);
}

/**
 * An action's input must pass its own schema, except where a template stands: `"{{ event.data.token_id }}"` is
 * only a string once rendered, so issues on templated values are left to the run.
 */
function checkActionInput(walk: Walk, action: AnyActionDefinition, input: unknown, path: Path): void {
  const result = (action.input as z.ZodType).safeParse(input);
  if (result.success) return;
  for (const issue of result.error.issues) {
    const at = issue.path as (string | number)[];
    const value = valueAt(input, at);
    if (typeof value === "string" && value.includes("{{")) continue;
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        walk.reporter.add([...path, ...at], `${action.id} has no input "${key}"`, key);
    } else walk.reporter.add([...path, ...at], `${action.id} input: ${issue.message}`);
  }
}

function checkTemplateAt(walk: Walk, path: Path, text: string, scope: readonly string[]): void {
  let expressions: Expr[];
  try {
    expressions = templateExpressions(text);
  } catch (error) {
    walk.reporter.add(path, (error as Error).message);
    return;
  }
  for (const expr of expressions) checkNames(walk, path, expr, scope);
}

function checkExpressionAt(walk: Walk, path: Path, text: string, scope: readonly string[]): void {
  let expr: Expr;
  try {
    expr = parseExpression(text);
  } catch (error) {
    walk.reporter.add(path, (error as Error).message);
    return;
  }
  checkNames(walk, path, expr, scope);
}

/** Names must be in the scope, and `steps.<id>` must name a step whose result exists by then. */
function checkNames(walk: Walk, path: Path, expr: Expr, scope: readonly string[]): void {
  for (const read of readPaths(expr)) {
    const [root, id] = read;
    if (root === undefined) continue;
    if (!scope.includes(root)) {
      walk.reporter.add(path, `unknown name "${root}" (the scope here has ${scope.join(", ")})`);
    } else if (root === "steps" && id !== undefined && !walk.defined.has(id)) {
      walk.reporter.add(
        path,
        walk.seen.has(id)
          ? `steps.${id} is read before step "${id}" has finished`
          : `steps.${id} names no step defined earlier in the playbook`,
      );
    }
  }
}
