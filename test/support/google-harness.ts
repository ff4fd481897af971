import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createGoogleConnector } from "../../src/connectors/google/index.ts";
import {
  createGoogleEmulator,
  type GoogleEmulator,
  type GoogleEmulatorOptions,
  type GoogleSeed,
} from "../../src/emulators/google/index.ts";
import { type Harness, harness } from "./harness.ts";

/** A service account: its key pair, and what Cloud console writes into its JSON key file. */
export interface TestServiceAccount {
  clientEmail: string;
  clientId: string;
  projectId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

let cached: TestServiceAccount | undefined;

/** One RSA key pair per test process (generating one takes tens of milliseconds). */
export function testServiceAccount(): TestServiceAccount {
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  cached = {
    clientEmail: "cordon@cordon-test.iam.gserviceaccount.com",
    clientId: "109876543210987654321",
    projectId: "cordon-test",
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  return cached;
}

/** The seed entry the emulator needs to accept this service account's assertions. */
export function seedServiceAccount(
  account: TestServiceAccount,
  delegatedScopes?: string[],
): NonNullable<GoogleSeed["serviceAccounts"]>[number] {
  return {
    clientEmail: account.clientEmail,
    clientId: account.clientId,
    projectId: account.projectId,
    publicKeyPem: account.publicKeyPem,
    ...(delegatedScopes ? { delegatedScopes } : {}),
  };
}

/** Removes a key file written by {@link writeKeyFile}, with its temporary directory. */
export function removeKeyFile(path: string): void {
  if (path) rmSync(dirname(path), { recursive: true, force: true });
}

/** Writes a service-account JSON key file (the format Cloud console downloads) whose token_uri is `tokenUri`. */
export function writeKeyFile(account: TestServiceAccount, tokenUri: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cordon-google-"));
  const path = join(dir, "service-account.json");
  writeFileSync(
    path,
    JSON.stringify({
      type: "service_account",
      project_id: account.projectId,
      private_key_id: "0123456789abcdef0123456789abcdef01234567",
      private_key: account.privateKeyPem,
      client_email: account.clientEmail,
      client_id: account.clientId,
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: tokenUri,
      auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
      universe_domain: "googleapis.com",
    }),
    { mode: 0o600 },
  );
  return path;
}

export interface GoogleHarness extends Harness<GoogleEmulator> {
  keyFile: string;
}

/**
 * The Google emulator (with the test service account added to its seed) on 127.0.0.1, and a real connector
 * impersonating `adminSubject` with a key file whose token_uri points at the emulator.
 */
export async function googleHarness(
  options: GoogleEmulatorOptions & { adminSubject: string; delegatedScopes?: string[] },
): Promise<GoogleHarness> {
  const account = testServiceAccount();
  const { adminSubject, delegatedScopes, ...emulatorOptions } = options;
  const seed: GoogleSeed = {
    ...options.seed,
    serviceAccounts: [...(options.seed?.serviceAccounts ?? []), seedServiceAccount(account, delegatedScopes)],
  };
  let keyFile = "";
  const h = await harness(
    createGoogleEmulator({ ...emulatorOptions, seed }),
    (url, deps) => {
      keyFile = writeKeyFile(account, `${url}/token`);
      return createGoogleConnector(
        { connection: "google", credentialsPath: keyFile, adminSubject, directoryUrl: url },
        deps,
      );
    },
    options.timeScale,
  );
  return {
    ...h,
    keyFile,
    async close() {
      await h.close();
      removeKeyFile(keyFile);
    },
  };
}
