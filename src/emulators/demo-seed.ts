import { DEFAULT_ADMIN } from "./aws/seed.ts";
import type { SeedFileInput } from "./index.ts";

/**
 * The tenants `cordon demo` contains a user in: Alice (phished) and an admin who must stay untouched, in every app.
 * Google's service account is added at run time (its key pair is made fresh: see rehearsal.ts).
 */
export const DEMO_SEED: SeedFileInput = {
  okta: {
    users: [
      {
        email: "alice@corp.example",
        firstName: "Alice",
        lastName: "Anders",
        sessions: 2,
        oauthClients: [{ clientId: "0oademoslack0000001", name: "Slack", refreshTokens: 2 }],
        grants: 2,
        factors: ["push", "totp"],
        apiTokens: [{ name: "alice-automation" }],
      },
      { email: "bob@corp.example", firstName: "Bob", lastName: "Baker", sessions: 1 },
      { email: "admin@corp.example", firstName: "Ada", lastName: "Admin", admin: true },
    ],
    tokenOwner: "admin@corp.example",
  },
  slack: {
    adminUser: "admin@corp.example",
    channels: [{ name: "security-incidents" }],
    users: [
      {
        email: "admin@corp.example",
        name: "ada",
        realName: "Ada Admin",
        isPrimaryOwner: true,
        isOwner: true,
        isAdmin: true,
      },
      {
        email: "alice@corp.example",
        name: "alice",
        realName: "Alice Anders",
        sessions: { web: 2, mobile: 1 },
      },
      { email: "bob@corp.example", name: "bob", realName: "Bob Baker", sessions: { web: 1 } },
      { email: "deploybot@corp.example", name: "deploybot", isBot: true },
    ],
  },
  google: {
    users: [
      { primaryEmail: "admin@corp.example", isAdmin: true },
      {
        primaryEmail: "alice@corp.example",
        givenName: "Alice",
        familyName: "Anders",
        aliases: ["alice.anders@corp.example"],
        sessions: 2,
        tokens: [{ clientId: "1234567890.apps.googleusercontent.com", displayText: "Mail client" }],
        asps: [{ name: "Thunderbird" }],
      },
    ],
  },
  atlassian: {
    users: [
      { email: "admin@corp.example", name: "Ada Admin", orgAdmin: true },
      { email: "alice@corp.example", name: "Alice Anders", apiTokens: [{ label: "jira-cli" }] },
    ],
  },
  github: {
    orgs: [
      {
        login: "corp",
        members: [
          { login: "ada", role: "admin" },
          { login: "alice-a", role: "member" },
        ],
        teams: [{ slug: "platform", members: [{ login: "alice-a", role: "maintainer" }] }],
        saml: {
          identities: [
            { nameId: "admin@corp.example", login: "ada" },
            { nameId: "alice@corp.example", login: "alice-a" },
          ],
          enforced: true,
        },
        credentialAuthorizations: [{ login: "alice-a", type: "personal access token", count: 2 }],
      },
    ],
    tokenOwner: "ada",
  },
  entra: {
    users: [
      {
        userPrincipalName: "admin@corp.example",
        displayName: "Ada Admin",
        directoryRoles: ["Global Administrator"],
      },
      {
        userPrincipalName: "alice@corp.example",
        displayName: "Alice Anders",
        proxyAddresses: ["SMTP:alice@corp.example", "smtp:alice.anders@corp.example"],
      },
    ],
  },
  aws: {
    users: [
      {
        userName: DEFAULT_ADMIN.userName,
        tags: { email: "admin@corp.example", "cordon:protected": "true" },
        accessKeys: [
          { accessKeyId: DEFAULT_ADMIN.accessKeyId, secretAccessKey: DEFAULT_ADMIN.secretAccessKey },
        ],
      },
      {
        userName: "alice",
        tags: { email: "alice@corp.example" },
        accessKeys: [{ status: "Active" }, { status: "Inactive" }],
        password: "Correct-Horse-1",
      },
    ],
  },
};
