import { type IamError, IamErrors } from "./errors.ts";
import type { AwsIamState, Caller } from "./state.ts";

/**
 * A deliberately small slice of IAM policy evaluation
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an explicit `Deny`
 * in the caller's inline policies wins; otherwise the call needs an allow, which the emulator takes from the
 * seed's `permissions` (absent: an administrator). Enough to show what containment does: cordon's deny policies
 * really stop the contained user's credentials, and the `aws:TokenIssueTime` condition spares credentials issued
 * after it.
 *
 * Supported: `Action` (string or list, `*`/`?` wildcards, case-insensitive), `Resource` `*` or ARN globs, and the
 * condition operators `Date{Less,Greater}Than[Equals]`, `DateEquals`, `StringEquals[IgnoreCase]`, `StringLike`,
 * `Bool` on the keys `aws:TokenIssueTime`, `aws:CurrentTime`, `aws:username`, `aws:PrincipalArn`. A condition key
 * missing from the request (TokenIssueTime on long-term keys) makes the condition false, as in IAM. `NotAction`,
 * `NotResource`, other operators and the `…IfExists` forms are not evaluated: such a statement never applies here.
 */

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

function asList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

export function actionMatches(patterns: string[], action: string): boolean {
  return patterns.some((p) => glob(p, action, true));
}

function statements(document: string): Statement[] {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const list = Array.isArray(parsed.Statement)
      ? parsed.Statement
      : parsed.Statement
        ? [parsed.Statement]
        : [];
    return list.filter((s): s is Statement => typeof s === "object" && s !== null);
  } catch {
    return [];
  }
}

type Context = Map<string, string>;

function conditionHolds(condition: unknown, context: Context): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== "object" || condition === null) return false;
  for (const [operator, block] of Object.entries(condition)) {
    if (typeof block !== "object" || block === null) return false;
    for (const [key, expected] of Object.entries(block)) {
      const actual = context.get(key.toLowerCase());
      if (actual === undefined) return false;
      const values = asList(expected);
      if (!values.some((value) => compare(operator, actual, value))) return false;
    }
  }
  return true;
}

function compare(operator: string, actual: string, expected: string): boolean {
  const date = (s: string) => Date.parse(s);
  switch (operator) {
    case "DateLessThan":
      return date(actual) < date(expected);
    case "DateLessThanEquals":
      return date(actual) <= date(expected);
    case "DateGreaterThan":
      return date(actual) > date(expected);
    case "DateGreaterThanEquals":
      return date(actual) >= date(expected);
    case "DateEquals":
      return date(actual) === date(expected);
    case "StringEquals":
      return actual === expected;
    case "StringEqualsIgnoreCase":
      return actual.toLowerCase() === expected.toLowerCase();
    case "StringLike":
      return glob(expected, actual, false);
    case "Bool":
      return actual.toLowerCase() === expected.toLowerCase();
    default:
      return false;
  }
}

function requestContext(state: AwsIamState, caller: Caller): Context {
  const context: Context = new Map([["aws:currenttime", new Date(state.now()).toISOString()]]);
  if (caller.tokenIssueTime !== undefined)
    context.set("aws:tokenissuetime", new Date(caller.tokenIssueTime).toISOString());
  if (caller.kind === "user") {
    context.set("aws:username", caller.user.userName);
    context.set("aws:principalarn", state.userArn(caller.user));
  } else {
    context.set("aws:principalarn", `arn:aws:iam::${state.accountId}:role/${caller.roleName}`);
  }
  return context;
}

export function callerArn(state: AwsIamState, caller: Caller): string {
  return caller.kind === "user"
    ? state.userArn(caller.user)
    : `arn:aws:sts::${state.accountId}:assumed-role/${caller.roleName}/cordon-session`;
}

/** Null when the caller may call `iam:<action>` on `resource`; the AccessDenied error otherwise. */
export function authorize(
  state: AwsIamState,
  caller: Caller,
  action: string,
  resource: string,
): IamError | null {
  const iamAction = `iam:${action}`;
  const principal = callerArn(state, caller);
  if (caller.kind === "user") {
    const context = requestContext(state, caller);
    for (const document of caller.user.inlinePolicies.values()) {
      for (const statement of statements(document)) {
        if (
          statement.Effect !== "Deny" ||
          statement.NotAction !== undefined ||
          statement.NotResource !== undefined
        )
          continue;
        if (!actionMatches(asList(statement.Action), iamAction)) continue;
        if (!asList(statement.Resource).some((r) => glob(r, resource, false))) continue;
        if (!conditionHolds(statement.Condition, context)) continue;
        return IamErrors.accessDenied(
          `User: ${principal} is not authorized to perform: ${iamAction} on resource: ${resource} with an explicit deny in an identity-based policy`,
        );
      }
    }
  }
  const permissions = caller.kind === "user" ? caller.user.permissions : caller.session.permissions;
  if (permissions !== undefined && !actionMatches(permissions, iamAction)) {
    return IamErrors.accessDenied(
      `User: ${principal} is not authorized to perform: ${iamAction} on resource: ${resource} because no identity-based policy allows the ${iamAction} action`,
    );
  }
  return null;
}
