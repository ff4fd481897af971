/** An account of one person in one connected app, as the vendor reported it when it was looked up. */
export interface Account {
  /** The connection name from configuration (e.g. "okta", or "okta-emea" when an org has two). */
  connection: string;
  /** The vendor key of the connector (e.g. "okta", "slack"). */
  vendor: string;
  /** The vendor's own id for the user (Okta `00u…`, Slack `U…`/`W…`). */
  id: string;
  email: string;
  login?: string;
  displayName?: string;
  /** The vendor's status words, unchanged (Okta `ACTIVE`/`SUSPENDED`…, Slack `active`/`deactivated`). */
  status: string;
  /**
   * Vendor-intrinsic reasons this account must not be contained without a human forcing it
   * (e.g. Slack `primary_owner`, `owner`, `bot`). Configured protections are added by policy, not here.
   */
  protectedReasons: string[];
  /** Other addresses the vendor knows this person by (aliases, proxy addresses), used to find them elsewhere. */
  aliases?: string[];
  /** How the account was matched to the subject (e.g. `profile.email eq`, `users.lookupByEmail`). */
  matchedBy: string;
}

/** The person being contained: an email and its known aliases. */
export interface Subject {
  email: string;
  aliases: string[];
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A deliberately simple check: cordon refuses obvious garbage before asking any vendor. */
export function isPlausibleEmail(value: string): boolean {
  return /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/.test(value.trim());
}
