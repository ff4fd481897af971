import { sha256Hex } from "../../core/hash.ts";
import type { SlackState, SlackUser } from "./state.ts";

export const SCHEMA_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCHEMA_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const SCHEMA_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCHEMA_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A refusal in RFC 7644 §3.12 terms: HTTP status, human-readable detail, optional scimType keyword. */
export interface ScimProblem {
  status: number;
  detail: string;
  scimType?: string;
}

/** Attribute changes a POST, PUT or PATCH asks for, validated before anything is applied. */
export interface UserChanges {
  name?: string;
  email?: string;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  title?: string;
  externalId?: string;
  active?: boolean;
}

export function isProblem(value: unknown): value is ScimProblem {
  return typeof value === "object" && value !== null && "status" in value && "detail" in value;
}

/**
 * The SCIM 2.0 view of a user, with the attributes Slack's SCIM 2.0 reference lists for Users
 * (https://docs.slack.dev/reference/scim-api/scim-api-2; slackapi/java-slack-sdk scim2 `User` model): same id as
 * the Web API user, `active` = not deactivated, `meta.location` on this emulator's origin.
 */
export function scimUser(state: SlackState, user: SlackUser, origin: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_USER],
    id: user.id,
    externalId: user.externalId,
    userName: user.name,
    nickName: user.name,
    name: { givenName: user.givenName, familyName: user.familyName },
    displayName: user.displayName,
    profileUrl: `https://${state.enterprise.domain}.enterprise.slack.com/team/${user.id}`,
    title: user.title,
    timezone: "America/Los_Angeles",
    active: !user.deleted,
    emails: [{ value: user.email, primary: true }],
    photos: [
      {
        value: `https://secure.gravatar.com/avatar/${sha256Hex(user.id).slice(0, 32)}.jpg?s=192`,
        type: "photo",
      },
    ],
    groups: [],
    meta: { created: new Date(user.createdMs).toISOString(), location: `${origin}/scim/v2/Users/${user.id}` },
  };
}

/**
 * Changes from a full resource (POST, PUT). `userName` and at least one email are required ("Must include the
 * user_name argument and at least one email address", python-slack-sdk SCIM docs). An email given as userName
 * "will be automatically converted to a Slack-appropriate username": its local part is used.
 */
export function changesFromResource(body: unknown): UserChanges | ScimProblem {
  if (!isObject(body)) return invalid("the body must be a JSON object", "invalidSyntax");
  const changes: UserChanges = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "schemas" || key === "id" || key === "meta") continue;
    const problem = applyPath(changes, key, value);
    if (problem && problem.scimType !== "invalidPath") return problem;
  }
  if (!changes.name) return invalid("userName is required", "invalidValue");
  if (!changes.email) return invalid("at least one email is required", "invalidValue");
  return changes;
}

/**
 * Changes from an RFC 7644 §3.5.2 PatchOp: `add`/`replace` with a path (`active`, `userName`, `displayName`,
 * `title`, `externalId`, `name.givenName`, `name.familyName`, `emails`, `emails[…].value`) or without one (the
 * value is an object of such attributes, e.g. `{"op":"replace","value":{"active":false}}`), and `remove` of
 * title, externalId or displayName. Op names are case-insensitive (Azure AD sends "Replace"); `"True"`/`"False"`
 * strings are read as booleans, as Azure AD sends them.
 */
export function changesFromPatch(body: unknown): UserChanges | ScimProblem {
  if (!isObject(body) || !Array.isArray(body.Operations)) {
    return invalid("a PatchOp body with an Operations array is required", "invalidSyntax");
  }
  const changes: UserChanges = {};
  for (const operation of body.Operations) {
    if (!isObject(operation) || typeof operation.op !== "string")
      return invalid("each operation needs an op", "invalidSyntax");
    const op = operation.op.toLowerCase();
    const path = typeof operation.path === "string" ? operation.path : undefined;
    if (op === "remove") {
      const attribute = path?.toLowerCase();
      if (attribute === "title" || attribute === "externalid" || attribute === "displayname") {
        const problem = applyPath(changes, path!, "");
        if (problem) return problem;
        continue;
      }
      return invalid(`cannot remove ${path ?? "without a path"}`, "noTarget");
    }
    if (op !== "add" && op !== "replace") return invalid(`unsupported op ${operation.op}`, "invalidSyntax");
    if (path) {
      const problem = applyPath(changes, path, operation.value);
      if (problem) return problem;
    } else {
      if (!isObject(operation.value))
        return invalid("an operation without a path needs an object value", "invalidValue");
      for (const [key, value] of Object.entries(operation.value)) {
        const problem = applyPath(changes, key, value);
        if (problem) return problem;
      }
    }
  }
  return changes;
}

function applyPath(changes: UserChanges, path: string, value: unknown): ScimProblem | undefined {
  const attribute = path.toLowerCase();
  if (attribute === "active") {
    const active = toBoolean(value);
    if (active === undefined) return invalid("active must be a boolean", "invalidValue");
    changes.active = active;
    return undefined;
  }
  if (attribute === "name") {
    if (!isObject(value)) return invalid("name must be an object", "invalidValue");
    for (const [key, part] of Object.entries(value)) {
      const problem = applyPath(changes, `name.${key}`, part);
      if (problem && problem.scimType !== "invalidPath") return problem;
    }
    return undefined;
  }
  if (attribute === "emails") {
    if (!Array.isArray(value) || value.length === 0)
      return invalid("emails must be a non-empty array", "invalidValue");
    const primary = value.find((e) => isObject(e) && e.primary === true) ?? value[0];
    if (!isObject(primary) || typeof primary.value !== "string" || !primary.value.includes("@")) {
      return invalid("emails[].value must be an email address", "invalidValue");
    }
    changes.email = primary.value;
    return undefined;
  }
  if (/^emails\[.*\]\.value$/.test(attribute)) {
    if (typeof value !== "string" || !value.includes("@"))
      return invalid("email must be an address", "invalidValue");
    changes.email = value;
    return undefined;
  }
  const field = STRING_FIELDS[attribute];
  if (!field) return invalid(`unsupported attribute ${path}`, "invalidPath");
  if (typeof value !== "string") return invalid(`${path} must be a string`, "invalidValue");
  if (field === "name") {
    const handle = value.includes("@") ? (value.split("@")[0] ?? "") : value;
    if (!handle.trim()) return invalid("userName must not be empty", "invalidValue");
    changes.name = handle.trim();
  } else {
    changes[field] = value;
  }
  return undefined;
}

const STRING_FIELDS: Record<
  string,
  "name" | "displayName" | "givenName" | "familyName" | "title" | "externalId"
> = {
  username: "name",
  nickname: "name",
  displayname: "displayName",
  "name.givenname": "givenName",
  "name.familyname": "familyName",
  title: "title",
  externalid: "externalId",
};

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(detail: string, scimType: string): ScimProblem {
  return { status: 400, detail, scimType };
}
