/**
 * The HTTP front door of `cordon serve` (Hono): hook endpoints, the REST API, health and metrics. Thin: every
 * request is authenticated before its body is parsed, bad input gets a clear 4xx and a ledger record, and the
 * work itself is done by the playbook worker and the engine.
 */
import { type Context, Hono } from "hono";
import { timeout } from "hono/timeout";
import { parseOktaEventHookBody } from "../connectors/okta/events.ts";
import type { Clock } from "../core/clock.ts";
import type { ContainmentProfile } from "../core/connector.ts";
import { CordonError, toCordonError } from "../core/errors.ts";
import type { CordonEvent } from "../core/event.ts";
import { sha256Hex } from "../core/hash.ts";
import { applyPlan } from "../engine/contain.ts";
import { buildPlan } from "../engine/plan.ts";
import { decideApproval } from "../playbooks/approval.ts";
import type { PlaybookWorker } from "../playbooks/worker.ts";
import type { Store } from "../store/types.ts";
import { genericEvent, manualEvent, parseBlockAction } from "./inbound.ts";
import type { Metrics } from "./metrics.ts";
import {
  oktaVerificationResponse,
  verifyGenericWebhook,
  verifyOktaAuthorization,
  verifySlackSignature,
} from "./verify/index.ts";

export interface HookSettings {
  okta: Map<string, { secret: string; header: string }>;
  slackSigningSecret: string | null;
  generic: Map<string, { secret: string; typeField: string; idField: string; subjectField: string }>;
}

export interface AppContext {
  store: Store;
  worker: PlaybookWorker;
  clock: Clock;
  metrics: Metrics;
  hooks: HookSettings;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  /** When each accepted event arrived (ms), for time-to-containment; the server drops entries it has used. */
  arrivals: Map<string, number>;
  log: (entry: Record<string, unknown>) => void;
}

/** Refused requests written to the ledger per minute; more are only counted (`cordon_requests_rejected_total`). */
const REJECTIONS_RECORDED_PER_MINUTE = 120;

type Refusal = { status: 400 | 401 | 404 | 409 | 413 | 415; reason: string };

/** Reads the raw body up to the limit: 413 as soon as it is exceeded (by Content-Length or by counting). */
async function readBody(request: Request, limit: number): Promise<{ text: string } | Refusal> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit)
    return { status: 413, reason: `body of ${declared} bytes exceeds the limit of ${limit}` };
  if (!request.body) return { text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return { status: 413, reason: `body exceeds the limit of ${limit} bytes` };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString("utf8") };
}

export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  const { store, metrics } = ctx;

  // Anyone can send garbage: the ledger records refusals up to a budget a minute, so a flood cannot grow it without
  // bound; the rest are counted in /metrics, and the next recorded refusal says how many were not.
  const ledgerBudget = { windowStart: 0, recorded: 0, suppressed: 0 };
  const refuse = async (c: Context, refusal: Refusal, bytes: number | null = null) => {
    metrics.requestsRejected.inc({ path: routeOf(c.req.path), status: String(refusal.status) });
    const now = ctx.clock.now();
    if (now - ledgerBudget.windowStart >= 60_000)
      Object.assign(ledgerBudget, { windowStart: now, recorded: 0 });
    if (ledgerBudget.recorded < REJECTIONS_RECORDED_PER_MINUTE) {
      ledgerBudget.recorded += 1;
      await store.automation.recordRejectedRequest({
        path: routeOf(c.req.path),
        status: refusal.status,
        reason: refusal.reason,
        bytes,
        notRecordedBefore: ledgerBudget.suppressed,
      });
      ledgerBudget.suppressed = 0;
    } else ledgerBudget.suppressed += 1;
    return c.json({ error: refusal.reason }, refusal.status);
  };

  /** Commits the events, then answers: an event acknowledged with 200 is in the store. */
  const accept = async (c: Context, source: string, events: CordonEvent[]) => {
    const arrived = ctx.clock.now();
    const { accepted, duplicates } = await store.automation.acceptEvents(events);
    for (const key of accepted) ctx.arrivals.set(key, arrived);
    metrics.eventsReceived.inc({ source, result: "accepted" }, accepted.length);
    if (duplicates.length > 0) metrics.eventsReceived.inc({ source, result: "duplicate" }, duplicates.length);
    ctx.worker.kick();
    return c.json({ accepted: accepted.length, duplicates: duplicates.length });
  };

  app.use("*", timeout(ctx.requestTimeoutMs));
  app.onError((error, c) => {
    const failure = toCordonError(error);
    ctx.log({ level: "error", msg: "request failed", path: routeOf(c.req.path), error: failure.message });
    const status = statusOf(failure);
    return c.json({ error: failure.message, kind: failure.kind }, status);
  });

  app.get("/healthz", async (c) => {
    await store.automation.getCursor("healthz");
    return c.json({ ok: true, runsInFlight: ctx.worker.inFlight });
  });

  app.get("/metrics", async (c) => {
    const counts = await store.automation.countPlaybookRuns();
    const text = metrics.render([
      {
        name: "cordon_playbook_runs",
        help: "Playbook runs by state",
        values: Object.entries(counts).map(([state, value]) => ({ labels: { state }, value })),
      },
      {
        name: "cordon_playbook_runs_in_flight",
        help: "Runs executing now",
        values: [{ labels: {}, value: ctx.worker.inFlight }],
      },
    ]);
    return c.text(text, 200, { "content-type": "text/plain; version=0.0.4" });
  });

  // ---- Okta event hooks (https://developer.okta.com/docs/concepts/event-hooks/) ----
  const oktaHook = (c: Context): [string, { secret: string; header: string }] | null => {
    const name = c.req.param("connection");
    if (name) {
      const hook = ctx.hooks.okta.get(name);
      return hook ? [name, hook] : null;
    }
    // `/hooks/okta` without a name: the one Okta hook configured, if exactly one.
    return ctx.hooks.okta.size === 1 ? [...ctx.hooks.okta][0]! : null;
  };
  const oktaVerify = async (c: Context) => {
    const hook = oktaHook(c);
    if (!hook) return refuse(c, { status: 404, reason: "no Okta event hook is configured here" });
    const auth = verifyOktaAuthorization(c.req.raw.headers, hook[1].secret, hook[1].header);
    if (!auth.ok) return refuse(c, auth);
    const challenge = oktaVerificationResponse(c.req.raw.headers);
    if (!challenge) return refuse(c, { status: 400, reason: "missing X-Okta-Verification-Challenge header" });
    return c.json(challenge);
  };
  const oktaDeliver = async (c: Context) => {
    const hook = oktaHook(c);
    if (!hook) return refuse(c, { status: 404, reason: "no Okta event hook is configured here" });
    // The shared secret first: nothing of an unauthenticated body is read, let alone parsed.
    const auth = verifyOktaAuthorization(c.req.raw.headers, hook[1].secret, hook[1].header);
    if (!auth.ok) return refuse(c, auth);
    const body = await readBody(c.req.raw, ctx.maxBodyBytes);
    if ("status" in body) return refuse(c, body);
    let events: CordonEvent[];
    try {
      events = parseOktaEventHookBody(body.text, hook[0]);
    } catch (error) {
      return refuse(c, { status: 400, reason: toCordonError(error).message }, Buffer.byteLength(body.text));
    }
    return accept(c, "okta", events);
  };
  app.get("/hooks/okta", oktaVerify);
  app.get("/hooks/okta/:connection", oktaVerify);
  app.post("/hooks/okta", oktaDeliver);
  app.post("/hooks/okta/:connection", oktaDeliver);

  // ---- Generic webhooks, HMAC-SHA256 over timestamp + "." + raw body ----
  app.post("/hooks/generic/:name", async (c) => {
    const name = c.req.param("name");
    const hook = ctx.hooks.generic.get(name);
    if (!hook) return refuse(c, { status: 404, reason: "no generic webhook of that name is configured" });
    const body = await readBody(c.req.raw, ctx.maxBodyBytes);
    if ("status" in body) return refuse(c, body);
    const bytes = Buffer.byteLength(body.text);
    const auth = verifyGenericWebhook({
      headers: c.req.raw.headers,
      rawBody: body.text,
      secret: hook.secret,
      nowMs: ctx.clock.now(),
    });
    if (!auth.ok) return refuse(c, auth, bytes);
    let event: CordonEvent;
    try {
      event = genericEvent(name, body.text, hook, ctx.clock);
    } catch (error) {
      return refuse(c, { status: 400, reason: toCordonError(error).message }, bytes);
    }
    return accept(c, "webhook", [event]);
  });

  // ---- Slack interactivity: approval buttons (https://api.slack.com/interactivity/handling) ----
  app.post("/hooks/slack/interactions", async (c) => {
    const secret = ctx.hooks.slackSigningSecret;
    if (!secret) return refuse(c, { status: 404, reason: "Slack interactivity is not configured" });
    const body = await readBody(c.req.raw, ctx.maxBodyBytes);
    if ("status" in body) return refuse(c, body);
    const bytes = Buffer.byteLength(body.text);
    const auth = verifySlackSignature({
      headers: c.req.raw.headers,
      rawBody: body.text,
      signingSecret: secret,
      nowMs: ctx.clock.now(),
    });
    if (!auth.ok) return refuse(c, auth, bytes);
    const click = parseBlockAction(body.text);
    if ("reason" in click) return refuse(c, { status: 400, reason: click.reason }, bytes);
    try {
      const decided = await decideApproval(ctx.worker.env, click.id, {
        approve: click.approve,
        planHash: click.planHash,
        by: `slack:${click.userId}${click.userName ? ` (${click.userName})` : ""}`,
        via: "slack",
        slackUserId: click.userId,
      });
      ctx.worker.kick();
      return c.json({ text: `${decided.state}: ${decided.id}` });
    } catch (error) {
      const failure = toCordonError(error);
      if (failure.kind === "policy" || failure.kind === "conflict" || failure.kind === "not_found") {
        // Slack shows nothing of a non-200 but the button spinning; the clicker is told in words instead.
        await store.automation.recordRejectedRequest({
          path: "/hooks/slack/interactions",
          status: 200,
          reason: failure.message,
          bytes,
        });
        return c.json({ response_type: "ephemeral", replace_original: false, text: failure.message });
      }
      throw error;
    }
  });

  // ---- REST API: Authorization: Bearer <API key>; keys are stored as SHA-256 hashes ----
  const api = new Hono<{ Variables: { keyName: string } }>();
  api.use("*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer (\S+)$/.exec(header);
    const name = match ? await store.automation.useApiKey(sha256Hex(match[1]!)) : null;
    if (!name) return refuse(c, { status: 401, reason: "missing or unknown API key" });
    c.set("keyName", name);
    await next();
  });
  const jsonBody = async (c: Context): Promise<Record<string, unknown>> => {
    const body = await readBody(c.req.raw, ctx.maxBodyBytes);
    if ("status" in body) throw new CordonError({ kind: "invalid_input", field: "body" }, body.reason);
    if (body.text.trim() === "") return {};
    try {
      const parsed = JSON.parse(body.text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new CordonError({ kind: "invalid_input", field: "body" }, "the body must be a JSON object");
  };

  api.get("/runs", async (c) => {
    const limit = Math.min(Number(c.req.query("limit") ?? 50) || 50, 500);
    const playbookRuns = (await store.automation.listPlaybookRuns({ limit })).map((r) => ({
      id: r.id,
      type: "playbook",
      playbook: r.playbook,
      state: r.state,
      event: r.eventKey,
      subject: r.event.subject,
      error: r.error,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    }));
    const runs = (await store.listRuns({ limit })).map((r) => ({
      id: r.id,
      type: r.kind,
      state: r.state,
      actor: r.actor,
      reason: r.reason,
      planHash: r.planHash,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
      summary: r.summary,
    }));
    return c.json({ playbookRuns, runs });
  });

  api.get("/runs/:id", async (c) => {
    const id = c.req.param("id");
    if (id.startsWith("pbr_") && !id.includes(".s")) {
      const run = await store.automation.getPlaybookRun(id);
      if (!run) return c.json({ error: `no run ${id}` }, 404);
      const { definition: _definition, ...rest } = run;
      return c.json({
        ...rest,
        steps: await store.automation.listPlaybookSteps(id),
        approvals: (await store.automation.listApprovals({ playbookRunId: id })).map(
          ({ plan: _plan, ...a }) => a,
        ),
      });
    }
    const run = await store.getRun(id);
    if (!run) return c.json({ error: `no run ${id}` }, 404);
    return c.json({ ...run, steps: await store.listSteps(id) });
  });

  api.post("/contain", async (c) => {
    const body = await jsonBody(c);
    const subjects = Array.isArray(body.subjects)
      ? body.subjects.map(String)
      : typeof body.subject === "string"
        ? [body.subject]
        : [];
    const profile = (body.profile ?? "lock") as ContainmentProfile;
    if (profile !== "lock" && profile !== "sessions")
      throw new CordonError({ kind: "invalid_input", field: "profile" }, "profile must be lock or sessions");
    const reason = typeof body.reason === "string" ? body.reason : null;
    const env = ctx.worker.env;
    const plan = await buildPlan(
      {
        subjects,
        profile,
        reason,
        force: body.force === true ? { reason: reason ?? "" } : null,
        policy: env.policy,
        ...(Array.isArray(body.in) ? { only: body.in.map(String) } : {}),
      },
      env.connectors,
      ctx.clock,
    );
    if (body.dry_run === true) return c.json({ plan });
    const result = await applyPlan(plan, {
      store,
      connectors: env.connectors,
      clock: ctx.clock,
      actor: `api:${c.get("keyName")}`,
    });
    return c.json({ planHash: plan.hash, ...result });
  });

  api.post("/playbooks/:name/run", async (c) => {
    const name = c.req.param("name");
    if (!ctx.worker.playbooks.some((p) => p.name === name))
      return c.json({ error: `no playbook ${name} is loaded` }, 404);
    const body = await jsonBody(c);
    const event = manualEvent(name, body, `api:${c.get("keyName")}`, ctx.clock);
    await store.automation.acceptEvents([event]);
    ctx.worker.kick();
    return c.json({ event: event.key }, 202);
  });

  api.get("/approvals", async (c) => {
    const state = c.req.query("state") as "pending" | undefined;
    const approvals = await store.automation.listApprovals(state ? { state } : {});
    return c.json(approvals.map(({ plan: _plan, ...a }) => a));
  });

  api.get("/approvals/:id", async (c) => {
    const approval = await store.automation.getApproval(c.req.param("id"));
    return approval ? c.json(approval) : c.json({ error: "no such approval" }, 404);
  });

  api.post("/approvals/:id", async (c) => {
    const body = await jsonBody(c);
    if (typeof body.approve !== "boolean" || typeof body.plan_hash !== "string")
      throw new CordonError(
        { kind: "invalid_input", field: "body" },
        'send {"approve": true|false, "plan_hash": "<the plan hash you reviewed>"}',
      );
    const decided = await decideApproval(ctx.worker.env, c.req.param("id"), {
      approve: body.approve,
      planHash: body.plan_hash,
      by: `api:${c.get("keyName")}`,
      via: "api",
      note: typeof body.note === "string" ? body.note.slice(0, 1000) : null,
    });
    ctx.worker.kick();
    const { plan: _plan, ...rest } = decided;
    return c.json(rest);
  });

  app.route("/api", api);
  app.notFound((c) => c.json({ error: "not found" }, 404));
  return app;
}

/** The route pattern for labels and the ledger: never a path segment an attacker chose in full. */
function routeOf(path: string): string {
  const known = [
    "/hooks/okta",
    "/hooks/generic",
    "/hooks/slack/interactions",
    "/api",
    "/healthz",
    "/metrics",
  ];
  return known.find((prefix) => path === prefix || path.startsWith(`${prefix}/`)) ?? "other";
}

function statusOf(error: CordonError): 400 | 404 | 409 | 422 | 500 | 502 {
  switch (error.kind) {
    case "invalid_input":
    case "config":
      return 400;
    case "not_found":
      return 404;
    case "conflict":
      return 409;
    case "policy":
      return 422;
    case "auth":
    case "forbidden":
    case "transient":
    case "rate_limited":
    case "vendor":
    case "deadline":
    case "retry_budget_exhausted":
      return 502;
    default:
      return 500;
  }
}
