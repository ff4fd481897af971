import { createPublicKey } from "node:crypto";
import { z } from "zod";
import { DEFAULT_DELEGATED_SCOPES } from "./scopes.ts";
import type { GoogleState } from "./state.ts";

const SeedServiceAccount = z.strictObject({
  /** The key file's `client_email`; the JWT `iss`. */
  clientEmail: z.email({ error: "serviceAccounts[].clientEmail must be the key file's client_email" }),
  /** The key file's numeric `client_id`, the id domain-wide delegation is granted to. */
  clientId: z
    .string()
    .regex(/^\d{6,30}$/, "serviceAccounts[].clientId is numeric (the key file's client_id)")
    .optional(),
  projectId: z.string().min(1).optional(),
  /** The public half of the key file's `private_key` (SPKI "PUBLIC KEY" PEM, or the X.509 certificate). */
  publicKeyPem: z.string().min(1, "serviceAccounts[].publicKeyPem must be a PEM public key"),
  /** Scopes delegated to the client id. Default: admin.directory.user, .user.security and .user.readonly. */
  delegatedScopes: z.array(z.url()).optional(),
});

const SeedToken = z.strictObject({
  clientId: z.string().min(1, "users[].tokens[].clientId must not be empty"),
  displayText: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  nativeApp: z.boolean().optional(),
  anonymous: z.boolean().optional(),
});

const SeedUser = z.strictObject({
  primaryEmail: z.email({ error: "users[].primaryEmail must be an email address" }),
  id: z
    .string()
    .regex(/^\d{1,30}$/, "users[].id is numeric, like Google's (e.g. 114123456789012345678)")
    .optional(),
  givenName: z.string().min(1).max(60).optional(),
  familyName: z.string().min(1).max(60).optional(),
  aliases: z.array(z.email({ error: "users[].aliases[] must be email addresses" })).optional(),
  /** Super administrator. */
  isAdmin: z.boolean().optional(),
  isDelegatedAdmin: z.boolean().optional(),
  suspended: z.boolean().optional(),
  archived: z.boolean().optional(),
  changePasswordAtNextLogin: z.boolean().optional(),
  isEnrolledIn2Sv: z.boolean().optional(),
  orgUnitPath: z.string().startsWith("/").optional(),
  /** Web and device sign-ins (ended by users.signOut). */
  sessions: z.number().int().min(0).max(10_000).optional(),
  /** OAuth grants, one per client id (users.tokens). */
  tokens: z.array(SeedToken).optional(),
  /** Application-specific passwords (users.asps). */
  asps: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        codeId: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1)
          .optional(),
      }),
    )
    .optional(),
});

const SeedAccessToken = z.strictObject({
  token: z.string().min(8, "accessTokens[].token: at least 8 characters"),
  /** The admin the token acts as (its primary email). */
  subject: z.email(),
  /** Default: the delegated default scopes. */
  scopes: z.array(z.url()).optional(),
});

type SeedIssues = {
  addIssue(issue: { code: "custom"; path: Array<string | number>; message: string }): void;
};

/** Unique addresses (primary and aliases, case-insensitive), parsable public keys, subjects that exist. */
function crossCheck(seed: Record<string, unknown>, ctx: SeedIssues): void {
  const users = Array.isArray(seed.users) ? (seed.users as Array<Record<string, unknown> | null>) : [];
  const seen = new Map<string, string>();
  users.forEach((user, index) => {
    if (typeof user !== "object" || user === null) return;
    const addresses = [
      ["primaryEmail", user.primaryEmail],
      ...(Array.isArray(user.aliases) ? user.aliases.map((a, i) => [`aliases.${i}`, a]) : []),
    ] as Array<[string, unknown]>;
    for (const [field, value] of addresses) {
      if (typeof value !== "string") continue;
      const key = value.toLowerCase();
      const other = seen.get(key);
      if (other !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["users", index, ...field.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p))],
          message: `"${value}" is already ${other}; a Google address belongs to one user`,
        });
      } else seen.set(key, `users[${index}]'s address`);
    }
  });
  const accounts = Array.isArray(seed.serviceAccounts) ? (seed.serviceAccounts as unknown[]) : [];
  accounts.forEach((account, index) => {
    const pem = (account as { publicKeyPem?: unknown } | null)?.publicKeyPem;
    if (typeof pem !== "string") return;
    try {
      createPublicKey(pem);
    } catch {
      ctx.addIssue({
        code: "custom",
        path: ["serviceAccounts", index, "publicKeyPem"],
        message: "not a PEM public key or certificate",
      });
    }
  });
  const tokens = Array.isArray(seed.accessTokens) ? (seed.accessTokens as unknown[]) : [];
  tokens.forEach((token, index) => {
    const subject = (token as { subject?: unknown } | null)?.subject;
    if (typeof subject === "string" && !seen.has(subject.toLowerCase())) {
      ctx.addIssue({
        code: "custom",
        path: ["accessTokens", index, "subject"],
        message: `"${subject}" is no seeded user's address`,
      });
    }
  });
}

/**
 * The `google` section of a cordon seed: one Workspace customer, its users and what they signed in to, and the
 * service accounts whose JWT assertions `POST /token` accepts.
 */
export const GoogleSeed = z
  .strictObject({
    /** The customer id users report as `customerId` (`my_customer` is its alias). */
    customerId: z
      .string()
      .regex(/^C[0-9A-Za-z]{4,}$/, "customerId looks like C01abc234")
      .optional(),
    serviceAccounts: z.array(SeedServiceAccount).optional(),
    /** Ready-made access tokens, so a test can call the Directory API without a JWT. */
    accessTokens: z.array(SeedAccessToken).optional(),
    users: z.array(SeedUser).optional(),
  })
  .superRefine((seed, ctx) => crossCheck(seed as Record<string, unknown>, ctx), { when: () => true });
export type GoogleSeed = z.infer<typeof GoogleSeed>;

export function parseGoogleSeed(input: unknown): GoogleSeed {
  const parsed = GoogleSeed.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid google seed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function titleCase(word: string): string {
  return word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1);
}

/** `alice.smith@corp.example` → Alice / Smith. */
function namesFrom(email: string): { givenName: string; familyName: string } {
  const local = email.split("@")[0] ?? email;
  const [first, ...rest] = local.split(/[._-]+/).filter(Boolean);
  return {
    givenName: titleCase(first ?? local),
    familyName: rest.length ? rest.map(titleCase).join(" ") : "User",
  };
}

/** A stable numeric client id from the service account's address (Google's are 21 digits). */
function clientIdFor(email: string): string {
  let hash = 0x811c9dc5;
  for (const ch of email) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `1${String(hash).padStart(20, "0")}`;
}

export function applyGoogleSeed(state: GoogleState, seed: GoogleSeed): void {
  if (seed.customerId) state.customerId = seed.customerId;
  for (const entry of seed.users ?? []) {
    const names = namesFrom(entry.primaryEmail);
    const user = state.addUser({
      id: entry.id,
      primaryEmail: entry.primaryEmail,
      aliases: entry.aliases,
      givenName: entry.givenName ?? names.givenName,
      familyName: entry.familyName ?? names.familyName,
      isAdmin: entry.isAdmin,
      isDelegatedAdmin: entry.isDelegatedAdmin,
      suspended: entry.suspended,
      archived: entry.archived,
      changePasswordAtNextLogin: entry.changePasswordAtNextLogin,
      orgUnitPath: entry.orgUnitPath,
      isEnrolledIn2Sv: entry.isEnrolledIn2Sv,
    });
    for (let i = 0; i < (entry.sessions ?? 0); i++) state.createSession(user);
    for (const token of entry.tokens ?? []) {
      state.grantToken(user.id, {
        clientId: token.clientId,
        displayText: token.displayText ?? token.clientId,
        scopes: token.scopes ?? ["openid", "https://www.googleapis.com/auth/userinfo.email"],
        nativeApp: token.nativeApp ?? false,
        anonymous: token.anonymous ?? false,
      });
    }
    for (const asp of entry.asps ?? []) state.addAsp(user.id, asp.name, asp.codeId);
  }
  for (const account of seed.serviceAccounts ?? []) {
    state.serviceAccounts.set(account.clientEmail.toLowerCase(), {
      clientEmail: account.clientEmail,
      clientId: account.clientId ?? clientIdFor(account.clientEmail.toLowerCase()),
      projectId: account.projectId ?? account.clientEmail.split("@")[1]?.split(".")[0] ?? "cordon-emulator",
      publicKey: createPublicKey(account.publicKeyPem),
      delegatedScopes: new Set(account.delegatedScopes ?? DEFAULT_DELEGATED_SCOPES),
    });
  }
  for (const token of seed.accessTokens ?? []) {
    const subject = state.findUser(token.subject);
    state.accessTokens.set(token.token, {
      token: token.token,
      subjectId: subject?.id ?? null,
      clientEmail: "seeded-token",
      projectId: "cordon-emulator",
      scopes: new Set(token.scopes ?? DEFAULT_DELEGATED_SCOPES),
      expiresAt: Number.POSITIVE_INFINITY,
    });
  }
  state.acceptAnyToken = (seed.serviceAccounts ?? []).length === 0 && (seed.accessTokens ?? []).length === 0;
}
