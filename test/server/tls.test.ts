/** `server.tls`: cordon serve speaks HTTPS itself, and Okta's hook reaches it over TLS (Okta requires https). */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createStack, registerOktaHook, reportSuspicious, type Stack, until } from "./stack.ts";

const TLS_DIR = new URL("../../src/emulators/kit/tls/", import.meta.url).pathname;

describe("cordon serve over HTTPS", () => {
  let stack: Stack;
  before(async () => {
    stack = await createStack();
    const text = readFileSync(stack.configPath, "utf8").replace(
      "  maxBodyBytes: 65536",
      `  maxBodyBytes: 65536\n  tls: { certFile: "${TLS_DIR}server.pem", keyFile: "${TLS_DIR}server.key" }`,
    );
    writeFileSync(stack.configPath, text);
  });
  after(() => stack.close());

  test("the hook is verified and delivered over TLS, and the user is contained", async () => {
    const { url } = await stack.start();
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    await registerOktaHook(stack);
    await reportSuspicious(stack, "alice@corp.example");
    await until("alice's run", async () =>
      (await stack.store!.automation.listPlaybookRuns()).find((r) => r.state === "completed"),
    );
    assert.equal(stack.okta.state.findUser("alice@corp.example")!.status, "RECOVERY");
  });
});
