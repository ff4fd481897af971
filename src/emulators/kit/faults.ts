import { z } from "zod";

/**
 * Fault injection for emulators: a test or a benchmark asks an emulator to misbehave the way vendors do
 * (429 bursts, 5xx, slow replies, connections dropped mid-request) through `POST /__cordon/faults`.
 */
export const FaultRule = z.object({
  /** `status`: reply with that HTTP status in the vendor's error format; `latency`: delay then serve; `drop`: destroy the socket. */
  kind: z.enum(["status", "latency", "drop"]),
  status: z.number().int().min(400).max(599).optional(),
  /** For 429s: the Retry-After (Slack) or reset delay (Okta) to announce. */
  retryAfterSeconds: z.number().min(0).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  method: z.string().optional(),
  /** Only requests whose path starts with this (e.g. `/api/v1/users`, `/api/admin.users.session.reset`). */
  pathPrefix: z.string().optional(),
  /** How many matching requests to affect; omitted = unlimited (use with probability). */
  count: z.number().int().min(1).optional(),
  /** Chance that a matching request is affected, 0–1 (default 1). */
  probability: z.number().min(0).max(1).optional(),
});
export type FaultRule = z.infer<typeof FaultRule>;

export interface ActiveFault {
  rule: FaultRule;
  remaining: number;
}

/** Deterministic random numbers (mulberry32) so a fault run can be repeated exactly from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  readonly #faults: ActiveFault[] = [];
  readonly #random: () => number;
  /** How many faults were injected, by kind, so a benchmark can report what it survived. */
  readonly injected = { status: 0, latency: 0, drop: 0 };

  constructor(seed = 1) {
    this.#random = seededRandom(seed);
  }

  add(rule: FaultRule): void {
    this.#faults.push({ rule, remaining: rule.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#faults.length = 0;
  }

  list(): ActiveFault[] {
    return this.#faults.filter((f) => f.remaining > 0);
  }

  /** The fault to apply to this request, if any; consumes one use of it. */
  pick(method: string, path: string): FaultRule | undefined {
    for (const fault of this.#faults) {
      const { rule } = fault;
      if (fault.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.pathPrefix && !path.startsWith(rule.pathPrefix)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      fault.remaining -= 1;
      this.injected[rule.kind] += 1;
      return rule;
    }
    return undefined;
  }
}
