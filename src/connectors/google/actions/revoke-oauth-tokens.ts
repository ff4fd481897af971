import { defineAction } from "../../../core/action.ts";
import type { GoogleClient } from "../client.ts";
import { GOOGLE_SCOPES } from "../errors.ts";
import { NoInput } from "../suspension.ts";

/** What the ledger keeps of each revoked grant: which app, never a token (Google never returns one). */
interface RevokedClient {
  clientId: string;
  displayText: string;
  scopes: string[];
  nativeApp: boolean;
}

/**
 * Revokes every OAuth grant the user gave to an application: `users.tokens.list`
 * (`GET /admin/directory/v1/users/{userKey}/tokens`, not paginated), then `users.tokens.delete`
 * (`DELETE …/tokens/{clientId}`, 204) for each client. Cannot be undone: the user must grant the apps again,
 * which is why the snapshot names each one (under `clients`, so the ledger keeps the names).
 */
export const revokeOAuthTokens = defineAction<GoogleClient, NoInput, { clients: RevokedClient[] }>({
  id: "google.revoke_oauth_tokens",
  title: "Revoke all OAuth grants to third-party apps",
  docUrl: "https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/delete",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["oauth_tokens", "refresh_tokens"],
  scopes: [GOOGLE_SCOPES.userSecurity],
  risk: "low",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    clients: (await client.listOAuthGrants(account.id, signal)).map((grant) => ({
      clientId: grant.clientId,
      displayText: grant.displayText ?? grant.clientId,
      scopes: grant.scopes ?? [],
      nativeApp: grant.nativeApp === true,
    })),
  }),
  async execute({ client, account, signal }, _input, snapshot) {
    const clients = snapshot?.clients ?? [];
    if (clients.length === 0) return { outcome: "already_in_state", output: undefined };
    for (const grant of clients) await client.deleteOAuthGrant(account.id, grant.clientId, signal);
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = await client.listOAuthGrants(account.id, signal);
    const observed =
      left.length === 0
        ? "0 OAuth grants left"
        : `${left.length} OAuth grants left: ${left.map((g) => g.displayText ?? g.clientId).join(", ")}`;
    return left.length === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
