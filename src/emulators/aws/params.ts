import { IamErrors } from "./errors.ts";

/**
 * Input members and their constraints, copied from the Smithy model (`../shared/specs/aws-iam/iam-2010-05-08.json`:
 * `smithy.api#required`, `length`, `pattern`, `range`, enums). IAM reports every violated constraint at once:
 * `2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; …`.
 */
export interface MemberSpec {
  /** `enumList`: an awsQuery list of enum values, sent as `Name.member.1=…&Name.member.2=…`. */
  type: "string" | "integer" | "boolean" | "enum" | "enumList";
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: { test(value: string): boolean };
  /** The pattern as the model spells it, for messages. */
  patternText?: string;
  values?: readonly string[];
}

const NAME_PATTERN = { pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" };

/** The model's `[\u0009\u000A\u000D\u0020-\u00FF]+`: tab, LF, CR and printable Latin-1. */
const LATIN1_TEXT = {
  test: (value: string) =>
    value.length > 0 &&
    [...value].every((ch) => {
      const c = ch.charCodeAt(0);
      return c === 9 || c === 10 || c === 13 || (c >= 0x20 && c <= 0xff);
    }),
};

/** Model shapes used by the operations the emulator serves. */
export const Shapes = {
  existingUserNameType: { type: "string", min: 1, max: 128, ...NAME_PATTERN },
  userNameType: { type: "string", min: 1, max: 64, ...NAME_PATTERN },
  accessKeyIdType: { type: "string", min: 16, max: 128, pattern: /^\w+$/, patternText: "[\\w]+" },
  statusType: { type: "enum", values: ["Active", "Inactive"] },
  policyNameType: { type: "string", min: 1, max: 128, ...NAME_PATTERN },
  policyDocumentType: {
    type: "string",
    min: 1,
    max: 131_072,
    pattern: LATIN1_TEXT,
    patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
  },
  passwordType: {
    type: "string",
    min: 1,
    max: 128,
    pattern: LATIN1_TEXT,
    patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
  },
  markerType: {
    type: "string",
    min: 1,
    max: 320,
    pattern: /^[\u0020-\u00FF]+$/,
    patternText: "[\\u0020-\\u00FF]+",
  },
  maxItemsType: { type: "integer", min: 1, max: 1000 },
  pathPrefixType: {
    type: "string",
    min: 1,
    max: 512,
    pattern: /^\u002F[\u0021-\u007F]*$/,
    patternText: "\\u002F[\\u0021-\\u007F]*",
  },
  booleanType: { type: "boolean" },
  /** Model `entityListType`: a list of `EntityType`. */
  entityListType: {
    type: "enumList",
    values: ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"],
  },
} satisfies Record<string, MemberSpec>;

export type OperationSpec = Record<string, MemberSpec>;

export function required(spec: MemberSpec): MemberSpec {
  return { ...spec, required: true };
}

/** `UserName` → `userName`, as IAM names members in validation messages. */
function memberLabel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export interface ParsedParams {
  get(name: string): string | undefined;
  integer(name: string): number | undefined;
  boolean(name: string): boolean | undefined;
  /** An awsQuery list member's items in index order; undefined when absent, [] when sent empty (`Name=`). */
  list(name: string): string[] | undefined;
}

/**
 * An awsQuery list (`Name.member.N`, N from 1; an empty list is sent as `Name=`): the items by index, or
 * undefined when the request does not name the member.
 */
function listParam(params: URLSearchParams, name: string): string[] | undefined {
  const prefix = `${name}.member.`;
  const items: Array<[number, string]> = [];
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const index = Number(key.slice(prefix.length));
    if (Number.isInteger(index) && index >= 1) items.push([index, value]);
  }
  if (items.length === 0) return params.has(name) ? [] : undefined;
  return items.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** Checks the request's parameters against an operation's members; throws IAM's ValidationError. */
export function validate(params: URLSearchParams, spec: OperationSpec): ParsedParams {
  const problems: string[] = [];
  for (const [name, member] of Object.entries(spec)) {
    const label = memberLabel(name);
    if (member.type === "enumList") {
      const items = listParam(params, name);
      if (items === undefined) {
        if (member.required)
          problems.push(`Value null at '${label}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      if (items.some((item) => !member.values?.includes(item)))
        problems.push(
          `Value '[${items.join(", ")}]' at '${label}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${member.values?.join(", ")}]]`,
        );
      continue;
    }
    const value = params.get(name);
    if (value === null) {
      if (member.required)
        problems.push(`Value null at '${label}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    const shown = `Value '${value.length > 64 ? `${value.slice(0, 64)}…` : value}' at '${label}'`;
    if (member.type === "integer") {
      const n = Number(value);
      if (!/^-?\d+$/.test(value))
        problems.push(`${shown} failed to satisfy constraint: Member must be an integer`);
      else if (member.min !== undefined && n < member.min)
        problems.push(
          `${shown} failed to satisfy constraint: Member must have value greater than or equal to ${member.min}`,
        );
      else if (member.max !== undefined && n > member.max)
        problems.push(
          `${shown} failed to satisfy constraint: Member must have value less than or equal to ${member.max}`,
        );
      continue;
    }
    if (member.type === "boolean") {
      if (value !== "true" && value !== "false")
        problems.push(`${shown} failed to satisfy constraint: Member must be a boolean (true or false)`);
      continue;
    }
    if (member.type === "enum") {
      if (!member.values?.includes(value))
        problems.push(
          `${shown} failed to satisfy constraint: Member must satisfy enum value set: [${member.values?.join(", ")}]`,
        );
      continue;
    }
    if (member.min !== undefined && value.length < member.min)
      problems.push(
        `${shown} failed to satisfy constraint: Member must have length greater than or equal to ${member.min}`,
      );
    else if (member.max !== undefined && value.length > member.max)
      problems.push(
        `${shown} failed to satisfy constraint: Member must have length less than or equal to ${member.max}`,
      );
    else if (member.pattern && !member.pattern.test(value))
      problems.push(
        `${shown} failed to satisfy constraint: Member must satisfy regular expression pattern: ${member.patternText}`,
      );
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? "1 validation error" : `${problems.length} validation errors`;
    throw IamErrors.validation(`${count} detected: ${problems.join("; ")}`);
  }
  return {
    get: (name) => params.get(name) ?? undefined,
    integer: (name) => {
      const value = params.get(name);
      return value === null ? undefined : Number(value);
    },
    boolean: (name) => {
      const value = params.get(name);
      return value === null ? undefined : value === "true";
    },
    list: (name) => listParam(params, name),
  };
}
