import { z } from "zod";
import { type ActionDefinition, defineAction, type Effect, type RiskTier } from "../../core/action.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { OktaClient, OktaUser } from "./client.ts";

export const NoInput = z.object({}).strict();
export type NoInput = z.infer<typeof NoInput>;

export interface StatusSnapshot {
  status: string;
}

export async function requireUser(
  client: OktaClient,
  userId: string,
  signal: AbortSignal,
): Promise<OktaUser> {
  const user = await client.getUser(userId, signal);
  if (!user)
    throw new CordonError(
      { kind: "not_found", vendor: "okta", what: "user" },
      `okta: user ${userId} not found`,
    );
  return user;
}

/** A user lifecycle operation declared as data (developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/). */
export interface LifecycleSpec {
  id: string;
  title: string;
  /** The path segment after `/lifecycle/`. */
  operation: "suspend" | "unsuspend" | "deactivate" | "activate";
  query?: Record<string, string | boolean>;
  kind: "contain" | "uncontain";
  inverse: string | null;
  /** Statuses in which the action has nothing to do. */
  alreadyIn: string[];
  /** Statuses the verification accepts as done. */
  reached: string[];
  affects: Effect[];
  risk: RiskTier;
  docAnchor: string;
}

const LIFECYCLE_DOC =
  "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/";

export function lifecycleAction(
  spec: LifecycleSpec,
): ActionDefinition<OktaClient, NoInput, StatusSnapshot, undefined> {
  return defineAction<OktaClient, NoInput, StatusSnapshot>({
    id: spec.id,
    title: spec.title,
    docUrl: `${LIFECYCLE_DOC}#${spec.docAnchor}`,
    kind: spec.kind,
    inverse: spec.inverse,
    idempotent: true,
    affects: spec.affects,
    scopes: ["okta.users.manage"],
    risk: spec.risk,
    input: NoInput,
    snapshot: async ({ client, account, signal }) => ({
      status: (await requireUser(client, account.id, signal)).status,
    }),
    async execute({ client, account, signal }, _input, snapshot) {
      if (snapshot && spec.alreadyIn.includes(snapshot.status))
        return { outcome: "already_in_state", output: undefined };
      try {
        await client.call(
          {
            method: "POST",
            path: ["/api/v1/users/", { id: account.id }, `/lifecycle/${spec.operation}`],
            query: spec.query,
            bucket: "other",
            idempotent: true,
            operation: `/api/v1/users/{id}/lifecycle/${spec.operation}`,
          },
          signal,
        );
      } catch (error) {
        // A retried call whose first attempt did land answers 400 ("not in a valid state"): read what is true.
        if (!isKind(error, "vendor")) throw error;
        const now = await requireUser(client, account.id, signal);
        if (!spec.reached.includes(now.status)) throw error;
      }
      return { outcome: "applied", output: undefined };
    },
    async verify({ client, account, signal }) {
      const user = await requireUser(client, account.id, signal);
      const observed = `status ${user.status}`;
      return spec.reached.includes(user.status)
        ? { state: "verified", observed }
        : { state: "pending", observed };
    },
  });
}
