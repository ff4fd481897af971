import {
  API_TOKEN_WINDOW,
  type ApiTokenRecord,
  type ClientRecord,
  type FactorRecord,
  type GrantRecord,
  type RefreshTokenRecord,
  type UserRecord,
} from "./state.ts";

/** Okta timestamps are ISO-8601 UTC with milliseconds, e.g. `2013-06-24T16:39:18.000Z`. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Spec `User` (example `ListUsersResponse`): profile keys in Okta's order with `mobilePhone`/`secondEmail` null,
 * `credentials.password: {}` only when a password is set, and an absolute `_links.self.href` (the Node SDK caches
 * GETs under that href). `transitioningToStatus` is never sent: every transition here completes synchronously, and
 * Okta includes it only while an asynchronous transition is under way (spec `User.transitioningToStatus`).
 */
export function renderUser(user: UserRecord, org: string) {
  return {
    id: user.id,
    status: user.status,
    created: iso(user.created),
    activated: iso(user.activated),
    statusChanged: iso(user.statusChanged),
    lastLogin: iso(user.lastLogin),
    lastUpdated: iso(user.lastUpdated),
    passwordChanged: iso(user.passwordChanged),
    type: { id: user.typeId },
    profile: { ...user.profile },
    credentials: {
      ...(user.hasPassword ? { password: {} } : {}),
      provider: { type: "OKTA", name: "OKTA" },
    },
    _links: { self: { href: `${org}/api/v1/users/${user.id}` } },
  };
}

const GET = { allow: ["GET"] };

/** Spec `OAuth2ScopeConsentGrant`. The org authorization server is the issuer (`issuer` = the org URL). */
export function renderGrant(grant: GrantRecord, org: string, expandScope: boolean) {
  return {
    id: grant.id,
    status: "ACTIVE",
    created: iso(grant.created),
    createdBy: { id: grant.userId, type: "User" },
    lastUpdated: iso(grant.lastUpdated),
    issuer: org,
    clientId: grant.clientId,
    userId: grant.userId,
    scopeId: grant.scopeId,
    source: grant.source,
    ...(expandScope ? { _embedded: { scope: { id: grant.scopeId } } } : {}),
    _links: {
      app: { href: `${org}/api/v1/apps/${grant.clientId}`, title: grant.clientId },
      client: { href: `${org}/oauth2/v1/clients/${grant.clientId}`, title: grant.clientId },
      scope: {
        href: `${org}/api/v1/authorizationServers/default/scopes/${grant.scopeId}`,
        title: grant.scopeId,
      },
      self: {
        href: `${org}/api/v1/users/${grant.userId}/grants/${grant.id}`,
        hints: { allow: ["GET", "DELETE"] },
      },
      user: { href: `${org}/api/v1/users/${grant.userId}` },
      issuer: { href: `${org}/api/v1/authorizationServers/default` },
    },
  };
}

/** Spec `OAuth2RefreshToken`. */
export function renderRefreshToken(token: RefreshTokenRecord, org: string) {
  const self = `${org}/api/v1/users/${token.userId}/clients/${token.clientId}/tokens/${token.id}`;
  return {
    id: token.id,
    status: "ACTIVE",
    created: iso(token.created),
    lastUpdated: iso(token.lastUpdated),
    expiresAt: iso(token.expiresAt),
    issuer: `${org}/oauth2/default`,
    clientId: token.clientId,
    userId: token.userId,
    scopes: [...token.scopes],
    _links: {
      app: { href: `${org}/api/v1/apps/${token.clientId}` },
      self: { href: self, hints: GET },
      revoke: { href: self, hints: { allow: ["DELETE"] } },
      client: { href: `${org}/oauth2/v1/clients/${token.clientId}` },
      user: { href: `${org}/api/v1/users/${token.userId}` },
      authorizationServer: { href: `${org}/api/v1/authorizationServers/default` },
    },
  };
}

/** Spec `OAuth2Client` (example `ListUserClients`). */
export function renderClient(client: ClientRecord, userId: string, org: string) {
  const base = `${org}/api/v1/users/${userId}/clients/${client.clientId}`;
  return {
    client_id: client.clientId,
    client_name: client.name,
    client_uri: null,
    logo_uri: null,
    _links: { grants: { href: `${base}/grants` }, tokens: { href: `${base}/tokens` } },
  };
}

const FACTOR_SHAPES = {
  push: { factorType: "push", provider: "OKTA", vendorName: "OKTA" },
  sms: { factorType: "sms", provider: "OKTA", vendorName: "OKTA" },
  totp: { factorType: "token:software:totp", provider: "OKTA", vendorName: "OKTA" },
  webauthn: { factorType: "webauthn", provider: "FIDO", vendorName: "FIDO" },
} as const;

/** Spec `UserFactor` (example `ListFactorsResults`). */
export function renderFactor(factor: FactorRecord, user: UserRecord, org: string) {
  const shape = FACTOR_SHAPES[factor.kind];
  const profile = {
    push: {
      credentialId: user.profile.login,
      deviceType: "SmartPhone_IPhone",
      name: "iPhone",
      platform: "IOS",
    },
    sms: { phoneNumber: "+1-555-415-1337" },
    totp: { credentialId: user.profile.login },
    webauthn: { credentialId: `cred-${factor.id}`, authenticatorName: "Security Key by Yubico" },
  }[factor.kind];
  const userHref = `${org}/api/v1/users/${user.id}`;
  return {
    id: factor.id,
    factorType: shape.factorType,
    provider: shape.provider,
    vendorName: shape.vendorName,
    status: "ACTIVE",
    created: iso(factor.created),
    lastUpdated: iso(factor.lastUpdated),
    profile,
    _links: {
      self: { href: `${userHref}/factors/${factor.id}`, hints: { allow: ["GET", "DELETE"] } },
      verify: { href: `${userHref}/factors/${factor.id}/verify`, hints: { allow: ["POST"] } },
      user: { href: userHref, hints: GET },
    },
  };
}

/**
 * Spec `ApiToken` (examples `ApiTokenListMetadataResponse`, `ApiTokenMetadataResponse`). The schema names the links
 * property `_link`, but both examples (and Okta on the wire) send `_links`; we follow the examples.
 */
export function renderApiToken(token: ApiTokenRecord, org: string) {
  return {
    name: token.name,
    userId: token.userId,
    tokenWindow: API_TOKEN_WINDOW,
    network: { connection: "ANYWHERE" },
    id: token.id,
    clientName: "Okta API",
    expiresAt: iso(token.expiresAt),
    created: iso(token.created),
    lastUpdated: iso(token.lastUpdated),
    _links: {
      self: { href: `${org}/api/v1/api-tokens/${token.id}`, hints: { allow: ["GET", "DELETE"] } },
      user: { href: `${org}/api/v1/users/${token.userId}`, hints: GET },
    },
  };
}
