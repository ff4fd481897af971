import { createAtlassianConnector } from "../../src/connectors/atlassian/index.ts";
import {
  type AtlassianEmulator,
  type AtlassianEmulatorOptions,
  createAtlassianEmulator,
} from "../../src/emulators/atlassian/index.ts";
import { type Harness, harness } from "./harness.ts";

export const ATLASSIAN_TEST_KEY = "atl-org-admin-key";

/**
 * The Atlassian emulator on 127.0.0.1 with a real connector pointed at it (`apiUrl`), built directly rather than
 * through the connectors registry so it works before the registry knows the vendor.
 */
export function atlassianHarness(
  options: AtlassianEmulatorOptions = {},
): Promise<Harness<AtlassianEmulator>> {
  const emulator = createAtlassianEmulator(options);
  return harness(
    emulator,
    (url, deps) =>
      createAtlassianConnector(
        { connection: "atlassian", orgId: emulator.state.orgId, apiKey: ATLASSIAN_TEST_KEY, apiUrl: url },
        deps,
      ),
    options.timeScale,
  );
}
