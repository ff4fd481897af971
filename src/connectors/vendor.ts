import type { z } from "zod";
import type { AnyActionDefinition } from "../core/action.ts";
import type { Connector } from "../core/connector.ts";
import type { ConnectorDeps } from "./shared/deps.ts";

/**
 * Everything the rest of cordon needs to know to offer one vendor: how its `cordon.yaml` connection looks, which
 * of its fields are secret references, how its SDK's environment variables describe a connection, and how to build
 * the connector. One entry per vendor in `VENDORS` (src/connectors/index.ts).
 */
export interface VendorRegistration<Config extends { vendor: string } = { vendor: string }> {
  vendor: Config["vendor"];
  schema: z.ZodType<Config>;
  /** Fields holding `env:`/`file:` references, resolved before `create`. */
  secretFields: readonly string[];
  /** The connection the vendor's own SDK variables describe, if they do. */
  fromEnv(env: Readonly<Record<string, string | undefined>>): Config | undefined;
  /** Builds the connector from the config with its secrets already resolved. */
  create(name: string, config: Config, deps: ConnectorDeps): Connector;
  actions: readonly AnyActionDefinition[];
}

/** Keeps the literal types of a registration while checking its shape. */
export function registerVendor<Config extends { vendor: string }>(
  registration: VendorRegistration<Config>,
): VendorRegistration<Config> {
  return registration;
}
