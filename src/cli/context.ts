import { mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, resolve } from "node:path";
import { type Env, type LoadedConfig, loadConfig } from "../config/load.ts";
import { resolveConnections } from "../config/resolve.ts";
import { createConnector } from "../connectors/index.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import type { Connector } from "../core/connector.ts";
import type { ContainmentPolicy } from "../engine/policy.ts";
import { RateGovernor } from "../http/governor.ts";
import { openSqliteStore } from "../store/index.ts";
import type { Store } from "../store/types.ts";

export interface GlobalOptions {
  config?: string;
  store?: string;
}

/** Everything a command needs, built once from configuration; nothing at module level. */
export interface CliContext {
  loaded: LoadedConfig;
  clock: Clock;
  policy: ContainmentPolicy;
  actor: string;
  storePath: string;
  /** `durability`: the default when cordon.yaml does not set `store.synchronous` (the server wants `full`). */
  openStore(durability?: "normal" | "full"): Store;
  connectors(): Connector[];
}

export function createContext(
  options: GlobalOptions,
  env: Env = process.env,
  cwd = process.cwd(),
): CliContext {
  const loaded = loadConfig(options.config, env, cwd);
  const clock = systemClock();
  const storePath = resolve(loaded.baseDir, options.store ?? env.CORDON_STORE ?? loaded.config.store.path);
  let connectors: Connector[] | undefined;
  return {
    loaded,
    clock,
    policy: loaded.config.policy,
    actor: safeUser(),
    storePath,
    openStore(durability = "normal") {
      mkdirSync(dirname(storePath), { recursive: true });
      return openSqliteStore({
        path: storePath,
        clock,
        synchronous: loaded.config.store.synchronous ?? durability,
      });
    },
    connectors() {
      if (!connectors) {
        const governor = new RateGovernor({ clock });
        connectors = resolveConnections(loaded, env).map((c) => createConnector(c, { clock, governor }));
      }
      return connectors;
    },
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
