import { generateKeyPairSync } from "node:crypto";
import { DEFAULT_ORG } from "./atlassian/seed.ts";
import { DEFAULT_ADMIN } from "./aws/seed.ts";
import { DEFAULT_TENANT_ID } from "./entra/seed.ts";
import type { EmulatedVendor, SeedFile } from "./index.ts";
import { DEFAULT_WORKFLOW_ID, DEFAULT_WORKFLOW_SIG } from "./teams/seed.ts";

/** A connection (secrets included) that points a real connector at a running emulator. */
export type RehearsalConnection = { name: string; vendor: string } & Record<string, unknown>;

/**
 * Google's token flow needs a real key pair: the emulator verifies the service account's RS256 assertions with the
 * public key in its seed. Made fresh for each rehearsal; the private key never leaves the process.
 */
export function rehearsalServiceAccount(): {
  seed: NonNullable<NonNullable<SeedFile["google"]>["serviceAccounts"]>[number];
  keyJson: (tokenUri: string) => string;
} {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientEmail = "cordon-rehearsal@cordon-rehearsal.iam.gserviceaccount.com";
  const clientId = "100000000000000000001";
  return {
    seed: {
      clientEmail,
      clientId,
      projectId: "cordon-rehearsal",
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    },
    keyJson: (tokenUri) =>
      JSON.stringify({
        type: "service_account",
        project_id: "cordon-rehearsal",
        private_key_id: "0000000000000000000000000000000000000001",
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        client_email: clientEmail,
        client_id: clientId,
        token_uri: tokenUri,
      }),
  };
}

/**
 * The connection a connector needs to talk to the emulator at `baseUrl`, as a user's cordon.yaml would give it.
 * Emulators accept any well-formed credential unless their seed names one.
 */
export function rehearsalConnection(
  vendor: EmulatedVendor,
  baseUrl: string,
  context: { googleKeyJson?: string; googleAdmin?: string; githubOrg?: string } = {},
): RehearsalConnection {
  switch (vendor) {
    case "okta":
      return { name: "okta", vendor, orgUrl: baseUrl, token: "rehearsal-okta-token" };
    case "slack":
      return {
        name: "slack",
        vendor,
        token: "xoxp-rehearsal-token",
        apiUrl: `${baseUrl}/api/`,
        scimUrl: `${baseUrl}/scim/v2/`,
      };
    case "google":
      return {
        name: "google",
        vendor,
        credentials: context.googleKeyJson ?? "",
        adminSubject: context.googleAdmin ?? "",
        directoryUrl: baseUrl,
      };
    case "atlassian":
      return {
        name: "atlassian",
        vendor,
        orgId: DEFAULT_ORG.orgId,
        apiKey: "rehearsal-atlassian-key",
        apiUrl: baseUrl,
      };
    case "github":
      return {
        name: "github",
        vendor,
        org: context.githubOrg ?? "corp",
        token: "ghp_rehearsalToken0123456789",
        apiUrl: baseUrl,
      };
    case "entra":
      return {
        name: "entra",
        vendor,
        tenantId: DEFAULT_TENANT_ID,
        clientId: "11111111-2222-3333-4444-555555555555",
        clientSecret: "rehearsal-entra-secret",
        authorityHost: baseUrl,
        graphUrl: baseUrl,
      };
    case "aws":
      // The emulator's documented default signer (AWS's own example key pair); people are found by their email tag.
      return {
        name: "aws",
        vendor,
        endpoint: baseUrl,
        region: "us-east-1",
        accessKeyId: DEFAULT_ADMIN.accessKeyId,
        secretAccessKey: DEFAULT_ADMIN.secretAccessKey,
      };
    case "teams":
      // A Workflows URL, shaped like Power Automate's; the signature is the emulator's default (any is accepted
      // unless the seed names webhooks).
      return {
        name: "teams",
        vendor,
        webhookUrl: `${baseUrl}/workflows/${DEFAULT_WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${DEFAULT_WORKFLOW_SIG}`,
      };
  }
}
