import type { ResolvedConnection } from "../connectors/index.ts";
import { type Env, type LoadedConfig, resolveSecret } from "./load.ts";

/** Resolves every connection's secrets; the first missing one is a config error naming the reference. */
export function resolveConnections(loaded: LoadedConfig, env: Env): ResolvedConnection[] {
  return Object.entries(loaded.config.connections).map(([name, connection]) => {
    const token = resolveSecret(connection.token, env, loaded.baseDir, `connections.${name}.token`);
    return connection.vendor === "okta"
      ? { vendor: "okta", name, orgUrl: connection.orgUrl, token }
      : { vendor: "slack", name, token, apiUrl: connection.apiUrl, scimUrl: connection.scimUrl };
  });
}
