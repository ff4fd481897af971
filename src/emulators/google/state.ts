import { type KeyObject, randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";

/** One user of the emulated Workspace customer (Discovery schema `User`, the fields cordon's effects need). */
export interface UserRecord {
  /** Google user ids are numeric strings (Discovery `User.id`: "can be used as a user request URI's userKey"). */
  id: string;
  seq: number;
  primaryEmail: string;
  /** Editable aliases (`User.aliases`); they resolve to the user in every `userKey`. */
  aliases: string[];
  givenName: string;
  familyName: string;
  /** Super administrator (`User.isAdmin`, output only). */
  isAdmin: boolean;
  isDelegatedAdmin: boolean;
  suspended: boolean;
  /** `User.suspensionReason`: "returned only if the suspended property is true" (e.g. ADMIN). */
  suspensionReason: string | undefined;
  archived: boolean;
  changePasswordAtNextLogin: boolean;
  orgUnitPath: string;
  isEnrolledIn2Sv: boolean;
  creationTime: number;
  lastLoginTime: number | null;
  /** Bumped on every change, for the resource `etag`. */
  version: number;
}

/** A web or device sign-in; Google's API cannot list these (that is why signOut is not observable). */
export interface SessionRecord {
  id: string;
  createdAt: number;
}

/** An OAuth grant of one client for one user (Discovery schema `Token`). */
export interface OAuthTokenRecord {
  clientId: string;
  displayText: string;
  scopes: string[];
  anonymous: boolean;
  nativeApp: boolean;
}

/** An application-specific password (Discovery schema `Asp`). The password itself is never stored. */
export interface AspRecord {
  codeId: number;
  name: string;
  creationTime: number;
  lastTimeUsed: number | null;
}

export interface ServiceAccountRecord {
  clientEmail: string;
  /** The numeric OAuth client id that domain-wide delegation is granted to. */
  clientId: string;
  projectId: string;
  publicKey: KeyObject;
  /** Scopes the customer's admin delegated to this client id (Admin console → Security → API controls). */
  delegatedScopes: Set<string>;
}

export interface AccessTokenRecord {
  token: string;
  /** The impersonated user's id (JWT `sub`), or null for a token of the service account itself. */
  subjectId: string | null;
  clientEmail: string;
  projectId: string;
  scopes: Set<string>;
  expiresAt: number;
}

const lower = (s: string) => s.trim().toLowerCase();

/** The tenant: one Workspace customer and the Cloud project(s) of its service accounts. State lives in the instance. */
export class GoogleState {
  readonly clock: Clock;
  customerId = "C01cordon";
  readonly users = new Map<string, UserRecord>();
  readonly #byAddress = new Map<string, string>();
  readonly sessions = new Map<string, SessionRecord[]>();
  readonly tokens = new Map<string, Map<string, OAuthTokenRecord>>();
  readonly asps = new Map<string, Map<number, AspRecord>>();
  readonly serviceAccounts = new Map<string, ServiceAccountRecord>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  /**
   * True when the seed names neither service accounts nor access tokens: any well-formed bearer token then acts
   * as the first super admin with every Directory scope (for `cordon emulate` without a key pair).
   */
  acceptAnyToken = false;
  /** How many access tokens `POST /token` issued (tests check the connector caches its token). */
  tokensIssued = 0;
  #seq = 0;
  #codeId = 1000;
  #session = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  now(): number {
    return this.clock.now();
  }

  /** Domains the customer owns: those of its users' primary addresses and aliases. */
  domains(): Set<string> {
    const domains = new Set<string>();
    for (const address of this.#byAddress.keys()) domains.add(address.split("@")[1] ?? "");
    return domains;
  }

  addUser(input: {
    id?: string;
    primaryEmail: string;
    aliases?: string[];
    givenName: string;
    familyName: string;
    isAdmin?: boolean;
    isDelegatedAdmin?: boolean;
    suspended?: boolean;
    archived?: boolean;
    changePasswordAtNextLogin?: boolean;
    orgUnitPath?: string;
    isEnrolledIn2Sv?: boolean;
  }): UserRecord {
    this.#seq += 1;
    const user: UserRecord = {
      id: input.id ?? `1${String(this.#seq).padStart(20, "0")}`,
      seq: this.#seq,
      primaryEmail: input.primaryEmail,
      aliases: [...(input.aliases ?? [])],
      givenName: input.givenName,
      familyName: input.familyName,
      isAdmin: input.isAdmin ?? false,
      isDelegatedAdmin: input.isDelegatedAdmin ?? false,
      suspended: input.suspended ?? false,
      suspensionReason: input.suspended ? "ADMIN" : undefined,
      archived: input.archived ?? false,
      changePasswordAtNextLogin: input.changePasswordAtNextLogin ?? false,
      orgUnitPath: input.orgUnitPath ?? "/",
      isEnrolledIn2Sv: input.isEnrolledIn2Sv ?? false,
      creationTime: this.now(),
      lastLoginTime: null,
      version: 1,
    };
    this.users.set(user.id, user);
    this.#byAddress.set(lower(user.primaryEmail), user.id);
    for (const alias of user.aliases) this.#byAddress.set(lower(alias), user.id);
    this.sessions.set(user.id, []);
    this.tokens.set(user.id, new Map());
    this.asps.set(user.id, new Map());
    return user;
  }

  /** Resolves a `userKey`: "the user's primary email address, alias email address, or unique user ID" (Discovery). */
  findUser(userKey: string): UserRecord | undefined {
    const byId = this.users.get(userKey);
    if (byId) return byId;
    const id = this.#byAddress.get(lower(userKey));
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Users in creation order. */
  listUsers(): UserRecord[] {
    return [...this.users.values()].sort((a, b) => a.seq - b.seq);
  }

  touch(user: UserRecord): void {
    user.version += 1;
  }

  setSuspended(user: UserRecord, suspended: boolean): void {
    if (user.suspended === suspended) return;
    user.suspended = suspended;
    // `User.suspensionReason` is output only; an admin's suspension reads ADMIN.
    user.suspensionReason = suspended ? "ADMIN" : undefined;
    this.touch(user);
  }

  setChangePasswordAtNextLogin(user: UserRecord, value: boolean): void {
    if (user.changePasswordAtNextLogin === value) return;
    user.changePasswordAtNextLogin = value;
    this.touch(user);
  }

  sessionsOf(userId: string): SessionRecord[] {
    return this.sessions.get(userId) ?? [];
  }

  createSession(user: UserRecord): SessionRecord {
    this.#session += 1;
    const session = { id: `gs${String(this.#session).padStart(8, "0")}`, createdAt: this.now() };
    this.sessions.get(user.id)?.push(session);
    user.lastLoginTime = this.now();
    return session;
  }

  /** users.signOut: "Signs a user out of all web and device sessions and reset their sign-in cookies." */
  signOut(userId: string): number {
    const ended = this.sessionsOf(userId).length;
    this.sessions.set(userId, []);
    return ended;
  }

  tokensOf(userId: string): OAuthTokenRecord[] {
    return [...(this.tokens.get(userId)?.values() ?? [])];
  }

  grantToken(userId: string, token: OAuthTokenRecord): void {
    this.tokens.get(userId)?.set(token.clientId, token);
  }

  revokeToken(userId: string, clientId: string): boolean {
    return this.tokens.get(userId)?.delete(clientId) ?? false;
  }

  aspsOf(userId: string): AspRecord[] {
    return [...(this.asps.get(userId)?.values() ?? [])].sort((a, b) => a.codeId - b.codeId);
  }

  addAsp(userId: string, name: string, codeId?: number): AspRecord {
    this.#codeId += 1;
    const asp = { codeId: codeId ?? this.#codeId, name, creationTime: this.now(), lastTimeUsed: null };
    this.asps.get(userId)?.set(asp.codeId, asp);
    return asp;
  }

  deleteAsp(userId: string, codeId: number): boolean {
    return this.asps.get(userId)?.delete(codeId) ?? false;
  }

  /** Google access tokens start `ya29.`; the rest is random and carries no meaning. */
  issueAccessToken(grant: Omit<AccessTokenRecord, "token">): AccessTokenRecord {
    const record = { ...grant, token: `ya29.c.${randomBytes(32).toString("base64url")}` };
    this.accessTokens.set(record.token, record);
    this.tokensIssued += 1;
    return record;
  }

  /** The live grant of a bearer token, or undefined when unknown or expired. */
  accessToken(token: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(token);
    if (!record) return undefined;
    if (record.expiresAt <= this.now()) {
      this.accessTokens.delete(token);
      return undefined;
    }
    return record;
  }

  /** The first super admin, the subject of tokens accepted in `acceptAnyToken` mode. */
  firstSuperAdmin(): UserRecord | undefined {
    return this.listUsers().find((u) => u.isAdmin);
  }
}
