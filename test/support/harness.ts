import { createConnector } from "../../src/connectors/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Connector } from "../../src/core/connector.ts";
import type { FaultRule } from "../../src/emulators/kit/faults.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import {
  createOktaEmulator,
  type OktaEmulator,
  type OktaEmulatorOptions,
} from "../../src/emulators/okta/index.ts";
import {
  createSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from "../../src/emulators/slack/index.ts";
import type { AttemptEvent } from "../../src/http/client.ts";
import { RateGovernor } from "../../src/http/governor.ts";

/** An emulator served on 127.0.0.1 and a real connector pointed at it, with every HTTP attempt recorded. */
export interface Harness<E> {
  emulator: E;
  server: RunningServer;
  connector: Connector;
  attempts: AttemptEvent[];
  fault(rule: FaultRule): Promise<void>;
  close(): Promise<void>;
}

export async function harness<
  E extends { app: { fetch: (r: Request, env: unknown) => Response | Promise<Response> } },
>(
  emulator: E,
  connect: (url: string, deps: Parameters<typeof createConnector>[1]) => Connector,
  timeScale = 1,
): Promise<Harness<E>> {
  const server = await serveFetch(emulator.app.fetch);
  const clock = systemClock();
  const attempts: AttemptEvent[] = [];
  const connector = connect(server.url, {
    clock,
    governor: new RateGovernor({ clock, timeScale }),
    onAttempt: (e) => attempts.push(e),
    deadlineMs: 10_000,
  });
  return {
    emulator,
    server,
    connector,
    attempts,
    async fault(rule) {
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

export function slackHarness(options: SlackEmulatorOptions = {}): Promise<Harness<SlackEmulator>> {
  return harness(
    createSlackEmulator(options),
    (url, deps) =>
      createConnector(
        {
          vendor: "slack",
          name: "slack",
          token: "xoxp-test-token",
          apiUrl: `${url}/api/`,
          scimUrl: `${url}/scim/v2/`,
        },
        deps,
      ),
    options.timeScale,
  );
}

export function oktaHarness(options: OktaEmulatorOptions = {}): Promise<Harness<OktaEmulator>> {
  return harness(
    createOktaEmulator(options),
    (url, deps) => createConnector({ vendor: "okta", name: "okta", orgUrl: url, token: "test-token" }, deps),
    options.timeScale,
  );
}
