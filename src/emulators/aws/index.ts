import { randomUUID } from "node:crypto";
import { type Context, Hono } from "hono";
import { type Clock, systemClock } from "../../core/clock.ts";
import { mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { RateWindows } from "../kit/rate-window.ts";
import { authenticate } from "./auth.ts";
import { authorize } from "./authorize.ts";
import { mountAwsControl } from "./control.ts";
import { IamError, IamErrors, renderError } from "./errors.ts";
import { OPERATIONS } from "./operations.ts";
import { validate } from "./params.ts";
import { AwsIamSeed, applyAwsIamSeed, DEFAULT_ADMIN, parseAwsIamSeed } from "./seed.ts";
import { AwsIamState } from "./state.ts";
import { renderSuccess } from "./xml.ts";

export { signRequest } from "./sigv4.ts";
export type { AccessKeyRecord, SessionRecord, UserRecord } from "./state.ts";
export { AwsIamSeed, AwsIamState, DEFAULT_ADMIN, OPERATIONS };

/** The API version every request names (`Version=2010-05-08`; model service version). */
export const IAM_VERSION = "2010-05-08";

/**
 * IAM publishes no request rate (contracts.md §3.7 and §4: "not published"). Assumption, stated as such: 20
 * requests per second per account, all operations together; a throttled call gets HTTP 400 `Throttling`
 * "Rate exceeded". Override with `rateLimit`.
 */
// Expressed per minute (1,200 = 20 a second on average) so that a benchmark's compressed windows stay a
// second long rather than 17 ms, which no timer or network keeps aligned; same assumption as the connector's.
export const DEFAULT_IAM_RATE = { limit: 1200, windowMs: 60_000 } as const;

export interface AwsIamEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: AwsIamSeed;
  /** Requests per window per account (default {@link DEFAULT_IAM_RATE}); windows compress with `timeScale`. */
  rateLimit?: { limit: number; windowMs?: number };
  /**
   * The most items one page holds whatever `MaxItems` asks: IAM documents that it "might return fewer results,
   * even when there are more results available". Default: none (MaxItems is honoured).
   */
  pageCap?: number;
}

export interface AwsIamEmulator extends Emulator {
  vendor: "aws";
  /** The account's data, for inspection by tests. Change it through the API or the control endpoints. */
  state: AwsIamState;
  /** The signing region requests must be scoped to. */
  region: string;
}

/**
 * Injected faults in IAM's error format. IAM signals throttling with HTTP 400 `Throttling`, never 429, so a rule
 * asking for 429 is rendered as that (with `X-Cordon-Retry-After-Ms` from `retryAfterSeconds`, default 1 s);
 * 500 is `ServiceFailure`, 503 `ServiceUnavailable`, 403 `AccessDenied`, 404 `NoSuchEntity`, other statuses
 * `InternalFailure`.
 */
function faultError(rule: FaultRule): IamError {
  const status = rule.status ?? 500;
  switch (status) {
    case 429:
      return IamErrors.throttling((rule.retryAfterSeconds ?? 1) * 1000);
    case 500:
      return IamErrors.serviceFailure();
    case 503:
      return IamErrors.serviceUnavailable();
    case 403:
      return IamErrors.accessDenied("Access denied (injected fault)");
    case 404:
      return new IamError("NoSuchEntity", 404, "The entity cannot be found (injected fault).");
    default:
      return new IamError("InternalFailure", status, "The request processing has failed (injected fault).");
  }
}

function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
  if (incoming?.socket) {
    incoming.socket.destroy();
    return new Response(null, { status: 500 });
  }
  throw new TypeError("emulator dropped the connection (injected fault)");
}

/**
 * One AWS account's IAM over the awsQuery protocol: `POST /` (or `GET /?…`) with `Action=…&Version=2010-05-08&…`,
 * SigV4-verified, answered in XML. Pipeline per request: throttle → injected faults → SigV4 authentication →
 * member validation (model constraints) → authorization (explicit denies, seeded permissions) → operation.
 * Fault rules match `pathPrefix` against `/<Action>` (every IAM call is `POST /`), e.g. `/UpdateAccessKey`.
 */
export function createAwsIamEmulator(options: AwsIamEmulatorOptions = {}): AwsIamEmulator {
  const clock = options.clock ?? systemClock();
  const seed = parseAwsIamSeed(options.seed ?? {});
  const state = new AwsIamState(clock, seed.accountId ?? "123456789012");
  applyAwsIamSeed(state, seed);
  const region = seed.region ?? "us-east-1";
  const faults = new FaultPlan(options.faultSeed);
  const windows = new RateWindows(clock, options.timeScale ?? 1);
  const rate = {
    limit: options.rateLimit?.limit ?? DEFAULT_IAM_RATE.limit,
    windowMs: options.rateLimit?.windowMs ?? DEFAULT_IAM_RATE.windowMs,
  };
  const enforce = options.enforceRateLimits ?? true;

  const app = new Hono();
  mountFaultControl(app, faults);
  mountAwsControl(app, state);

  app.all("/", async (c) => {
    const requestId = randomUUID();
    try {
      const method = c.req.method.toUpperCase();
      if (method !== "POST" && method !== "GET") throw IamErrors.missingAction();
      const url = new URL(c.req.url);
      const body = method === "POST" ? await c.req.text() : "";
      const params = method === "POST" ? new URLSearchParams(body) : url.searchParams;
      const action = params.get("Action");

      if (enforce) {
        const decision = windows.take("account", rate);
        if (!decision.allowed) throw IamErrors.throttling(decision.resetAtMs - clock.now());
      }
      const rule = faults.pick(method, `/${action ?? ""}`);
      if (rule?.kind === "latency") await clock.sleep(rule.latencyMs ?? 1000);
      else if (rule?.kind === "drop") return dropConnection(c);
      else if (rule) throw faultError(rule);

      const caller = authenticate(state, { method, url, headers: c.req.raw.headers, body }, region);
      if (!action) throw IamErrors.missingAction();
      const version = params.get("Version") ?? "";
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation || version !== IAM_VERSION) throw IamErrors.invalidAction(action, version || "(none)");
      const parsed = validate(params, operation.members);
      const ctx = { state, params: parsed, caller, pageCap: options.pageCap };
      const denied = authorize(state, caller, action, operation.resource(ctx));
      if (denied) throw denied;
      return renderSuccess(action, requestId, operation.handle(ctx));
    } catch (error) {
      if (error instanceof IamError) return renderError(error, requestId);
      throw error;
    }
  });

  app.notFound((c) =>
    renderError(
      new IamError("InvalidAction", 404, `No operation is served at ${new URL(c.req.url).pathname}`),
      randomUUID(),
    ),
  );
  app.onError((error) => {
    // A dropped connection (injected fault) must reach an in-process caller as a network error, not a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return renderError(IamErrors.serviceFailure(), randomUUID());
  });

  return { vendor: "aws", app, faults, state, region };
}
