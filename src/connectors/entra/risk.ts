import { type ActionDefinition, defineAction } from "../../core/action.ts";
import type { EntraClient } from "./client.ts";
import { NoInput } from "./shared.ts";

/** The user's Identity Protection state before the action; `none` when Identity Protection holds no record. */
export interface RiskSnapshot {
  riskState: string;
  riskLevel: string;
}

async function riskOf(client: EntraClient, userId: string, signal: AbortSignal): Promise<RiskSnapshot> {
  // riskyUsers answers 404 both for an unknown user and for one never flagged: read the user first.
  await client.requireUser(userId, "id", signal);
  const risky = await client.riskyUser(userId, signal);
  return { riskState: risky?.riskState ?? "none", riskLevel: risky?.riskLevel ?? "none" };
}

/**
 * `POST /identityProtection/riskyUsers/{confirmCompromised|dismiss}` `{"userIds":[id]}` (204; needs Entra ID P2 and
 * IdentityRiskyUser.ReadWrite.All). Identity Protection allows one request per second per tenant and its 429s carry
 * no Retry-After (throttling-limits); the governor paces the `identityProtection` bucket at that rate.
 * Verified by reading `riskyUsers/{id}`: Identity Protection applies the change asynchronously (`isProcessing`).
 */
export function riskAction(spec: {
  id: string;
  title: string;
  operation: "confirmCompromised" | "dismiss";
  docUrl: string;
  kind: "contain" | "uncontain";
  inverse: string;
  /** States in which the action has nothing to do. */
  alreadyIn: string[];
  reached: string;
}): ActionDefinition<EntraClient, NoInput, RiskSnapshot, undefined> {
  return defineAction<EntraClient, NoInput, RiskSnapshot>({
    id: spec.id,
    title: spec.title,
    docUrl: spec.docUrl,
    kind: spec.kind,
    inverse: spec.inverse,
    idempotent: true,
    // A high user risk blocks sign-in (or forces a secure password change) only where a risk-based Conditional
    // Access policy says so; what it always does is mark the account for every risk-aware control.
    affects: ["login"],
    scopes: ["IdentityRiskyUser.ReadWrite.All"],
    risk: "medium",
    input: NoInput,
    snapshot: ({ client, account, signal }) => riskOf(client, account.id, signal),
    async execute({ client, account, signal }, _input, snapshot) {
      if (snapshot && spec.alreadyIn.includes(snapshot.riskState))
        return { outcome: "already_in_state", output: undefined };
      await client.call(
        {
          method: "POST",
          path: [`/identityProtection/riskyUsers/${spec.operation}`],
          json: { userIds: [account.id] },
          bucket: "identityProtection",
          idempotent: true,
          operation: `/identityProtection/riskyUsers/${spec.operation}`,
          permission: "IdentityRiskyUser.ReadWrite.All",
        },
        signal,
      );
      return { outcome: "applied", output: undefined };
    },
    async verify({ client, account, signal }) {
      const risky = await client.riskyUser(account.id, signal);
      const observed = risky
        ? `riskState ${risky.riskState}, riskLevel ${risky.riskLevel}`
        : "no Identity Protection record for the user yet";
      return risky?.riskState === spec.reached
        ? { state: "verified", observed }
        : { state: "pending", observed };
    },
  });
}
