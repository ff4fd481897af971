import type { AnyActionDefinition } from "../core/action.ts";
import type { Connector } from "../core/connector.ts";
import { createOktaConnector, oktaActions } from "./okta/index.ts";
import type { ConnectorDeps } from "./shared/deps.ts";
import { createSlackConnector, slackActions } from "./slack/index.ts";

export type { ConnectorDeps } from "./shared/deps.ts";

/** Every action of every vendor: the registry the lint test and the docs walk. */
export const allActions: readonly AnyActionDefinition[] = [...oktaActions, ...slackActions];

/** A connection with its secret already resolved; built by the config loader, never logged. */
export type ResolvedConnection =
  | { vendor: "okta"; name: string; orgUrl: string; token: string }
  | { vendor: "slack"; name: string; token: string; apiUrl: string; scimUrl: string };

export function createConnector(connection: ResolvedConnection, deps: ConnectorDeps): Connector {
  switch (connection.vendor) {
    case "okta":
      return createOktaConnector(
        { connection: connection.name, orgUrl: connection.orgUrl, token: connection.token },
        deps,
      );
    case "slack":
      return createSlackConnector(
        {
          connection: connection.name,
          token: connection.token,
          apiUrl: connection.apiUrl,
          scimUrl: connection.scimUrl,
        },
        deps,
      );
  }
}
