import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { isGuid } from "./ids.ts";
import { type EntraState, type GroupRecord, KNOWN_PERMISSIONS, type UserRecord } from "./state.ts";

const Guid = z.string().refine(isGuid, { error: "must be a GUID like 00000000-0000-0000-0000-000000000000" });

const Permission = z.enum(KNOWN_PERMISSIONS, {
  error: `must be a Graph application permission the emulator knows: ${KNOWN_PERMISSIONS.join(", ")}`,
});

const Pem = z.string().refine(
  (pem) => {
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  },
  { error: "must be a PEM certificate (-----BEGIN CERTIFICATE-----)" },
);

const SeedApp = z.strictObject({
  /** The application (client) id. */
  clientId: Guid,
  displayName: z.string().min(1).optional(),
  /** Valid client secrets; omitted: any non-empty secret. */
  secrets: z.array(z.string().min(1)).optional(),
  /** PEM certificates whose private keys may sign client assertions; omitted: any well-formed assertion. */
  certificates: z.array(Pem).optional(),
  /** Application permissions granted (admin-consented) to the app; they appear as the token's `roles`. */
  permissions: z.array(Permission).optional(),
});

const SeedRisk = z.strictObject({
  riskLevel: z.enum(["low", "medium", "high", "hidden", "none"]),
  riskState: z.enum(["none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised"]),
});

const SeedUser = z.strictObject({
  id: Guid.optional(),
  userPrincipalName: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, "users[].userPrincipalName must look like alias@domain"),
  /** Defaults to the UPN for members; guests usually have their home address here. */
  mail: z.email().nullable().optional(),
  displayName: z.string().min(1).optional(),
  jobTitle: z.string().optional(),
  userType: z.enum(["Member", "Guest"]).optional(),
  accountEnabled: z.boolean().optional(),
  /** `SMTP:` marks the primary address, `smtp:` the aliases. */
  proxyAddresses: z
    .array(z.string().regex(/^[A-Za-z0-9]+:.+$/, "proxyAddresses[] look like smtp:alias@domain"))
    .optional(),
  /** Directory roles held directly, by display name (e.g. "Global Administrator"). */
  directoryRoles: z.array(z.string().min(1)).optional(),
  /** Groups the user is a direct member of, by group id or display name. */
  groups: z.array(z.string().min(1)).optional(),
  risk: SeedRisk.optional(),
  forceChangePasswordNextSignIn: z.boolean().optional(),
});

const SeedGroup = z.strictObject({
  id: Guid.optional(),
  displayName: z.string().min(1),
  /** `["Unified"]` for a Microsoft 365 group; add `DynamicMembership` (with membershipRule) for a dynamic one. */
  groupTypes: z.array(z.enum(["Unified", "DynamicMembership"])).optional(),
  mailEnabled: z.boolean().optional(),
  securityEnabled: z.boolean().optional(),
  membershipRule: z.string().min(1).optional(),
  onPremisesSyncEnabled: z.boolean().optional(),
  isAssignableToRole: z.boolean().optional(),
  /** Directory roles assigned to this (role-assignable) group; its members hold them transitively. */
  directoryRoles: z.array(z.string().min(1)).optional(),
});

type Issues = {
  addIssue(issue: { code: "custom"; path: Array<string | number>; message: string }): void;
};

type Raw = Record<string, unknown>;
const objects = (v: unknown): Raw[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === "object" && x !== null ? (x as Raw) : {})) : [];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);

/**
 * Checks across entries: unique UPNs (case-insensitive), group references that exist, dynamic groups with a rule,
 * roles only on role-assignable groups. Runs even when fields failed, so one message lists every problem; it reads
 * the raw input defensively for that reason.
 */
function crossCheck(seed: Raw, ctx: Issues): void {
  const users = objects(seed.users);
  const groups = objects(seed.groups);
  const upns = new Map<string, number>();
  users.forEach((user, index) => {
    if (typeof user.userPrincipalName !== "string") return;
    const upn = user.userPrincipalName.toLowerCase();
    const seen = upns.get(upn);
    if (seen !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["users", index, "userPrincipalName"],
        message: `duplicate userPrincipalName "${user.userPrincipalName}" (already users[${seen}])`,
      });
    else upns.set(upn, index);
  });
  const names = new Set(
    groups.flatMap((g) => [
      ...(typeof g.displayName === "string" ? [g.displayName] : []),
      ...(typeof g.id === "string" ? [g.id.toLowerCase()] : []),
    ]),
  );
  users.forEach((user, index) => {
    strings(user.groups).forEach((ref, g) => {
      if (!names.has(ref) && !names.has(ref.toLowerCase()))
        ctx.addIssue({
          code: "custom",
          path: ["users", index, "groups", g],
          message: `no seeded group has the id or displayName "${ref}"`,
        });
    });
  });
  groups.forEach((group, index) => {
    const dynamic = strings(group.groupTypes).includes("DynamicMembership");
    if (dynamic !== (group.membershipRule !== undefined))
      ctx.addIssue({
        code: "custom",
        path: ["groups", index, "membershipRule"],
        message: "a DynamicMembership group needs a membershipRule, and only such a group has one",
      });
    if (strings(group.directoryRoles).length > 0 && group.isAssignableToRole !== true)
      ctx.addIssue({
        code: "custom",
        path: ["groups", index, "directoryRoles"],
        message: "only a group with isAssignableToRole: true can hold directory roles",
      });
  });
}

const Shape = z.strictObject({
  /** The tenant (directory) id. */
  tenantId: Guid.optional(),
  /** Verified domains; the token endpoint accepts them in place of the tenant id. */
  domains: z.array(z.string().min(3)).optional(),
  /** Identity throttling tier; by default from the number of users (S < 50, M 50–500, L > 500). */
  size: z.enum(["S", "M", "L"]).optional(),
  /** Registered apps; none: any client id and secret are accepted, with `defaultPermissions`. */
  apps: z.array(SeedApp).optional(),
  defaultPermissions: z.array(Permission).optional(),
  users: z.array(SeedUser).optional(),
  groups: z.array(SeedGroup).optional(),
});

/** The `entra` section of a cordon seed: one tenant's apps, users, groups, roles and user risk. */
export const EntraSeed = Shape.superRefine((seed, ctx) => crossCheck(seed as unknown as Raw, ctx), {
  when: () => true,
});
export type EntraSeed = z.infer<typeof EntraSeed>;

export const DEFAULT_TENANT_ID = "8f1d9c7a-2b4e-4c6d-9e0f-1a2b3c4d5e6f";

export function parseEntraSeed(input: unknown): EntraSeed {
  const parsed = EntraSeed.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid entra seed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function namesOf(upn: string): { givenName: string; surname: string | null; displayName: string } {
  const local = upn.split("@")[0]?.split("#EXT#")[0] ?? upn;
  const [first, ...rest] = local.split(/[._-]+/).filter(Boolean);
  const cap = (w: string) => (w ? w[0]!.toUpperCase() + w.slice(1) : w);
  const givenName = cap(first ?? local);
  const surname = rest.length > 0 ? rest.map(cap).join(" ") : null;
  return { givenName, surname, displayName: [givenName, surname].filter(Boolean).join(" ") };
}

/** Fills a fresh tenant from a parsed seed; ids come from the state's seeded generator. */
export function applyEntraSeed(state: EntraState, seed: EntraSeed): void {
  state.tenantId = (seed.tenantId ?? DEFAULT_TENANT_ID).toLowerCase();
  state.domains = seed.domains ?? ["contoso.onmicrosoft.com"];
  if (seed.defaultPermissions) state.defaultPermissions = [...seed.defaultPermissions];
  for (const app of seed.apps ?? []) {
    state.apps.set(app.clientId.toLowerCase(), {
      clientId: app.clientId.toLowerCase(),
      displayName: app.displayName ?? "cordon",
      servicePrincipalId: state.ids.guid(),
      secrets: app.secrets,
      certificates: app.certificates,
      permissions: app.permissions ?? [...state.defaultPermissions],
    });
  }
  const groupsByRef = new Map<string, GroupRecord>();
  for (const entry of seed.groups ?? []) {
    const types = entry.groupTypes ?? [];
    const unified = types.includes("Unified");
    const mailEnabled = entry.mailEnabled ?? unified;
    const nickname = entry.displayName.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const group: GroupRecord = {
      id: (entry.id ?? state.ids.guid()).toLowerCase(),
      displayName: entry.displayName,
      description: null,
      groupTypes: [...types],
      mailEnabled,
      securityEnabled: entry.securityEnabled ?? !unified,
      mail: mailEnabled ? `${nickname}@${state.domains[0]}` : null,
      mailNickname: nickname,
      onPremisesSyncEnabled: entry.onPremisesSyncEnabled ?? null,
      isAssignableToRole: entry.isAssignableToRole ?? null,
      membershipRule: entry.membershipRule ?? null,
      members: new Set(),
    };
    state.groups.set(group.id, group);
    groupsByRef.set(group.displayName, group);
    groupsByRef.set(group.id, group);
    for (const role of entry.directoryRoles ?? []) state.ensureRole(role).members.add(group.id);
  }
  const created = state.now();
  for (const entry of seed.users ?? []) {
    const names = namesOf(entry.userPrincipalName);
    const guest = entry.userType === "Guest";
    const mail = entry.mail === undefined ? (guest ? null : entry.userPrincipalName) : entry.mail;
    const user: UserRecord = {
      id: (entry.id ?? state.ids.guid()).toLowerCase(),
      userPrincipalName: entry.userPrincipalName,
      mail,
      displayName: entry.displayName ?? names.displayName,
      givenName: names.givenName,
      surname: names.surname,
      jobTitle: entry.jobTitle ?? null,
      userType: entry.userType ?? "Member",
      externalUserState: guest ? "Accepted" : null,
      accountEnabled: entry.accountEnabled ?? true,
      proxyAddresses: entry.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
      otherMails: [],
      createdDateTime: created,
      signInSessionsValidFromDateTime: created,
      forceChangePasswordNextSignIn: entry.forceChangePasswordNextSignIn ?? false,
      forceChangePasswordNextSignInWithMfa: false,
    };
    state.users.set(user.id, user);
    for (const ref of entry.groups ?? [])
      (groupsByRef.get(ref) ?? groupsByRef.get(ref.toLowerCase()))?.members.add(user.id);
    for (const role of entry.directoryRoles ?? []) state.ensureRole(role).members.add(user.id);
    if (entry.risk) {
      state.riskyUsers.set(user.id, {
        ...entry.risk,
        riskDetail: "none",
        riskLastUpdatedDateTime: created,
      });
    }
  }
  const count = state.users.size;
  state.size = seed.size ?? (count < 50 ? "S" : count <= 500 ? "M" : "L");
}
