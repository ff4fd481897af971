import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError } from "../../core/errors.ts";
import type { EntitledPerson, TargetAccount } from "../../core/reconcile.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { assignAppUser } from "./actions/assign-app-user.ts";
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
import { unassignAppUser } from "./actions/unassign-app-user.ts";
import { unsuspendUser } from "./actions/unsuspend-user.ts";
import { oktaAppTarget } from "./app-target.ts";
import { OktaClient, type OktaClientConfig, type OktaUser } from "./client.ts";

export { OktaClient, type OktaClientConfig, type OktaGroup, type OktaUser } from "./client.ts";
export { oktaAppTarget };

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
  unassignAppUser,
  assignAppUser,
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

/**
 * Statuses in which a person no longer counts as active: DEPROVISIONED (deactivated) and SUSPENDED (blocked by an
 * admin). Every other status (ACTIVE, the not-yet-activated STAGED/PROVISIONED, and the sign-in problems
 * LOCKED_OUT, PASSWORD_EXPIRED, RECOVERY) is someone the organisation still employs, so their entitlements stand.
 * As a target the same split holds: a SUSPENDED or DEPROVISIONED account cannot sign in, any other can (or will).
 */
export const OKTA_INACTIVE_STATUSES: readonly string[] = ["DEPROVISIONED", "SUSPENDED"];

/**
 * Okta as a reconciliation target: suspend and unsuspend. Both are reversible and leave the user, its
 * profile, factors, group memberships and app assignments in place; deactivation removes app assignments and
 * can only be undone by re-activation, which sends an activation email and makes the person set up their
 * credentials again (spec `deactivateUser`/`activateUser`). A reconciliation that is wrong must be cheap to undo.
 * Okta only suspends an ACTIVE user (spec `suspendUser` 400) and only unsuspends a SUSPENDED one.
 */
const LIFECYCLE = {
  deactivate: { actionId: "okta.suspend_user", input: {} },
  reactivate: { actionId: "okta.unsuspend_user", input: {} },
};

/** Addresses besides the primary email: the login and the secondEmail when they are addresses. */
function aliasesOf(user: OktaUser): string[] {
  const email = normaliseEmail(user.profile.email);
  const aliases: string[] = [];
  for (const candidate of [user.profile.login, user.profile.secondEmail ?? ""]) {
    if (!candidate.includes("@")) continue;
    const key = normaliseEmail(candidate);
    if (key !== email && !aliases.some((a) => normaliseEmail(a) === key)) aliases.push(candidate);
  }
  return aliases;
}

/**
 * Runs reads side by side and returns all their results, or rejects with the first failure after stopping the
 * others: reconciliation must never see a partial directory.
 */
async function allOrNothing<T extends unknown[]>(
  signal: AbortSignal | undefined,
  start: (inner: AbortSignal) => { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const stop = new AbortController();
  const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const walks = start(inner);
  for (const walk of walks) walk.catch(() => stop.abort());
  return (await Promise.all(walks)) as T;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Group members read a few groups at a time (well under Okta's 75 concurrent transactions and cordon's 50). */
const GROUP_WALKS_IN_PARALLEL = 4;

export function createOktaConnector(config: OktaClientConfig, deps: ConnectorDeps): Connector {
  const connector = directoryConnector(config, deps);
  connector.appTarget = (appId) => oktaAppTarget(connector, appId);
  return connector;
}

function directoryConnector(config: OktaClientConfig, deps: ConnectorDeps): Connector {
  const client = new OktaClient(config, deps);
  return {
    vendor: "okta",
    connection: config.connection,
    client,
    // okta.groups.read is for listPeople only; a connection used for containment alone works without it.
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
    lifecycle: { deactivate: { ...LIFECYCLE.deactivate }, reactivate: { ...LIFECYCLE.reactivate } },
    /**
     * Okta as the source of truth: every user (DEPROVISIONED included, see `listAllUsers`) with the names of their
     * OKTA_GROUP and APP_GROUP groups. Memberships come from the Groups API, one paged member list per group
     * (`GET /api/v1/groups`, then `GET /api/v1/groups/{id}/users`), not one `GET /users/{id}/groups` per user:
     * 2,000 users in 20 groups cost about 12 user pages + 1 group page + ~20 member pages instead of 2,000 calls.
     * `active` is false for DEPROVISIONED and SUSPENDED (`OKTA_INACTIVE_STATUSES`). Any failed page rejects the
     * whole call.
     */
    async listPeople(signal?: AbortSignal): Promise<EntitledPerson[]> {
      const [users, groupsOf] = await allOrNothing<[OktaUser[], Map<string, string[]>]>(signal, (inner) => [
        collect(client.listAllUsers(inner)),
        (async () => {
          const groups = await client.listGroups(inner);
          const byUser = new Map<string, string[]>();
          let next = 0;
          const worker = async (): Promise<void> => {
            while (next < groups.length) {
              const group = groups[next++]!;
              for (const id of await client.listGroupMemberIds(group.id, inner)) {
                const names = byUser.get(id) ?? [];
                if (!names.includes(group.profile.name)) names.push(group.profile.name);
                byUser.set(id, names);
              }
            }
          };
          const workers = Array.from({ length: Math.min(GROUP_WALKS_IN_PARALLEL, groups.length) }, worker);
          for (const w of workers) w.catch(() => undefined);
          await Promise.all(workers);
          return byUser;
        })(),
      ]);
      return users.map((user) => ({
        email: user.profile.email,
        aliases: aliasesOf(user),
        groups: [...(groupsOf.get(user.id) ?? [])].sort(),
        active: !OKTA_INACTIVE_STATUSES.includes(user.status),
      }));
    },
    /**
     * Okta as a target (the org itself, not an app's assignments): every user with `active` as in `listPeople`,
     * and admins (any role, from one `iam/assignees/users` walk) protected, as `findAccountsBulk` does.
     */
    async listAccounts(signal?: AbortSignal): Promise<TargetAccount[]> {
      const [users, admins] = await allOrNothing<[OktaUser[], Set<string>]>(signal, (inner) => [
        collect(client.listAllUsers(inner)),
        client.usersWithRoleAssignments(inner),
      ]);
      return users.map((user) => {
        const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(" ");
        return {
          id: user.id,
          email: user.profile.email,
          active: !OKTA_INACTIVE_STATUSES.includes(user.status),
          protectedReasons: admins.has(user.id) ? ["admin"] : [],
          ...(name ? { displayName: name } : {}),
        };
      });
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
