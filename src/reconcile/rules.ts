/**
 * Access rules: which people may have an account in which app. Two formats:
 *
 * - cordon's own (YAML or JSON): `{ apps: { <app>: { allowedGroups, allowedEmails, exceptions: [{email, owner,
 *   expires, reason}] } } }`.
 * - Mozilla IAM's `apps.yml`, read as is: `{ apps: [ { application: { name, authorized_users, authorized_groups,
 *   … } } ] }`. Unlike the seed driver (seeds.md §3): the app is matched by name case-insensitively and a missing
 *   entry is an error (the driver fell through to the last app and deactivated everyone); `authorized_users` is
 *   honoured (the driver ignored it). The driver's group-prefix rule is kept as `ldapPrefix` (default on for
 *   apps.yml): a group whose first `_`-separated part is not `mozilliansorg`, `hris` or `ldap` is read as
 *   `ldap_<group>` (CIS v1 profiles prefix LDAP groups so; `team_moco` → `ldap_team_moco`).
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { isPlausibleEmail, normaliseEmail } from "../core/account.ts";
import { CordonError } from "../core/errors.ts";
import { parseYamlLike, zodError } from "./sources.ts";

export interface AccessException {
  email: string;
  owner: string;
  /** ISO date or date-time. A date alone expires at 00:00 UTC of that day (fail closed: the shorter reading). */
  expires: string;
  reason: string;
}

export interface AppRule {
  /** The app's name as the rules file spells it. */
  name: string;
  allowedGroups: string[];
  allowedEmails: string[];
  exceptions: AccessException[];
}

export interface AccessRules {
  format: "cordon" | "mozilla-apps-yml";
  origin: string;
  apps: AppRule[];
}

const Email = z
  .string()
  .refine(isPlausibleEmail, { message: "not an email address" })
  .transform((e) => normaliseEmail(e));

const IsoDate = z
  .string()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    {
      message: "expected an ISO date (YYYY-MM-DD) or date-time",
    },
  );

const CordonRulesSchema = z
  .object({
    apps: z.record(
      z.string().min(1),
      z
        .object({
          allowedGroups: z.array(z.string().min(1)).default([]),
          allowedEmails: z.array(Email).default([]),
          exceptions: z
            .array(
              z
                .object({
                  email: Email,
                  owner: z.string().min(1),
                  expires: z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), IsoDate),
                  reason: z.string().min(1),
                })
                .strict(),
            )
            .default([]),
        })
        .strict(),
    ),
  })
  .strict();

/** Only what cordon reads; every other member of an application (op, url, logo, display…) is left alone. */
const AppsYmlSchema = z.object({
  apps: z.array(
    z.object({
      application: z.object({
        name: z.string().min(1),
        authorized_users: z.array(z.string()).nullish(),
        authorized_groups: z.array(z.string()).nullish(),
      }),
    }),
  ),
});

const MOZILLA_PREFIXES = new Set(["mozilliansorg", "hris", "ldap"]);

/** The seed driver's rule, documented above. */
export function mozillaGroupName(group: string): string {
  return MOZILLA_PREFIXES.has(group.split("_")[0]!) ? group : `ldap_${group}`;
}

export interface ParseRulesOptions {
  /** `auto` (default): a list under `apps` is apps.yml, a map is cordon's format. */
  format?: "auto" | "cordon" | "mozilla-apps-yml";
  /** apps.yml only: apply the `ldap_` group-prefix rule. Default true. */
  ldapPrefix?: boolean;
}

export function parseAccessRules(
  text: string,
  origin = "rules file",
  options: ParseRulesOptions = {},
): AccessRules {
  const { value, lineOf } = parseYamlLike(text, origin);
  if (
    value === null ||
    value === undefined ||
    (typeof value === "object" && Object.keys(value).length === 0)
  ) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.rules.empty" },
      `${origin} is empty: refusing to reconcile against no rules (that would deactivate everyone)`,
    );
  }
  const apps = (value as { apps?: unknown }).apps;
  const format =
    options.format && options.format !== "auto"
      ? options.format
      : Array.isArray(apps)
        ? "mozilla-apps-yml"
        : "cordon";
  if (format === "mozilla-apps-yml") {
    const parsed = AppsYmlSchema.safeParse(value);
    if (!parsed.success) throw zodError(parsed.error, origin, lineOf);
    const prefix = options.ldapPrefix ?? true;
    const result: AppRule[] = [];
    for (const [i, { application }] of parsed.data.apps.entries()) {
      const users = application.authorized_users ?? [];
      for (const [j, user] of users.entries()) {
        if (!isPlausibleEmail(user))
          throw new CordonError(
            { kind: "config", path: origin },
            `${origin}: line ${lineOf(["apps", i, "application", "authorized_users", j])}: apps.${i}.application.authorized_users.${j}: not an email address`,
          );
      }
      result.push({
        name: application.name,
        allowedGroups: (application.authorized_groups ?? []).map((g) => (prefix ? mozillaGroupName(g) : g)),
        allowedEmails: users.map(normaliseEmail),
        exceptions: [],
      });
    }
    return { format, origin, apps: result };
  }
  const parsed = CordonRulesSchema.safeParse(value);
  if (!parsed.success) throw zodError(parsed.error, origin, lineOf);
  return {
    format,
    origin,
    apps: Object.entries(parsed.data.apps).map(([name, app]) => ({ name, ...app })),
  };
}

export async function loadAccessRules(path: string, options: ParseRulesOptions = {}): Promise<AccessRules> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CordonError({ kind: "config", path }, `cannot read the rules file ${path}`, { cause: error });
  }
  return parseAccessRules(text, path, options);
}

/**
 * The rule of one app, matched case-insensitively. A missing app, two entries for it, or an entry that allows
 * nobody is a policy alarm: reconciling against it would deactivate everyone.
 */
export function ruleForApp(rules: AccessRules, app: string): AppRule {
  const wanted = app.trim().toLowerCase();
  const matches = rules.apps.filter((a) => a.name.trim().toLowerCase() === wanted);
  if (matches.length === 0) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.rules.app_missing" },
      `${rules.origin} has no entry for the app "${app}" (it lists ${rules.apps.length} other app(s)); nothing changes`,
    );
  }
  if (matches.length > 1) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.rules.app_ambiguous" },
      `${rules.origin} has ${matches.length} entries named "${app}" (case-insensitively); nothing changes`,
    );
  }
  const rule = matches[0]!;
  if (rule.allowedGroups.length === 0 && rule.allowedEmails.length === 0 && rule.exceptions.length === 0) {
    throw new CordonError(
      { kind: "policy", rule: "reconcile.rules.app_allows_nobody" },
      `${rules.origin}: the app "${rule.name}" allows no group, email or exception: refusing to deactivate everyone`,
    );
  }
  return rule;
}

/** Milliseconds at which an exception stops counting. */
export function exceptionExpiresAt(exception: AccessException): number {
  return Date.parse(
    /^\d{4}-\d{2}-\d{2}$/.test(exception.expires) ? `${exception.expires}T00:00:00Z` : exception.expires,
  );
}
