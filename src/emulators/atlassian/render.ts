import type { ApiTokenRecord, AtlassianState, UserRecord } from "./state.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function avatarOf(user: UserRecord): string {
  return `https://avatar-management.services.atlassian.com/default/${user.accountId}/48`;
}

/**
 * A user as the v2 directory users API returns it (`MultiDirectoryUser`: accountId, accountType, status,
 * accountStatus, membershipStatus, addedToOrg, name, nickname, email, emailVerified, claimStatus, platformRoles,
 * picture, avatar, managementSource, mfaEnabled, deactivatedOn, forDeletion; jira.js
 * `src/admin/models/multiDirectoryUser.ts`). `platformRoles` only with `expand: ["platformRoles"]`.
 */
export function renderDirectoryUser(
  state: AtlassianState,
  user: UserRecord,
  options: { platformRoles: boolean },
): Record<string, unknown> {
  return {
    accountId: user.accountId,
    accountType: "atlassian",
    status: state.statusOf(user),
    accountStatus: user.accountStatus,
    membershipStatus: user.membershipStatus,
    addedToOrg: iso(user.addedToOrg),
    name: user.name,
    nickname: user.nickname,
    email: user.email,
    emailVerified: true,
    claimStatus: user.claimStatus,
    ...(options.platformRoles ? { platformRoles: [...user.platformRoles] } : {}),
    picture: avatarOf(user),
    avatar: avatarOf(user),
    managementSource: "invited",
    mfaEnabled: user.mfaEnabled,
    deactivatedOn: iso(user.deactivatedOn),
    forDeletion: false,
  };
}

/**
 * The user management API's profile (`GetProfile` = `{account: AtlassianAccountUser}`: account_id, account_type,
 * account_status, name, picture, email, nickname, zoneinfo, locale; jira.js `src/userManagement/models/`).
 */
export function renderProfile(user: UserRecord): Record<string, unknown> {
  return {
    account: {
      account_id: user.accountId,
      account_type: "atlassian",
      account_status: user.accountStatus,
      name: user.name,
      picture: avatarOf(user),
      email: user.email,
      nickname: user.nickname,
      zoneinfo: "Etc/UTC",
      locale: "en-US",
    },
  };
}

/**
 * `ApiTokenModel` (api-group-api-tokens: `{label, lastAccess, createdAt, id, expiry}`; lastAccess and expiry are
 * optional, so they are left out when unknown).
 */
export function renderApiToken(token: ApiTokenRecord): Record<string, unknown> {
  return {
    id: token.id,
    label: token.label,
    createdAt: iso(token.createdAt),
    ...(token.lastAccess === null ? {} : { lastAccess: iso(token.lastAccess) }),
    ...(token.expiry === null ? {} : { expiry: iso(token.expiry) }),
  };
}
