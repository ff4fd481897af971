import type { DirectoryObject, GroupRecord, RiskyUserRecord, RoleRecord, UserRecord } from "./state.ts";

/** Graph DateTimeOffset for directory timestamps: UTC, whole seconds (`2024-05-01T12:34:56Z`). */
export function graphDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** User properties the emulator can return (the v1.0 `user` entity, the subset cordon and tests use). */
export const USER_PROPERTIES = [
  "id",
  "accountEnabled",
  "businessPhones",
  "createdDateTime",
  "displayName",
  "externalUserState",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "otherMails",
  "passwordProfile",
  "preferredLanguage",
  "proxyAddresses",
  "signInSessionsValidFromDateTime",
  "surname",
  "userPrincipalName",
  "userType",
] as const;

/**
 * Returned without `$select` (user resource doc, "default properties"): businessPhones, displayName, givenName,
 * jobTitle, mail, mobilePhone, officeLocation, preferredLanguage, surname, userPrincipalName, id. Everything else
 * (accountEnabled, userType, proxyAddresses, signInSessionsValidFromDateTime, passwordProfile…) is "returned only
 * on $select".
 */
const USER_DEFAULT = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

function userValue(user: UserRecord, prop: string): unknown {
  switch (prop) {
    case "businessPhones":
      return [];
    case "mobilePhone":
    case "officeLocation":
    case "preferredLanguage":
      return null;
    case "createdDateTime":
      return graphDateTime(user.createdDateTime);
    case "signInSessionsValidFromDateTime":
      return graphDateTime(user.signInSessionsValidFromDateTime);
    case "passwordProfile":
      // The password itself is never returned.
      return {
        password: null,
        forceChangePasswordNextSignIn: user.forceChangePasswordNextSignIn,
        forceChangePasswordNextSignInWithMfa: user.forceChangePasswordNextSignInWithMfa,
      };
    default:
      return (user as unknown as Record<string, unknown>)[prop] ?? null;
  }
}

/** A property as `$filter` sees it. */
export function userFilterValue(user: UserRecord, prop: string): unknown {
  return userValue(user, prop);
}

export function renderUser(user: UserRecord, select?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of select ?? USER_DEFAULT) out[prop] = userValue(user, prop);
  return out;
}

export const GROUP_PROPERTIES = [
  "id",
  "createdDateTime",
  "description",
  "displayName",
  "groupTypes",
  "isAssignableToRole",
  "mail",
  "mailEnabled",
  "mailNickname",
  "membershipRule",
  "onPremisesSyncEnabled",
  "securityEnabled",
] as const;

export function renderGroup(group: GroupRecord, select?: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: group.id,
    createdDateTime: null,
    description: group.description,
    displayName: group.displayName,
    groupTypes: group.groupTypes,
    isAssignableToRole: group.isAssignableToRole,
    mail: group.mail,
    mailEnabled: group.mailEnabled,
    mailNickname: group.mailNickname,
    membershipRule: group.membershipRule,
    onPremisesSyncEnabled: group.onPremisesSyncEnabled,
    securityEnabled: group.securityEnabled,
  };
  if (!select) return all;
  return Object.fromEntries(select.map((p) => [p, all[p] ?? null]));
}

export const ROLE_PROPERTIES = ["id", "description", "displayName", "roleTemplateId"] as const;

export function renderRole(role: RoleRecord, select?: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: role.id,
    deletedDateTime: null,
    description: role.description,
    displayName: role.displayName,
    roleTemplateId: role.roleTemplateId,
  };
  if (!select) return all;
  return Object.fromEntries(select.map((p) => [p, all[p] ?? null]));
}

/**
 * A directoryObject in a mixed collection (memberOf): `@odata.type` names the derived type. Without a permission
 * that reads groups, Graph returns group members of the collection "with limited information" (only the type and
 * id; user-list-memberof doc, "Permissions").
 */
export function renderDirectoryObject(
  object: DirectoryObject,
  select: string[] | undefined,
  canReadGroups: boolean,
): Record<string, unknown> {
  if (object.kind === "group") {
    if (!canReadGroups) return { "@odata.type": "#microsoft.graph.group", id: object.group.id };
    return { "@odata.type": "#microsoft.graph.group", ...renderGroup(object.group, select) };
  }
  return { "@odata.type": "#microsoft.graph.directoryRole", ...renderRole(object.role, select) };
}

export function renderRiskyUser(user: UserRecord, risk: RiskyUserRecord): Record<string, unknown> {
  return {
    id: user.id,
    isDeleted: false,
    isProcessing: false,
    riskLastUpdatedDateTime: new Date(risk.riskLastUpdatedDateTime).toISOString(),
    riskLevel: risk.riskLevel,
    riskState: risk.riskState,
    riskDetail: risk.riskDetail,
    userDisplayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
  };
}
