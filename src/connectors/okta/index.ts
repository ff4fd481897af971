import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
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
import { OktaClient, type OktaClientConfig, type OktaUser } from "./client.ts";

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
    /**
     * The whole directory in a few paged reads instead of a search and a `/roles` call per address: every user
     * (DEPROVISIONED ones included, see `listAllUsers`) matched on `profile.email` or `profile.login`, case-
     * insensitively like the per-person search, and the admins from one `iam/assignees/users` walk. Both walks
     * run side by side; if one fails the other is stopped.
     */
    async findAccountsBulk(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>> {
      // address → the subjects that own it, with the address's rank among the subject's (email first).
      const wanted = new Map<string, Array<{ subject: string; rank: number; address: string }>>();
      for (const subject of subjects) {
        [subject.email, ...subject.aliases].forEach((address, rank) => {
          const key = normaliseEmail(address);
          const owners = wanted.get(key) ?? [];
          if (!owners.some((o) => o.subject === subject.email))
            owners.push({ subject: subject.email, rank, address });
          wanted.set(key, owners);
        });
      }
      const stop = new AbortController();
      const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
      const matches: Array<{ user: OktaUser; subject: string; rank: number; matchedBy: string }> = [];
      const walkUsers = async (): Promise<void> => {
        for await (const user of client.listAllUsers(inner)) {
          const best = new Map<string, { rank: number; matchedBy: string }>();
          for (const field of ["email", "login"] as const) {
            const value = user.profile[field];
            if (!value) continue;
            for (const owner of wanted.get(normaliseEmail(value)) ?? []) {
              const seen = best.get(owner.subject);
              if (seen && seen.rank <= owner.rank) continue;
              best.set(owner.subject, {
                rank: owner.rank,
                matchedBy: `users list profile.${field}=${owner.address}`,
              });
            }
          }
          for (const [subject, hit] of best) matches.push({ user, subject, ...hit });
        }
      };
      const walks = [walkUsers(), client.usersWithRoleAssignments(inner)] as const;
      for (const walk of walks) walk.catch(() => stop.abort());
      const [, admins] = await Promise.all(walks);
      const found = new Map<string, Account[]>(subjects.map((s) => [s.email, []]));
      // Per subject in the order findAccounts would report them: by the address that found them, then listing order.
      matches.sort((a, b) => a.rank - b.rank);
      // The assignee list says who holds a role, not which; any role makes the account protected, as in findAccounts.
      for (const m of matches) {
        found
          .get(m.subject)
          ?.push(
            client.toAccount(m.user, config.connection, m.matchedBy, admins.has(m.user.id) ? ["admin"] : []),
          );
      }
      return found;
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
