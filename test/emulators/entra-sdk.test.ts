import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import { createEntraEmulator, type EntraEmulator, type EntraSeed } from "../../src/emulators/entra/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { testTls } from "../../src/emulators/kit/tls.ts";

const APP = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const CERT_APP = "7e6d5c4b-3a29-4187-9f6e-5d4c3b2a1908";
const WRONG_CERT_APP = "6c5b4a39-2817-4f6e-9d5c-4b3a29180716";
const SECRET = "s3cret~value";
const tls = new URL("../../src/emulators/kit/tls/", import.meta.url);
const SERVER_PEM = readFileSync(new URL("server.pem", tls), "utf8");
const SERVER_KEY = readFileSync(new URL("server.key", tls), "utf8");
const OTHER_PEM = readFileSync(new URL("ca.pem", tls), "utf8");

const SEED: EntraSeed = {
  apps: [
    { clientId: APP, displayName: "cordon", secrets: [SECRET] },
    { clientId: CERT_APP, displayName: "cordon-cert", certificates: [SERVER_PEM] },
    { clientId: WRONG_CERT_APP, displayName: "other-cert", certificates: [OTHER_PEM] },
  ],
  users: [{ userPrincipalName: "alice@contoso.com" }],
};

/**
 * @azure/identity 4.14 (MSAL Node) unchanged, over https with the test CA trusted through NODE_EXTRA_CA_CERTS:
 * `authorityHost` is the emulator and instance discovery is off (the emulator is not a Microsoft host).
 */
describe("entra emulator: @azure/identity, unchanged", () => {
  let emulator: EntraEmulator;
  let server: RunningServer;
  let dir: string;
  let pemPath: string;
  const options = () => ({ authorityHost: server.url, disableInstanceDiscovery: true });

  before(async () => {
    emulator = createEntraEmulator({ seed: SEED });
    server = await serveFetch(emulator.app.fetch, { tls: testTls() });
    dir = mkdtempSync(join(tmpdir(), "cordon-entra-sdk-"));
    pemPath = join(dir, "app.pem");
    writeFileSync(pemPath, `${SERVER_KEY}\n${SERVER_PEM}`);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("ClientSecretCredential obtains a Graph token that Graph accepts", async () => {
    const credential = new ClientSecretCredential(emulator.state.tenantId, APP, SECRET, options());
    const token = await credential.getToken("https://graph.microsoft.com/.default");
    assert.ok(token.token.split(".").length === 3);
    assert.ok(token.expiresOnTimestamp > Date.now() + 3000_000);
    const response = await fetch(`${server.url}/v1.0/users/alice@contoso.com?$select=id,userPrincipalName`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    assert.equal(response.status, 200);
    assert.equal(
      ((await response.json()) as { userPrincipalName: string }).userPrincipalName,
      "alice@contoso.com",
    );
    // MSAL caches the token: a second call does not need the endpoint.
    assert.equal((await credential.getToken("https://graph.microsoft.com/.default")).token, token.token);
  });

  test("the tenant may be named by its domain", async () => {
    const credential = new ClientSecretCredential("contoso.onmicrosoft.com", APP, SECRET, options());
    assert.ok((await credential.getToken("https://graph.microsoft.com/.default")).token);
  });

  test("a wrong secret surfaces as MSAL's invalid_client with AADSTS7000215", async () => {
    const credential = new ClientSecretCredential(emulator.state.tenantId, APP, "wrong", options());
    await assert.rejects(credential.getToken("https://graph.microsoft.com/.default"), (error: unknown) => {
      const cause = (error as { cause?: { errorCode?: string; errorNo?: unknown; status?: number } }).cause;
      assert.equal(cause?.errorCode, "invalid_client");
      assert.equal(String(cause?.errorNo), "7000215");
      assert.equal(cause?.status, 401);
      return true;
    });
  });

  test("ClientCertificateCredential signs a client assertion the emulator verifies with the registered certificate", async () => {
    const credential = new ClientCertificateCredential(
      emulator.state.tenantId,
      CERT_APP,
      { certificatePath: pemPath },
      options(),
    );
    const token = await credential.getToken("https://graph.microsoft.com/.default");
    const claims = JSON.parse(
      Buffer.from(token.token.split(".")[1] ?? "", "base64url").toString("utf8"),
    ) as Record<string, unknown>;
    assert.equal(claims.appid, CERT_APP);
    assert.equal(claims.appidacr, "2");
    const unregistered = new ClientCertificateCredential(
      emulator.state.tenantId,
      WRONG_CERT_APP,
      { certificatePath: pemPath },
      options(),
    );
    await assert.rejects(unregistered.getToken("https://graph.microsoft.com/.default"), (error: unknown) => {
      assert.equal(String((error as { cause?: { errorNo?: unknown } }).cause?.errorNo), "700027");
      return true;
    });
  });
});
