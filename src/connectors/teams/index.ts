import type { AnyActionDefinition } from "../../core/action.ts";
import type { ConnectionCheck, Connector } from "../../core/connector.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { postCard } from "./actions/post-card.ts";
import { TeamsClient, type TeamsClientConfig } from "./client.ts";

export { adaptiveCardMessage, type TeamsCardContent } from "./card.ts";
export { TeamsClient, type TeamsClientConfig } from "./client.ts";

export const teamsActions: readonly AnyActionDefinition[] = [postCard];

/**
 * A notification-only connection: a webhook posts to one channel and can read nothing, so Teams has no accounts
 * to find or contain. Lookups find nobody, profiles are empty, and `check()` does not call the webhook, since the
 * only call there is would post a message into the channel.
 */
export function createTeamsConnector(config: TeamsClientConfig, deps: ConnectorDeps): Connector {
  const client = new TeamsClient(config, deps);
  return {
    vendor: "teams",
    connection: config.connection,
    client,
    lookupScopes: [],
    actions: new Map(teamsActions.map((a) => [a.id, a])),
    profile: () => [],
    findAccounts: async () => [],
    async check(): Promise<ConnectionCheck> {
      if (client.problem) return { ok: false, problems: [`teams: ${client.problem}`] };
      return {
        ok: true,
        identity: "incoming webhook (not checked: a check would post a message)",
        problems: [],
      };
    },
  };
}
