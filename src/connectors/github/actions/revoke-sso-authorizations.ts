import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { type GithubClient, loginOf } from "../client.ts";

const NoInput = z.object({}).strict();

/** What is kept of each authorization: identifiers and metadata, never a secret (`lastEight` is GitHub's own hint). */
export interface CredentialSnapshot {
  id: number;
  type: string;
  lastEight: string | null;
  fingerprint: string | null;
  authorizedAt: string;
}

/**
 * Removes every SAML SSO authorization of the user's credentials in the org: personal access tokens (classic) and
 * SSH keys stop working against the org's resources. Lists all pages (`GET /orgs/{org}/credential-authorizations
 * ?login=`, needs `read:org`), then `DELETE /orgs/{org}/credential-authorizations/{credential_id}` each (`admin:org`).
 * Cannot be undone: "Once you remove someone's credential authorization, they will need to create a new personal
 * access token or SSH key and authorize it for the organization". The credentials themselves are not revoked
 * (only their authorization for this org), and fine-grained tokens are not SSO-authorized credentials.
 * GitHub Enterprise Cloud only.
 */
export const revokeSsoAuthorizations = defineAction<
  GithubClient,
  z.infer<typeof NoInput>,
  { credentials: CredentialSnapshot[] },
  { removed: number; alreadyGone: number }
>({
  id: "github.revoke_sso_authorizations",
  title: "Remove the user's SAML SSO credential authorizations (tokens and SSH keys)",
  docUrl:
    "https://docs.github.com/enterprise-cloud@latest/rest/orgs/orgs#remove-a-saml-sso-authorization-for-an-organization",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["api_tokens"],
  scopes: ["admin:org"],
  risk: "high",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    credentials: (await client.listCredentialAuthorizations(loginOf(account), signal)).map((c) => ({
      id: c.credential_id,
      type: c.credential_type,
      lastEight: c.token_last_eight ?? null,
      fingerprint: c.fingerprint ?? null,
      authorizedAt: c.credential_authorized_at,
    })),
  }),
  async execute({ client, signal }, _input, snapshot) {
    const credentials = snapshot?.credentials ?? [];
    if (credentials.length === 0)
      return { outcome: "already_in_state", output: { removed: 0, alreadyGone: 0 } };
    let removed = 0;
    let alreadyGone = 0;
    for (const credential of credentials) {
      if (await client.removeCredentialAuthorization(credential.id, signal)) removed += 1;
      else alreadyGone += 1;
    }
    return { outcome: removed > 0 ? "applied" : "already_in_state", output: { removed, alreadyGone } };
  },
  async verify({ client, account, signal }) {
    const left = await client.listCredentialAuthorizations(loginOf(account), signal);
    const observed = `${left.length} SSO credential authorizations left for ${loginOf(account)}`;
    return left.length === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
