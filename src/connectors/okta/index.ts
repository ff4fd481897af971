import type { Account, Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { clearSessions } from "./actions/clear-sessions.ts";
import { deactivateUser } from "./actions/deactivate-user.ts";
import { expirePassword } from "./actions/expire-password.ts";
import { listUserApiTokens } from "./actions/list-api-tokens.ts";
import { reactivateUser } from "./actions/reactivate-user.ts";
import { resetFactors } from "./actions/reset-factors.ts";
import { resetPassword } from "./actions/reset-password.ts";
import { revokeApiToken } from "./actions/revoke-api-token.ts";
import { revokeGrants } from "./actions/revoke-grants.ts";
import { revokeRefreshTokens } from "./actions/revoke-refresh-tokens.ts";
import { revokeUserApiTokens } from "./actions/revoke-user-api-tokens.ts";
import { suspendUser } from "./actions/suspend-user.ts";
import { unsuspendUser } from "./actions/unsuspend-user.ts";
import { OktaClient, type OktaClientConfig } from "./client.ts";

export { OktaClient, type OktaClientConfig, type OktaUser } from "./client.ts";

export const oktaActions: readonly AnyActionDefinition[] = [
  clearSessions,
  revokeGrants,
  revokeRefreshTokens,
  suspendUser,
  unsuspendUser,
  deactivateUser,
  reactivateUser,
  resetPassword,
  expirePassword,
  resetFactors,
  listUserApiTokens,
  revokeApiToken,
  revokeUserApiTokens,
];

/**
 * Profiles (docs/decisions/0003-containment-profiles.md): `sessions` ends every session and OAuth token;
 * `lock` first suspends, so no new session can start while the old ones are swept, then sweeps sessions,
 * grants and the user's API tokens.
 */
const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [
    { actionId: "okta.clear_sessions", input: { oauthTokens: true } },
    { actionId: "okta.revoke_grants", input: {} },
  ],
  lock: [
    { actionId: "okta.suspend_user", input: {} },
    { actionId: "okta.clear_sessions", input: { oauthTokens: true } },
    { actionId: "okta.revoke_grants", input: {} },
    { actionId: "okta.revoke_user_api_tokens", input: {} },
  ],
};

export function createOktaConnector(config: OktaClientConfig, deps: ConnectorDeps): Connector {
  const client = new OktaClient(config, deps);
  return {
    vendor: "okta",
    connection: config.connection,
    client,
    lookupScopes: ["okta.users.read", "okta.roles.read"],
    actions: new Map(oktaActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    async findAccounts(subject: Subject, signal?: AbortSignal): Promise<Account[]> {
      const found = new Map<string, Account>();
      for (const address of [subject.email, ...subject.aliases]) {
        for (const user of await client.findUsersByEmail(address, signal)) {
          if (found.has(user.id)) continue;
          const roles = await client.adminRoles(user.id, signal);
          found.set(
            user.id,
            client.toAccount(user, config.connection, `search profile.email/login eq ${address}`, roles),
          );
        }
      }
      return [...found.values()];
    },
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      try {
        const me = await client.getUser("me", signal);
        return { ok: true, identity: me?.profile.login, problems: [] };
      } catch (error) {
        return { ok: false, problems: [isCordonError(error) ? error.message : "unexpected error"] };
      }
    },
  };
}
