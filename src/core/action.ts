import type { z } from "zod";
import type { Account } from "./account.ts";
import type { Clock } from "./clock.ts";

/** What an action is for. `contain` actions are what profiles are made of; `uncontain` actions undo them. */
export type ActionKind = "contain" | "uncontain" | "read" | "notify";

/** What a containment action takes away, named so a plan can say it in words. */
export type Effect =
  | "web_sessions"
  | "mobile_sessions"
  | "oauth_tokens"
  | "refresh_tokens"
  | "api_tokens"
  | "login"
  | "password"
  | "factors";

/** low: ends sessions only; medium: blocks login reversibly; high: irreversible or disruptive. */
export type RiskTier = "low" | "medium" | "high";

/** What one execution did. `already_in_state` is success that changed nothing, and is recorded as such. */
export type ExecuteOutcome = "applied" | "already_in_state";

export interface ExecuteResult<O> {
  outcome: ExecuteOutcome;
  output: O;
}

/**
 * The result of one verification read.
 * - `verified`: the vendor now shows the effect.
 * - `pending`: not yet; the engine reads again until its deadline.
 * - `partial`: the vendor accepted the call but shows only part of the effect (never reported as success).
 * - `not_observable`: the vendor offers no read that could show the effect; said plainly, not claimed.
 */
export type VerifyResult =
  | { state: "verified"; observed: string }
  | { state: "pending"; observed: string }
  | { state: "partial"; observed: string }
  | { state: "not_observable"; why: string };

export interface ActionContext<Client> {
  client: Client;
  account: Account;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * One vendor action, declared as data plus a small executor (DESIGN.md "Actions"; aesthetics §9 rules 1–4).
 * `Snapshot` is the prior state the action needs to be undone exactly; the inverse receives it.
 */
export interface ActionDefinition<Client = never, Input = unknown, Snapshot = unknown, Output = unknown> {
  /** Stable id `<vendor>.<verb>_<object>`; playbooks and the ledger refer to it. */
  id: string;
  title: string;
  /** The vendor's documentation page for the call(s) this action makes. */
  docUrl: string;
  kind: ActionKind;
  /** Id of the action that undoes this one, or null when the effect cannot be undone (revoked sessions). */
  inverse: string | null;
  /** True when repeating the call cannot do harm; only then are transient failures retried. */
  idempotent: boolean;
  affects: Effect[];
  /** Least-privilege scopes or admin roles the call needs, in the vendor's words. */
  scopes: string[];
  risk: RiskTier;
  input: z.ZodType<Input>;
  /** Read the prior state before acting (for exact undo). Omitted when nothing needs restoring. */
  snapshot?: (ctx: ActionContext<Client>, input: Input) => Promise<Snapshot>;
  execute: (
    ctx: ActionContext<Client>,
    input: Input,
    snapshot: Snapshot | undefined,
  ) => Promise<ExecuteResult<Output>>;
  /**
   * Builds the inverse action's input from this action's recorded snapshot, for exact undo (e.g. reactivate exactly
   * the access keys that were active; re-invite with the same role and teams). Omitted: the inverse takes `{}`.
   * Snapshots pass through the ledger's redaction: keep what a restore needs out of secret-looking keys.
   */
  restoreInput?: (snapshot: Snapshot) => Record<string, unknown>;
  /**
   * Re-read the vendor once; the engine repeats it until `verified` or its deadline. `output` is what `execute`
   * returned (recorded in the ledger), e.g. the time a revocation was made, so a verification needs no memory.
   */
  verify?: (ctx: ActionContext<Client>, input: Input, output?: Output) => Promise<VerifyResult>;
}

/** Identity function that keeps the literal types of a definition while checking its shape. */
export function defineAction<Client, Input, Snapshot = undefined, Output = undefined>(
  definition: ActionDefinition<Client, Input, Snapshot, Output>,
): ActionDefinition<Client, Input, Snapshot, Output> {
  return definition;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds actions of every client type; each is checked where it is defined.
export type AnyActionDefinition = ActionDefinition<any, any, any, any>;
