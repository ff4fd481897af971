import { createEntraConnector, type EntraConnectorConfig } from "../../src/connectors/entra/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Connector } from "../../src/core/connector.ts";
import {
  createEntraEmulator,
  type EntraEmulator,
  type EntraEmulatorOptions,
} from "../../src/emulators/entra/index.ts";
import type { FaultRule } from "../../src/emulators/kit/faults.ts";
import { serveFetch } from "../../src/emulators/kit/serve.ts";
import { testTls } from "../../src/emulators/kit/tls.ts";
import type { AttemptEvent } from "../../src/http/client.ts";
import { RateGovernor } from "../../src/http/governor.ts";
import type { Harness } from "./harness.ts";

export const TENANT_ID = "3f1c2a8e-6b7d-4e5f-8a9b-0c1d2e3f4a5b";
export const CLIENT_ID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
export const CLIENT_SECRET = "cordon~test~secret";

/**
 * The Entra emulator served over https with the loopback test certificate (run tests with
 * NODE_EXTRA_CA_CERTS=src/emulators/kit/tls/ca.pem), and a real connector whose @azure/identity credential and
 * Graph calls both point at it. `connector` overrides the connection (another app, a wrong secret, a certificate).
 */
export async function entraHarness(
  options: EntraEmulatorOptions & { connector?: Partial<EntraConnectorConfig> } = {},
): Promise<Harness<EntraEmulator>> {
  const emulator = createEntraEmulator(options);
  const server = await serveFetch(emulator.app.fetch, { tls: testTls() });
  const clock = systemClock();
  const attempts: AttemptEvent[] = [];
  const config: EntraConnectorConfig = {
    connection: "entra",
    tenantId: emulator.state.tenantId,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authorityHost: server.url,
    graphUrl: server.url,
    ...options.connector,
  };
  const connector: Connector = createEntraConnector(config, {
    clock,
    governor: new RateGovernor({ clock, timeScale: options.timeScale ?? 1 }),
    onAttempt: (e) => attempts.push(e),
    deadlineMs: 10_000,
  });
  return {
    emulator,
    server,
    connector,
    attempts,
    async fault(rule: FaultRule) {
      const response = await fetch(`${server.url}/__cordon/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(rule),
      });
      if (!response.ok) throw new Error(`fault rule refused: ${await response.text()}`);
    },
    close: () => server.close(),
  };
}
