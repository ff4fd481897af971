import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { configJsonSchema } from "../../src/config/json-schema.ts";
import { loadConfig } from "../../src/config/load.ts";
import { resolveConnections } from "../../src/config/resolve.ts";
import { isCordonError } from "../../src/core/errors.ts";

const root = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cordon-config-"));

test("the committed JSON Schema is the one the zod schema exports (regenerate: cordon config schema -o cordon.schema.json)", () => {
  assert.deepEqual(JSON.parse(readFileSync(join(root, "cordon.schema.json"), "utf8")), configJsonSchema());
});

test("the example config parses, and resolves env: and file: secrets", () => {
  const secret = join(dir, "slack-token");
  writeFileSync(secret, "xoxp-from-file\n");
  const key = join(dir, "sa.json");
  writeFileSync(key, '{"type":"service_account"}\n');
  const text = readFileSync(join(root, "examples/cordon.yaml"), "utf8")
    .replace("/run/secrets/slack-admin-token", secret)
    .replace("/run/secrets/cordon-service-account.json", key);
  writeFileSync(join(dir, "cordon.yaml"), text);
  const loaded = loadConfig(undefined, {}, dir);
  assert.equal(loaded.config.policy.maxAccountsPerRun, 25);
  const env = {
    OKTA_API_TOKEN: "okta-from-env",
    AZURE_CLIENT_SECRET: "entra-secret",
    ATLASSIAN_ADMIN_API_KEY: "atl",
    GITHUB_TOKEN: "ghp_x",
    TEAMS_WEBHOOK_URL:
      "https://prod-00.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s",
  };
  const connections = resolveConnections(loaded, env);
  const byName = Object.fromEntries(connections.map((c) => [c.name, c]));
  assert.deepEqual(Object.keys(byName), [
    "okta",
    "slack",
    "entra",
    "google",
    "aws",
    "atlassian",
    "github",
    "teams",
  ]);
  assert.equal(byName.okta?.token, "okta-from-env");
  assert.equal(byName.slack?.token, "xoxp-from-file");
  assert.equal(byName.entra?.clientSecret, "entra-secret");
  assert.equal(byName.google?.credentials, '{"type":"service_account"}');
  assert.equal(byName.atlassian?.apiKey, "atl");
  assert.equal(byName.github?.token, "ghp_x");
  assert.equal(loaded.config.server?.hooks.okta.okta?.secret, "env:OKTA_HOOK_SECRET");
  assert.deepEqual(loaded.config.playbooks.length, 3);
  assert.throws(
    () => resolveConnections(loaded, { ...env, GITHUB_TOKEN: undefined }),
    /connections\.github\.token: environment variable GITHUB_TOKEN is not set/,
  );
});

test("connections come from the vendors' SDK variables alone", () => {
  const empty = mkdtempSync(join(tmpdir(), "cordon-noconfig-"));
  const env = {
    OKTA_CLIENT_ORGURL: "https://acme.okta.com",
    OKTA_CLIENT_TOKEN: "t1",
    SLACK_ADMIN_TOKEN: "xoxp-t2",
    SLACK_SCIM_URL: "http://127.0.0.1:9/scim/v2/",
  };
  const connections = resolveConnections(loadConfig(undefined, env, empty), env);
  assert.deepEqual(connections, [
    { vendor: "okta", name: "okta", orgUrl: "https://acme.okta.com", token: "t1" },
    {
      vendor: "slack",
      name: "slack",
      token: "xoxp-t2",
      apiUrl: "https://slack.com/api/",
      scimUrl: "http://127.0.0.1:9/scim/v2/",
    },
  ]);
});

test("bad configs say where: YAML syntax with line and column, schema path, literal secrets refused", () => {
  const cases: Array<[string, RegExp]> = [
    ["connections:\n  okta: [unclosed\n", /line \d+, column \d+/],
    [
      "connections:\n  okta:\n    vendor: okta\n    orgUrl: not-a-url\n    token: env:X\n",
      /connections\.okta\.orgUrl/,
    ],
    [
      "connections:\n  okta:\n    vendor: okta\n    orgUrl: https://a.okta.com\n    token: SSWS-literal\n",
      /never the secret itself/,
    ],
    ["policy:\n  maxAccountsPerRun: 0\n", /policy\.maxAccountsPerRun/],
    ["surprise: true\n", /Unrecognized key/],
  ];
  for (const [text, message] of cases) {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, text);
    assert.throws(
      () => loadConfig(file, {}, dir),
      (e) => isCordonError(e) && e.kind === "config" && message.test(e.message),
      text,
    );
  }
  assert.throws(() => loadConfig("missing.yaml", {}, dir), /config file not found/);
});
