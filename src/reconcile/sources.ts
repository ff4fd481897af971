/**
 * Sources of truth for reconciliation: who exists, which groups they are in, and whether the source has them
 * active. Reads are complete or they throw; the reconciler treats an empty read as an alarm, never as "nobody".
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { isPlausibleEmail, normaliseEmail } from "../core/account.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import type { EntitledPerson } from "../core/reconcile.ts";

export interface PeopleSource {
  name: string;
  readPeople(signal?: AbortSignal): Promise<EntitledPerson[]>;
}

/** An identity provider connector (Okta) as a source: `listPeople`, every page. */
export function connectorSource(connector: Connector): PeopleSource {
  const listPeople = connector.listPeople;
  if (!listPeople) {
    throw new CordonError(
      { kind: "config" },
      `connection ${connector.connection} (${connector.vendor}) cannot be a source of truth: it cannot list people`,
    );
  }
  return {
    name: connector.connection,
    async readPeople(signal) {
      const people = await listPeople.call(connector, signal);
      return people.map((p) => normalisePerson(p));
    },
  };
}

export function normalisePerson(person: EntitledPerson): EntitledPerson {
  return {
    email: normaliseEmail(person.email),
    aliases: [...new Set(person.aliases.map(normaliseEmail))].filter(
      (a) => a !== normaliseEmail(person.email),
    ),
    groups: [...new Set(person.groups.map((g) => g.trim()).filter((g) => g !== ""))],
    active: person.active,
  };
}

export type ProfileFormat = "json" | "yaml" | "csv";

/** A profile file (JSON, YAML or CSV) as a source; the format comes from the extension unless given. */
export function fileSource(
  path: string,
  options: { format?: ProfileFormat; name?: string } = {},
): PeopleSource {
  return {
    name: options.name ?? `file:${path}`,
    async readPeople() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        throw new CordonError({ kind: "config", path }, `cannot read the profile file ${path}`, {
          cause: error,
        });
      }
      return parsePeople(text, options.format ?? formatOf(path), path);
    },
  };
}

function formatOf(path: string): ProfileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  if (ext === ".csv") return "csv";
  throw new CordonError(
    { kind: "config", path },
    `${path}: unknown profile file type ${ext || "(none)"}; use .json, .yaml, .yml or .csv`,
  );
}

const Email = z
  .string()
  .refine(isPlausibleEmail, { message: "not an email address" })
  .transform((e) => normaliseEmail(e));

const PersonSchema = z
  .object({
    email: Email,
    aliases: z.array(Email).default([]),
    groups: z.array(z.string().min(1)).default([]),
    active: z.boolean().default(true),
  })
  .strict();

const PeopleList = z.array(PersonSchema);
const PeopleObject = z.object({ people: z.array(PersonSchema) }).strict();

/**
 * Parses profile text. JSON and YAML: a list of `{email, aliases?, groups?, active?}` or `{people: [...]}`.
 * CSV: a header naming `email`, `groups`, `active` (and optionally `aliases`); groups and aliases separated by `;`.
 * Errors name the file and line.
 */
export function parsePeople(text: string, format: ProfileFormat, origin = "profile file"): EntitledPerson[] {
  const people = format === "csv" ? parseCsvPeople(text, origin) : parseStructuredPeople(text, origin);
  return rejectDuplicates(people, origin);
}

function parseStructuredPeople(text: string, origin: string): Array<EntitledPerson & { line: number }> {
  const { value, lineOf } = parseYamlLike(text, origin);
  // One schema per shape, so an error names the member at fault instead of "no union member matched".
  const isList = Array.isArray(value);
  const parsed = isList ? PeopleList.safeParse(value) : PeopleObject.safeParse(value);
  if (!parsed.success) throw zodError(parsed.error, origin, lineOf);
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.people;
  const prefix = isList ? [] : ["people"];
  return list.map((p, i) => ({ ...normalisePerson(p), line: lineOf([...prefix, i]) }));
}

/** JSON is YAML 1.2, so one parser gives line numbers for both. */
export function parseYamlLike(
  text: string,
  origin: string,
): { value: unknown; lineOf: (path: ReadonlyArray<PropertyKey>) => number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new CordonError({ kind: "config", path: origin }, `${origin}: line ${line}: ${first.code}`);
  }
  const lineOf = (path: ReadonlyArray<PropertyKey>): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node && typeof node === "object" && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { value: doc.toJS(), lineOf };
}

export function zodError(
  error: z.ZodError,
  origin: string,
  lineOf: (path: ReadonlyArray<PropertyKey>) => number,
): CordonError {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.map(String).join(".") : "(top level)";
  return new CordonError(
    { kind: "config", path: origin },
    `${origin}: line ${lineOf(issue.path)}: ${where}: ${issue.message}`,
  );
}

function parseCsvPeople(text: string, origin: string): Array<EntitledPerson & { line: number }> {
  const rows = parseCsv(text, origin);
  const header = rows[0];
  const fail = (line: number, message: string) =>
    new CordonError({ kind: "config", path: origin }, `${origin}: line ${line}: ${message}`);
  if (!header) throw fail(1, "empty file; a header line `email,groups,active` is required");
  const columns = header.cells.map((c) => c.trim().toLowerCase());
  for (const required of ["email", "groups", "active"]) {
    if (!columns.includes(required))
      throw fail(header.line, `the header must name the column ${required} (got: ${columns.join(",")})`);
  }
  const index = (name: string) => columns.indexOf(name);
  const people: Array<EntitledPerson & { line: number }> = [];
  for (const row of rows.slice(1)) {
    if (row.cells.length === 1 && row.cells[0]!.trim() === "") continue; // blank line
    if (row.cells.length !== columns.length)
      throw fail(row.line, `expected ${columns.length} fields, got ${row.cells.length}`);
    const cell = (name: string) => (index(name) >= 0 ? row.cells[index(name)]!.trim() : "");
    const email = cell("email");
    if (!isPlausibleEmail(email))
      throw fail(row.line, `email: not an email address: ${JSON.stringify(email)}`);
    const activeText = cell("active").toLowerCase();
    const active = ["true", "yes", "1"].includes(activeText)
      ? true
      : ["false", "no", "0"].includes(activeText)
        ? false
        : null;
    if (active === null)
      throw fail(row.line, `active: expected true or false, got ${JSON.stringify(cell("active"))}`);
    const aliases = splitList(cell("aliases"));
    for (const alias of aliases)
      if (!isPlausibleEmail(alias))
        throw fail(row.line, `aliases: not an email address: ${JSON.stringify(alias)}`);
    people.push({
      ...normalisePerson({ email, aliases, groups: splitList(cell("groups")), active }),
      line: row.line,
    });
  }
  return people;
}

function splitList(value: string): string[] {
  return value
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string, origin: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let line = 1;
  let rowLine = 1;
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = "";
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted)
    throw new CordonError(
      { kind: "config", path: origin },
      `${origin}: line ${rowLine}: unterminated quoted field`,
    );
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

function rejectDuplicates(
  people: Array<EntitledPerson & { line: number }>,
  origin: string,
): EntitledPerson[] {
  const seen = new Map<string, number>();
  for (const person of people) {
    for (const address of [person.email, ...person.aliases]) {
      const earlier = seen.get(address);
      if (earlier !== undefined) {
        throw new CordonError(
          { kind: "config", path: origin },
          `${origin}: line ${person.line}: ${address} is already listed on line ${earlier}; each address once`,
        );
      }
      seen.set(address, person.line);
    }
  }
  return people.map(({ line: _line, ...person }) => person);
}
