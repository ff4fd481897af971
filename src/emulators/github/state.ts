import type { Clock } from "../../core/clock.ts";

/**
 * One GitHub (Enterprise Cloud) instance's data: user accounts, organizations with members, pending invitations,
 * teams, SAML identities and SSO credential authorizations, and the tokens that may call it. Every emulator owns
 * one; nothing is shared between instances. Routes change it through the methods; tests read it directly.
 *
 * Vocabulary follows the REST schemas (`org-membership`, `team-membership`, `organization-invitation`,
 * `credential-authorization` in GitHub's OpenAPI description, via @octokit/openapi-types-ghec 24.0.0).
 */

export type OrgRole = "admin" | "member";
export type TeamRole = "member" | "maintainer";
export type MembershipState = "active" | "pending";

/**
 * `credential-authorization.credential_type`: "Human-readable description of the credential type", example
 * `SSH Key`; `token_last_eight` is "Only included in responses with credential_type of personal access token"
 * (docs.github.com/enterprise-cloud@latest/rest/orgs/orgs#list-saml-sso-authorizations-for-an-organization).
 */
export const CREDENTIAL_TYPES = ["personal access token", "SSH Key"] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export interface UserRecord {
  readonly id: number;
  readonly login: string;
  name: string | null;
  email: string | null;
  readonly created: number;
}

export interface InvitationRecord {
  readonly id: number;
  readonly login: string;
  role: OrgRole;
  readonly created: number;
  readonly inviter: string;
}

export interface TeamRecord {
  readonly id: number;
  readonly slug: string;
  name: string;
  description: string | null;
  parent: string | null;
  /** Direct memberships by lower-cased login. Pending ones belong to users invited to the org. */
  readonly members: Map<string, { login: string; role: TeamRole; state: MembershipState }>;
}

export interface CredentialAuthorizationRecord {
  readonly credentialId: number;
  readonly authorizedCredentialId: number;
  readonly login: string;
  readonly type: CredentialType;
  readonly lastEight: string | null;
  readonly fingerprint: string | null;
  readonly scopes: string[];
  readonly title: string | null;
  readonly authorizedAt: number;
  accessedAt: number | null;
}

export interface SamlIdentityRecord {
  readonly guid: string;
  readonly nameId: string;
  /** The linked GitHub login; null when no org member has claimed the identity (GraphQL `user: null`). */
  readonly login: string | null;
}

export interface OrgRecord {
  readonly id: number;
  readonly login: string;
  name: string | null;
  readonly created: number;
  /** Active members by lower-cased login. */
  readonly members: Map<string, { login: string; role: OrgRole }>;
  /** Pending invitations by lower-cased login. */
  readonly invitations: Map<string, InvitationRecord>;
  /** Teams by slug. */
  readonly teams: Map<string, TeamRecord>;
  /** Null: the org has no organization-level SAML identity provider (GraphQL `samlIdentityProvider: null`). */
  saml: SamlIdentityRecord[] | null;
  /** When true, tokens not authorized for this org's SSO get 403 with an `X-GitHub-SSO` header. */
  ssoEnforced: boolean;
  readonly credentialAuthorizations: Map<number, CredentialAuthorizationRecord>;
}

export interface TokenRecord {
  readonly owner: string;
  /** Classic PAT scopes, sent back in `X-OAuth-Scopes`. */
  readonly scopes: string[];
  /** Orgs (lower-cased) whose SAML SSO this token is authorized for; undefined = all. */
  readonly ssoOrgs: Set<string> | undefined;
}

/**
 * Classic OAuth scopes and what each implies (docs.github.com/apps/oauth-apps/building-oauth-apps/
 * scopes-for-oauth-apps: `admin:org` fully manages the org, `write:org` and `read:org` are subsets).
 */
const IMPLIED: Record<string, string[]> = {
  "admin:org": ["write:org", "read:org"],
  "write:org": ["read:org"],
  user: ["read:user", "user:email", "user:follow"],
};

export function expandScopes(scopes: readonly string[]): Set<string> {
  const all = new Set<string>();
  const add = (scope: string) => {
    if (all.has(scope)) return;
    all.add(scope);
    for (const implied of IMPLIED[scope] ?? []) add(implied);
  };
  for (const scope of scopes) add(scope);
  return all;
}

export class GithubState {
  readonly #clock: Clock;
  readonly #users = new Map<string, UserRecord>();
  readonly #orgs = new Map<string, OrgRecord>();
  #nextId = 1000;
  /** Accepted tokens; undefined accepts any well-formed token, owned by `defaultTokenOwner`. */
  tokens: Map<string, TokenRecord> | undefined;
  /** The user behind any token when `tokens` is undefined. */
  defaultTokenOwner: string | undefined;
  /** The scopes of any token when `tokens` is undefined. */
  defaultScopes: string[] = ["admin:org", "repo", "user"];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  nextId(): number {
    this.#nextId += 1;
    return this.#nextId;
  }

  get users(): ReadonlyMap<string, UserRecord> {
    return this.#users;
  }

  get orgs(): ReadonlyMap<string, OrgRecord> {
    return this.#orgs;
  }

  // ── users ───────────────────────────────────────────────────────────────────────────────────────────────

  /** GitHub logins are case-insensitive; the record keeps the casing it was created with. */
  user(login: string): UserRecord | undefined {
    return this.#users.get(login.toLowerCase());
  }

  userById(id: number): UserRecord | undefined {
    for (const user of this.#users.values()) if (user.id === id) return user;
    return undefined;
  }

  ensureUser(login: string, details: { name?: string | null; email?: string | null } = {}): UserRecord {
    const existing = this.user(login);
    if (existing) {
      if (details.name !== undefined) existing.name = details.name;
      if (details.email !== undefined) existing.email = details.email;
      return existing;
    }
    const user: UserRecord = {
      id: this.nextId(),
      login,
      name: details.name ?? null,
      email: details.email ?? null,
      created: this.now(),
    };
    this.#users.set(login.toLowerCase(), user);
    return user;
  }

  // ── orgs ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Organization names are not case sensitive (`org` path parameter, REST docs). */
  org(login: string): OrgRecord | undefined {
    return this.#orgs.get(login.toLowerCase());
  }

  addOrg(login: string, name: string | null = null): OrgRecord {
    const org: OrgRecord = {
      id: this.nextId(),
      login,
      name,
      created: this.now(),
      members: new Map(),
      invitations: new Map(),
      teams: new Map(),
      saml: null,
      ssoEnforced: false,
      credentialAuthorizations: new Map(),
    };
    this.#orgs.set(login.toLowerCase(), org);
    return org;
  }

  member(org: OrgRecord, login: string): { login: string; role: OrgRole } | undefined {
    return org.members.get(login.toLowerCase());
  }

  addMember(org: OrgRecord, login: string, role: OrgRole): void {
    const user = this.ensureUser(login);
    org.members.set(user.login.toLowerCase(), { login: user.login, role });
  }

  /**
   * `DELETE /orgs/{org}/members/{username}`: "Removing a user from this list will remove them from all teams and
   * they will no longer have any access to the organization's repositories."
   */
  removeMember(org: OrgRecord, login: string): boolean {
    const key = login.toLowerCase();
    if (!org.members.delete(key)) return false;
    for (const team of org.teams.values()) team.members.delete(key);
    return true;
  }

  /**
   * `PUT /orgs/{org}/memberships/{username}` for a non-member: "the invited user will receive an email inviting
   * them to the organization. The user's membership status will be `pending` until they accept the invitation."
   */
  invite(org: OrgRecord, login: string, role: OrgRole, inviter: string): InvitationRecord {
    const key = login.toLowerCase();
    const existing = org.invitations.get(key);
    if (existing) {
      existing.role = role;
      return existing;
    }
    const user = this.ensureUser(login);
    const invitation: InvitationRecord = {
      id: this.nextId(),
      login: user.login,
      role,
      created: this.now(),
      inviter,
    };
    org.invitations.set(key, invitation);
    return invitation;
  }

  /** Cancels a pending invitation and the pending team memberships that came with it. */
  cancelInvitation(org: OrgRecord, login: string): boolean {
    const key = login.toLowerCase();
    if (!org.invitations.delete(key)) return false;
    for (const team of org.teams.values()) {
      if (team.members.get(key)?.state === "pending") team.members.delete(key);
    }
    return true;
  }

  /** The invitee accepts (emulator control): membership becomes active, and so do its pending team memberships. */
  acceptInvitation(org: OrgRecord, login: string): boolean {
    const key = login.toLowerCase();
    const invitation = org.invitations.get(key);
    if (!invitation) return false;
    org.invitations.delete(key);
    org.members.set(key, { login: invitation.login, role: invitation.role });
    for (const team of org.teams.values()) {
      const membership = team.members.get(key);
      if (membership) membership.state = "active";
    }
    return true;
  }

  // ── teams ───────────────────────────────────────────────────────────────────────────────────────────────

  addTeam(org: OrgRecord, spec: { slug: string; name?: string; parent?: string | null }): TeamRecord {
    const team: TeamRecord = {
      id: this.nextId(),
      slug: spec.slug,
      name: spec.name ?? spec.slug,
      description: null,
      parent: spec.parent ?? null,
      members: new Map(),
    };
    org.teams.set(spec.slug.toLowerCase(), team);
    return team;
  }

  team(org: OrgRecord, slug: string): TeamRecord | undefined {
    return org.teams.get(slug.toLowerCase());
  }

  /** Teams whose parent chain leads to `team` (its child teams, their children…). */
  descendants(org: OrgRecord, team: TeamRecord): TeamRecord[] {
    const found: TeamRecord[] = [];
    const visit = (slug: string) => {
      for (const child of org.teams.values()) {
        if (child.parent?.toLowerCase() === slug.toLowerCase() && !found.includes(child)) {
          found.push(child);
          visit(child.slug);
        }
      }
    };
    visit(team.slug);
    return found;
  }

  /**
   * What `GET /orgs/{org}/teams/{team_slug}/memberships/{username}` reports: "Team members will include the
   * members of child teams", and "The `role` for organization owners is set to `maintainer`". An inherited
   * membership reports `member` (GitHub does not document the inherited role; unverified).
   */
  teamMembership(
    org: OrgRecord,
    team: TeamRecord,
    login: string,
  ): { role: TeamRole; state: MembershipState } | undefined {
    const key = login.toLowerCase();
    let found: { role: TeamRole; state: MembershipState } | undefined = team.members.get(key);
    if (!found) {
      for (const child of this.descendants(org, team)) {
        const inherited = child.members.get(key);
        if (inherited) {
          found = { role: "member", state: inherited.state };
          if (inherited.state === "active") break;
        }
      }
    }
    if (!found) return undefined;
    const owner = org.members.get(key)?.role === "admin";
    return { role: owner ? "maintainer" : found.role, state: found.state };
  }

  /**
   * `PUT /orgs/{org}/teams/{team_slug}/memberships/{username}`: an org member is added (or their role updated);
   * "When an organization owner adds someone to a team who is not an organization member, this endpoint will send
   * an invitation ... This newly-created membership will be in the "pending" state until the person accepts".
   */
  setTeamMembership(
    org: OrgRecord,
    team: TeamRecord,
    login: string,
    role: TeamRole,
    inviter: string,
  ): { role: TeamRole; state: MembershipState } {
    const user = this.ensureUser(login);
    const key = user.login.toLowerCase();
    const isMember = org.members.has(key);
    // An existing invitation keeps its role; otherwise the invitation is for a plain member.
    if (!isMember && !org.invitations.has(key)) this.invite(org, user.login, "member", inviter);
    const membership = {
      login: user.login,
      role,
      state: (isMember ? "active" : "pending") as MembershipState,
    };
    team.members.set(key, membership);
    return this.teamMembership(org, team, login) ?? membership;
  }

  /** Direct team memberships of a login in an org (what an invitation's `team_count` counts). */
  teamsOf(org: OrgRecord, login: string): TeamRecord[] {
    const key = login.toLowerCase();
    return [...org.teams.values()].filter((t) => t.members.has(key));
  }

  // ── SSO credential authorizations ───────────────────────────────────────────────────────────────────────

  addCredentialAuthorization(
    org: OrgRecord,
    spec: { login: string; type: CredentialType; scopes?: string[]; title?: string | null },
  ): CredentialAuthorizationRecord {
    const user = this.ensureUser(spec.login);
    const credentialId = this.nextId();
    const isToken = spec.type === "personal access token";
    const record: CredentialAuthorizationRecord = {
      credentialId,
      authorizedCredentialId: this.nextId(),
      login: user.login,
      type: spec.type,
      lastEight: isToken
        ? String(credentialId * 7919)
            .padStart(8, "0")
            .slice(-8)
        : null,
      fingerprint: isToken ? null : `SHA256:${Buffer.from(`key-${credentialId}`).toString("base64")}`,
      scopes: spec.scopes ?? (isToken ? ["repo", "read:org"] : []),
      title: spec.title ?? null,
      authorizedAt: this.now(),
      accessedAt: null,
    };
    org.credentialAuthorizations.set(credentialId, record);
    return record;
  }

  /** Credential authorizations of one login (case-insensitive), oldest first. */
  credentialAuthorizationsOf(org: OrgRecord, login: string): CredentialAuthorizationRecord[] {
    const key = login.toLowerCase();
    return [...org.credentialAuthorizations.values()].filter((c) => c.login.toLowerCase() === key);
  }
}
