import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { restoreAccess } from "./actions/restore-access.ts";
import { revokeApiTokens } from "./actions/revoke-api-tokens.ts";
import { suspendAccess } from "./actions/suspend-access.ts";
import { AtlassianClient, type AtlassianClientConfig, type AtlassianUser } from "./client.ts";

export {
  ATLASSIAN_DEFAULT_API_URL,
  type AtlassianApiToken,
  AtlassianClient,
  type AtlassianClientConfig,
  type AtlassianUser,
  ORG_ADMIN_ROLE,
} from "./client.ts";
export { AtlassianConnection, atlassianConnectionFromEnv } from "./config.ts";

export const atlassianActions: readonly AnyActionDefinition[] = [
  suspendAccess,
  restoreAccess,
  revokeApiTokens,
];

/**
 * Profiles (docs/decisions/0003-containment-profiles.md). Atlassian documents no API that ends a user's sessions
 * ("At this moment, there is no API available to log out Managed Accounts and reset all their sessions",
 * jira.atlassian.com/browse/AX-229), so `sessions` is the API-token sweep alone; `lock` suspends access first,
 * so nothing new starts while the tokens go.
 */
const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [{ actionId: "atlassian.revoke_api_tokens", input: {} }],
  lock: [
    { actionId: "atlassian.suspend_access", input: {} },
    { actionId: "atlassian.revoke_api_tokens", input: {} },
  ],
};

export function createAtlassianConnector(config: AtlassianClientConfig, deps: ConnectorDeps): Connector {
  const client = new AtlassianClient(config, deps);
  /** Claim status of the accounts this connector found, so the plan can say up front what Atlassian refuses. */
  const claims = new Map<string, string>();
  const accountOf = (user: AtlassianUser, matchedBy: string): Account => {
    if (user.claimStatus) claims.set(user.accountId, user.claimStatus);
    return client.toAccount(user, config.connection, matchedBy);
  };
  return {
    vendor: "atlassian",
    connection: config.connection,
    client,
    lookupScopes: ["organization admin API key (read:directories:admin)"],
    actions: new Map(atlassianActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    vendorRefuses(account: Account, call: ActionCall): string | null {
      if (call.actionId === "atlassian.revoke_api_tokens" && claims.get(account.id) === "unmanaged")
        return "Atlassian's user management API only acts on managed accounts (this email's domain is not verified by the organization)";
      if (call.actionId === "atlassian.suspend_access" && account.status === "not_invited")
        return "the account is in none of the organization's directories: there is no access to suspend";
      return null;
    },
    async findAccounts(subject: Subject, signal?: AbortSignal): Promise<Account[]> {
      const found = new Map<string, Account>();
      for (const address of [subject.email, ...subject.aliases]) {
        for (const user of await client.findUsersByEmail(address, signal)) {
          // `emails` is an exact match; compare again so a vendor-side change can never widen a containment.
          if (!user.email || normaliseEmail(user.email) !== normaliseEmail(address)) continue;
          if (!found.has(user.accountId))
            found.set(user.accountId, accountOf(user, `users/search emails=${address}`));
        }
      }
      return [...found.values()];
    },
    async findAccountsBulk(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>> {
      const wanted = new Map<string, string>();
      for (const subject of subjects)
        for (const address of [subject.email, ...subject.aliases])
          wanted.set(normaliseEmail(address), subject.email);
      const found = new Map<string, Account[]>(subjects.map((s) => [s.email, []]));
      const seen = new Set<string>();
      for await (const user of client.searchUsers({}, signal)) {
        const email = user.email ? normaliseEmail(user.email) : undefined;
        const subject = email ? wanted.get(email) : undefined;
        if (!subject || seen.has(user.accountId)) continue;
        seen.add(user.accountId);
        found.get(subject)?.push(accountOf(user, `users/search (all pages) ${email}`));
      }
      return found;
    },
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      try {
        const org = await client.getOrg(signal);
        return { ok: true, identity: org.name ? `${org.name} (${org.id})` : org.id, problems: [] };
      } catch (error) {
        return { ok: false, problems: [isCordonError(error) ? error.message : "unexpected error"] };
      }
    },
  };
}
