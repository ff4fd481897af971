import { z } from "zod";
import { SecretRef } from "../../core/secret-ref.ts";

export const ENTRA_DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
export const ENTRA_DEFAULT_GRAPH_URL = "https://graph.microsoft.com";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

/**
 * A Microsoft Entra ID connection in cordon.yaml: an app registration with application permissions on Microsoft
 * Graph, signing in with a client secret or a certificate (exactly one):
 *
 * ```yaml
 * connections:
 *   entra:
 *     vendor: entra
 *     tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
 *     clientId: 0f3c…
 *     clientSecret: env:AZURE_CLIENT_SECRET        # or certificatePath: /run/secrets/cordon.pem
 * ```
 */
export const EntraConnection = z
  .object({
    vendor: z.literal("entra"),
    tenantId: z
      .string()
      .refine((v) => GUID.test(v) || DOMAIN.test(v), "a directory (tenant) id GUID, or a verified domain")
      .describe("Directory (tenant) id, or a verified domain such as contoso.onmicrosoft.com"),
    clientId: z
      .string()
      .regex(GUID, "the application (client) id GUID of the app registration")
      .describe("Application (client) id of the app registration"),
    clientSecret: SecretRef.describe("Client secret value (not its id): env:NAME or file:PATH").optional(),
    certificatePath: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file holding the app's certificate and its private key (instead of clientSecret)"),
    authorityHost: z
      .url()
      .optional()
      .describe(
        `Microsoft identity platform host, default ${ENTRA_DEFAULT_AUTHORITY_HOST} (sovereign clouds, emulators)`,
      ),
    graphUrl: z
      .url()
      .default(ENTRA_DEFAULT_GRAPH_URL)
      .describe("Microsoft Graph root URL, without /v1.0 (national clouds, emulators)"),
  })
  .strict()
  .superRefine((connection, ctx) => {
    const given = [connection.clientSecret, connection.certificatePath].filter((v) => v !== undefined).length;
    if (given !== 1)
      ctx.addIssue({
        code: "custom",
        path: ["clientSecret"],
        message: "give exactly one credential: clientSecret (a secret reference) or certificatePath",
      });
  });
export type EntraConnection = z.infer<typeof EntraConnection>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The connection the environment describes, or undefined: the variables of @azure/identity's EnvironmentCredential —
 * `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET` (kept as the reference `env:AZURE_CLIENT_SECRET`,
 * never its value) or else `AZURE_CLIENT_CERTIFICATE_PATH`, and `AZURE_AUTHORITY_HOST` — plus `CORDON_GRAPH_URL`,
 * cordon's one base-URL variable (Microsoft's SDKs have none), default https://graph.microsoft.com.
 */
export function entraConnectionFromEnv(env: Env): EntraConnection | undefined {
  const tenantId = env.AZURE_TENANT_ID?.trim();
  const clientId = env.AZURE_CLIENT_ID?.trim();
  const certificatePath = env.AZURE_CLIENT_CERTIFICATE_PATH?.trim();
  if (!tenantId || !clientId) return undefined;
  const credential = env.AZURE_CLIENT_SECRET
    ? { clientSecret: "env:AZURE_CLIENT_SECRET" }
    : certificatePath
      ? { certificatePath }
      : undefined;
  if (!credential) return undefined;
  const authorityHost = env.AZURE_AUTHORITY_HOST?.trim();
  return {
    vendor: "entra",
    tenantId,
    clientId,
    ...credential,
    ...(authorityHost ? { authorityHost } : {}),
    graphUrl: env.CORDON_GRAPH_URL?.trim() || ENTRA_DEFAULT_GRAPH_URL,
  };
}
