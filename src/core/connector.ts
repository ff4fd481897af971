import type { Account, Subject } from "./account.ts";
import type { AnyActionDefinition } from "./action.ts";
import type { ReconcileCapabilities } from "./reconcile.ts";

/** `sessions`: end sessions and tokens only. `lock`: that, plus block sign-in reversibly (suspend/deactivate). */
export type ContainmentProfile = "sessions" | "lock";
export const CONTAINMENT_PROFILES: readonly ContainmentProfile[] = ["sessions", "lock"];

/** A planned call of one action, with the input the action's schema accepts. */
export interface ActionCall {
  actionId: string;
  input: Record<string, unknown>;
}

export interface ConnectionCheck {
  ok: boolean;
  /** Who the credential is, in the vendor's words (Okta user login, Slack `user` of auth.test). */
  identity?: string;
  problems: string[];
}

/**
 * One configured connection to one vendor tenant. Jobs (contain, playbooks, reconcile) use this interface,
 * never a vendor's internals; adding a vendor touches `connectors/` and `emulators/` only.
 */
export interface Connector extends ReconcileCapabilities {
  vendor: string;
  /** The connection's name from configuration. */
  connection: string;
  /** Every action of this vendor, by id. */
  actions: ReadonlyMap<string, AnyActionDefinition>;
  /** The client passed to actions as `ctx.client`. */
  client: unknown;
  /** Scopes the account lookup itself needs (the actions list their own). */
  lookupScopes: string[];
  /** The calls that make up each containment profile, in order. */
  profile(profile: ContainmentProfile): ActionCall[];
  /**
   * Why the vendor would refuse this call for this account, known before asking (Slack never deactivates an
   * owner). The plan skips such calls and says why instead of failing at apply time.
   */
  vendorRefuses?(account: Account, call: ActionCall): string | null;
  /** Every account of the subject in this tenant (email, then aliases); never guessed. */
  findAccounts(subject: Subject, signal?: AbortSignal): Promise<Account[]>;
  /**
   * Optional: many subjects at once by listing the directory, for mass containment where one lookup per person
   * would take longer than the containment itself. Keyed by subject email; same matching rules.
   */
  findAccountsBulk?(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>>;
  /** Checks the credential with one cheap read. */
  check(signal?: AbortSignal): Promise<ConnectionCheck>;
}
