import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { Ids } from "./ids.ts";

/**
 * The application permissions (app roles of Microsoft Graph) the emulator knows, each checked by the routes that
 * need it. Names as in the permissions reference (learn.microsoft.com/graph/permissions-reference).
 */
export const KNOWN_PERMISSIONS = [
  "User.Read.All",
  "User.ReadWrite.All",
  "User.EnableDisableAccount.All",
  "User-PasswordProfile.ReadWrite.All",
  "User.RevokeSessions.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
  "GroupMember.Read.All",
  "GroupMember.ReadWrite.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
  "IdentityRiskyUser.Read.All",
  "IdentityRiskyUser.ReadWrite.All",
  "RoleManagement.Read.Directory",
  "RoleManagement.Read.All",
  "RoleManagement.ReadWrite.Directory",
] as const;
export type GraphPermission = (typeof KNOWN_PERMISSIONS)[number];

/**
 * What an app without a seeded permission list is granted: the least-privileged set cordon's lookups and actions
 * use (RoleManagement.Read.Directory: the bulk lookup's one read of directory-role assignments).
 */
export const DEFAULT_PERMISSIONS: GraphPermission[] = [
  "User.Read.All",
  "RoleManagement.Read.Directory",
  "User.EnableDisableAccount.All",
  "User-PasswordProfile.ReadWrite.All",
  "User.RevokeSessions.All",
  "GroupMember.ReadWrite.All",
  "IdentityRiskyUser.ReadWrite.All",
];

/**
 * Built-in directory role template ids (learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
 * Seeds name roles by display name; an unknown name gets a generated template id.
 */
export const ROLE_TEMPLATES: Record<string, string> = {
  "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
  "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
  "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
  "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
  "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
  "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
  "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
  "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
};

export type UserType = "Member" | "Guest";

export interface UserRecord {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  userType: UserType;
  /** Guests only: `PendingAcceptance` or `Accepted`. */
  externalUserState: string | null;
  accountEnabled: boolean;
  proxyAddresses: string[];
  otherMails: string[];
  createdDateTime: number;
  /** Epoch ms; rendered with whole seconds, as Graph does. */
  signInSessionsValidFromDateTime: number;
  forceChangePasswordNextSignIn: boolean;
  forceChangePasswordNextSignInWithMfa: boolean;
}

export interface GroupRecord {
  id: string;
  displayName: string;
  description: string | null;
  /** `Unified` (Microsoft 365 group), `DynamicMembership`. */
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  mail: string | null;
  mailNickname: string;
  onPremisesSyncEnabled: boolean | null;
  isAssignableToRole: boolean | null;
  membershipRule: string | null;
  members: Set<string>;
}

export interface RoleRecord {
  id: string;
  displayName: string;
  description: string;
  roleTemplateId: string;
  /** User ids and (role-assignable) group ids. */
  members: Set<string>;
}

/** Spec `riskLevel` / `riskState` / `riskDetail` enums (v1.0 CSDL). */
export type RiskLevel = "low" | "medium" | "high" | "hidden" | "none";
export type RiskState =
  | "none"
  | "confirmedSafe"
  | "remediated"
  | "dismissed"
  | "atRisk"
  | "confirmedCompromised";

export interface RiskyUserRecord {
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: string;
  riskLastUpdatedDateTime: number;
}

export interface AppRecord {
  clientId: string;
  displayName: string;
  /** The app's service principal in this tenant (the token's `oid`). */
  servicePrincipalId: string;
  /** Valid secrets; undefined: any non-empty secret. */
  secrets: string[] | undefined;
  /** PEM certificates whose keys may sign client assertions; undefined: any well-formed assertion. */
  certificates: string[] | undefined;
  permissions: string[];
}

export type DirectoryObject = { kind: "group"; group: GroupRecord } | { kind: "role"; role: RoleRecord };

/** One Entra tenant: its apps, users, groups, directory roles and Identity Protection records. */
export class EntraState {
  readonly clock: Clock;
  readonly ids: Ids;
  /** HMAC key signing this instance's access tokens (never shared between emulators). */
  readonly signingKey = randomBytes(32);
  tenantId = "";
  domains: string[] = [];
  /** Identity throttling tier by tenant size (throttling-limits doc: S < 50 users, M 50–500, L > 500). */
  size: "S" | "M" | "L" = "S";
  /** Apps named by the seed; empty: any client id is accepted with `defaultPermissions`. */
  readonly apps = new Map<string, AppRecord>();
  defaultPermissions: string[] = [...DEFAULT_PERMISSIONS];
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly riskyUsers = new Map<string, RiskyUserRecord>();

  constructor(clock: Clock, seed = 1) {
    this.clock = clock;
    this.ids = new Ids(seed);
  }

  now(): number {
    return this.clock.now();
  }

  /** A tenant path segment: the tenant id or one of its domains, case-insensitively. */
  isTenant(segment: string): boolean {
    const s = segment.toLowerCase();
    return s === this.tenantId.toLowerCase() || this.domains.some((d) => d.toLowerCase() === s);
  }

  /** Apps met at the token endpoint when the seed names none: any client id is one, once. */
  readonly #anonymousApps = new Map<string, AppRecord>();

  /** The app of a client id: a seeded one, or (when none is seeded) any client id. */
  appFor(clientId: string): AppRecord | undefined {
    const key = clientId.toLowerCase();
    if (this.apps.size > 0) return this.apps.get(key);
    let app = this.#anonymousApps.get(key);
    if (!app) {
      app = {
        clientId: key,
        displayName: "cordon emulator client",
        servicePrincipalId: this.ids.guid(),
        secrets: undefined,
        certificates: undefined,
        permissions: this.defaultPermissions,
      };
      this.#anonymousApps.set(key, app);
    }
    return app;
  }

  /** `/users/{id | userPrincipalName}`: an object id, or a UPN compared case-insensitively. */
  findUser(idOrUpn: string): UserRecord | undefined {
    const byId = this.users.get(idOrUpn.toLowerCase());
    if (byId) return byId;
    const upn = idOrUpn.toLowerCase();
    for (const user of this.users.values()) if (user.userPrincipalName.toLowerCase() === upn) return user;
    return undefined;
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()];
  }

  /** Direct memberships: groups, then directory roles, each in creation order. */
  memberOf(userId: string): DirectoryObject[] {
    const out: DirectoryObject[] = [];
    for (const group of this.groups.values())
      if (group.members.has(userId)) out.push({ kind: "group", group });
    for (const role of this.roles.values()) if (role.members.has(userId)) out.push({ kind: "role", role });
    return out;
  }

  /**
   * Transitive memberships: direct groups and roles, plus the roles held through role-assignable groups
   * (a role assigned to a group applies to its members). Nested groups are not modelled.
   */
  transitiveMemberOf(userId: string): DirectoryObject[] {
    const direct = this.memberOf(userId);
    const groupIds = new Set(direct.flatMap((o) => (o.kind === "group" ? [o.group.id] : [])));
    const out = [...direct];
    for (const role of this.roles.values()) {
      if (role.members.has(userId)) continue;
      if ([...role.members].some((m) => groupIds.has(m))) out.push({ kind: "role", role });
    }
    return out;
  }

  ensureRole(displayName: string): RoleRecord {
    for (const role of this.roles.values()) if (role.displayName === displayName) return role;
    const role: RoleRecord = {
      id: this.ids.guid(),
      displayName,
      description: `${displayName} (emulated directory role)`,
      roleTemplateId: ROLE_TEMPLATES[displayName] ?? this.ids.guid(),
      members: new Set(),
    };
    this.roles.set(role.id, role);
    return role;
  }

  revokeSignInSessions(user: UserRecord): boolean {
    // user-revokesigninsessions: "This API doesn't revoke sign-in sessions for external users, because external
    // users sign in through their home tenant." The call still succeeds.
    if (user.userType === "Guest") return false;
    user.signInSessionsValidFromDateTime = this.now();
    return true;
  }

  /** riskyusers-confirmcompromised: the user's risk becomes high, state confirmedCompromised. */
  confirmCompromised(userId: string): void {
    this.riskyUsers.set(userId, {
      riskLevel: "high",
      riskState: "confirmedCompromised",
      riskDetail: "adminConfirmedUserCompromised",
      riskLastUpdatedDateTime: this.now(),
    });
  }

  /** riskyusers-dismiss: risk level none, state dismissed. */
  dismissRisk(userId: string): void {
    this.riskyUsers.set(userId, {
      riskLevel: "none",
      riskState: "dismissed",
      riskDetail: "adminDismissedAllRiskForUser",
      riskLastUpdatedDateTime: this.now(),
    });
  }
}
