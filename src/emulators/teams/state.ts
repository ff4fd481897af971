import type { Clock } from "../../core/clock.ts";
import type { TeamsSeed } from "./seed.ts";

export type SeededWebhook = NonNullable<TeamsSeed["webhooks"]>[number];

export type WebhookKind = "workflow" | "legacy";

/** One message a webhook accepted, as received. */
export interface ReceivedCard {
  webhookId: string;
  kind: WebhookKind;
  receivedAtMs: number;
  /** The message envelope (`{type: "message", attachments: [...]}`). */
  message: Record<string, unknown>;
}

/** Everything one emulated Teams tenant holds; owned by one emulator instance. */
export class TeamsState {
  /** Seeded webhooks by id, or undefined when any id is accepted. */
  readonly webhooks: ReadonlyMap<string, SeededWebhook> | undefined;
  readonly received: ReceivedCard[] = [];
  readonly #clock: Clock;

  constructor(seed: TeamsSeed, clock: Clock) {
    this.#clock = clock;
    this.webhooks = seed.webhooks ? new Map(seed.webhooks.map((w) => [w.id, w])) : undefined;
  }

  now(): number {
    return this.#clock.now();
  }

  /** The cards a webhook received (all webhooks when omitted), oldest first. */
  cards(webhookId?: string): ReceivedCard[] {
    return this.received.filter((card) => webhookId === undefined || card.webhookId === webhookId);
  }
}
