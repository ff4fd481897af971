import type { Context, Hono } from "hono";
import type { Limits } from "./limits.ts";
import { retryHeaders, type ScimBucket } from "./rate-limits.ts";
import { parseFilter } from "./scim-filter.ts";
import {
  changesFromPatch,
  changesFromResource,
  isProblem,
  SCHEMA_ERROR,
  SCHEMA_LIST,
  type ScimProblem,
  scimUser,
  type UserChanges,
} from "./scim-user.ts";
import { rankOf, type SlackState, type SlackUser } from "./state.ts";

/**
 * Replies use `application/scim+json`, the media type RFC 7644 §8.1 requires of SCIM servers (Slack's own
 * Content-Type is unverified); requests are read as JSON whatever their Content-Type says.
 */
const SCIM_TYPE = "application/scim+json; charset=utf-8";

/** Slack's SCIM list defaults: 10 results without `count`, at most 1,000 per page (changelog 2019-06 "have SCIM will paginate"). */
export const SCIM_DEFAULT_COUNT = 10;
export const SCIM_MAX_COUNT = 1000;

/**
 * SCIM 2.0 Users (https://docs.slack.dev/reference/scim-api/scim-api-2), base `/scim/v2`. Bearer token of an org
 * Owner or Admin. Bots are not SCIM users and do not appear here (unverified).
 */
export function mountScim(app: Hono, state: SlackState, limits: Limits): void {
  const base = "/scim/v2/Users";

  app.get(base, (c) =>
    guarded(c, state, limits, ["scim.reads"], () => {
      const url = new URL(c.req.url);
      const filterText = url.searchParams.get("filter");
      const filter = filterText ? parseFilter(filterText) : () => true;
      if (!filter) return scimError(400, `unsupported filter: ${filterText}`, "invalidFilter");
      // RFC 7644 §3.4.2.4: startIndex below 1 is read as 1, a negative count as 0.
      const startIndex = Math.max(1, toInt(url.searchParams.get("startIndex")) ?? 1);
      const count = Math.min(
        SCIM_MAX_COUNT,
        Math.max(0, toInt(url.searchParams.get("count")) ?? SCIM_DEFAULT_COUNT),
      );
      const matches = people(state).filter(filter);
      const page = matches.slice(startIndex - 1, startIndex - 1 + count);
      return scimJson(200, {
        schemas: [SCHEMA_LIST],
        totalResults: matches.length,
        itemsPerPage: page.length,
        startIndex,
        Resources: page.map((u) => scimUser(state, u, url.origin)),
      });
    }),
  );

  app.get(`${base}/:id`, (c) =>
    guarded(c, state, limits, ["scim.users.get", "scim.reads"], () => {
      const user = person(state, c.req.param("id"));
      if (!user) return notFound();
      return scimJson(200, scimUser(state, user, new URL(c.req.url).origin));
    }),
  );

  app.post(base, (c) =>
    guarded(c, state, limits, ["scim.users.create", "scim.writes"], async () => {
      const changes = changesFromResource(await readJson(c));
      if (isProblem(changes)) return problem(changes);
      const conflict = uniqueness(state, changes);
      if (conflict) return problem(conflict);
      const user = state.addUser({ email: changes.email!, name: changes.name!, ...namesOf(changes) });
      if (changes.active === false) state.setActive(user, false);
      const origin = new URL(c.req.url).origin;
      return scimJson(201, scimUser(state, user, origin), { Location: `${origin}${base}/${user.id}` });
    }),
  );

  const update = (read: (body: unknown) => UserChanges | ScimProblem) => (c: Context) =>
    guarded(c, state, limits, ["scim.users.update", "scim.writes"], async (caller) => {
      const user = person(state, c.req.param("id") ?? "");
      if (!user) return notFound();
      const changes = read(await readJson(c));
      if (isProblem(changes)) return problem(changes);
      const refused = permission(caller, user, changes.active === false) ?? uniqueness(state, changes, user);
      if (refused) return problem(refused);
      apply(state, user, changes);
      return scimJson(200, scimUser(state, user, new URL(c.req.url).origin));
    });
  // PUT "overwrites all values", PATCH "overwrites specified values"; both are applied as the changes they carry.
  app.put(`${base}/:id`, update(changesFromResource));
  app.patch(`${base}/:id`, update(changesFromPatch));

  app.delete(`${base}/:id`, (c) =>
    guarded(c, state, limits, ["scim.users.delete", "scim.writes"], (caller) => {
      const user = person(state, c.req.param("id"));
      if (!user) return notFound();
      const refused = permission(caller, user, true);
      if (refused) return problem(refused);
      // "DELETE /Users/<id>: Sets a Slack user to deactivated"; the record stays, with active false.
      state.setActive(user, false);
      return new Response(null, { status: 204 });
    }),
  );

  app.all("/scim/v2/*", () => scimError(404, "unknown SCIM endpoint"));
}

/**
 * Authentication, then the rate buckets (endpoint first, then the org-wide class), then the handler.
 * Auth failures answer 401 with the Web API's codes as detail (Slack's SCIM wording is unverified). A token whose
 * owner is neither Owner nor Admin gets 403: "The token-generating account must remain an Admin or Owner in
 * order to make SCIM updates" (https://api.slack.com/scim).
 */
async function guarded(
  c: Context,
  state: SlackState,
  limits: Limits,
  buckets: ScimBucket[],
  handler: (caller: SlackUser) => Response | Promise<Response>,
): Promise<Response> {
  const token = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) return scimError(401, "not_authed");
  if (!state.isValidToken(token)) return scimError(401, "invalid_auth");
  const caller = state.tokenOwner;
  if (caller.deleted) return scimError(401, "account_inactive");
  if (rankOf(caller) < 1) return scimError(403, "not_an_admin");
  const throttle = limits.scim(buckets);
  if (!throttle.allowed) {
    // SCIM rate limits answer 429 with Retry-After (https://docs.slack.dev/reference/scim-api/rate-limits).
    return scimError(429, "Too many requests", undefined, retryHeaders(throttle.waitMs));
  }
  return handler(caller);
}

/**
 * "The token generated can only action on accounts with the same or fewer permissions … [an Admin's token]
 * cannot take action on Owners" (https://api.slack.com/scim, "Acquire an OAuth token"). The Primary Owner can
 * never be deactivated (Slack requires ownership to be transferred first). Slack's SCIM wording for both
 * refusals is unverified: 403 with `cannot_disable_primary_owner`, `cannot_disable_owner` or `permission_denied`.
 */
function permission(caller: SlackUser, target: SlackUser, deactivating: boolean): ScimProblem | undefined {
  if (deactivating && target.isPrimaryOwner) return { status: 403, detail: "cannot_disable_primary_owner" };
  if (rankOf(target) > rankOf(caller)) {
    return {
      status: 403,
      detail: deactivating && target.isOwner ? "cannot_disable_owner" : "permission_denied",
    };
  }
  return undefined;
}

/** userName and email are unique in the org: 409 with scimType `uniqueness` (RFC 7644 §3.12). */
function uniqueness(state: SlackState, changes: UserChanges, self?: SlackUser): ScimProblem | undefined {
  const byName = changes.name ? state.findByName(changes.name) : undefined;
  if (byName && byName !== self) return { status: 409, detail: "username_taken", scimType: "uniqueness" };
  const byEmail = changes.email ? state.findByEmail(changes.email, { includeDeleted: true }) : undefined;
  if (byEmail && byEmail !== self) return { status: 409, detail: "email_taken", scimType: "uniqueness" };
  return undefined;
}

function apply(state: SlackState, user: SlackUser, changes: UserChanges): void {
  if (changes.name !== undefined) user.name = changes.name;
  if (changes.email !== undefined) user.email = changes.email;
  if (changes.displayName !== undefined) user.displayName = changes.displayName;
  if (changes.givenName !== undefined) user.givenName = changes.givenName;
  if (changes.familyName !== undefined) user.familyName = changes.familyName;
  if (changes.givenName !== undefined || changes.familyName !== undefined) {
    user.realName = `${user.givenName} ${user.familyName}`.trim() || user.realName;
  }
  if (changes.title !== undefined) user.title = changes.title;
  if (changes.externalId !== undefined) user.externalId = changes.externalId;
  state.touch(user);
  if (changes.active !== undefined) state.setActive(user, changes.active);
}

function namesOf(changes: UserChanges) {
  const realName = [changes.givenName, changes.familyName].filter(Boolean).join(" ") || undefined;
  return {
    ...(realName ? { realName } : {}),
    ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
    ...(changes.givenName !== undefined ? { givenName: changes.givenName } : {}),
    ...(changes.familyName !== undefined ? { familyName: changes.familyName } : {}),
    ...(changes.title !== undefined ? { title: changes.title } : {}),
    ...(changes.externalId !== undefined ? { externalId: changes.externalId } : {}),
  };
}

function people(state: SlackState): SlackUser[] {
  return [...state.users.values()].filter((u) => !u.isBot);
}

function person(state: SlackState, id: string): SlackUser | undefined {
  const user = state.getUser(id);
  return user && !user.isBot ? user : undefined;
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return undefined;
  }
}

function toInt(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

function scimJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": SCIM_TYPE, ...headers } });
}

function notFound(): Response {
  return scimError(404, "user_not_found");
}

function problem(p: ScimProblem): Response {
  return scimError(p.status, p.detail, p.scimType);
}

/** RFC 7644 §3.12 error body; `status` is a string there (`"404"`). */
export function scimError(
  status: number,
  detail: string,
  scimType?: string,
  headers: Record<string, string> = {},
): Response {
  return scimJson(
    status,
    { schemas: [SCHEMA_ERROR], detail, status: String(status), ...(scimType ? { scimType } : {}) },
    headers,
  );
}
