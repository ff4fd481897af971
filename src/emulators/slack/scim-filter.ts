import type { SlackUser } from "./state.ts";

/**
 * The subset of RFC 7644 §3.4.2.2 filters the emulator understands: comparisons `eq`, `co`, `sw` joined by `and`,
 * on userName, emails / emails.value, externalId, id, displayName, nickName and active. Attribute names are
 * case-insensitive; string values compare case-insensitively except `id` and `externalId` (RFC 7643 marks
 * userName and emails.value caseExact=false). Slack documents `filter` support on userName and emails, at least.
 */
export type UserFilter = (user: SlackUser) => boolean;

const CLAUSE = /^\s*([A-Za-z][\w.]*)\s+(eq|co|sw)\s+("(?:[^"\\]|\\.)*"|true|false)\s*/i;

/** Returns `undefined` for a filter outside the supported subset (the caller answers 400 invalidFilter). */
export function parseFilter(filter: string): UserFilter | undefined {
  const clauses: UserFilter[] = [];
  let rest = filter;
  for (;;) {
    const match = CLAUSE.exec(rest);
    if (!match) return undefined;
    const [whole, attribute = "", operator = "", literal = ""] = match;
    const clause = buildClause(attribute.toLowerCase(), operator.toLowerCase(), literal);
    if (!clause) return undefined;
    clauses.push(clause);
    rest = rest.slice(whole.length);
    if (rest === "") break;
    const and = /^and\s+/i.exec(rest);
    if (!and) return undefined;
    rest = rest.slice(and[0].length);
  }
  return (user) => clauses.every((clause) => clause(user));
}

function buildClause(attribute: string, operator: string, literal: string): UserFilter | undefined {
  if (attribute === "active") {
    if (operator !== "eq" || (literal !== "true" && literal !== "false")) return undefined;
    return (user) => !user.deleted === (literal === "true");
  }
  if (!literal.startsWith('"')) return undefined;
  const value = JSON.parse(literal) as string;
  const read = READERS[attribute];
  if (!read) return undefined;
  const caseExact = attribute === "id" || attribute === "externalid";
  const wanted = caseExact ? value : value.toLowerCase();
  const test = (candidate: string) => {
    const got = caseExact ? candidate : candidate.toLowerCase();
    if (operator === "eq") return got === wanted;
    if (operator === "co") return got.includes(wanted);
    return got.startsWith(wanted);
  };
  return (user) => read(user).some(test);
}

const READERS: Record<string, (user: SlackUser) => string[]> = {
  username: (u) => [u.name],
  emails: (u) => [u.email],
  "emails.value": (u) => [u.email],
  externalid: (u) => [u.externalId],
  id: (u) => [u.id],
  displayname: (u) => [u.displayName],
  nickname: (u) => [u.name],
};
