import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError, isKind } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { confirmCompromised } from "./actions/confirm-compromised.ts";
import { disableAccount } from "./actions/disable-account.ts";
import { dismissRisk } from "./actions/dismiss-risk.ts";
import { enableAccount } from "./actions/enable-account.ts";
import { forcePasswordChange } from "./actions/force-password-change.ts";
import { removeFromGroups } from "./actions/remove-from-groups.ts";
import { restoreGroups } from "./actions/restore-groups.ts";
import { revokeSessions } from "./actions/revoke-sessions.ts";
import { EntraClient, type EntraClientConfig, type GraphUser, odataString } from "./client.ts";
import { tokenClaims } from "./credential.ts";

export {
  EntraClient,
  type EntraClientConfig,
  type GraphGroup,
  type GraphUser,
  type RiskyUser,
} from "./client.ts";
export {
  ENTRA_DEFAULT_AUTHORITY_HOST,
  ENTRA_DEFAULT_GRAPH_URL,
  EntraConnection,
  entraConnectionFromEnv,
} from "./config.ts";

/** `createEntraConnector`'s configuration: the connection with its secret resolved. */
export type EntraConnectorConfig = EntraClientConfig;

export const entraActions: readonly AnyActionDefinition[] = [
  revokeSessions,
  disableAccount,
  enableAccount,
  forcePasswordChange,
  confirmCompromised,
  dismissRisk,
  removeFromGroups,
  restoreGroups,
];

/**
 * Profiles (docs/decisions/0003-containment-profiles.md): `sessions` revokes every refresh token and session;
 * `lock` first disables the account, so no new session can start, then revokes the existing ones.
 */
const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [{ actionId: "entra.revoke_sessions", input: {} }],
  lock: [
    { actionId: "entra.disable_account", input: {} },
    { actionId: "entra.revoke_sessions", input: {} },
  ],
};

/** What `findAccounts` tries, in order, for each address; `matchedBy` names the first that matched. */
const LOOKUPS: ReadonlyArray<{ name: string; filter: (address: string) => string }> = [
  { name: "userPrincipalName", filter: (a) => `userPrincipalName eq ${odataString(a)}` },
  { name: "mail", filter: (a) => `mail eq ${odataString(a)}` },
  { name: "proxyAddresses", filter: (a) => `proxyAddresses/any(x:x eq ${odataString(`smtp:${a}`)})` },
];

/** The addresses a user answers to under each of LOOKUPS' names, lower-cased, as Graph's `eq` compares them. */
function addressesOf(user: GraphUser): Record<string, string[]> {
  return {
    userPrincipalName: [normaliseEmail(user.userPrincipalName)],
    mail: user.mail ? [normaliseEmail(user.mail)] : [],
    // `proxyAddresses/any(x:x eq 'smtp:a')` matches the primary `SMTP:` and the `smtp:` aliases alike.
    proxyAddresses: (user.proxyAddresses ?? [])
      .filter((p) => p.toLowerCase().startsWith("smtp:"))
      .map((p) => normaliseEmail(p.slice(5))),
  };
}

/**
 * Application permissions `check()` looks for in the token's `roles`, each with what it is for. Any listed
 * permission satisfies a line (least privileged first). Lookup and the profiles' actions are required; the rest
 * are reported as optional.
 */
const PERMISSION_CHECKS: ReadonlyArray<{ needs: string[]; for: string; required: boolean }> = [
  {
    needs: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    for: "account lookup",
    required: true,
  },
  {
    needs: [
      "RoleManagement.Read.Directory",
      "RoleManagement.Read.All",
      "Directory.Read.All",
      "RoleManagement.ReadWrite.Directory",
      "Directory.ReadWrite.All",
    ],
    for: "bulk account lookup: administrators in one read; without it, one read per person found",
    required: false,
  },
  {
    needs: ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
    for: "entra.revoke_sessions",
    required: true,
  },
  {
    needs: ["User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
    for: "entra.disable_account / enable_account",
    required: true,
  },
  {
    needs: ["User-PasswordProfile.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
    for: "entra.force_password_change",
    required: false,
  },
  {
    needs: ["IdentityRiskyUser.ReadWrite.All"],
    for: "entra.confirm_compromised / dismiss_risk",
    required: false,
  },
  {
    needs: ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"],
    for: "entra.remove_from_groups / restore_groups",
    required: false,
  },
];

function message(error: unknown): string {
  return isCordonError(error) ? error.message : "unexpected error";
}

export function createEntraConnector(config: EntraConnectorConfig, deps: ConnectorDeps): Connector {
  const client = new EntraClient(config, deps);
  return {
    vendor: "entra",
    connection: config.connection,
    client,
    lookupScopes: ["User.Read.All", "RoleManagement.Read.Directory", "GroupMember.Read.All"],
    actions: new Map(entraActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    /**
     * Per address: `$filter` on userPrincipalName, then mail, then proxyAddresses (`smtp:` aliases), all pages, every
     * match kept (never guessed). Each new user costs one more read: whether it holds a directory role
     * (transitively, through role-assignable groups too), which makes it protected as `admin`.
     */
    async findAccounts(subject: Subject, signal?: AbortSignal): Promise<Account[]> {
      const found = new Map<string, Account>();
      for (const address of [subject.email, ...subject.aliases]) {
        for (const lookup of LOOKUPS) {
          for (const user of await client.findUsers(lookup.filter(address), signal)) {
            if (found.has(user.id)) continue;
            const admin = await client.holdsDirectoryRole(user.id, signal);
            found.set(user.id, client.toAccount(user, `$filter ${lookup.name} eq ${address}`, admin));
          }
        }
      }
      return [...found.values()];
    },
    /**
     * For mass containment: every user once (`GET /users`, 999 a page, with proxyAddresses), matched in memory by
     * the rules of `findAccounts` (per address in order: userPrincipalName, mail, an `smtp:` proxy address, all
     * case-insensitive; `matchedBy` names the first that matched); and every administrator once (the directory's
     * role assignments, plus the members of the role-assignable groups holding a role). For a tenant of N users:
     * ⌈N/999⌉ + 1 requests, plus one per group holding a role, however many people (findAccounts: four or more
     * each). Should the app lack the permission to read role assignments or group members, the people found are
     * checked one by one as `findAccounts` does.
     */
    async findAccountsBulk(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>> {
      const readAdmins = client.directoryRoleHolders(signal).catch((error: unknown) => {
        if (isKind(error, "forbidden")) return null;
        throw error;
      });
      const index = new Map<string, Map<string, GraphUser[]>>(LOOKUPS.map((l) => [l.name, new Map()]));
      try {
        for await (const user of client.listAllUsers(signal)) {
          for (const [name, addresses] of Object.entries(addressesOf(user))) {
            const byAddress = index.get(name)!;
            for (const address of new Set(addresses)) {
              const users = byAddress.get(address);
              if (users) users.push(user);
              else byAddress.set(address, [user]);
            }
          }
        }
      } finally {
        // Never leave the concurrent read unobserved: its failure surfaces below, or not at all.
        await readAdmins.catch(() => undefined);
      }
      const admins = await readAdmins;
      const matched = new Map<string, Array<{ user: GraphUser; matchedBy: string }>>();
      for (const subject of subjects) {
        const found = new Map<string, { user: GraphUser; matchedBy: string }>();
        for (const address of [subject.email, ...subject.aliases]) {
          for (const lookup of LOOKUPS) {
            for (const user of index.get(lookup.name)!.get(normaliseEmail(address)) ?? []) {
              if (!found.has(user.id))
                found.set(user.id, { user, matchedBy: `users list ${lookup.name} eq ${address}` });
            }
          }
        }
        matched.set(subject.email, [...found.values()]);
      }
      const isAdmin = new Map<string, boolean>();
      for (const { user } of [...matched.values()].flat()) {
        if (isAdmin.has(user.id)) continue;
        isAdmin.set(user.id, admins ? admins.has(user.id) : await client.holdsDirectoryRole(user.id, signal));
      }
      const result = new Map<string, Account[]>();
      for (const subject of subjects)
        result.set(
          subject.email,
          (matched.get(subject.email) ?? []).map(({ user, matchedBy }) =>
            client.toAccount(user, matchedBy, isAdmin.get(user.id) ?? false),
          ),
        );
      return result;
    },
    /**
     * A token from the token endpoint, one Graph read (`GET /users?$top=1`), and the token's `roles` compared with
     * what the actions need: each missing permission is named.
     */
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      let token: string;
      try {
        token = await client.token(signal);
      } catch (error) {
        return { ok: false, problems: [message(error)] };
      }
      const claims = tokenClaims(token);
      const identity = claims
        ? `${String(claims.app_displayname ?? "app")} (${String(claims.appid)}) in tenant ${String(claims.tid)}`
        : undefined;
      const problems: string[] = [];
      let ok = true;
      try {
        await client.call(
          {
            method: "GET",
            path: ["/users"],
            query: { $select: "id", $top: 1 },
            bucket: "identityRead",
            idempotent: true,
            operation: "/users",
            permission: "User.Read.All",
          },
          signal,
        );
      } catch (error) {
        ok = false;
        problems.push(message(error));
      }
      const roles = Array.isArray(claims?.roles) ? (claims.roles as unknown[]).map(String) : undefined;
      if (roles) {
        for (const line of PERMISSION_CHECKS) {
          if (line.needs.some((p) => roles.includes(p))) continue;
          if (line.required) ok = false;
          problems.push(
            `${line.required ? "" : "(optional) "}missing application permission ${line.needs[0]} (for ${line.for})`,
          );
        }
      } else {
        problems.push("(optional) the token's roles could not be read; permissions are checked call by call");
      }
      return { ok, identity, problems };
    },
  };
}
