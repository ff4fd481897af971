import { z } from "zod";
import { FACTOR_KINDS, GROUP_TYPES, type OktaState, USER_STATUSES } from "./state.ts";

/** A group declared up front (a description, an APP_GROUP type, or a group with no members yet). */
const SeedGroup = z.strictObject({
  name: z.string().min(1, "groups[].name must not be empty"),
  description: z.string().optional(),
  type: z.enum(GROUP_TYPES, { error: `groups[].type must be one of ${GROUP_TYPES.join(", ")}` }).optional(),
});

const SeedOAuthClient = z.strictObject({
  clientId: z.string().min(1, "oauthClients[].clientId must not be empty (Okta client ids look like 0oa…)"),
  name: z.string().min(1).optional(),
  refreshTokens: z
    .number()
    .int()
    .min(0, "oauthClients[].refreshTokens must be a count ≥ 0")
    .max(10_000, "oauthClients[].refreshTokens: at most 10000")
    .optional(),
});

const SeedUser = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, "users[].id must be alphanumeric, like Okta's (e.g. 00ub0oNGTSWTBKOLGLNR)")
    .optional(),
  login: z.string().min(1, "users[].login must not be empty (it defaults to the email)").optional(),
  email: z.email({ error: "users[].email must be an email address" }),
  firstName: z.string().min(1).optional(),
  lastName: z.string().min(1).optional(),
  status: z
    .enum(USER_STATUSES, { error: `users[].status must be one of ${USER_STATUSES.join(", ")}` })
    .optional(),
  sessions: z.number().int().min(0, "users[].sessions must be a count ≥ 0").max(10_000).optional(),
  oauthClients: z.array(SeedOAuthClient).optional(),
  grants: z.number().int().min(0, "users[].grants must be a count ≥ 0").max(10_000).optional(),
  factors: z
    .array(z.enum(FACTOR_KINDS, { error: `users[].factors[] must be one of ${FACTOR_KINDS.join(", ")}` }))
    .optional(),
  apiTokens: z
    .array(z.strictObject({ name: z.string().min(1, "users[].apiTokens[].name must not be empty") }))
    .optional(),
  admin: z.boolean().optional(),
  groups: z.array(z.string().min(1)).optional(),
});

/** One assignment: the user's email (or login), or that with the assignment's scope and app profile. */
const SeedAssignment = z.union([
  z.string().min(1, "apps[].assignments[] must not be empty"),
  z.strictObject({
    email: z.string().min(1, "apps[].assignments[].email must not be empty"),
    scope: z
      .enum(["USER", "GROUP"], { error: 'apps[].assignments[].scope must be "USER" or "GROUP"' })
      .optional(),
    profile: z.record(z.string(), z.unknown()).optional(),
  }),
]);

/** An app and who is assigned to it (spec `Application`, `AppUser`); users are named by email or login. */
const SeedApp = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, "apps[].id must be alphanumeric, like Okta's (e.g. 0oa1gjh63g214q0Hq0g4)")
    .optional(),
  label: z.string().min(1, "apps[].label must not be empty"),
  assignments: z.array(SeedAssignment).optional(),
});

type SeedIssues = {
  addIssue(issue: { code: "custom"; path: Array<string | number>; message: string }): void;
};

const text = (v: unknown): string | undefined => (typeof v === "string" ? v.toLowerCase() : undefined);

/** Checks across users: unique logins (case-insensitive) and ids, and a tokenOwner that exists. */
function crossCheck(seed: { users?: unknown; tokenOwner?: unknown }, ctx: SeedIssues): void {
  const users = Array.isArray(seed.users) ? (seed.users as Array<Record<string, unknown> | null>) : [];
  const logins = new Map<string, number>();
  const ids = new Map<string, number>();
  users.forEach((user, index) => {
    if (typeof user !== "object" || user === null) return;
    const login = text(user.login) ?? text(user.email);
    const seenLogin = login === undefined ? undefined : logins.get(login);
    if (seenLogin !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["users", index, "login"],
        message: `duplicate login "${login}" (already used by users[${seenLogin}]); Okta logins are unique, case-insensitively`,
      });
    } else if (login !== undefined) logins.set(login, index);
    if (typeof user.id === "string") {
      const seenId = ids.get(user.id);
      if (seenId !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["users", index, "id"],
          message: `duplicate user id "${user.id}" (already used by users[${seenId}])`,
        });
      } else ids.set(user.id, index);
    }
  });
  const owner = text(seed.tokenOwner);
  if (owner !== undefined) {
    const found = users.some(
      (u) => typeof u === "object" && u !== null && (text(u.login) === owner || text(u.email) === owner),
    );
    if (!found) {
      ctx.addIssue({
        code: "custom",
        path: ["tokenOwner"],
        message: `tokenOwner "${seed.tokenOwner}" matches no seeded user's login or email`,
      });
    }
  }
}

/** The `okta` section of a cordon seed: who exists in the emulated org and what they have signed in to. */
export const OktaSeed = z
  .strictObject({
    /** Valid SSWS/Bearer token values. Absent: any well-formed `SSWS <token>` or `Bearer <token>` is accepted. */
    tokens: z.array(z.string().min(1, "tokens[] must not contain empty strings")).optional(),
    /** Selects the per-minute rate limits (contracts §4). Default `workforce`. */
    plan: z
      .enum(["workforce", "free_developer"], { error: 'plan must be "workforce" or "free_developer"' })
      .optional(),
    /**
     * Groups declared up front, in listing order. Every name in `users[].groups` is a group too (an OKTA_GROUP,
     * created on first mention when not declared here).
     */
    groups: z.array(SeedGroup).optional(),
    users: z.array(SeedUser).optional(),
    /** Apps and their user assignments (after `users`, which they name). */
    apps: z.array(SeedApp).optional(),
    /** Login or email of the user `GET /api/v1/users/me` returns. */
    tokenOwner: z.string().min(1).optional(),
  })
  // Runs even when other fields failed (`when`), so one error message lists every problem; it reads the raw
  // input defensively for that reason.
  .superRefine((seed, ctx) => crossCheck(seed, ctx), { when: () => true });
export type OktaSeed = z.infer<typeof OktaSeed>;

/** Scopes handed out round-robin to seeded consent grants. */
const GRANT_SCOPES = ["okta.users.read.self", "okta.users.manage.self", "okta.apps.read", "okta.groups.read"];

function titleCase(word: string): string {
  return word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1);
}

/** `alice.smith@example.com` → Alice / Smith; `alice@…` → Alice / User. */
function namesFromEmail(email: string): { firstName: string; lastName: string } {
  const local = email.split("@")[0] ?? email;
  const [first, ...rest] = local.split(/[._-]+/).filter(Boolean);
  return {
    firstName: titleCase(first ?? local),
    lastName: rest.length > 0 ? rest.map(titleCase).join(" ") : "User",
  };
}

/** Parses a seed and throws an error that lists every problem, with its path. */
export function parseOktaSeed(input: unknown): OktaSeed {
  const parsed = OktaSeed.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid okta seed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Fills a fresh org from a parsed seed. Ids come from the state's counters, so a seed always yields the same ids. */
export function applyOktaSeed(state: OktaState, seed: OktaSeed): void {
  state.acceptedTokens = seed.tokens ? new Set(seed.tokens) : undefined;
  for (const group of seed.groups ?? [])
    state.ensureGroup(group.name, { description: group.description, type: group.type });
  for (const entry of seed.users ?? []) {
    const names = namesFromEmail(entry.email);
    const user = state.addUser({
      id: entry.id,
      login: entry.login ?? entry.email,
      email: entry.email,
      firstName: entry.firstName ?? names.firstName,
      lastName: entry.lastName ?? names.lastName,
      status: entry.status ?? "ACTIVE",
      // Seeded users stand for existing accounts, which sign in with a password.
      hasPassword: entry.status !== "STAGED" && entry.status !== "PROVISIONED",
      admin: entry.admin,
      groups: entry.groups,
    });
    for (let i = 0; i < (entry.sessions ?? 0); i++) state.createSession(user.id);
    if ((entry.sessions ?? 0) > 0) user.lastLogin = state.now();
    const clients = (entry.oauthClients ?? []).map((c) => {
      const client = state.ensureClient(c.clientId, c.name);
      for (let i = 0; i < (c.refreshTokens ?? 0); i++) {
        state.addRefreshToken(user.id, client.clientId);
        state.addAccessToken(user.id, client.clientId);
      }
      return client;
    });
    for (let i = 0; i < (entry.grants ?? 0); i++) {
      const client = clients.length > 0 ? clients[i % clients.length]! : state.defaultClient();
      state.addGrant(user.id, client.clientId, GRANT_SCOPES[i % GRANT_SCOPES.length]!);
    }
    for (const kind of entry.factors ?? []) state.addFactor(user.id, kind);
    for (const token of entry.apiTokens ?? []) state.addApiToken(user.id, token.name);
  }
  for (const entry of seed.apps ?? []) {
    const app = state.addApp(entry.label, entry.id);
    for (const assignment of entry.assignments ?? []) {
      const who = typeof assignment === "string" ? assignment : assignment.email;
      const user =
        state.findUserByLogin(who) ??
        state.listUsers().find((u) => u.profile.email.toLowerCase() === who.toLowerCase());
      if (!user) throw new Error(`invalid okta seed: apps "${entry.label}" assigns unknown user ${who}`);
      state.assignUser(
        app,
        user,
        typeof assignment === "string" ? {} : { scope: assignment.scope, profile: assignment.profile },
      );
    }
  }
  const owner = seed.tokenOwner?.toLowerCase();
  if (owner !== undefined) {
    const byLogin = state.findUser(owner);
    state.tokenOwnerId = (
      byLogin ?? state.listUsers().find((u) => u.profile.email.toLowerCase() === owner)
    )?.id;
  }
  state.tokenOwnerId ??= state.listUsers().find((u) => u.admin)?.id;
}
