/**
 * An event as every trigger hands it to the playbook dispatcher, whatever its source (Okta event hook or System
 * Log, a generic webhook, a schedule, a manual run). Plain JSON; stored as received.
 */
export type EventSource = "okta" | "webhook" | "schedule" | "manual";

export interface CordonEvent {
  /**
   * The dedupe key: one event is one key, however often it is delivered (`okta:<uuid>`,
   * `webhook:<name>:<id>`, `schedule:<playbook>:<tick ISO>`, `manual:<random>`).
   */
  key: string;
  source: EventSource;
  /** The event type in its source's words (Okta `eventType`, a webhook's type field, `schedule`, `manual`). */
  type: string;
  /** ISO-8601, when the source says it happened. */
  occurredAt: string;
  /** The identity it is about (email or login), when the source names one; playbooks may override. */
  subject: string | null;
  /** The webhook name, the Okta connection name, or the playbook name for schedules. */
  origin: string;
  /** The source's own payload (Okta `LogEvent`, the webhook body), untouched. */
  data: unknown;
}
