import { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import type { Connector } from "../../core/connector.ts";
import { CordonError } from "../../core/errors.ts";
import type { CordonEvent } from "../../core/event.ts";
import type { EventLogSource } from "../../playbooks/triggers/log-poller.ts";
import { sameOriginNextLink } from "../shared/link.ts";
import { OktaClient } from "./client.ts";

/**
 * Okta events as cordon events: the System Log `LogEvent` normaliser, the event hook delivery parser, and a
 * System Log reader for the poller. Both channels carry the same `LogEvent` object ("The content of each array
 * element is an object of the LogEvent type. This is the same object that the System Log API defines",
 * developer.okta.com/docs/concepts/event-hooks/ "Ongoing event delivery"), so one normaliser serves both, and an
 * event seen through both has one dedupe key, `okta:<uuid>`.
 */

/** The event a user files from a security notification email or the dashboard ("Report suspicious activity"). */
export const OKTA_SUSPICIOUS_ACTIVITY_EVENT = "user.account.report_suspicious_activity_by_enduser";

/**
 * The most events one delivery may carry. Okta "amalgamates" events that occur close together into one
 * `data.events` array and states no maximum on the event hooks page (the figure of 50 per request often quoted
 * could not be confirmed in Okta's docs); 1,000 is far above any batch Okta is known to send and equals the System
 * Log's own page maximum (`limit` 0–1000, spec `listLogEvents`), while bounding the work one request can cause.
 */
export const MAX_EVENTS_PER_DELIVERY = 1000;

/** Spec `LogActor` / `LogTarget`: only what the subject rule reads; everything else passes through untouched. */
const LogActor = z.looseObject({
  id: z.string(),
  type: z.string(),
  alternateId: z.string().nullish(),
});

/**
 * The minimum of spec `LogEvent` cordon relies on. `target` may be absent or null: Okta's own sample delivery
 * (a `user.session.start`) has no `target` at all (developer.okta.com/docs/concepts/event-hooks/ "Sample event
 * delivery payload").
 */
const LogEvent = z.looseObject({
  uuid: z.string().min(1).max(200),
  published: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "not an ISO-8601 time"),
  eventType: z.string().min(1).max(300),
  actor: LogActor,
  target: z.array(LogActor).nullish(),
});
type LogEvent = z.infer<typeof LogEvent>;

/** The first failing field, named by the schema's own path (never by a value from the payload). */
function invalid(what: string, error: z.ZodError, prefix = ""): CordonError {
  const path = error.issues[0]?.path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("");
  const field = `${prefix}${path ?? ""}`.replace(/^\./, "") || undefined;
  return new CordonError(
    { kind: "invalid_input", field },
    `${what}${field ? ` (field ${field} is missing or invalid)` : ""}`,
  );
}

/**
 * Whom the event is about, by a fixed rule:
 * 1. `user.account.report_suspicious_activity_by_enduser`: the actor, the user who reported (they are its actor
 *    and target, contracts §3.1);
 * 2. the actor, when it is a User and no target is a User: the user acted on their own account (signing in,
 *    denying a push, enrolling a factor);
 * 3. else the first target of type User: an admin or an app acted on that user (suspend, reset password);
 * 4. else the actor when it is a User (covered by 2, kept for the order's sake);
 * 5. else null: the event names no user (an app or a policy changed); a playbook may still name one.
 * `alternateId` is the user's login, usually the email (spec `LogActor.alternateId`).
 */
function subjectOf(event: LogEvent): string | null {
  const actor = event.actor.type === "User" ? nonEmpty(event.actor.alternateId) : null;
  if (event.eventType === OKTA_SUSPICIOUS_ACTIVITY_EVENT) return nonEmpty(event.actor.alternateId);
  const userTarget = (event.target ?? []).find((t) => t.type === "User");
  if (actor && !userTarget) return actor;
  if (userTarget) return nonEmpty(userTarget.alternateId) ?? actor;
  return actor;
}

function nonEmpty(value: string | null | undefined): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/**
 * One System Log `LogEvent` (from the log or a hook delivery) as a `CordonEvent`. `data` is the event exactly as
 * received. A malformed event is `invalid_input`, naming the field but never echoing the payload.
 */
export function oktaLogEventToCordon(event: unknown, connection: string): CordonEvent {
  const parsed = LogEvent.safeParse(event);
  if (!parsed.success) throw invalid("okta: not a System Log event", parsed.error);
  return toCordon(event, parsed.data, connection);
}

function toCordon(raw: unknown, event: LogEvent, connection: string): CordonEvent {
  return {
    key: `okta:${event.uuid}`,
    source: "okta",
    type: event.eventType,
    occurredAt: event.published,
    subject: subjectOf(event),
    origin: connection,
    data: raw,
  };
}

/**
 * The event hook delivery envelope (developer.okta.com/docs/concepts/event-hooks/ "Sample event delivery payload"):
 * `eventType` is always `com.okta.event_hook`; the events are in `data.events`. The CloudEvents fields are checked
 * as strings when present but not required, so a delivery missing one of them is not refused for it.
 */
const HookEnvelope = z.looseObject({
  eventType: z.literal("com.okta.event_hook"),
  eventTypeVersion: z.string().optional(),
  cloudEventsVersion: z.string().optional(),
  contentType: z.string().optional(),
  eventId: z.string().optional(),
  eventTime: z.string().optional(),
  source: z.string().optional(),
  data: z.looseObject({ events: z.array(z.unknown()).max(MAX_EVENTS_PER_DELIVERY) }),
});

/**
 * The events of one event hook POST, in delivery order. The caller has already checked the shared secret (the
 * body is parsed only after that). One malformed event refuses the whole delivery: Okta does not retry a 4xx
 * ("Responses with a 4xx status code are not retried"), so the System Log poller is the way to recover such a
 * batch, and a half-accepted batch would be harder to reason about.
 */
export function parseOktaEventHookBody(rawBody: string, connection: string): CordonEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new CordonError({ kind: "invalid_input" }, "okta event hook: the body is not JSON");
  }
  const envelope = HookEnvelope.safeParse(body);
  if (!envelope.success) {
    const tooMany = envelope.error.issues.some((i) => i.code === "too_big");
    throw tooMany
      ? new CordonError(
          { kind: "invalid_input", field: "data.events" },
          `okta event hook: more than ${MAX_EVENTS_PER_DELIVERY} events in one delivery`,
        )
      : invalid("okta event hook: not an event hook delivery", envelope.error);
  }
  return envelope.data.data.events.map((event, index) => {
    const parsed = LogEvent.safeParse(event);
    if (!parsed.success) {
      throw invalid(
        "okta event hook: an event is not a System Log event",
        parsed.error,
        `data.events[${index}]`,
      );
    }
    return toCordon(event, parsed.data, connection);
  });
}

/** Event types as Okta writes them (`user.account.report_suspicious_activity_by_enduser`); nothing that could
 * break out of the quoted filter value. */
const EVENT_TYPE = /^[A-Za-z0-9_.-]{1,200}$/;

/** One page of the System Log, oldest first. */
export interface SystemLogPage {
  /** The `LogEvent`s as received, not validated (use `oktaLogEventToCordon`). */
  events: unknown[];
  /** Where the next read starts: the `after` of the `Link: rel="next"` URL; null when Okta gave none. */
  next: { after: string } | null;
}

/**
 * Reads one page of `GET /api/v1/logs` (spec `listLogEvents`, scope okta.logs.read), ASCENDING and without `until`:
 * Okta's polling query (System Log API "Polling requests"), read by following `next` links for ever. That an
 * empty page still carries a `next` link is widely documented but **unverified** (contracts §3.1).
 * `eventTypes` becomes `filter=eventType eq "a" or eventType eq "b"` (Okta filter syntax, spec `listLogEvents`
 * `filter`). `limit` defaults to 1000, the spec's maximum: the log bucket allows only 120 calls a minute
 * (rl-global-mgmt "/api/v1/logs"), so fewer, fuller pages are cheaper.
 */
export async function readSystemLog(
  client: OktaClient,
  cursor: { after?: string; since?: string },
  options: { eventTypes?: string[]; limit?: number } = {},
  signal?: AbortSignal,
): Promise<SystemLogPage> {
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CordonError({ kind: "invalid_input", field: "limit" }, "okta system log: limit must be 1–1000");
  }
  let filter: string | undefined;
  if (options.eventTypes && options.eventTypes.length > 0) {
    for (const type of options.eventTypes) {
      if (!EVENT_TYPE.test(type)) {
        throw new CordonError(
          { kind: "invalid_input", field: "eventTypes" },
          "okta system log: an event type has characters Okta event types never contain",
        );
      }
    }
    filter = options.eventTypes.map((type) => `eventType eq ${JSON.stringify(type)}`).join(" or ");
  }
  const response = await client.call(
    {
      method: "GET",
      path: ["/api/v1/logs"],
      query: { since: cursor.since, after: cursor.after, filter, limit, sortOrder: "ASCENDING" },
      bucket: "logs",
      idempotent: true,
      operation: "/api/v1/logs",
    },
    signal,
  );
  if (!Array.isArray(response.body)) {
    throw new CordonError(
      { kind: "vendor", vendor: "okta", status: response.status },
      "okta GET /api/v1/logs: expected a list of events",
    );
  }
  // The next URL is checked to stay on the org before anything is read from it; only its opaque `after` is kept.
  const nextUrl = sameOriginNextLink(response.headers.get("link"), client.orgUrl, "okta");
  const after = nextUrl?.searchParams.get("after");
  return { events: response.body, next: after ? { after } : null };
}

export interface OktaEventLogSourceOptions {
  clock: Clock;
  /** Where a first poll starts: this long before now. Default 15 minutes. */
  lookbackMs?: number;
  /** Only these event types (System Log `filter`); default all. */
  eventTypes?: string[];
  /** Events per page, 1–1000. Default 1000. */
  limit?: number;
  /** The cursor's name in the cursor store. Default `okta:<connection>:system-log`. */
  name?: string;
  /**
   * Told of an event the log returned that is not a valid `LogEvent`; it is skipped. Refusing the page instead
   * would stop the poller on that event for ever.
   */
  onSkipped?: (error: CordonError) => void;
}

/**
 * The System Log as an `EventLogSource` for the vendor-neutral poller. The cursor is Okta's `after` token, stored
 * as received and never interpreted; with no cursor the read starts `lookbackMs` ago (`since`). Accepts the Okta
 * connector (its `client`) or an `OktaClient`.
 */
export function oktaEventLogSource(
  from: Connector | OktaClient,
  connection: string,
  options: OktaEventLogSourceOptions,
): EventLogSource {
  const client = from instanceof OktaClient ? from : from.client;
  if (!(client instanceof OktaClient)) {
    throw new CordonError(
      { kind: "config", path: `connections.${connection}` },
      `connection ${connection} is not an Okta connection; the System Log poller needs one`,
    );
  }
  const lookbackMs = options.lookbackMs ?? 15 * 60_000;
  return {
    name: options.name ?? `okta:${connection}:system-log`,
    async read(cursor, signal) {
      const position =
        cursor === null
          ? { since: new Date(options.clock.now() - lookbackMs).toISOString() }
          : { after: cursor };
      const page = await readSystemLog(
        client,
        position,
        { eventTypes: options.eventTypes, limit: options.limit },
        signal,
      );
      const events: CordonEvent[] = [];
      for (const raw of page.events) {
        try {
          events.push(oktaLogEventToCordon(raw, connection));
        } catch (error) {
          options.onSkipped?.(error as CordonError);
        }
      }
      return { events, cursor: page.next?.after ?? null };
    },
  };
}
