import { z } from "zod";
import { SecretRef } from "../../core/secret-ref.ts";
import { ATLASSIAN_DEFAULT_API_URL } from "./client.ts";

/**
 * An Atlassian organization in `cordon.yaml`. The organization id is in the Atlassian Administration URL
 * (`admin.atlassian.com/o/{orgId}/…`) and on the API key page; the key is an organization API key ("Create an API
 * key", Atlassian Administration → Settings → API keys), used as a bearer token by both the Organizations REST API
 * and the user management REST API (developer.atlassian.com/cloud/admin/user-management/rest/intro/: "You can use
 * the same API key for the organizations REST API and the user management REST API"). Public clients report that
 * the user management API refuses keys created *with* scopes (jira.js "Organization Administration" guide,
 * unverified by Atlassian's own docs): create the key without scopes.
 */
export const AtlassianConnection = z
  .object({
    vendor: z.literal("atlassian"),
    orgId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "the organization id from admin.atlassian.com/o/<orgId>/…")
      .describe("Atlassian organization id (from the Atlassian Administration URL)"),
    apiKey: SecretRef.describe(
      "Organization API key of an org admin (Atlassian Administration → Settings → API keys), sent as Bearer; create it without scopes",
    ),
    apiUrl: z
      .url()
      .optional()
      .describe(`Base URL of the admin APIs, default ${ATLASSIAN_DEFAULT_API_URL} (an emulator in tests)`),
  })
  .strict();
export type AtlassianConnection = z.infer<typeof AtlassianConnection>;

/**
 * A connection described by the environment, or undefined when it describes none. Atlassian ships no SDK with
 * environment variables of its own, so these are cordon's: `ATLASSIAN_ORG_ID` and `ATLASSIAN_ADMIN_API_KEY`
 * (both required), `ATLASSIAN_API_URL` (optional base URL). The key stays a reference, never a value.
 */
export function atlassianConnectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AtlassianConnection | undefined {
  const orgId = env.ATLASSIAN_ORG_ID?.trim();
  if (!orgId || !env.ATLASSIAN_ADMIN_API_KEY) return undefined;
  const apiUrl = env.ATLASSIAN_API_URL?.trim();
  return {
    vendor: "atlassian",
    orgId,
    apiKey: "env:ATLASSIAN_ADMIN_API_KEY",
    ...(apiUrl ? { apiUrl } : {}),
  };
}
