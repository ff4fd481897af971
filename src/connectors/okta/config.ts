import { z } from "zod";
import { SecretRef } from "../../core/secret-ref.ts";

/** An Okta org in `cordon.yaml`. */
export const OktaConnection = z
  .object({
    vendor: z.literal("okta"),
    orgUrl: z.url().describe("The Okta org URL, e.g. https://acme.okta.com"),
    token: SecretRef.describe(
      "Okta API token (sent as SSWS) of an admin whose role allows okta.users.manage, okta.apiTokens.manage, okta.roles.read",
    ),
  })
  .strict();
export type OktaConnection = z.infer<typeof OktaConnection>;

/** `OKTA_CLIENT_ORGURL` + `OKTA_CLIENT_TOKEN`, as @okta/okta-sdk-nodejs reads them. */
export function oktaConnectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): OktaConnection | undefined {
  if (!env.OKTA_CLIENT_ORGURL || !env.OKTA_CLIENT_TOKEN) return undefined;
  return { vendor: "okta", orgUrl: env.OKTA_CLIENT_ORGURL, token: "env:OKTA_CLIENT_TOKEN" };
}
