import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import type { Connector } from "../../src/core/connector.ts";
import type { OktaEmulator, OktaSeed } from "../../src/emulators/okta/index.ts";
import type { SlackEmulator, SlackSeed } from "../../src/emulators/slack/index.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import type { Store } from "../../src/store/types.ts";
import { type Harness, oktaHarness, slackHarness } from "./harness.ts";

/** Both emulators over HTTP, their connectors, and a SQLite ledger in a temporary folder. */
export interface World {
  okta: Harness<OktaEmulator>;
  slack: Harness<SlackEmulator>;
  connectors: Connector[];
  store: Store;
  dbPath: string;
  close(): Promise<void>;
}

export async function world(seed: { okta: OktaSeed; slack: SlackSeed }): Promise<World> {
  const okta = await oktaHarness({ seed: seed.okta });
  const slack = await slackHarness({ seed: seed.slack });
  const dir = mkdtempSync(join(tmpdir(), "cordon-test-"));
  const dbPath = join(dir, "cordon.db");
  const store = openSqliteStore({ path: dbPath, clock: systemClock() });
  return {
    okta,
    slack,
    connectors: [okta.connector, slack.connector],
    store,
    dbPath,
    async close() {
      await store.close();
      await okta.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PEOPLE = {
  okta: {
    users: [
      { email: "admin@corp.example", admin: true },
      {
        email: "alice@corp.example",
        sessions: 2,
        oauthClients: [{ clientId: "0oaslack00000000001", refreshTokens: 1 }],
        grants: 2,
        apiTokens: [{ name: "alice-bot" }],
      },
      { email: "carol@corp.example", status: "SUSPENDED" as const },
      { email: "dan@corp.example" },
    ],
    tokenOwner: "admin@corp.example",
  },
  slack: {
    adminUser: "admin@corp.example",
    users: [
      { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
      { email: "alice@corp.example", sessions: { web: 1, mobile: 1 } },
      { email: "carol@corp.example", sessions: { web: 1 } },
      { email: "dan@corp.example" },
    ],
  },
};
