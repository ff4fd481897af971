import { defineAction } from "../../../core/action.ts";
import type { GoogleClient } from "../client.ts";
import { GOOGLE_SCOPES } from "../errors.ts";
import { NoInput } from "../suspension.ts";

/**
 * Deletes every application-specific password: `users.asps.list` (`GET /admin/directory/v1/users/{userKey}/asps`,
 * not paginated), then `users.asps.delete` (`DELETE …/asps/{codeId}`, 204) for each. App passwords sign in to
 * IMAP, CalDAV and older apps without the second factor and survive a sign-out, so containment removes them.
 * Cannot be undone (the passwords are gone; the user creates new ones). The snapshot keeps ids and names only,
 * under `asps` so the ledger keeps them.
 */
export const deleteAsps = defineAction<
  GoogleClient,
  NoInput,
  { asps: Array<{ codeId: number; name: string }> }
>({
  id: "google.delete_asps",
  title: "Delete all app-specific passwords",
  docUrl: "https://developers.google.com/workspace/admin/directory/reference/rest/v1/asps/delete",
  kind: "contain",
  inverse: null,
  idempotent: true,
  // App passwords are long-lived credentials for apps, like API tokens: they outlive sessions.
  affects: ["api_tokens"],
  scopes: [GOOGLE_SCOPES.userSecurity],
  risk: "low",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    asps: (await client.listAsps(account.id, signal)).map((asp) => ({
      codeId: asp.codeId,
      name: asp.name ?? String(asp.codeId),
    })),
  }),
  async execute({ client, account, signal }, _input, snapshot) {
    const asps = snapshot?.asps ?? [];
    if (asps.length === 0) return { outcome: "already_in_state", output: undefined };
    for (const asp of asps) await client.deleteAsp(account.id, asp.codeId, signal);
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = (await client.listAsps(account.id, signal)).length;
    const observed = `${left} app-specific passwords left`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
