import type {
  CredentialAuthorizationRecord,
  GithubState,
  InvitationRecord,
  MembershipState,
  OrgRecord,
  OrgRole,
  TeamRecord,
  TeamRole,
  UserRecord,
} from "./state.ts";

/** GitHub timestamps are ISO-8601 UTC without milliseconds, e.g. `2011-01-26T19:06:43Z`. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`04:${kind}${id}`).toString("base64");
}

/** `simple-user` schema. */
export function renderSimpleUser(user: UserRecord, base: string) {
  const url = `${base}/users/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId("User", user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: "",
    url,
    html_url: `https://github.com/${user.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: "User",
    user_view_type: "public",
    site_admin: false,
  };
}

/** `public-user` schema (GET /users/{username}), the fields beyond `simple-user` that matter here. */
export function renderPublicUser(user: UserRecord, base: string) {
  return {
    ...renderSimpleUser(user, base),
    name: user.name,
    company: null,
    blog: "",
    location: null,
    email: user.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: iso(user.created),
    updated_at: iso(user.created),
  };
}

/** `private-user` schema (GET /user for the token's owner). */
export function renderPrivateUser(user: UserRecord, base: string) {
  return {
    ...renderPublicUser(user, base),
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: "free", space: 976562499, private_repos: 10000, collaborators: 0 },
  };
}

/** `organization-simple` schema. */
export function renderOrgSimple(org: OrgRecord, base: string) {
  const url = `${base}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
    description: null,
  };
}

/** `organization-full` schema, the fields a client reads. */
export function renderOrgFull(org: OrgRecord, base: string) {
  return {
    ...renderOrgSimple(org, base),
    name: org.name ?? org.login,
    company: null,
    blog: "",
    location: null,
    email: null,
    twitter_username: null,
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `https://github.com/${org.login}`,
    created_at: iso(org.created),
    updated_at: iso(org.created),
    archived_at: null,
    type: "Organization",
    two_factor_requirement_enabled: true,
    plan: {
      name: "enterprise",
      space: 976562499,
      private_repos: 999999,
      filled_seats: org.members.size,
      seats: 1000,
    },
  };
}

/** `org-membership` schema. A pending invitation reads `state: "pending"` with the invitation's role. */
export function renderOrgMembership(
  org: OrgRecord,
  user: UserRecord,
  state: MembershipState,
  role: OrgRole,
  base: string,
) {
  return {
    url: `${base}/orgs/${org.login}/memberships/${user.login}`,
    state,
    role,
    organization_url: `${base}/orgs/${org.login}`,
    organization: renderOrgSimple(org, base),
    user: renderSimpleUser(user, base),
    ...(state === "active" ? { permissions: { can_create_repository: true } } : {}),
  };
}

function teamUrl(org: OrgRecord, team: TeamRecord, base: string): string {
  return `${base}/organizations/${org.id}/team/${team.id}`;
}

/** `team-simple` (a team's `parent`). */
function renderTeamSimple(org: OrgRecord, team: TeamRecord, base: string) {
  const url = teamUrl(org, team, base);
  return {
    id: team.id,
    node_id: nodeId("Team", team.id),
    url,
    members_url: `${url}/members{/member}`,
    name: team.name,
    description: team.description,
    permission: "pull",
    privacy: "closed",
    notification_setting: "notifications_enabled",
    html_url: `https://github.com/orgs/${org.login}/teams/${team.slug}`,
    repositories_url: `${url}/repos`,
    slug: team.slug,
  };
}

/** `team` schema. */
export function renderTeam(state: GithubState, org: OrgRecord, team: TeamRecord, base: string) {
  const parent = team.parent ? state.team(org, team.parent) : undefined;
  return {
    ...renderTeamSimple(org, team, base),
    parent: parent ? renderTeamSimple(org, parent, base) : null,
  };
}

/** `team-membership` schema. */
export function renderTeamMembership(
  org: OrgRecord,
  team: TeamRecord,
  login: string,
  membership: { role: TeamRole; state: MembershipState },
  base: string,
) {
  return {
    url: `${teamUrl(org, team, base)}/memberships/${login}`,
    role: membership.role,
    state: membership.state,
  };
}

/**
 * `organization-invitation` schema. Its `role` is the invitation role: `direct_member`, `admin`, `billing_manager`
 * or `hiring_manager` (list-pending-invitations description).
 */
export function renderInvitation(
  state: GithubState,
  org: OrgRecord,
  invitation: InvitationRecord,
  base: string,
) {
  const inviter = state.user(invitation.inviter);
  return {
    id: invitation.id,
    node_id: nodeId("OrganizationInvitation", invitation.id),
    login: invitation.login,
    email: null,
    role: invitation.role === "admin" ? "admin" : "direct_member",
    created_at: iso(invitation.created),
    failed_at: null,
    failed_reason: null,
    inviter: inviter ? renderSimpleUser(inviter, base) : null,
    team_count: state.teamsOf(org, invitation.login).length,
    invitation_teams_url: `${base}/organizations/${org.id}/invitations/${invitation.id}/teams`,
    invitation_source: "member",
  };
}

/**
 * `credential-authorization` schema: `token_last_eight` only for personal access tokens, `fingerprint` only for
 * SSH keys; `authorized_credential_title` is an SSH key's title, `authorized_credential_note` a token's note.
 */
export function renderCredentialAuthorization(record: CredentialAuthorizationRecord) {
  const isToken = record.type === "personal access token";
  return {
    login: record.login,
    credential_id: record.credentialId,
    credential_type: record.type,
    ...(isToken ? { token_last_eight: record.lastEight } : {}),
    credential_authorized_at: iso(record.authorizedAt),
    scopes: [...record.scopes],
    ...(isToken ? {} : { fingerprint: record.fingerprint }),
    credential_accessed_at: iso(record.accessedAt),
    authorized_credential_id: record.authorizedCredentialId,
    ...(isToken
      ? { authorized_credential_note: record.title, authorized_credential_expires_at: null }
      : { authorized_credential_title: record.title }),
  };
}
