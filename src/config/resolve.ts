import { type ResolvedConnection, vendorOf } from "../connectors/index.ts";
import { type Env, type LoadedConfig, resolveSecret } from "./load.ts";

/** Resolves every connection's secret references; the first missing one is a config error naming the reference. */
export function resolveConnections(loaded: LoadedConfig, env: Env): ResolvedConnection[] {
  return Object.entries(loaded.config.connections).map(([name, connection]) => {
    const resolved: ResolvedConnection = { ...connection, name, vendor: connection.vendor };
    for (const field of vendorOf(connection.vendor).secretFields) {
      const reference = connection[field];
      if (typeof reference === "string") {
        resolved[field] = resolveSecret(reference, env, loaded.baseDir, `connections.${name}.${field}`);
      }
    }
    return resolved;
  });
}
