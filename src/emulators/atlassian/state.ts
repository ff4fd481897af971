import type { Clock } from "../../core/clock.ts";

/**
 * The lifecycle status of an Atlassian account (Organizations REST API `AccountStatus`: "active – can be used;
 * inactive – doesn't have access to any resources; closed – can't be used"). Changed by the user management API's
 * `lifecycle/disable` and `lifecycle/enable` (developer.atlassian.com/cloud/admin/user-management/rest/api-group-lifecycle/).
 */
export const ACCOUNT_STATUSES = ["active", "inactive", "closed"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/**
 * The account's membership in the organization's directories (`MembershipStatus`: "active – an active membership
 * for one or more directories; suspended – suspended in all directories … to which the requestor has permission;
 * no_membership – in none of the organization's directories"). Changed by suspend-access / restore-access.
 */
export const MEMBERSHIP_STATUSES = ["active", "suspended", "no_membership"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** The composite `status` of the v2 directory users API (`Status`), derived, never stored. */
export type CompositeStatus = "active" | "suspended" | "not_invited" | "deactivated" | "for_deletion";

/** Organization-level admin roles (`PlatformRole`), returned with `expand: ["platformRoles"]`. */
export const PLATFORM_ROLES = [
  "atlassian/org-admin",
  "atlassian/site-admin",
  "atlassian/user-access-admin",
  "atlassian/ai-access",
] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];
export const ORG_ADMIN_ROLE: PlatformRole = "atlassian/org-admin";

/** An API token of a managed account (user management API `ApiTokenModel`); the secret itself never exists here. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly label: string;
  readonly createdAt: number;
  lastAccess: number | null;
  readonly expiry: number | null;
}

/** Timestamps are epoch milliseconds; the renderers turn them into ISO-8601 strings. */
export interface UserRecord {
  readonly seq: number;
  readonly accountId: string;
  email: string;
  name: string;
  nickname: string;
  accountStatus: AccountStatus;
  membershipStatus: MembershipStatus;
  /** `managed`: the email's domain is verified by the org, so the user management API may act on it. */
  claimStatus: "managed" | "unmanaged";
  platformRoles: PlatformRole[];
  mfaEnabled: boolean;
  readonly addedToOrg: number;
  deactivatedOn: number | null;
  /** The message given to `lifecycle/disable`, if any. */
  deactivationMessage: string | null;
  readonly apiTokens: Map<string, ApiTokenRecord>;
}

export interface NewUser {
  accountId?: string;
  email: string;
  name: string;
  accountStatus?: AccountStatus;
  membershipStatus?: MembershipStatus;
  claimStatus?: "managed" | "unmanaged";
  platformRoles?: PlatformRole[];
  mfaEnabled?: boolean;
}

export interface OrgIdentity {
  orgId: string;
  orgName: string;
  directoryId: string;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/**
 * One Atlassian organization with one directory (the centralized user management experience has exactly one:
 * community.atlassian.com "New Organization APIs to power admin automation"). State lives in the instance.
 */
export class AtlassianState {
  readonly orgId: string;
  readonly orgName: string;
  readonly directoryId: string;
  /** Valid API keys; undefined accepts any well-formed `Bearer` credential. */
  acceptedKeys: Set<string> | undefined;
  readonly #clock: Clock;
  readonly #users = new Map<string, UserRecord>();
  #userSeq = 0;
  #tokenSeq = 0;
  #errorSeq = 0;

  constructor(clock: Clock, org: OrgIdentity) {
    this.#clock = clock;
    this.orgId = org.orgId;
    this.orgName = org.orgName;
    this.directoryId = org.directoryId;
  }

  now(): number {
    return this.#clock.now();
  }

  /** Atlassian account ids of classic accounts are 24 hex characters (e.g. `5b10ac8d82e05b22cc7d4ef5`). */
  #nextAccountId(): string {
    return `5b10ac8d${hex(this.#userSeq, 16)}`;
  }

  /** A unique id for one error occurrence (`Error.id`), uuid-shaped. */
  nextErrorId(): string {
    this.#errorSeq += 1;
    return `9e1f0c3a-0000-4000-8000-${hex(this.#errorSeq, 12)}`;
  }

  addUser(input: NewUser): UserRecord {
    this.#userSeq += 1;
    const accountId = input.accountId ?? this.#nextAccountId();
    const local = input.email.split("@")[0] ?? input.email;
    const now = this.now();
    const user: UserRecord = {
      seq: this.#userSeq,
      accountId,
      email: input.email,
      name: input.name,
      nickname: local,
      accountStatus: input.accountStatus ?? "active",
      membershipStatus: input.membershipStatus ?? "active",
      claimStatus: input.claimStatus ?? "managed",
      platformRoles: [...(input.platformRoles ?? [])],
      mfaEnabled: input.mfaEnabled ?? false,
      addedToOrg: now,
      deactivatedOn: input.accountStatus === "inactive" ? now : null,
      deactivationMessage: null,
      apiTokens: new Map(),
    };
    this.#users.set(accountId, user);
    return user;
  }

  /** Every user in creation order (the order the directory pages them in). */
  listUsers(): UserRecord[] {
    return [...this.#users.values()].sort((a, b) => a.seq - b.seq);
  }

  user(accountId: string): UserRecord | undefined {
    return this.#users.get(accountId);
  }

  findByEmail(email: string): UserRecord | undefined {
    const wanted = email.trim().toLowerCase();
    return this.listUsers().find((u) => u.email.toLowerCase() === wanted);
  }

  /** By account id, or by email for the emulator's own control endpoints. */
  findUser(idOrEmail: string): UserRecord | undefined {
    return this.user(idOrEmail) ?? this.findByEmail(idOrEmail);
  }

  /** The composite status, as `Status` defines it from `accountStatus` and `membershipStatus`. */
  statusOf(user: UserRecord): CompositeStatus {
    if (user.accountStatus !== "active") return "deactivated";
    if (user.membershipStatus === "suspended") return "suspended";
    if (user.membershipStatus === "no_membership") return "not_invited";
    return "active";
  }

  suspend(user: UserRecord): void {
    user.membershipStatus = "suspended";
  }

  restore(user: UserRecord): void {
    user.membershipStatus = "active";
  }

  disable(user: UserRecord, message: string | null): void {
    if (user.accountStatus === "active") user.deactivatedOn = this.now();
    user.accountStatus = "inactive";
    user.deactivationMessage = message;
  }

  enable(user: UserRecord): void {
    user.accountStatus = "active";
    user.deactivatedOn = null;
    user.deactivationMessage = null;
  }

  addApiToken(user: UserRecord, label: string, options: { expiresInDays?: number } = {}): ApiTokenRecord {
    this.#tokenSeq += 1;
    const now = this.now();
    const token: ApiTokenRecord = {
      id: `7c3e2a10-0000-4000-8000-${hex(this.#tokenSeq, 12)}`,
      label,
      createdAt: now,
      lastAccess: null,
      expiry: options.expiresInDays === undefined ? null : now + options.expiresInDays * 86_400_000,
    };
    user.apiTokens.set(token.id, token);
    return token;
  }

  deleteApiToken(user: UserRecord, tokenId: string): boolean {
    return user.apiTokens.delete(tokenId);
  }
}
