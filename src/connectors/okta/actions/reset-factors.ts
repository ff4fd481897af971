import { defineAction } from "../../../core/action.ts";
import type { OktaClient } from "../client.ts";
import { NoInput } from "../lifecycle.ts";

interface OktaFactor {
  id: string;
  factorType: string;
}

async function listFactors(client: OktaClient, userId: string, signal: AbortSignal): Promise<OktaFactor[]> {
  const response = await client.call(
    {
      method: "GET",
      path: ["/api/v1/users/", { id: userId }, "/factors"],
      bucket: "other",
      idempotent: true,
      operation: "/api/v1/users/{id}/factors",
    },
    signal,
  );
  return Array.isArray(response.body) ? (response.body as OktaFactor[]) : [];
}

/**
 * `POST /api/v1/users/{id}/lifecycle/reset_factors`: removes every enrolled authenticator, so an attacker's
 * enrolled device stops working. Cannot be undone: the user enrolls again.
 */
export const resetFactors = defineAction<OktaClient, NoInput, { factorTypes: string[] }>({
  id: "okta.reset_factors",
  title: "Reset all MFA factors",
  docUrl:
    "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/#tag/UserLifecycle/operation/resetFactors",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["factors"],
  scopes: ["okta.users.manage"],
  risk: "high",
  input: NoInput,
  snapshot: async ({ client, account, signal }) => ({
    factorTypes: (await listFactors(client, account.id, signal)).map((f) => f.factorType),
  }),
  async execute({ client, account, signal }, _input, snapshot) {
    if (snapshot && snapshot.factorTypes.length === 0)
      return { outcome: "already_in_state", output: undefined };
    await client.call(
      {
        method: "POST",
        path: ["/api/v1/users/", { id: account.id }, "/lifecycle/reset_factors"],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/users/{id}/lifecycle/reset_factors",
      },
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = (await listFactors(client, account.id, signal)).length;
    const observed = `${left} factors enrolled`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
