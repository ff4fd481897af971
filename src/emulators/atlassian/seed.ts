import { z } from "zod";
import { type AtlassianState, ORG_ADMIN_ROLE, PLATFORM_ROLES, type PlatformRole } from "./state.ts";

/** The user management API's `account_id` pattern (api-group-lifecycle: `[a-zA-Z0-9_|:-]{1,128}`). */
const ACCOUNT_ID = /^[a-zA-Z0-9_|:-]{1,128}$/;
/** Organization and directory ids are uuid-like strings; kept to characters that are safe in a path segment. */
const ORG_ID = /^[A-Za-z0-9-]{1,64}$/;

const SeedToken = z.strictObject({
  label: z.string().min(1, "users[].apiTokens[].label must not be empty"),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});

const SeedUser = z.strictObject({
  accountId: z
    .string()
    .regex(ACCOUNT_ID, "users[].accountId must match [a-zA-Z0-9_|:-]{1,128}, like an Atlassian account id")
    .optional(),
  email: z.email({ error: "users[].email must be an email address" }),
  name: z.string().min(1).optional(),
  /** Shorthand for `roles: ["atlassian/org-admin"]`. */
  orgAdmin: z.boolean().optional(),
  roles: z
    .array(z.enum(PLATFORM_ROLES, { error: `users[].roles[] must be one of ${PLATFORM_ROLES.join(", ")}` }))
    .optional(),
  /** Access suspended in the directory (membershipStatus `suspended`). */
  suspended: z.boolean().optional(),
  /** Account deactivated through the user management API (accountStatus `inactive`). */
  deactivated: z.boolean().optional(),
  /** false: in none of the org's directories (membershipStatus `no_membership`). Default true. */
  member: z.boolean().optional(),
  /** false: the email's domain is not verified by the org; the user management API refuses it. Default true. */
  managed: z.boolean().optional(),
  mfaEnabled: z.boolean().optional(),
  apiTokens: z.array(SeedToken).max(1000).optional(),
});

type SeedIssues = {
  addIssue(issue: { code: "custom"; path: Array<string | number>; message: string }): void;
};

/** Unique emails (case-insensitive) and account ids across users; reads the raw input defensively. */
function crossCheck(seed: { users?: unknown }, ctx: SeedIssues): void {
  const users = Array.isArray(seed.users) ? (seed.users as Array<Record<string, unknown> | null>) : [];
  const emails = new Map<string, number>();
  const ids = new Map<string, number>();
  users.forEach((user, index) => {
    if (typeof user !== "object" || user === null) return;
    if (typeof user.email === "string") {
      const email = user.email.toLowerCase();
      const seen = emails.get(email);
      if (seen !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["users", index, "email"],
          message: `duplicate email "${user.email}" (already used by users[${seen}])`,
        });
      else emails.set(email, index);
    }
    if (typeof user.accountId === "string") {
      const seen = ids.get(user.accountId);
      if (seen !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["users", index, "accountId"],
          message: `duplicate accountId "${user.accountId}" (already used by users[${seen}])`,
        });
      else ids.set(user.accountId, index);
    }
  });
}

/** The `atlassian` section of a cordon seed: one organization, its directory and its users. */
export const AtlassianSeed = z
  .strictObject({
    orgId: z.string().regex(ORG_ID, "orgId: letters, digits and dashes (an Atlassian org id)").optional(),
    orgName: z.string().min(1).optional(),
    directoryId: z.string().regex(ORG_ID, "directoryId: letters, digits and dashes").optional(),
    /** Valid organization API keys. Absent: any well-formed `Authorization: Bearer <key>` is accepted. */
    apiKeys: z.array(z.string().min(1, "apiKeys[] must not contain empty strings")).optional(),
    users: z.array(SeedUser).optional(),
  })
  .superRefine((seed, ctx) => crossCheck(seed, ctx), { when: () => true });
export type AtlassianSeed = z.infer<typeof AtlassianSeed>;

export const DEFAULT_ORG = {
  orgId: "6665a7b2-4644-44e8-932c-68d2f1b0c001",
  orgName: "Corp Example",
  directoryId: "d1c2b3a4-0000-4000-8000-000000000001",
} as const;

/** Parses a seed and throws an error that lists every problem, with its path. */
export function parseAtlassianSeed(input: unknown): AtlassianSeed {
  const parsed = AtlassianSeed.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid atlassian seed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function nameFromEmail(email: string): string {
  const local = email.split("@")[0] ?? email;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

/** Fills a fresh organization from a parsed seed; ids come from the state's counters, so they are repeatable. */
export function applyAtlassianSeed(state: AtlassianState, seed: AtlassianSeed): void {
  state.acceptedKeys = seed.apiKeys ? new Set(seed.apiKeys) : undefined;
  for (const entry of seed.users ?? []) {
    const roles = new Set<PlatformRole>(entry.roles ?? []);
    if (entry.orgAdmin) roles.add(ORG_ADMIN_ROLE);
    const user = state.addUser({
      accountId: entry.accountId,
      email: entry.email,
      name: entry.name ?? nameFromEmail(entry.email),
      accountStatus: entry.deactivated ? "inactive" : "active",
      membershipStatus: entry.member === false ? "no_membership" : entry.suspended ? "suspended" : "active",
      claimStatus: entry.managed === false ? "unmanaged" : "managed",
      platformRoles: [...roles],
      mfaEnabled: entry.mfaEnabled,
    });
    for (const token of entry.apiTokens ?? [])
      state.addApiToken(user, token.label, { expiresInDays: token.expiresInDays });
  }
}
