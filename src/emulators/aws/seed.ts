import { z } from "zod";
import type { AwsIamState } from "./state.ts";

/** Model `userNameType`: 1–64 characters of `[\w+=,.@-]`. */
const UserName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, "users[].userName: 1–64 letters, digits or _+=,.@- (IAM userNameType)");
/** Model `accessKeyIdType`: 16–128 word characters. */
const AccessKeyId = z
  .string()
  .regex(/^\w{16,128}$/, "accessKeyId: 16–128 letters, digits or _ (IAM accessKeyIdType)");
const Secret = z.string().min(1, "secretAccessKey must not be empty");
/** Model `pathType`: `/` or `/…/`. */
const Path = z.string().regex(/^(\/|\/[\u0021-\u007E]+\/)$/, "path must be / or /division/…/ (IAM pathType)");
const Iso = z.iso.datetime({ offset: true, error: "an ISO 8601 time like 2026-01-01T00:00:00Z" });
const Permissions = z
  .array(z.string().min(1))
  .describe("Allowed IAM actions (iam:ListUsers, iam:List*, *); omitted: all (an administrator)");

const SeedAccessKey = z.strictObject({
  accessKeyId: AccessKeyId.optional(),
  /** Needed only for keys that sign requests; generated (deterministically) otherwise. */
  secretAccessKey: Secret.optional(),
  status: z.enum(["Active", "Inactive"], { error: 'status must be "Active" or "Inactive"' }).optional(),
});

const SeedSession = z.strictObject({
  accessKeyId: AccessKeyId.optional(),
  secretAccessKey: Secret.optional(),
  sessionToken: z.string().min(1).optional(),
  /** `aws:TokenIssueTime`; default: when the emulator starts. */
  issuedAt: Iso.optional(),
});

const SeedUser = z.strictObject({
  userName: UserName,
  path: Path.optional(),
  /** Tag key → value (IAM tag keys are unique case-insensitively; at most 50 per user). */
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  /** IAM allows at most two access keys per user (IAM quotas). */
  accessKeys: z.array(SeedAccessKey).optional(),
  /** A console password: the user has a login profile. */
  password: z.string().min(1).optional(),
  passwordResetRequired: z.boolean().optional(),
  /** Inline policies by name: a policy document (object or JSON text). */
  inlinePolicies: z
    .record(z.string().regex(/^[\w+=,.@-]{1,128}$/), z.union([z.string(), z.record(z.string(), z.unknown())]))
    .optional(),
  permissions: Permissions.optional(),
  /** Temporary credentials this user already holds (GetSessionToken-like). */
  sessions: z.array(SeedSession).optional(),
});

const SeedRoleSession = SeedSession.extend({
  roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/),
  permissions: Permissions.optional(),
});

type SeedIssues = {
  addIssue(issue: { code: "custom"; path: Array<string | number>; message: string }): void;
};

function crossCheck(seed: { users?: unknown; roleSessions?: unknown }, ctx: SeedIssues): void {
  const users = Array.isArray(seed.users) ? (seed.users as Array<Record<string, unknown> | null>) : [];
  const names = new Map<string, number>();
  const keys = new Map<string, string>();
  const noteKey = (id: unknown, where: Array<string | number>) => {
    if (typeof id !== "string") return;
    const seen = keys.get(id);
    if (seen !== undefined)
      ctx.addIssue({
        code: "custom",
        path: where,
        message: `duplicate access key id ${id} (already used at ${seen})`,
      });
    else keys.set(id, where.join("."));
  };
  users.forEach((user, index) => {
    if (typeof user !== "object" || user === null) return;
    if (typeof user.userName === "string") {
      const lower = user.userName.toLowerCase();
      const seen = names.get(lower);
      if (seen !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["users", index, "userName"],
          message: `duplicate user name "${user.userName}" (users[${seen}]); IAM user names are unique case-insensitively`,
        });
      else names.set(lower, index);
    }
    if (user.tags && typeof user.tags === "object") {
      const tagKeys = Object.keys(user.tags).map((k) => k.toLowerCase());
      if (new Set(tagKeys).size !== tagKeys.length)
        ctx.addIssue({
          code: "custom",
          path: ["users", index, "tags"],
          message: "tag keys differing only in case are not allowed (IAM tag keys are case-insensitive)",
        });
      if (tagKeys.length > 50)
        ctx.addIssue({ code: "custom", path: ["users", index, "tags"], message: "at most 50 tags per user" });
    }
    if (Array.isArray(user.accessKeys) && user.accessKeys.length > 2)
      ctx.addIssue({
        code: "custom",
        path: ["users", index, "accessKeys"],
        message: "an IAM user has at most 2 access keys (IAM quotas)",
      });
    for (const [list, field] of [
      ["accessKeys", "accessKeyId"],
      ["sessions", "accessKeyId"],
    ] as const) {
      const items = Array.isArray(user[list]) ? (user[list] as Array<Record<string, unknown> | null>) : [];
      for (const [i, item] of items.entries()) noteKey(item?.[field], ["users", index, list, i, field]);
    }
  });
  const roles = Array.isArray(seed.roleSessions)
    ? (seed.roleSessions as Array<Record<string, unknown> | null>)
    : [];
  for (const [i, role] of roles.entries()) noteKey(role?.accessKeyId, ["roleSessions", i, "accessKeyId"]);
}

/**
 * The `aws` section of a cordon seed: one AWS account's IAM users with their tags, access keys, console password,
 * inline policies and temporary credentials. Requests are accepted only when SigV4-signed with a secret named here
 * (or generated for a key: read it from `emulator.state`). A seed with no signing credential at all gets a default
 * administrator `emulator-admin` with AWS's documented example key pair (AKIAIOSFODNN7EXAMPLE /
 * wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY), so `cordon emulate` works without one.
 */
export const AwsIamSeed = z
  .strictObject({
    accountId: z
      .string()
      .regex(/^\d{12}$/, "accountId must be 12 digits")
      .optional(),
    /** The signing region IAM accepts (IAM is global: `us-east-1` in the aws partition). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "region like us-east-1")
      .optional(),
    users: z.array(SeedUser).optional(),
    /** Temporary credentials of assumed roles (not IAM users): `GetUser` without a name refuses them. */
    roleSessions: z.array(SeedRoleSession).optional(),
  })
  .superRefine((seed, ctx) => crossCheck(seed, ctx), { when: () => true });
export type AwsIamSeed = z.infer<typeof AwsIamSeed>;

export const DEFAULT_ADMIN = {
  userName: "emulator-admin",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
} as const;

export function parseAwsIamSeed(input: unknown): AwsIamSeed {
  const parsed = AwsIamSeed.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid aws seed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function applyAwsIamSeed(state: AwsIamState, seed: AwsIamSeed): void {
  let signers = 0;
  for (const entry of seed.users ?? []) {
    const user = state.addUser({
      userName: entry.userName,
      path: entry.path,
      tags: Object.entries(entry.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      permissions: entry.permissions,
    });
    for (const key of entry.accessKeys ?? []) {
      state.addAccessKey(user, key);
      if (key.secretAccessKey) signers += 1;
    }
    if (entry.password !== undefined) {
      user.loginProfile = {
        created: state.now(),
        password: entry.password,
        passwordResetRequired: entry.passwordResetRequired ?? false,
      };
    }
    for (const [name, document] of Object.entries(entry.inlinePolicies ?? {})) {
      user.inlinePolicies.set(name, typeof document === "string" ? document : JSON.stringify(document));
    }
    for (const session of entry.sessions ?? []) {
      state.addSession({
        ...session,
        userName: user.userName,
        issuedAt: session.issuedAt ? Date.parse(session.issuedAt) : undefined,
      });
      if (session.secretAccessKey) signers += 1;
    }
  }
  for (const role of seed.roleSessions ?? []) {
    state.addSession({ ...role, issuedAt: role.issuedAt ? Date.parse(role.issuedAt) : undefined });
    if (role.secretAccessKey) signers += 1;
  }
  if (signers === 0 && !state.user(DEFAULT_ADMIN.userName)) {
    const admin = state.addUser({ userName: DEFAULT_ADMIN.userName });
    state.addAccessKey(admin, {
      accessKeyId: DEFAULT_ADMIN.accessKeyId,
      secretAccessKey: DEFAULT_ADMIN.secretAccessKey,
    });
  }
}
