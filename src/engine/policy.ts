import type { Account } from "../core/account.ts";
import { normaliseEmail } from "../core/account.ts";
import type { PolicyDecision } from "../core/plan.ts";

/** Configured safety rules (cordon.yaml `policy`). */
export interface ContainmentPolicy {
  /** Break-glass and other accounts never contained unless forced, by email (any app). */
  protectedEmails: string[];
  /** Vendor-reported roles that make an account protected (`owner`, `primary_owner`, `admin`, `bot`). */
  protectedRoles: string[];
  /** A run touching more accounts than this stops before acting. */
  maxAccountsPerRun: number;
}

/** The vendor roles cordon knows to protect; by default all of them are. */
export const PROTECTED_ROLES = ["primary_owner", "owner", "admin", "bot", "protected", "caller"] as const;

export const DEFAULT_POLICY: ContainmentPolicy = {
  protectedEmails: [],
  protectedRoles: [...PROTECTED_ROLES],
  maxAccountsPerRun: 25,
};

/** A human's override for protected accounts: recorded in the plan and the ledger. */
export interface Force {
  reason: string;
}

/** Decides whether one account may be contained; a forced decision keeps the human's reason. */
export function judgeAccount(
  account: Account,
  policy: ContainmentPolicy,
  force: Force | null,
): PolicyDecision[] {
  const protections: string[] = [];
  const protectedEmails = new Set(policy.protectedEmails.map(normaliseEmail));
  if (protectedEmails.has(normaliseEmail(account.email)))
    protections.push("listed in policy.protectedEmails");
  for (const reason of account.protectedReasons) {
    if (policy.protectedRoles.includes(reason)) protections.push(`${account.vendor} role ${reason}`);
  }
  if (protections.length === 0)
    return [{ rule: "protected-accounts", effect: "allow", reason: "not protected" }];
  return protections.map((why) =>
    force
      ? { rule: "protected-accounts", effect: "forced", reason: `${why}; forced: ${force.reason}` }
      : {
          rule: "protected-accounts",
          effect: "refuse",
          reason: `protected: ${why}`,
        },
  );
}
