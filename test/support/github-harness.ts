import { createGithubConnector } from "../../src/connectors/github/index.ts";
import {
  createGithubEmulator,
  type GithubEmulator,
  type GithubEmulatorOptions,
} from "../../src/emulators/github/index.ts";
import { type Harness, harness } from "./harness.ts";

export const GITHUB_TEST_TOKEN = "ghp_testtoken0000000000000000000000000000";

/**
 * The GitHub emulator on 127.0.0.1 and a connector for `org` pointed at it. `logins` is the connector's optional
 * email → login mapping.
 */
export function githubHarness(
  options: GithubEmulatorOptions & { org?: string; logins?: Record<string, string> } = {},
): Promise<Harness<GithubEmulator>> {
  const { org = "acme", logins, ...emulatorOptions } = options;
  return harness(
    createGithubEmulator(emulatorOptions),
    (url, deps) =>
      createGithubConnector(
        { connection: "github", org, token: GITHUB_TEST_TOKEN, apiUrl: url, logins },
        deps,
      ),
    emulatorOptions.timeScale,
  );
}
