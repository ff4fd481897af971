import type { Hono } from "hono";
import { isOwner } from "./access.ts";
import type { GithubContext, GithubEnv } from "./env.ts";
import { GithubErrors } from "./errors.ts";
import { expandScopes, type OrgRecord, type SamlIdentityRecord, type UserRecord } from "./state.ts";

/**
 * A small GraphQL endpoint (`POST /graphql`) that answers the query shapes cordon and Octokit send to map SAML
 * identities to logins:
 *
 *     organization(login: $org) { samlIdentityProvider { externalIdentities(first: 100, after: $cursor) {
 *       pageInfo { hasNextPage endCursor } nodes { samlIdentity { nameId } user { login } } } } }
 *
 * It parses real GraphQL (operations, variables, aliases, arguments, inline fragments) and validates fields
 * against a tiny slice of GitHub's schema (docs.github.com/enterprise-cloud@latest/graphql/reference/objects#
 * externalidentity); any other field is the same "Field 'x' doesn't exist on type 'Y'" error GitHub gives.
 * Errors arrive with HTTP 200 in `errors` (docs.github.com/graphql/guides/forming-calls-with-graphql).
 */

// ── lexer ─────────────────────────────────────────────────────────────────────────────────────────────────────

interface Token {
  kind: "punct" | "name" | "int" | "float" | "string" | "eof";
  value: string;
  line: number;
  column: number;
}

class GraphqlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = () => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "\n") {
      i += 1;
      line += 1;
      lineStart = i;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "," || ch === "\uFEFF") {
      i += 1;
      continue;
    }
    if (ch === "#") {
      while (i < source.length && source[i] !== "\n") i += 1;
      continue;
    }
    const pos = at();
    if (source.startsWith("...", i)) {
      tokens.push({ kind: "punct", value: "...", ...pos });
      i += 3;
      continue;
    }
    if ("!$():=@[]{}|&".includes(ch)) {
      tokens.push({ kind: "punct", value: ch, ...pos });
      i += 1;
      continue;
    }
    const name = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i, i + 256));
    if (name) {
      tokens.push({ kind: "name", value: name[0], ...pos });
      i += name[0].length;
      continue;
    }
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i, i + 64));
    if (number) {
      tokens.push({ kind: number[2] || number[3] ? "float" : "int", value: number[0], ...pos });
      i += number[0].length;
      continue;
    }
    if (ch === '"') {
      let value = "";
      i += 1;
      for (;;) {
        const c = source[i];
        if (c === undefined || c === "\n")
          throw new GraphqlSyntaxError("Unterminated string", pos.line, pos.column);
        i += 1;
        if (c === '"') break;
        if (c === "\\") {
          const escaped = source[i];
          i += 1;
          const map: Record<string, string> = {
            n: "\n",
            t: "\t",
            r: "\r",
            b: "\b",
            f: "\f",
            '"': '"',
            "\\": "\\",
            "/": "/",
          };
          if (escaped === "u") {
            value += String.fromCharCode(Number.parseInt(source.slice(i, i + 4), 16));
            i += 4;
          } else value += map[escaped ?? ""] ?? "";
        } else value += c;
      }
      tokens.push({ kind: "string", value, ...pos });
      continue;
    }
    throw new GraphqlSyntaxError(`Parse error on "${ch}"`, pos.line, pos.column);
  }
  tokens.push({ kind: "eof", value: "", line, column: i - lineStart + 1 });
  return tokens;
}

// ── parser ────────────────────────────────────────────────────────────────────────────────────────────────────

type Value =
  | { kind: "variable"; name: string }
  | { kind: "literal"; value: unknown }
  | { kind: "list"; items: Value[] }
  | { kind: "object"; fields: Record<string, Value> };

interface Field {
  kind: "field";
  alias: string | undefined;
  name: string;
  args: Record<string, Value>;
  selections: Selection[] | undefined;
  line: number;
  column: number;
}
interface InlineFragment {
  kind: "inline";
  typeCondition: string | undefined;
  selections: Selection[];
}
type Selection = Field | InlineFragment;

interface VariableDefinition {
  name: string;
  type: string;
  nonNull: boolean;
  defaultValue: Value | undefined;
}

interface Operation {
  operation: "query" | "mutation" | "subscription";
  name: string | undefined;
  variables: VariableDefinition[];
  selections: Selection[];
}

class Parser {
  readonly #tokens: Token[];
  #pos = 0;

  constructor(source: string) {
    this.#tokens = lex(source);
  }

  #peek(): Token {
    return this.#tokens[this.#pos]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#pos]!;
    if (token.kind !== "eof") this.#pos += 1;
    return token;
  }

  #fail(token: Token): never {
    const what = token.kind === "eof" ? "end of file" : `"${token.value}"`;
    throw new GraphqlSyntaxError(`Parse error on ${what}`, token.line, token.column);
  }

  #expect(value: string): Token {
    const token = this.#next();
    if (token.kind !== "punct" || token.value !== value) this.#fail(token);
    return token;
  }

  #name(): string {
    const token = this.#next();
    if (token.kind !== "name") this.#fail(token);
    return token.value;
  }

  #at(value: string): boolean {
    const token = this.#peek();
    return token.kind === "punct" && token.value === value;
  }

  document(): Operation[] {
    const operations: Operation[] = [];
    while (this.#peek().kind !== "eof") {
      const token = this.#peek();
      if (token.kind === "punct" && token.value === "{") {
        operations.push({
          operation: "query",
          name: undefined,
          variables: [],
          selections: this.#selectionSet(),
        });
        continue;
      }
      if (
        token.kind === "name" &&
        (token.value === "query" || token.value === "mutation" || token.value === "subscription")
      ) {
        this.#next();
        const name = this.#peek().kind === "name" ? this.#name() : undefined;
        const variables = this.#at("(") ? this.#variableDefinitions() : [];
        this.#directives();
        operations.push({ operation: token.value, name, variables, selections: this.#selectionSet() });
        continue;
      }
      if (token.kind === "name" && token.value === "fragment")
        throw new GraphqlSyntaxError(
          "Fragment definitions are not supported by the cordon emulator",
          token.line,
          token.column,
        );
      this.#fail(token);
    }
    if (operations.length === 0) this.#fail(this.#peek());
    return operations;
  }

  #variableDefinitions(): VariableDefinition[] {
    this.#expect("(");
    const definitions: VariableDefinition[] = [];
    while (!this.#at(")")) {
      this.#expect("$");
      const name = this.#name();
      this.#expect(":");
      const { type, nonNull } = this.#type();
      let defaultValue: Value | undefined;
      if (this.#at("=")) {
        this.#next();
        defaultValue = this.#value(true);
      }
      definitions.push({ name, type, nonNull, defaultValue });
    }
    this.#expect(")");
    return definitions;
  }

  #type(): { type: string; nonNull: boolean } {
    let type: string;
    if (this.#at("[")) {
      this.#next();
      const inner = this.#type();
      this.#expect("]");
      type = `[${inner.type}${inner.nonNull ? "!" : ""}]`;
    } else type = this.#name();
    const nonNull = this.#at("!");
    if (nonNull) this.#next();
    return { type, nonNull };
  }

  #directives(): void {
    while (this.#at("@")) {
      this.#next();
      this.#name();
      if (this.#at("(")) this.#arguments();
    }
  }

  #selectionSet(): Selection[] {
    this.#expect("{");
    const selections: Selection[] = [];
    while (!this.#at("}")) {
      if (this.#at("...")) {
        const spread = this.#next();
        if (this.#peek().kind === "name" && this.#peek().value !== "on")
          throw new GraphqlSyntaxError(
            "Fragment spreads are not supported by the cordon emulator",
            spread.line,
            spread.column,
          );
        let typeCondition: string | undefined;
        if (this.#peek().kind === "name" && this.#peek().value === "on") {
          this.#next();
          typeCondition = this.#name();
        }
        this.#directives();
        selections.push({ kind: "inline", typeCondition, selections: this.#selectionSet() });
        continue;
      }
      const first = this.#peek();
      let name = this.#name();
      let alias: string | undefined;
      if (this.#at(":")) {
        this.#next();
        alias = name;
        name = this.#name();
      }
      const args = this.#at("(") ? this.#arguments() : {};
      this.#directives();
      const nested = this.#at("{") ? this.#selectionSet() : undefined;
      selections.push({
        kind: "field",
        alias,
        name,
        args,
        selections: nested,
        line: first.line,
        column: first.column,
      });
    }
    this.#expect("}");
    if (selections.length === 0) this.#fail(this.#peek());
    return selections;
  }

  #arguments(): Record<string, Value> {
    this.#expect("(");
    const args: Record<string, Value> = {};
    while (!this.#at(")")) {
      const name = this.#name();
      this.#expect(":");
      args[name] = this.#value(false);
    }
    this.#expect(")");
    return args;
  }

  #value(constant: boolean): Value {
    const token = this.#next();
    if (token.kind === "punct" && token.value === "$" && !constant)
      return { kind: "variable", name: this.#name() };
    if (token.kind === "int") return { kind: "literal", value: Number.parseInt(token.value, 10) };
    if (token.kind === "float") return { kind: "literal", value: Number.parseFloat(token.value) };
    if (token.kind === "string") return { kind: "literal", value: token.value };
    if (token.kind === "name") {
      if (token.value === "true" || token.value === "false")
        return { kind: "literal", value: token.value === "true" };
      if (token.value === "null") return { kind: "literal", value: null };
      return { kind: "literal", value: token.value };
    }
    if (token.kind === "punct" && token.value === "[") {
      const items: Value[] = [];
      while (!this.#at("]")) items.push(this.#value(constant));
      this.#next();
      return { kind: "list", items };
    }
    if (token.kind === "punct" && token.value === "{") {
      const fields: Record<string, Value> = {};
      while (!this.#at("}")) {
        const name = this.#name();
        this.#expect(":");
        fields[name] = this.#value(constant);
      }
      this.#next();
      return { kind: "object", fields };
    }
    this.#fail(token);
  }
}

// ── schema slice and execution ──────────────────────────────────────────────────────────────────────────────

interface GraphqlError {
  message: string;
  type?: string;
  path?: Array<string | number>;
  locations?: Array<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
}

class FieldError extends Error {
  readonly error: GraphqlError;
  constructor(error: GraphqlError) {
    super(error.message);
    this.error = error;
  }
}

interface Ctx {
  c: GithubContext;
  errors: GraphqlError[];
}

interface FieldSpec {
  /** Named type of the field (`[T]` for lists); scalars are `String`, `Int`, `Boolean`, `ID`. */
  type: string;
  resolve: (
    parent: unknown,
    args: Record<string, unknown>,
    ctx: Ctx,
    field: Field,
    path: Array<string | number>,
  ) => unknown;
}

const SCALARS = new Set(["String", "Int", "Boolean", "ID", "URI", "DateTime"]);

interface IdentityPage {
  items: Array<{ identity: SamlIdentityRecord; index: number }>;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

function cursorOf(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString("base64");
}

function indexOfCursor(cursor: string): number | undefined {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match ? Number(match[1]) : undefined;
}

const prop =
  (name: string): FieldSpec["resolve"] =>
  (parent) =>
    (parent as Record<string, unknown>)[name] ?? null;

const userFields: Record<string, FieldSpec> = {
  login: { type: "String", resolve: (u) => (u as UserRecord).login },
  name: { type: "String", resolve: (u) => (u as UserRecord).name },
  email: { type: "String", resolve: (u) => (u as UserRecord).email ?? "" },
  databaseId: { type: "Int", resolve: (u) => (u as UserRecord).id },
  id: { type: "ID", resolve: (u) => Buffer.from(`04:User${(u as UserRecord).id}`).toString("base64") },
};

const SCHEMA: Record<string, Record<string, FieldSpec>> = {
  Query: {
    organization: {
      type: "Organization",
      resolve: (_parent, args, ctx, field, path) => {
        const login = String(args.login ?? "");
        const org = ctx.c.var.state.org(login);
        if (!org) {
          ctx.errors.push({
            type: "NOT_FOUND",
            path,
            locations: [{ line: field.line, column: field.column }],
            message: `Could not resolve to an Organization with the login of '${login}'.`,
          });
          return null;
        }
        return org;
      },
    },
    viewer: { type: "User", resolve: (_p, _a, ctx) => ctx.c.var.actor },
  },
  Organization: {
    login: { type: "String", resolve: (o) => (o as OrgRecord).login },
    name: { type: "String", resolve: (o) => (o as OrgRecord).name },
    databaseId: { type: "Int", resolve: (o) => (o as OrgRecord).id },
    /**
     * "The Organization's SAML identity provider. Visible to (1) organization owners, (2) organization owners'
     * personal access tokens (classic) with read:org or admin:org scope"; null without organization-level SAML.
     */
    samlIdentityProvider: {
      type: "OrganizationIdentityProvider",
      resolve: (o, _a, ctx, field, path) => {
        const org = o as OrgRecord;
        const have = expandScopes(ctx.c.var.tokenRecord.scopes);
        if (!have.has("read:org")) {
          throw new FieldError({
            type: "INSUFFICIENT_SCOPES",
            path,
            locations: [{ line: field.line, column: field.column }],
            message: `Your token has not been granted the required scopes to execute this query. The 'samlIdentityProvider' field requires one of the following scopes: ['read:org'], but your token has only been granted the: [${ctx.c.var.tokenRecord.scopes.map((s) => `'${s}'`).join(", ")}] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.`,
          });
        }
        if (org.saml === null || !isOwner(ctx.c, org)) return null;
        return org;
      },
    },
  },
  OrganizationIdentityProvider: {
    ssoUrl: { type: "URI", resolve: (o) => `https://idp.example/sso/${(o as OrgRecord).login}` },
    externalIdentities: {
      type: "ExternalIdentityConnection",
      resolve: (o, args, _ctx, field, path): IdentityPage => {
        const identities = (o as OrgRecord).saml ?? [];
        const first = args.first as number | null | undefined;
        const last = args.last as number | null | undefined;
        const where = { path, locations: [{ line: field.line, column: field.column }] };
        if ((first === undefined || first === null) && (last === undefined || last === null)) {
          throw new FieldError({
            type: "MISSING_PAGINATION_BOUNDARIES",
            ...where,
            message:
              "You must provide a `first` or `last` value to properly paginate the `externalIdentities` connection.",
          });
        }
        for (const [name, value] of [
          ["first", first],
          ["last", last],
        ] as const) {
          if (typeof value === "number" && (value < 0 || value > 100)) {
            throw new FieldError({
              type: "EXCESSIVE_PAGINATION",
              ...where,
              message: `Requesting ${value} records on the \`externalIdentities\` connection exceeds the \`${name}\` limit of 100 records.`,
            });
          }
        }
        const filterLogin = typeof args.login === "string" ? args.login.toLowerCase() : undefined;
        const filterName = typeof args.userName === "string" ? args.userName.toLowerCase() : undefined;
        let items = identities
          .map((identity, index) => ({ identity, index }))
          .filter(
            ({ identity }) => filterLogin === undefined || identity.login?.toLowerCase() === filterLogin,
          )
          .filter(({ identity }) => filterName === undefined || identity.nameId.toLowerCase() === filterName);
        const after = typeof args.after === "string" ? indexOfCursor(args.after) : undefined;
        const before = typeof args.before === "string" ? indexOfCursor(args.before) : undefined;
        if (after !== undefined) items = items.filter((i) => i.index > after);
        if (before !== undefined) items = items.filter((i) => i.index < before);
        const total = items.length;
        let hasNextPage = false;
        let hasPreviousPage = after !== undefined;
        if (typeof first === "number") {
          hasNextPage = total > first;
          items = items.slice(0, first);
        }
        if (typeof last === "number") {
          hasPreviousPage = items.length > last;
          items = items.slice(Math.max(0, items.length - last));
        }
        return { items, hasNextPage, hasPreviousPage };
      },
    },
  },
  ExternalIdentityConnection: {
    nodes: { type: "[ExternalIdentity]", resolve: (p) => (p as IdentityPage).items },
    edges: { type: "[ExternalIdentityEdge]", resolve: (p) => (p as IdentityPage).items },
    totalCount: { type: "Int", resolve: (p) => (p as IdentityPage).items.length },
    pageInfo: { type: "PageInfo", resolve: (p) => p },
  },
  ExternalIdentityEdge: {
    cursor: { type: "String", resolve: (e) => cursorOf((e as { index: number }).index) },
    node: { type: "ExternalIdentity", resolve: (e) => e },
  },
  PageInfo: {
    hasNextPage: { type: "Boolean", resolve: (p) => (p as IdentityPage).hasNextPage },
    hasPreviousPage: { type: "Boolean", resolve: (p) => (p as IdentityPage).hasPreviousPage },
    endCursor: {
      type: "String",
      resolve: (p) => {
        const last = (p as IdentityPage).items.at(-1);
        return last ? cursorOf(last.index) : null;
      },
    },
    startCursor: {
      type: "String",
      resolve: (p) => {
        const first = (p as IdentityPage).items[0];
        return first ? cursorOf(first.index) : null;
      },
    },
  },
  ExternalIdentity: {
    guid: { type: "String", resolve: (e) => (e as { identity: SamlIdentityRecord }).identity.guid },
    id: {
      type: "ID",
      resolve: (e) =>
        Buffer.from(`ExternalIdentity:${(e as { identity: SamlIdentityRecord }).identity.guid}`).toString(
          "base64",
        ),
    },
    samlIdentity: {
      type: "ExternalIdentitySamlAttributes",
      resolve: (e) => (e as { identity: SamlIdentityRecord }).identity,
    },
    /** "User linked to this external identity. Will be NULL if this identity has not been claimed by an organization member." */
    user: {
      type: "User",
      resolve: (e, _a, ctx) => {
        const login = (e as { identity: SamlIdentityRecord }).identity.login;
        return login === null ? null : (ctx.c.var.state.user(login) ?? null);
      },
    },
  },
  ExternalIdentitySamlAttributes: {
    nameId: { type: "String", resolve: prop("nameId") },
    username: { type: "String", resolve: prop("nameId") },
  },
  User: userFields,
};

function resolveValue(value: Value, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case "variable":
      return variables[value.name] ?? null;
    case "literal":
      return value.value;
    case "list":
      return value.items.map((v) => resolveValue(v, variables));
    case "object":
      return Object.fromEntries(
        Object.entries(value.fields).map(([k, v]) => [k, resolveValue(v, variables)]),
      );
  }
}

/** Field-existence validation, as GitHub does before executing anything. */
function validate(selections: Selection[], typeName: string, errors: GraphqlError[], path: string[]): void {
  const fields = SCHEMA[typeName];
  if (!fields) return;
  for (const selection of selections) {
    if (selection.kind === "inline") {
      if (selection.typeCondition !== undefined && selection.typeCondition !== typeName) {
        errors.push({
          message: `Fragment on ${selection.typeCondition} can't be spread inside ${typeName}`,
          path,
          extensions: { code: "cannotSpreadFragment" },
        });
        continue;
      }
      validate(selection.selections, typeName, errors, path);
      continue;
    }
    const fieldPath = [...path, selection.alias ?? selection.name];
    if (selection.name === "__typename") continue;
    const spec = fields[selection.name];
    if (!spec) {
      errors.push({
        path: fieldPath,
        extensions: { code: "undefinedField", typeName, fieldName: selection.name },
        locations: [{ line: selection.line, column: selection.column }],
        message: `Field '${selection.name}' doesn't exist on type '${typeName}'`,
      });
      continue;
    }
    const inner = spec.type.replace(/[[\]!]/g, "");
    if (SCALARS.has(inner)) {
      if (selection.selections)
        errors.push({
          path: fieldPath,
          locations: [{ line: selection.line, column: selection.column }],
          message: `Selections can't be made on scalars (field '${selection.name}' returns ${inner} but has selections [${selection.selections.map((s) => (s.kind === "field" ? s.name : "...")).join(", ")}])`,
          extensions: { code: "selectionMismatch", nodeName: `field '${selection.name}'`, typeName: inner },
        });
    } else if (!selection.selections) {
      errors.push({
        path: fieldPath,
        locations: [{ line: selection.line, column: selection.column }],
        message: `Field must have selections (field '${selection.name}' returns ${inner} but has no selections. Did you mean '${selection.name} { ... }'?)`,
        extensions: { code: "selectionMismatch", nodeName: `field '${selection.name}'`, typeName: inner },
      });
    } else validate(selection.selections, inner, errors, fieldPath);
  }
}

function execute(
  selections: Selection[],
  typeName: string,
  parent: unknown,
  ctx: Ctx,
  variables: Record<string, unknown>,
  path: Array<string | number>,
): Record<string, unknown> {
  const fields = SCHEMA[typeName] ?? {};
  const out: Record<string, unknown> = {};
  for (const selection of selections) {
    if (selection.kind === "inline") {
      Object.assign(out, execute(selection.selections, typeName, parent, ctx, variables, path));
      continue;
    }
    const key = selection.alias ?? selection.name;
    if (selection.name === "__typename") {
      out[key] = typeName;
      continue;
    }
    const spec = fields[selection.name]!;
    const args = Object.fromEntries(
      Object.entries(selection.args).map(([k, v]) => [k, resolveValue(v, variables)]),
    );
    const fieldPath = [...path, key];
    let value: unknown;
    try {
      value = spec.resolve(parent, args, ctx, selection, fieldPath);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      ctx.errors.push(error.error);
      value = null;
    }
    const isList = spec.type.startsWith("[");
    const inner = spec.type.replace(/[[\]!]/g, "");
    if (value === null || value === undefined || SCALARS.has(inner) || !selection.selections) {
      out[key] = value ?? null;
    } else if (isList) {
      out[key] = (value as unknown[]).map((item, index) =>
        execute(selection.selections!, inner, item, ctx, variables, [...fieldPath, index]),
      );
    } else out[key] = execute(selection.selections, inner, value, ctx, variables, fieldPath);
  }
  return out;
}

function coerceVariables(
  operation: Operation,
  provided: Record<string, unknown>,
  errors: GraphqlError[],
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variables) {
    const raw =
      provided[definition.name] ??
      (definition.defaultValue ? resolveValue(definition.defaultValue, {}) : null);
    const typeName = `${definition.type}${definition.nonNull ? "!" : ""}`;
    const invalid =
      (raw === null && definition.nonNull) ||
      (raw !== null && definition.type === "String" && typeof raw !== "string") ||
      (raw !== null && definition.type === "Int" && !Number.isInteger(raw)) ||
      (raw !== null && definition.type === "Boolean" && typeof raw !== "boolean");
    if (invalid) {
      errors.push({
        message: `Variable $${definition.name} of type ${typeName} was provided invalid value`,
        locations: [],
        extensions: { value: raw, problems: [{ path: [], explanation: "Expected value to not be null" }] },
      });
    }
    values[definition.name] = raw;
  }
  return values;
}

function collectVariables(selections: Selection[], into: Set<string>): void {
  const visit = (value: Value) => {
    if (value.kind === "variable") into.add(value.name);
    else if (value.kind === "list") value.items.forEach(visit);
    else if (value.kind === "object") Object.values(value.fields).forEach(visit);
  };
  for (const selection of selections) {
    if (selection.kind === "inline") collectVariables(selection.selections, into);
    else {
      Object.values(selection.args).forEach(visit);
      if (selection.selections) collectVariables(selection.selections, into);
    }
  }
}

/** Runs one request body; returns the GraphQL response document (always HTTP 200, as GitHub does). */
export function runGraphql(c: GithubContext, body: Record<string, unknown>): Record<string, unknown> {
  const query = body.query;
  if (typeof query !== "string") {
    return { errors: [{ message: "A query attribute must be specified and must be a string." }] };
  }
  let operations: Operation[];
  try {
    operations = new Parser(query).document();
  } catch (error) {
    if (error instanceof GraphqlSyntaxError)
      return {
        errors: [{ message: error.message, locations: [{ line: error.line, column: error.column }] }],
      };
    throw error;
  }
  const wanted = typeof body.operationName === "string" ? body.operationName : undefined;
  const operation = wanted
    ? operations.find((o) => o.name === wanted)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) {
    return {
      errors: [{ message: wanted ? `No operation named "${wanted}"` : "An operation name is required" }],
    };
  }
  if (operation.operation !== "query") {
    return {
      errors: [{ message: `The cordon emulator answers queries only, not ${operation.operation}s.` }],
    };
  }
  const errors: GraphqlError[] = [];
  validate(operation.selections, "Query", errors, ["query"]);
  const used = new Set<string>();
  collectVariables(operation.selections, used);
  const declared = new Set(operation.variables.map((v) => v.name));
  for (const name of used) {
    if (!declared.has(name))
      errors.push({
        message: `Variable $${name} is used by ${operation.name ?? "anonymous query"} but not declared`,
        extensions: { code: "variableNotDefined", variableName: name },
      });
  }
  if (errors.length > 0) return { errors };
  const provided =
    typeof body.variables === "object" && body.variables !== null
      ? (body.variables as Record<string, unknown>)
      : {};
  const variables = coerceVariables(operation, provided, errors);
  if (errors.length > 0) return { errors };
  const ctx: Ctx = { c, errors: [] };
  const data = execute(operation.selections, "Query", null, ctx, variables, []);
  const insufficient = ctx.errors.find((e) => e.type === "INSUFFICIENT_SCOPES");
  if (insufficient) return { errors: [insufficient] };
  return ctx.errors.length > 0 ? { data, errors: ctx.errors } : { data };
}

export function mountGraphql(app: Hono<GithubEnv>): void {
  app.post("/graphql", async (c) => {
    const raw = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return GithubErrors.problemsParsingJson(c, "https://docs.github.com/graphql");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return GithubErrors.problemsParsingJson(c, "https://docs.github.com/graphql");
    return c.json(runGraphql(c, body as Record<string, unknown>));
  });
}
