import type { Clock } from "../../core/clock.ts";
import { OktaEvents } from "./events.ts";
import { IdFactory } from "./ids.ts";

/** Spec `UserStatus` (management-oneOfInheritance.yaml, components.schemas.UserStatus). */
export const USER_STATUSES = [
  "ACTIVE",
  "SUSPENDED",
  "DEPROVISIONED",
  "LOCKED_OUT",
  "PASSWORD_EXPIRED",
  "STAGED",
  "PROVISIONED",
  "RECOVERY",
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const FACTOR_KINDS = ["push", "sms", "totp", "webauthn"] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];

/** Timestamps are epoch milliseconds; the renderers turn them into Okta's ISO-8601 strings. */
export interface UserRecord {
  readonly seq: number;
  readonly id: string;
  /** The user type (`type.id`, `oty…`); every emulated user has the org's default type. */
  readonly typeId: string;
  status: UserStatus;
  readonly created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  lastUpdated: number;
  passwordChanged: number | null;
  profile: {
    firstName: string;
    lastName: string;
    mobilePhone: string | null;
    secondEmail: string | null;
    login: string;
    email: string;
  };
  hasPassword: boolean;
  admin: boolean;
  groups: string[];
}

/** Spec `GroupType`: Okta-mastered, app-imported (e.g. Active Directory) or the built-in `Everyone`. */
export const GROUP_TYPES = ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"] as const;
export type GroupType = (typeof GROUP_TYPES)[number];

/** Spec `Group`. Members are the users whose `groups` name it (names are unique in the emulated org). */
export interface GroupRecord {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  description: string | null;
  readonly type: GroupType;
  readonly created: number;
  lastUpdated: number;
  lastMembershipUpdated: number;
}

export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly created: number;
}

export interface ClientRecord {
  readonly clientId: string;
  readonly name: string;
}

export interface GrantRecord {
  readonly seq: number;
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scopeId: string;
  readonly source: "ADMIN" | "END_USER";
  readonly created: number;
  readonly lastUpdated: number;
}

export interface RefreshTokenRecord {
  readonly seq: number;
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scopes: string[];
  readonly created: number;
  readonly lastUpdated: number;
  readonly expiresAt: number;
}

export interface AccessTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly created: number;
}

export interface FactorRecord {
  readonly seq: number;
  readonly id: string;
  readonly userId: string;
  readonly kind: FactorKind;
  readonly created: number;
  readonly lastUpdated: number;
}

export interface ApiTokenRecord {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  readonly userId: string;
  readonly created: number;
  readonly lastUpdated: number;
  readonly expiresAt: number;
}

/** Spec `AppUser`: one user's assignment to one app (`id` is the Okta user id). */
export interface AppAssignmentRecord {
  readonly seq: number;
  readonly id: string;
  scope: "USER" | "GROUP";
  /** Spec `AppUserStatus`; SSO-only assignments are `ACTIVE` (spec example `AppUserSSOResponse`). */
  status: string;
  readonly created: number;
  lastUpdated: number;
  /** `credentials.userName`; a password, when one is sent, is write-only and never rendered. */
  userName: string;
  hasPassword: boolean;
  profile: Record<string, unknown>;
}

/** Spec `Application` (only what the assignment routes need) with its assignments, in assignment order. */
export interface AppRecord {
  readonly seq: number;
  readonly id: string;
  readonly label: string;
  readonly assignments: Map<string, AppAssignmentRecord>;
  /** User id → the seq of its latest assignment, kept after unassignment so a cursor on it still resumes. */
  readonly assignmentSeq: Map<string, number>;
}

export interface NewUser {
  id?: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  status: UserStatus;
  hasPassword: boolean;
  admin?: boolean;
  groups?: string[];
}

export interface SignInResult {
  session: SessionRecord;
  client: ClientRecord;
  grant: GrantRecord;
  refreshToken: RefreshTokenRecord;
  accessToken: AccessTokenRecord;
}

const DAY_MS = 86_400_000;
/** Okta's default refresh-token lifetime is unlimited; 90 days is a realistic policy value (unverified). */
const REFRESH_TOKEN_LIFETIME_MS = 90 * DAY_MS;
/** The API token `tokenWindow` the spec examples show (`P30D`): the token expires after 30 idle days. */
export const API_TOKEN_WINDOW = "P30D";
const API_TOKEN_WINDOW_MS = 30 * DAY_MS;

/**
 * One Okta org's data. Every emulator instance owns one; nothing is shared between instances. Tests read it
 * through the getters (read-only views); routes change it through the methods.
 */
export class OktaState {
  readonly #clock: Clock;
  readonly ids = new IdFactory();
  readonly #users = new Map<string, UserRecord>();
  /** Lower-cased login → user id (Okta logins are case-insensitive). */
  readonly #byLogin = new Map<string, string>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #clients = new Map<string, ClientRecord>();
  readonly #grants = new Map<string, GrantRecord>();
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly #accessTokens = new Map<string, AccessTokenRecord>();
  readonly #factors = new Map<string, FactorRecord>();
  readonly #apiTokens = new Map<string, ApiTokenRecord>();
  readonly #groups = new Map<string, GroupRecord>();
  readonly #apps = new Map<string, AppRecord>();
  /** Group name → members; dropped whenever a user is added or removed. */
  #membersByGroup: Map<string, UserRecord[]> | undefined;
  /** Group name → group id. */
  readonly #groupByName = new Map<string, string>();
  /** Every id ever issued → its sequence number, so a cursor still works after its item is deleted. */
  readonly #seqOf = new Map<string, number>();
  #seq = 0;
  #defaultClientId: string | undefined;
  /** The org's default user type id. */
  readonly userTypeId: string;

  /** Accepted bearer/SSWS token values; undefined accepts any well-formed token. */
  acceptedTokens: Set<string> | undefined;
  /** Tokens revoked through `DELETE /api/v1/api-tokens/current`. */
  readonly revokedTokens = new Set<string>();
  /** The user `GET /api/v1/users/me` returns. */
  tokenOwnerId: string | undefined;

  /** The System Log and event hooks. */
  readonly events: OktaEvents;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.userTypeId = this.ids.next("oty");
    this.events = new OktaEvents(clock, this.ids);
  }

  now(): number {
    return this.#clock.now();
  }

  get users(): ReadonlyMap<string, UserRecord> {
    return this.#users;
  }
  get sessions(): ReadonlyMap<string, SessionRecord> {
    return this.#sessions;
  }
  get clients(): ReadonlyMap<string, ClientRecord> {
    return this.#clients;
  }
  get grants(): ReadonlyMap<string, GrantRecord> {
    return this.#grants;
  }
  get refreshTokens(): ReadonlyMap<string, RefreshTokenRecord> {
    return this.#refreshTokens;
  }
  get accessTokens(): ReadonlyMap<string, AccessTokenRecord> {
    return this.#accessTokens;
  }
  get factors(): ReadonlyMap<string, FactorRecord> {
    return this.#factors;
  }
  get apiTokens(): ReadonlyMap<string, ApiTokenRecord> {
    return this.#apiTokens;
  }
  get groups(): ReadonlyMap<string, GroupRecord> {
    return this.#groups;
  }
  get apps(): ReadonlyMap<string, AppRecord> {
    return this.#apps;
  }

  /** The sequence number of any id this org ever issued (pagination cursors). */
  seqOf(id: string): number | undefined {
    return this.#seqOf.get(id);
  }

  #register(id: string): number {
    this.#seq += 1;
    this.#seqOf.set(id, this.#seq);
    return this.#seq;
  }

  // ── users ───────────────────────────────────────────────────────────────────────────────────────────────

  loginTaken(login: string): boolean {
    return this.#byLogin.has(login.toLowerCase());
  }

  addUser(input: NewUser): UserRecord {
    const now = this.now();
    const id = input.id ?? this.ids.next("00u");
    const started = input.status !== "STAGED" && input.status !== "PROVISIONED";
    const user: UserRecord = {
      seq: this.#register(id),
      id,
      typeId: this.userTypeId,
      status: input.status,
      created: now,
      activated: started ? now : null,
      statusChanged: input.status === "STAGED" ? null : now,
      lastLogin: null,
      lastUpdated: now,
      passwordChanged: input.hasPassword ? now : null,
      profile: {
        firstName: input.firstName,
        lastName: input.lastName,
        mobilePhone: null,
        secondEmail: null,
        login: input.login,
        email: input.email,
      },
      hasPassword: input.hasPassword,
      admin: input.admin ?? false,
      groups: [...(input.groups ?? [])],
    };
    this.#users.set(id, user);
    this.#membersByGroup = undefined;
    this.#byLogin.set(input.login.toLowerCase(), id);
    for (const name of user.groups) this.ensureGroup(name).lastMembershipUpdated = now;
    return user;
  }

  userById(id: string): UserRecord | undefined {
    return this.#users.get(id);
  }

  /**
   * Spec `pathId`: "An ID, login, or login shortname (as long as the shortname is unambiguous) of an existing
   * Okta user". Logins compare case-insensitively.
   */
  findUser(idOrLogin: string): UserRecord | undefined {
    const byId = this.#users.get(idOrLogin);
    if (byId) return byId;
    const lower = idOrLogin.toLowerCase();
    const byLogin = this.#byLogin.get(lower);
    if (byLogin) return this.#users.get(byLogin);
    if (lower.includes("@")) return undefined;
    const matches = [...this.#users.values()].filter(
      (u) => u.profile.login.toLowerCase().split("@")[0] === lower,
    );
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** The user with this login (case-insensitive), ids and shortnames not considered. */
  findUserByLogin(login: string): UserRecord | undefined {
    const id = this.#byLogin.get(login.toLowerCase());
    return id === undefined ? undefined : this.#users.get(id);
  }

  listUsers(): UserRecord[] {
    return [...this.#users.values()];
  }

  deleteUser(id: string): void {
    const user = this.#users.get(id);
    if (!user) return;
    this.clearSessions(id);
    this.revokeOAuthTokens(id);
    this.revokeGrants(id);
    this.resetFactors(id);
    for (const token of this.#apiTokens.values()) if (token.userId === id) this.#apiTokens.delete(token.id);
    for (const app of this.#apps.values()) app.assignments.delete(id);
    this.#byLogin.delete(user.profile.login.toLowerCase());
    this.#users.delete(id);
    this.#membersByGroup = undefined;
  }

  setStatus(user: UserRecord, status: UserStatus): void {
    const now = this.now();
    user.status = status;
    user.statusChanged = now;
    user.lastUpdated = now;
    if (status === "ACTIVE" && user.activated === null) user.activated = now;
  }

  // ── apps ────────────────────────────────────────────────────────────────────────────────────────────────

  addApp(label: string, id?: string): AppRecord {
    const appId = id ?? this.ids.next("0oa");
    const app: AppRecord = {
      seq: this.#register(appId),
      id: appId,
      label,
      assignments: new Map(),
      assignmentSeq: new Map(),
    };
    this.#apps.set(appId, app);
    return app;
  }

  /** Assigns (or, when already assigned, updates scope and merges profile, keeping the assignment's place). */
  assignUser(
    app: AppRecord,
    user: UserRecord,
    input: {
      scope?: "USER" | "GROUP";
      profile?: Record<string, unknown>;
      userName?: string;
      password?: boolean;
    },
  ): AppAssignmentRecord {
    const now = this.now();
    const existing = app.assignments.get(user.id);
    if (existing) {
      if (input.scope) existing.scope = input.scope;
      if (input.profile) existing.profile = { ...existing.profile, ...input.profile };
      if (input.userName) existing.userName = input.userName;
      if (input.password) existing.hasPassword = true;
      existing.lastUpdated = now;
      return existing;
    }
    this.#seq += 1;
    const record: AppAssignmentRecord = {
      seq: this.#seq,
      id: user.id,
      scope: input.scope ?? "USER",
      status: "ACTIVE",
      created: now,
      lastUpdated: now,
      userName: input.userName ?? user.profile.login,
      hasPassword: input.password ?? false,
      profile: { ...(input.profile ?? {}) },
    };
    app.assignments.set(user.id, record);
    app.assignmentSeq.set(user.id, record.seq);
    return record;
  }

  unassignUser(app: AppRecord, userId: string): boolean {
    return app.assignments.delete(userId);
  }

  // ── groups ──────────────────────────────────────────────────────────────────────────────────────────────

  /** The group with this name, created (OKTA_GROUP) if there is none yet. */
  ensureGroup(name: string, options: { description?: string; type?: GroupType } = {}): GroupRecord {
    const existing = this.groupByName(name);
    if (existing) {
      if (options.description !== undefined) existing.description = options.description;
      return existing;
    }
    const id = this.ids.next("00g");
    const now = this.now();
    const group: GroupRecord = {
      seq: this.#register(id),
      id,
      name,
      description: options.description ?? null,
      type: options.type ?? "OKTA_GROUP",
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
    };
    this.#groups.set(id, group);
    this.#groupByName.set(name, id);
    return group;
  }

  groupByName(name: string): GroupRecord | undefined {
    const id = this.#groupByName.get(name);
    return id === undefined ? undefined : this.#groups.get(id);
  }

  listGroups(): GroupRecord[] {
    return [...this.#groups.values()];
  }

  /** Members in user-creation order (the cursor order of `/groups/{id}/users`), every status included. */
  /**
   * Members of a group, in creation order. Indexed once per change of the user set, so listing a large group
   * page by page does not scan the whole org for every page (emulator cost must not pass for cordon's).
   */
  groupMembers(groupId: string): UserRecord[] {
    const group = this.#groups.get(groupId);
    if (!group) return [];
    if (!this.#membersByGroup) {
      const index = new Map<string, UserRecord[]>();
      for (const user of this.#users.values()) {
        for (const name of user.groups) {
          const members = index.get(name);
          if (members) members.push(user);
          else index.set(name, [user]);
        }
      }
      this.#membersByGroup = index;
    }
    return this.#membersByGroup.get(group.name) ?? [];
  }

  // ── sessions ────────────────────────────────────────────────────────────────────────────────────────────

  createSession(userId: string): SessionRecord {
    const session: SessionRecord = { id: this.ids.next("102", 25), userId, created: this.now() };
    this.#register(session.id);
    this.#sessions.set(session.id, session);
    return session;
  }

  sessionsOf(userId: string): SessionRecord[] {
    return [...this.#sessions.values()].filter((s) => s.userId === userId);
  }

  sessionCount(userId: string): number {
    return this.sessionsOf(userId).length;
  }

  /** Removes every session of the user; returns how many there were. */
  clearSessions(userId: string): number {
    let cleared = 0;
    for (const session of this.#sessions.values()) {
      if (session.userId !== userId) continue;
      this.#sessions.delete(session.id);
      cleared += 1;
    }
    return cleared;
  }

  // ── OAuth clients, grants and tokens ────────────────────────────────────────────────────────────────────

  ensureClient(clientId: string, name?: string): ClientRecord {
    const existing = this.#clients.get(clientId);
    if (existing) return existing;
    const client: ClientRecord = { clientId, name: name ?? clientId };
    this.#clients.set(clientId, client);
    return client;
  }

  /** The org's own app used when a grant or sign-in names no client. */
  defaultClient(): ClientRecord {
    this.#defaultClientId ??= this.ids.next("0oa");
    return this.ensureClient(this.#defaultClientId, "Okta Dashboard");
  }

  addGrant(userId: string, clientId: string, scopeId: string, source: GrantRecord["source"] = "END_USER") {
    const id = this.ids.next("oag");
    const now = this.now();
    const grant: GrantRecord = {
      seq: this.#register(id),
      id,
      userId,
      clientId,
      scopeId,
      source,
      created: now,
      lastUpdated: now,
    };
    this.#grants.set(id, grant);
    return grant;
  }

  grantsOf(userId: string, clientId?: string): GrantRecord[] {
    return [...this.#grants.values()].filter(
      (g) => g.userId === userId && (clientId === undefined || g.clientId === clientId),
    );
  }

  revokeGrant(grantId: string): void {
    this.#grants.delete(grantId);
  }

  revokeGrants(userId: string, clientId?: string): number {
    const doomed = this.grantsOf(userId, clientId);
    for (const grant of doomed) this.#grants.delete(grant.id);
    return doomed.length;
  }

  addRefreshToken(userId: string, clientId: string, scopes = ["openid", "profile", "offline_access"]) {
    const id = this.ids.next("oar");
    const now = this.now();
    const token: RefreshTokenRecord = {
      seq: this.#register(id),
      id,
      userId,
      clientId,
      scopes,
      created: now,
      lastUpdated: now,
      expiresAt: now + REFRESH_TOKEN_LIFETIME_MS,
    };
    this.#refreshTokens.set(id, token);
    return token;
  }

  addAccessToken(userId: string, clientId: string): AccessTokenRecord {
    const token: AccessTokenRecord = { id: this.ids.next("oat"), userId, clientId, created: this.now() };
    this.#register(token.id);
    this.#accessTokens.set(token.id, token);
    return token;
  }

  refreshTokensOf(userId: string, clientId?: string): RefreshTokenRecord[] {
    return [...this.#refreshTokens.values()].filter(
      (t) => t.userId === userId && (clientId === undefined || t.clientId === clientId),
    );
  }

  accessTokensOf(userId: string, clientId?: string): AccessTokenRecord[] {
    return [...this.#accessTokens.values()].filter(
      (t) => t.userId === userId && (clientId === undefined || t.clientId === clientId),
    );
  }

  revokeRefreshToken(tokenId: string): void {
    this.#refreshTokens.delete(tokenId);
  }

  /** Revokes the user's refresh and access tokens (for one client, or all); returns the refresh tokens revoked. */
  revokeOAuthTokens(userId: string, clientId?: string): number {
    const refresh = this.refreshTokensOf(userId, clientId);
    for (const token of refresh) this.#refreshTokens.delete(token.id);
    for (const token of this.accessTokensOf(userId, clientId)) this.#accessTokens.delete(token.id);
    return refresh.length;
  }

  /** Spec `listUserClients`: "client resources for which the specified user has grants or tokens". */
  clientsOf(userId: string): ClientRecord[] {
    const ids = new Set<string>();
    for (const g of this.#grants.values()) if (g.userId === userId) ids.add(g.clientId);
    for (const t of this.#refreshTokens.values()) if (t.userId === userId) ids.add(t.clientId);
    return [...this.#clients.values()].filter((c) => ids.has(c.clientId));
  }

  // ── factors ─────────────────────────────────────────────────────────────────────────────────────────────

  addFactor(userId: string, kind: FactorKind): FactorRecord {
    const prefix = { push: "opf", sms: "mbl", totp: "ost", webauthn: "fwf" }[kind];
    const id = this.ids.next(prefix);
    const now = this.now();
    const factor: FactorRecord = {
      seq: this.#register(id),
      id,
      userId,
      kind,
      created: now,
      lastUpdated: now,
    };
    this.#factors.set(id, factor);
    return factor;
  }

  factorsOf(userId: string): FactorRecord[] {
    return [...this.#factors.values()].filter((f) => f.userId === userId);
  }

  deleteFactor(factorId: string): void {
    this.#factors.delete(factorId);
  }

  resetFactors(userId: string): number {
    const doomed = this.factorsOf(userId);
    for (const factor of doomed) this.#factors.delete(factor.id);
    return doomed.length;
  }

  // ── API tokens ──────────────────────────────────────────────────────────────────────────────────────────

  addApiToken(userId: string, name: string): ApiTokenRecord {
    const id = this.ids.next("00T");
    const now = this.now();
    const token: ApiTokenRecord = {
      seq: this.#register(id),
      id,
      name,
      userId,
      created: now,
      lastUpdated: now,
      expiresAt: now + API_TOKEN_WINDOW_MS,
    };
    this.#apiTokens.set(id, token);
    return token;
  }

  revokeApiToken(id: string): boolean {
    return this.#apiTokens.delete(id);
  }

  // ── end-user activity (emulator-only control endpoints) ─────────────────────────────────────────────────

  /** What an interactive OIDC sign-in leaves behind: a session, a consent grant, refresh and access tokens. */
  signIn(user: UserRecord, clientId?: string): SignInResult {
    const client = clientId ? this.ensureClient(clientId) : this.defaultClient();
    const session = this.createSession(user.id);
    const grant = this.addGrant(user.id, client.clientId, "okta.users.read.self");
    const refreshToken = this.addRefreshToken(user.id, client.clientId);
    const accessToken = this.addAccessToken(user.id, client.clientId);
    user.lastLogin = this.now();
    return { session, client, grant, refreshToken, accessToken };
  }
}
