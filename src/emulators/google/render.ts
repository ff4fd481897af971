import { createHash } from "node:crypto";
import type { GoogleContext } from "./env.ts";
import { GoogleErrors } from "./errors.ts";
import { applyFields, parseFields, QueryError } from "./query.ts";
import type { AspRecord, GoogleState, OAuthTokenRecord, UserRecord } from "./state.ts";

/** Google etags are quoted opaque strings. */
export function etag(...parts: Array<string | number>): string {
  return `"${createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 27)}"`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A `User` resource (Discovery schema `User`), the fields Google returns for `projection=basic`. `aliases` is
 * present only when the user has some, and `suspensionReason` only when suspended (schema descriptions). A user
 * who never signed in reports `lastLoginTime` 1970-01-01T00:00:00.000Z, as Google does.
 */
export function renderUser(user: UserRecord, state: GoogleState): Record<string, unknown> {
  return {
    kind: "admin#directory#user",
    id: user.id,
    etag: etag(user.id, user.version),
    primaryEmail: user.primaryEmail,
    name: {
      givenName: user.givenName,
      familyName: user.familyName,
      fullName: `${user.givenName} ${user.familyName}`,
    },
    isAdmin: user.isAdmin,
    isDelegatedAdmin: user.isDelegatedAdmin,
    lastLoginTime: iso(user.lastLoginTime ?? 0),
    creationTime: iso(user.creationTime),
    agreedToTerms: true,
    suspended: user.suspended,
    ...(user.suspended ? { suspensionReason: user.suspensionReason ?? "ADMIN" } : {}),
    archived: user.archived,
    changePasswordAtNextLogin: user.changePasswordAtNextLogin,
    ipWhitelisted: false,
    emails: [{ address: user.primaryEmail, primary: true }, ...user.aliases.map((address) => ({ address }))],
    ...(user.aliases.length > 0 ? { aliases: [...user.aliases] } : {}),
    customerId: state.customerId,
    orgUnitPath: user.orgUnitPath,
    isMailboxSetup: true,
    isEnrolledIn2Sv: user.isEnrolledIn2Sv,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  };
}

/** Discovery schema `Token`. */
export function renderToken(token: OAuthTokenRecord, user: UserRecord): Record<string, unknown> {
  return {
    kind: "admin#directory#token",
    etag: etag("token", user.id, token.clientId),
    clientId: token.clientId,
    displayText: token.displayText,
    anonymous: token.anonymous,
    nativeApp: token.nativeApp,
    userKey: user.id,
    scopes: [...token.scopes],
  };
}

/** Discovery schema `Asp`: `creationTime`/`lastTimeUsed` are int64 Unix times in milliseconds, sent as strings. */
export function renderAsp(asp: AspRecord, user: UserRecord): Record<string, unknown> {
  return {
    kind: "admin#directory#asp",
    etag: etag("asp", user.id, asp.codeId),
    codeId: asp.codeId,
    name: asp.name,
    creationTime: String(asp.creationTime),
    lastTimeUsed: String(asp.lastTimeUsed ?? 0),
    userKey: user.id,
  };
}

/** Replies with a JSON resource, narrowed by the standard `fields` parameter when given. */
export function respond(c: GoogleContext, body: Record<string, unknown>): Response {
  const fields = c.req.query("fields");
  if (fields === undefined || fields === "") return c.json(body);
  try {
    return c.json(applyFields(body, parseFields(fields)) as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return GoogleErrors.invalidInput(c, `field selection ${fields.slice(0, 80)}`);
  }
}
