import type { ActionCall, Connector } from "./connector.ts";

/** One person as a source of truth knows them: addresses, groups, and whether the source itself has them active. */
export interface EntitledPerson {
  email: string;
  aliases: string[];
  groups: string[];
  active: boolean;
}

/**
 * An account in a reconciliation target (an app whose users cordon can list and deactivate/reactivate).
 * `protectedReasons` as on `Account` (owner, primary_owner, bot, admin…): reconciliation never touches those.
 */
export interface TargetAccount {
  id: string;
  email: string;
  active: boolean;
  protectedReasons: string[];
  displayName?: string;
  /** The vendor's handle when actions need it rather than the id (GitHub login). */
  login?: string;
}

/**
 * What a connector offers reconciliation. Reads are complete or they throw: a partial read must never look like
 * "these are all the users" (the seed driver deactivated everyone on an empty read).
 */
export interface ReconcileCapabilities {
  /** As a target: every account, all pages. */
  listAccounts?(signal?: AbortSignal): Promise<TargetAccount[]>;
  /** The calls that deactivate and reactivate one account (action ids of this connector). */
  lifecycle?: { deactivate: ActionCall; reactivate: ActionCall };
  /**
   * One application's assignments as a target instead of the whole directory (Okta app-level: who may use app X),
   * when the vendor has such a notion. Returns a connector whose `listAccounts`/`lifecycle` are the app's.
   */
  appTarget?(appId: string): Connector;
  /** As a source of truth (an identity provider): every person with their group names, all pages. */
  listPeople?(signal?: AbortSignal): Promise<EntitledPerson[]>;
}
