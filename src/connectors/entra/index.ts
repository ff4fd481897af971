import type { Account, Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { confirmCompromised } from "./actions/confirm-compromised.ts";
import { disableAccount } from "./actions/disable-account.ts";
import { dismissRisk } from "./actions/dismiss-risk.ts";
import { enableAccount } from "./actions/enable-account.ts";
import { forcePasswordChange } from "./actions/force-password-change.ts";
import { removeFromGroups } from "./actions/remove-from-groups.ts";
import { restoreGroups } from "./actions/restore-groups.ts";
import { revokeSessions } from "./actions/revoke-sessions.ts";
import { EntraClient, type EntraClientConfig, odataString } from "./client.ts";
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
    lookupScopes: ["User.Read.All"],
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
