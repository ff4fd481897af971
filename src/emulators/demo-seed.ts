import type { SeedFile } from "./index.ts";

/** The tenant `cordon demo` contains a user in: a compromised user, an admin, a bot and a bystander. */
export const DEMO_SEED: SeedFile = {
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
};
