import type { Account } from "./account.ts";
import type { ActionCall, ContainmentProfile } from "./connector.ts";
import { hashOf } from "./hash.ts";

export const PLAN_VERSION = 1;

/** A policy decision about one account, shown in the plan and kept in the ledger. */
export interface PolicyDecision {
  rule: string;
  effect: "allow" | "refuse" | "forced";
  reason: string;
}

export interface PlanItem {
  /** The subject (email) this account was resolved for. */
  subject: string;
  account: Account;
  /** `contain`: the calls will run; `skip`: refused by policy (see decisions). */
  decision: "contain" | "skip";
  calls: ActionCall[];
  policy: PolicyDecision[];
}

export interface PlanBody {
  version: number;
  kind: "contain";
  createdAt: string;
  subjects: string[];
  profile: ContainmentProfile;
  /** Named actions run instead of the profile's (playbooks); absent for a profile run. */
  actions?: string[];
  reason: string | null;
  /** Subjects with no account in a connection, per connection, said plainly. */
  unmatched: Array<{ subject: string; connection: string; why: string }>;
  /**
   * Connections whose lookups failed (bad credential, vendor down): the others proceed, and the plan says
   * plainly that these apps are not covered.
   */
  unreachable: Array<{ connection: string; kind: string; message: string }>;
  items: PlanItem[];
}

/** Serialisable and hashed: approvals and `cordon apply` bind to the hash, so an edited plan is refused. */
export interface Plan extends PlanBody {
  hash: string;
}

export function sealPlan(body: PlanBody): Plan {
  return { ...body, hash: hashOf(body) };
}

/** True when the plan's content still matches its hash. */
export function planIsIntact(plan: Plan): boolean {
  const { hash, ...body } = plan;
  return hash === hashOf(body);
}
