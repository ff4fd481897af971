import { z } from "zod";
import { SecretRef } from "../../core/secret-ref.ts";
import { GOOGLE_DEFAULT_DIRECTORY_URL } from "./client.ts";

/**
 * A Google Workspace connection in cordon.yaml:
 *
 * ```yaml
 * connections:
 *   google:
 *     vendor: google
 *     credentials: file:/run/secrets/cordon-sa.json   # or env:GOOGLE_SA_JSON holding the JSON itself
 *     adminSubject: security-bot@corp.example
 * ```
 *
 * `credentials` is a secret reference like every other: cordon resolves it to the *content* of the
 * service-account JSON key (a `file:` reference reads the file; an `env:` reference holds the JSON), and the
 * connector takes that text as `credentialsJson`. The library call `createGoogleConnector` also accepts
 * `credentialsPath`, the form `GOOGLE_APPLICATION_CREDENTIALS` uses.
 */
export const GoogleConnection = z
  .object({
    vendor: z.literal("google"),
    credentials: SecretRef.describe(
      "Service-account JSON key with domain-wide delegation of admin.directory.user and admin.directory.user.security (file:PATH, or env:NAME holding the JSON)",
    ),
    adminSubject: z
      .email()
      .describe("The super admin the service account impersonates (domain-wide delegation subject)"),
    directoryUrl: z
      .url()
      .default(GOOGLE_DEFAULT_DIRECTORY_URL)
      .describe("Admin SDK root URL (an emulator's, in rehearsals)"),
  })
  .strict();
export type GoogleConnection = z.infer<typeof GoogleConnection>;

type Env = Record<string, string | undefined>;

/**
 * The connection the environment describes, or undefined: `GOOGLE_APPLICATION_CREDENTIALS` (the key file's path,
 * as every Google client library reads it) plus `GOOGLE_ADMIN_SUBJECT`, and optionally
 * `CORDON_GOOGLE_DIRECTORY_URL` (cordon's own variable: Google's libraries have no base-URL variable).
 */
export function googleConnectionFromEnv(env: Env): GoogleConnection | undefined {
  const path = env.GOOGLE_APPLICATION_CREDENTIALS;
  const subject = env.GOOGLE_ADMIN_SUBJECT;
  if (!path || !subject) return undefined;
  return {
    vendor: "google",
    credentials: `file:${path}`,
    adminSubject: subject,
    directoryUrl: env.CORDON_GOOGLE_DIRECTORY_URL || GOOGLE_DEFAULT_DIRECTORY_URL,
  };
}
