import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";

export type AccessKeyStatus = "Active" | "Inactive";

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly userName: string;
  status: AccessKeyStatus;
  readonly created: number;
  lastUsed: number | null;
}

export interface LoginProfileRecord {
  readonly created: number;
  /** Kept only so the emulator's console sign-in check can compare; never rendered. */
  password: string;
  passwordResetRequired: boolean;
}

/** Temporary credentials of a user (GetSessionToken-like) or of an assumed role. */
export interface SessionRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** `aws:TokenIssueTime` of requests made with it. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly userName?: string;
  readonly roleName?: string;
  /** Allowed IAM actions of a role session (patterns like `iam:List*`); undefined: all. */
  readonly permissions?: string[];
}

export interface UserRecord {
  readonly userName: string;
  readonly userId: string;
  readonly path: string;
  readonly created: number;
  passwordLastUsed: number | null;
  /** In insertion order; keys unique case-insensitively, as IAM requires. */
  tags: Array<{ Key: string; Value: string }>;
  loginProfile: LoginProfileRecord | null;
  /** Inline policies by name, the document text as it was put. */
  readonly inlinePolicies: Map<string, string>;
  /**
   * The identity-based permissions the emulator grants this user when it calls IAM: action patterns
   * (`iam:ListUsers`, `iam:List*`, `*`). Undefined: every action (an administrator).
   */
  permissions: string[] | undefined;
}

export type Caller =
  | { kind: "user"; user: UserRecord; accessKeyId?: string; tokenIssueTime?: number }
  | { kind: "role"; roleName: string; session: SessionRecord; tokenIssueTime: number };

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * One AWS account's IAM data. Every emulator instance owns one; nothing is shared between instances.
 * Ids look like IAM's (`AIDA…` users, `AKIA…` access keys, `ASIA…` temporary keys) and come from counters, so a
 * seed always yields the same ids.
 */
export class AwsIamState {
  readonly #clock: Clock;
  readonly accountId: string;
  /** Lower-cased user name → user: IAM user names are unique case-insensitively. */
  readonly #users = new Map<string, UserRecord>();
  readonly #accessKeys = new Map<string, AccessKeyRecord>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #counters = new Map<string, number>();

  constructor(clock: Clock, accountId: string) {
    this.#clock = clock;
    this.accountId = accountId;
  }

  now(): number {
    return this.#clock.now();
  }

  get users(): ReadonlyMap<string, UserRecord> {
    return this.#users;
  }

  get accessKeys(): ReadonlyMap<string, AccessKeyRecord> {
    return this.#accessKeys;
  }

  get sessions(): ReadonlyMap<string, SessionRecord> {
    return this.#sessions;
  }

  /** An IAM-looking id: prefix + base32 characters from a per-prefix counter. */
  nextId(prefix: string, length: number): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    const digest = createHash("sha256").update(`${this.accountId}:${prefix}:${n}`).digest();
    let out = prefix;
    for (let i = 0; out.length < length; i++) out += BASE32[digest[i % digest.length]! % 32];
    return out;
  }

  /** A 40-character secret derived from the key id (deterministic for seeded runs). */
  secretFor(accessKeyId: string): string {
    return createHash("sha256")
      .update(`secret:${this.accountId}:${accessKeyId}`)
      .digest("base64")
      .slice(0, 40);
  }

  userArn(user: UserRecord): string {
    return `arn:aws:iam::${this.accountId}:user${user.path}${user.userName}`;
  }

  user(name: string): UserRecord | undefined {
    return this.#users.get(name.toLowerCase());
  }

  /** Users sorted by name, case-insensitively (the order ListUsers pages through). */
  listUsers(): UserRecord[] {
    return [...this.#users.values()].sort((a, b) => compareNames(a.userName, b.userName));
  }

  addUser(input: {
    userName: string;
    path?: string;
    tags?: Array<{ Key: string; Value: string }>;
    permissions?: string[];
  }): UserRecord {
    const user: UserRecord = {
      userName: input.userName,
      userId: this.nextId("AIDA", 21),
      path: input.path ?? "/",
      created: this.now(),
      passwordLastUsed: null,
      tags: [...(input.tags ?? [])],
      loginProfile: null,
      inlinePolicies: new Map(),
      permissions: input.permissions,
    };
    this.#users.set(input.userName.toLowerCase(), user);
    return user;
  }

  addAccessKey(
    user: UserRecord,
    input: { accessKeyId?: string; secretAccessKey?: string; status?: AccessKeyStatus } = {},
  ): AccessKeyRecord {
    const accessKeyId = input.accessKeyId ?? this.nextId("AKIA", 20);
    const key: AccessKeyRecord = {
      accessKeyId,
      secretAccessKey: input.secretAccessKey ?? this.secretFor(accessKeyId),
      userName: user.userName,
      status: input.status ?? "Active",
      created: this.now(),
      lastUsed: null,
    };
    this.#accessKeys.set(accessKeyId, key);
    return key;
  }

  accessKeysOf(user: UserRecord): AccessKeyRecord[] {
    return [...this.#accessKeys.values()]
      .filter((k) => k.userName.toLowerCase() === user.userName.toLowerCase())
      .sort((a, b) => a.created - b.created || (a.accessKeyId < b.accessKeyId ? -1 : 1));
  }

  accessKey(id: string): AccessKeyRecord | undefined {
    return this.#accessKeys.get(id);
  }

  /** Temporary credentials (GetSessionToken-like for a user, or an assumed-role session). */
  addSession(input: {
    userName?: string;
    roleName?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
    issuedAt?: number;
    /** Default 12 hours, GetSessionToken's default duration. */
    durationMs?: number;
    permissions?: string[];
  }): SessionRecord {
    const accessKeyId = input.accessKeyId ?? this.nextId("ASIA", 20);
    const issuedAt = input.issuedAt ?? this.now();
    const session: SessionRecord = {
      accessKeyId,
      secretAccessKey: input.secretAccessKey ?? this.secretFor(accessKeyId),
      sessionToken:
        input.sessionToken ??
        createHash("sha256").update(`token:${this.accountId}:${accessKeyId}`).digest("base64"),
      issuedAt,
      expiresAt: issuedAt + (input.durationMs ?? 12 * 3_600_000),
      userName: input.userName,
      roleName: input.roleName,
      permissions: input.permissions,
    };
    this.#sessions.set(accessKeyId, session);
    return session;
  }

  session(accessKeyId: string): SessionRecord | undefined {
    return this.#sessions.get(accessKeyId);
  }

  /** Aggregate size of a user's inline policies as IAM counts it: characters other than whitespace. */
  inlinePolicySize(user: UserRecord, replacing?: { name: string; document: string }): number {
    let total = 0;
    for (const [name, document] of user.inlinePolicies) {
      if (replacing && name === replacing.name) continue;
      total += document.replace(/\s/g, "").length;
    }
    if (replacing) total += replacing.document.replace(/\s/g, "").length;
    return total;
  }
}

export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
