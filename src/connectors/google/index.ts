import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError, isKind } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { clearPasswordChange } from "./actions/clear-password-change.ts";
import { deleteAsps } from "./actions/delete-asps.ts";
import { forcePasswordChange } from "./actions/force-password-change.ts";
import { revokeOAuthTokens } from "./actions/revoke-oauth-tokens.ts";
import { signOut } from "./actions/sign-out.ts";
import { suspendUser } from "./actions/suspend-user.ts";
import { unsuspendUser } from "./actions/unsuspend-user.ts";
import { GoogleClient, type GoogleClientConfig, type GoogleUser } from "./client.ts";
import { GOOGLE_SCOPES } from "./errors.ts";

export {
  GOOGLE_DEFAULT_DIRECTORY_URL,
  type GoogleAsp,
  GoogleClient,
  type GoogleClientConfig,
  type GoogleOAuthGrant,
  type GoogleUser,
} from "./client.ts";
export { GOOGLE_TOKEN_URL, parseServiceAccountKey, type ServiceAccountKey } from "./credentials.ts";
export { GOOGLE_SCOPES, googlePolicy } from "./errors.ts";

/** The connector's configuration: a connection name, the service-account key (path or JSON), the admin to act as. */
export type GoogleConnectorConfig = GoogleClientConfig;

export const googleActions: readonly AnyActionDefinition[] = [
  signOut,
  revokeOAuthTokens,
  deleteAsps,
  suspendUser,
  unsuspendUser,
  forcePasswordChange,
  clearPasswordChange,
];

/**
 * Profiles (docs/decisions/0003-containment-profiles.md): `sessions` signs out everywhere and removes what outlives
 * a sign-out (OAuth grants to apps, app passwords); `lock` first suspends, so no new session can start while the
 * old ones are swept. The password-change flag is an action, not a profile step (it changes what the user must
 * do next, and does not stop whoever knows the password).
 */
const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [
    { actionId: "google.sign_out", input: {} },
    { actionId: "google.revoke_oauth_tokens", input: {} },
    { actionId: "google.delete_asps", input: {} },
  ],
  lock: [
    { actionId: "google.suspend_user", input: {} },
    { actionId: "google.sign_out", input: {} },
    { actionId: "google.revoke_oauth_tokens", input: {} },
    { actionId: "google.delete_asps", input: {} },
  ],
};

/** Every address of a user, lower-cased: the primary one, editable aliases and non-editable aliases. */
function addressesOf(user: GoogleUser): string[] {
  return [user.primaryEmail, ...(user.aliases ?? []), ...(user.nonEditableAliases ?? [])].map(normaliseEmail);
}

/**
 * A Google Workspace connection: the Admin SDK Directory API through a service account with domain-wide
 * delegation, impersonating `adminSubject`. The key is read on first use, so building a connector never fails on
 * a missing file; `check()` reports it.
 */
export function createGoogleConnector(config: GoogleConnectorConfig, deps: ConnectorDeps): Connector {
  const client = new GoogleClient(config, deps);
  const subject = normaliseEmail(config.adminSubject);

  /** users.get with the address; an address in a domain the customer does not own answers 403, not 404. */
  async function lookUp(address: string, signal?: AbortSignal): Promise<GoogleUser | null> {
    try {
      return await client.getUser(address, signal);
    } catch (error) {
      if (!isKind(error, "forbidden") || error.detail.vendorCode !== "forbidden") throw error;
      // Tell "not this customer's address" from "the admin may not read users": a search never 403s for the
      // former, and fails the same way for the latter (then the original error stands).
      for await (const user of client.listUsers(`email='${address}'`, signal)) {
        if (addressesOf(user).includes(normaliseEmail(address))) return user;
      }
      return null;
    }
  }

  return {
    vendor: "google",
    connection: config.connection,
    client,
    lookupScopes: [GOOGLE_SCOPES.user],
    actions: new Map(googleActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    vendorRefuses(account: Account, call: ActionCall): string | null {
      if (call.actionId === "google.suspend_user" && normaliseEmail(account.email) === subject) {
        return "this is the admin the connection impersonates: suspending it would cut off cordon's own access, undo included";
      }
      return null;
    },
    async findAccounts(who: Subject, signal?: AbortSignal): Promise<Account[]> {
      const found = new Map<string, Account>();
      for (const address of [who.email, ...who.aliases]) {
        const user = await lookUp(address, signal);
        if (!user || found.has(user.id)) continue;
        const primary = normaliseEmail(user.primaryEmail) === normaliseEmail(address);
        found.set(
          user.id,
          client.toAccount(user, config.connection, `users.get ${primary ? "primary" : "alias"} ${address}`),
        );
      }
      return [...found.values()];
    },
    /** One users.list walk (500 a page) instead of one users.get per address, for mass containment. */
    async findAccountsBulk(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>> {
      const wanted = new Map<string, string>();
      for (const s of subjects)
        for (const address of [s.email, ...s.aliases]) wanted.set(normaliseEmail(address), s.email);
      const found = new Map<string, Account[]>(subjects.map((s) => [s.email, []]));
      for await (const user of client.listUsers(undefined, signal)) {
        const addresses = addressesOf(user);
        const owners = new Set(addresses.map((a) => wanted.get(a)).filter((s) => s !== undefined));
        for (const owner of owners) {
          const primary = wanted.get(addresses[0]!) === owner;
          found
            .get(owner)
            ?.push(client.toAccount(user, config.connection, `users.list ${primary ? "primary" : "alias"}`));
        }
      }
      return found;
    },
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      try {
        const admin = await client.getUser(config.adminSubject, signal);
        if (!admin)
          return { ok: false, problems: [`google: admin subject ${config.adminSubject} not found`] };
        if (!admin.isAdmin && !admin.isDelegatedAdmin)
          return {
            ok: false,
            identity: admin.primaryEmail,
            problems: [`google: ${admin.primaryEmail} is not an administrator; impersonate a super admin`],
          };
        return {
          ok: true,
          identity: `${admin.primaryEmail} (${admin.isAdmin ? "super admin" : "delegated admin"})`,
          problems: [],
        };
      } catch (error) {
        return { ok: false, problems: [isCordonError(error) ? error.message : "unexpected error"] };
      }
    },
  };
}
