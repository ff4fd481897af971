import type { Clock } from "../../core/clock.ts";
import { type OktaContext, orgUrl } from "./env.ts";
import type { IdFactory } from "./ids.ts";
import type { UserRecord } from "./state.ts";

/**
 * System Log events and event hooks (spec `LogEvent`, `EventHook`; contracts §3.1 "System Log" row and "Event
 * hooks" bullets). One `OktaEvents` per org (owned by `OktaState`); nothing here is module-level.
 */

export interface LogActor {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: null;
}

/** Spec `LogEvent` (only the fields contracts §3.1 lists; the rest are null or absent). */
export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: "0";
  displayMessage: string;
  severity: "DEBUG" | "INFO" | "WARN" | "ERROR";
  legacyEventType: null;
  actor: LogActor;
  client: {
    userAgent: { rawUserAgent: string; os: string; browser: string };
    zone: string;
    device: string;
    id: null;
    ipAddress: string;
    geographicalContext: null;
  };
  device: null;
  outcome: { result: "SUCCESS" | "FAILURE" | "DENY" | "ALLOW"; reason: string | null };
  target: LogActor[];
  transaction: { type: "WEB" | "JOB"; id: string; detail: Record<string, unknown> };
  debugContext: { debugData: Record<string, unknown> };
  authenticationContext: {
    authenticationProvider: null;
    credentialProvider: null;
    credentialType: null;
    issuer: null;
    interface: null;
    authenticationStep: number;
    externalSessionId: string;
  };
  securityContext: { asNumber: null; asOrg: null; isp: null; domain: null; isProxy: null };
}

/** A stored event: the wire shape plus its position in the log (the cursor). */
export interface StoredLogEvent {
  readonly seq: number;
  readonly publishedMs: number;
  readonly event: LogEvent;
}

export interface EventHookRecord {
  readonly id: string;
  name: string;
  description: string | null;
  status: "ACTIVE" | "INACTIVE";
  verificationStatus: "UNVERIFIED" | "VERIFIED";
  readonly created: number;
  readonly createdBy: string | null;
  lastUpdated: number;
  eventTypes: string[];
  uri: string;
  headers: Array<{ key: string; value: string }>;
  authScheme: { type: "HEADER"; key: string; value: string } | null;
}

/** One outbound POST of an event hook delivery, for tests. `status` is null when the request failed outright. */
export interface DeliveryAttempt {
  readonly hookId: string;
  readonly eventId: string;
  readonly eventUuids: string[];
  readonly attempt: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly ok: boolean;
}

/**
 * displayMessage per event type. The texts follow Okta's event-type catalog as recalled (developer.okta.com
 * /docs/reference/api/event-types); exact wording is **unverified**.
 */
const DISPLAY: Record<string, { message: string; severity: LogEvent["severity"] }> = {
  "user.lifecycle.suspend": { message: "Suspend Okta user", severity: "INFO" },
  "user.lifecycle.unsuspend": { message: "Unsuspend Okta user", severity: "INFO" },
  "user.lifecycle.deactivate": { message: "Deactivate Okta user", severity: "INFO" },
  "user.lifecycle.activate": { message: "Activate Okta user", severity: "INFO" },
  "user.lifecycle.reactivate": { message: "Reactivate Okta user", severity: "INFO" },
  "user.session.clear": { message: "Clear user session", severity: "INFO" },
  "user.account.reset_password": { message: "Reset Okta user password", severity: "INFO" },
  "user.mfa.factor.reset_all": { message: "Reset all factors for user", severity: "INFO" },
  "application.user_membership.add": { message: "Add user to application membership", severity: "INFO" },
  "application.user_membership.remove": {
    message: "Remove user from application membership",
    severity: "INFO",
  },
  "user.account.report_suspicious_activity_by_enduser": {
    message: "User report suspicious activity",
    severity: "WARN",
  },
  "user.mfa.okta_verify.deny_push": { message: "User rejected Okta push verify", severity: "WARN" },
};

/** Okta waits 3 s for a hook endpoint and retries once (spec `verifyEventHook`; contracts §3.1). */
export const HOOK_TIMEOUT_MS = 3000;

export function userActor(user: UserRecord): LogActor {
  return {
    id: user.id,
    type: "User",
    alternateId: user.profile.login,
    displayName: `${user.profile.firstName} ${user.profile.lastName}`.trim(),
    detailEntry: null,
  };
}

export interface RecordInput {
  eventType: string;
  actor: LogActor;
  target: LogActor[];
  debugData?: Record<string, unknown>;
  userAgent?: string;
  ipAddress?: string;
  outcome?: LogEvent["outcome"]["result"];
}

export class OktaEvents {
  readonly #clock: Clock;
  readonly #ids: IdFactory;
  readonly #log: StoredLogEvent[] = [];
  readonly #hooks = new Map<string, EventHookRecord>();
  readonly #deliveries: DeliveryAttempt[] = [];
  readonly #pending = new Set<Promise<void>>();
  #seq = 0;

  constructor(clock: Clock, ids: IdFactory) {
    this.#clock = clock;
    this.#ids = ids;
  }

  get log(): ReadonlyArray<StoredLogEvent> {
    return this.#log;
  }
  get hooks(): ReadonlyMap<string, EventHookRecord> {
    return this.#hooks;
  }
  get deliveries(): ReadonlyArray<DeliveryAttempt> {
    return this.#deliveries;
  }
  /** The highest sequence number issued (0 before the first event). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Resolves once every delivery started so far has finished (retries included); for tests. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Appends an event and starts (without awaiting) its delivery to every subscribed ACTIVE+VERIFIED hook. */
  record(input: RecordInput, org: string): LogEvent {
    const now = this.#clock.now();
    const display = DISPLAY[input.eventType] ?? { message: input.eventType, severity: "INFO" as const };
    const transactionId = this.#ids.next("Y", 27);
    const event: LogEvent = {
      uuid: crypto.randomUUID(),
      published: new Date(now).toISOString(),
      eventType: input.eventType,
      version: "0",
      displayMessage: display.message,
      severity: display.severity,
      legacyEventType: null,
      actor: input.actor,
      client: {
        userAgent: { rawUserAgent: input.userAgent ?? "UNKNOWN", os: "Unknown", browser: "UNKNOWN" },
        zone: "null",
        device: "Unknown",
        id: null,
        ipAddress: input.ipAddress ?? "127.0.0.1",
        geographicalContext: null,
      },
      device: null,
      outcome: { result: input.outcome ?? "SUCCESS", reason: null },
      target: input.target,
      transaction: { type: "WEB", id: transactionId, detail: {} },
      debugContext: { debugData: { requestId: transactionId, ...(input.debugData ?? {}) } },
      authenticationContext: {
        authenticationProvider: null,
        credentialProvider: null,
        credentialType: null,
        issuer: null,
        interface: null,
        authenticationStep: 0,
        externalSessionId: "unknown",
      },
      securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    };
    this.#seq += 1;
    this.#log.push({ seq: this.#seq, publishedMs: now, event });
    for (const hook of this.#hooks.values()) {
      if (hook.status === "ACTIVE" && hook.verificationStatus === "VERIFIED") {
        if (hook.eventTypes.includes(event.eventType)) this.#track(this.#deliver(hook, [event], org));
      }
    }
    return event;
  }

  addHook(input: Omit<EventHookRecord, "id" | "created" | "lastUpdated" | "status" | "verificationStatus">) {
    const now = this.#clock.now();
    const hook: EventHookRecord = {
      ...input,
      id: this.#ids.next("who"),
      status: "ACTIVE",
      verificationStatus: "UNVERIFIED",
      created: now,
      lastUpdated: now,
    };
    this.#hooks.set(hook.id, hook);
    return hook;
  }

  setHookStatus(hook: EventHookRecord, status: EventHookRecord["status"]): void {
    hook.status = status;
    hook.lastUpdated = this.#clock.now();
  }

  deleteHook(id: string): void {
    this.#hooks.delete(id);
  }

  /**
   * One-time verification (contracts §3.1; spec `verifyEventHook`): `GET <uri>` with the challenge header; the
   * endpoint must answer 200 `{"verification":"<challenge>"}` within 3 s; one retry after a timeout or error.
   */
  async verify(hook: EventHookRecord): Promise<boolean> {
    const challenge = crypto.randomUUID().replaceAll("-", "");
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const res = await fetch(hook.uri, {
          method: "GET",
          headers: {
            ...hookHeaders(hook),
            "X-Okta-Verification-Challenge": challenge,
            "User-Agent": "Okta-Integrations",
            "X-Okta-Request-Id": this.#ids.next("req", 25),
          },
          signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.status === 200) {
          const body = JSON.parse(text) as { verification?: unknown };
          if (body.verification === challenge) {
            hook.verificationStatus = "VERIFIED";
            hook.lastUpdated = this.#clock.now();
            return true;
          }
        }
      } catch {
        // a timeout, refused connection or non-JSON reply counts as a failed attempt
      }
    }
    return false;
  }

  #track(promise: Promise<void>): void {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
  }

  /**
   * Delivery (contracts §3.1 "Delivery"): POST the CloudEvents-style envelope; at-least-once, so a failed
   * attempt (timeout, error, non-2xx) is retried once. Never awaited by the API call that recorded the event.
   */
  async #deliver(hook: EventHookRecord, events: LogEvent[], org: string): Promise<void> {
    const eventId = crypto.randomUUID();
    const body = JSON.stringify({
      eventType: "com.okta.event_hook",
      eventTypeVersion: "1.0",
      cloudEventsVersion: "0.1",
      source: `${org}/api/v1/eventHooks/${hook.id}`,
      eventId,
      eventTime: new Date(this.#clock.now()).toISOString(),
      contentType: "application/json",
      data: { events },
    });
    const eventUuids = events.map((e) => e.uuid);
    for (let attempt = 1; attempt <= 2; attempt++) {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(hook.uri, {
          method: "POST",
          headers: {
            ...hookHeaders(hook),
            "Content-Type": "application/json",
            Accept: "application/json",
            "User-Agent": "Okta-Integrations",
          },
          body,
          signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const ok = status !== null && status >= 200 && status < 300;
      this.#deliveries.push({ hookId: hook.id, eventId, eventUuids, attempt, status, error, ok });
      if (ok) return;
    }
  }
}

/** The hook's custom headers and its `authScheme` header (the shared secret, sent as configured; no HMAC). */
function hookHeaders(hook: EventHookRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, value } of hook.headers) headers[key] = value;
  if (hook.authScheme) headers[hook.authScheme.key] = hook.authScheme.value;
  return headers;
}

/**
 * Records an event caused by an API call: the actor is the API token's owner (Okta logs the admin who made the
 * call), the target the user acted on.
 */
export function recordUserEvent(
  c: OktaContext,
  eventType: string,
  user: UserRecord,
  extraTargets: LogActor[] = [],
): void {
  const state = c.var.state;
  const owner = state.tokenOwnerId ? state.userById(state.tokenOwnerId) : undefined;
  const actor: LogActor = owner
    ? userActor(owner)
    : {
        id: "0oa_api_token",
        type: "PublicClientApp",
        alternateId: "API token",
        displayName: "API token",
        detailEntry: null,
      };
  state.events.record(
    {
      eventType,
      actor,
      target: [userActor(user), ...extraTargets],
      userAgent: c.req.header("User-Agent"),
      debugData: { requestUri: new URL(c.req.url).pathname },
    },
    orgUrl(c),
  );
}
