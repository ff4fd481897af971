import { randomUUID } from "node:crypto";
import { type Context, Hono } from "hono";
import { type Clock, systemClock } from "../../core/clock.ts";
import { CONTROL_PREFIX, faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { RateWindows } from "../kit/rate-window.ts";
import { MAX_MESSAGE_BYTES, WEBHOOK_WINDOWS } from "./rate-limits.ts";
import { kindOfPath, retryHeaders, type WebhookKind, webhookError } from "./replies.ts";
import { TeamsSeed } from "./seed.ts";
import { TeamsState } from "./state.ts";
import { adaptiveMessageProblem, isMessageCard, messageCardHasText } from "./validate.ts";

export { DEFAULT_WORKFLOW_ID, DEFAULT_WORKFLOW_SIG, TeamsSeed } from "./seed.ts";
export type { ReceivedCard } from "./state.ts";
export { TeamsState } from "./state.ts";

export interface TeamsEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: TeamsSeed;
}

export interface TeamsEmulator extends Emulator {
  vendor: "teams";
  state: TeamsState;
}

function renderTeamsFault(c: Context, rule: FaultRule): Response {
  const status = rule.status ?? 500;
  const seconds = rule.retryAfterSeconds ?? 1;
  const headers = status === 429 ? retryHeaders(seconds * 1000) : {};
  return webhookError(
    kindOfPath(new URL(c.req.url).pathname),
    status,
    { code: status === 429 ? "TooManyRequests" : "ServiceUnavailable", message: `HTTP ${status} (injected)` },
    headers,
  );
}

/**
 * Microsoft Teams' channel webhooks: legacy incoming webhooks (`POST /webhookb2/<id…>`, 200 "1") and Workflows
 * webhooks, the "When a Teams webhook request is received" trigger (`POST /workflows/<id>/triggers/manual/paths/
 * invoke?…&sig=…`, also under `/powerautomate/automations/direct/…`; 202 Accepted). Both validate the message
 * envelope and its Adaptive Cards, refuse messages over 28 KB (413) and throttle each webhook at its documented
 * windows (429). Received cards are kept in `state.received` and listed at `GET /__cordon/teams/cards`.
 *
 * Real Workflows accept a well-formed request with 202 and may fail later inside the flow run (a card Teams cannot
 * render); the emulator refuses such cards up front with 400 so a test sees the mistake.
 */
export function createTeamsEmulator(options: TeamsEmulatorOptions = {}): TeamsEmulator {
  const clock = options.clock ?? systemClock();
  const state = new TeamsState(TeamsSeed.parse(options.seed ?? {}), clock);
  const faults = new FaultPlan(options.faultSeed);
  const windows = new RateWindows(clock, options.timeScale ?? 1);
  const enforce = options.enforceRateLimits ?? true;
  const app = new Hono();
  app.use("*", faultMiddleware({ faults, clock, renderFault: renderTeamsFault }));
  mountFaultControl(app, faults);

  async function receive(c: Context, kind: WebhookKind, webhookId: string): Promise<Response> {
    const seeded = state.webhooks?.get(webhookId);
    if (state.webhooks && (!seeded || seeded.kind !== kind)) {
      return webhookError(kind, 404, {
        code: "WorkflowNotFound",
        message: "The workflow could not be found.",
        legacyText: "Webhook not found.",
      });
    }
    if (kind === "workflow") {
      const sig = new URL(c.req.url).searchParams.get("sig");
      // Logic Apps request triggers take exactly one scheme: the SAS signature in the URL.
      if (c.req.header("authorization") !== undefined)
        return webhookError(kind, 401, {
          code: "DirectApiRequestHasMoreThanOneAuthorization",
          message:
            "The request has both SAS authentication scheme and an Authorization header. Only one scheme should be used.",
        });
      if (!sig)
        return webhookError(kind, 401, {
          code: "DirectApiAuthorizationRequired",
          message: "The request must be authenticated only by Shared Access scheme.",
        });
      if (seeded?.sig && seeded.sig !== sig)
        return webhookError(kind, 401, {
          code: "DirectApiInvalidAuthorizationSignature",
          message: "The provided authorization signature is not valid.",
        });
    }
    if (enforce) {
      for (const window of WEBHOOK_WINDOWS) {
        const decision = windows.take(`${kind}:${webhookId}:${window.windowMs}`, window);
        if (!decision.allowed) {
          return webhookError(
            kind,
            429,
            { code: "TooManyRequests", message: "Rate limit is exceeded. Try again later." },
            retryHeaders(decision.resetAtMs - clock.now()),
          );
        }
      }
    }
    const raw = await c.req.text();
    if (Buffer.byteLength(raw, "utf8") > MAX_MESSAGE_BYTES)
      return webhookError(kind, 413, {
        code: "RequestEntityTooLarge",
        message: "The message size limit is 28 KB.",
      });
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return webhookError(kind, 400, {
        code: "InvalidRequestContent",
        message: "The request content is not valid and could not be deserialized.",
        legacyText: "Bad payload received by generic incoming webhook.",
      });
    }
    if (kind === "legacy" && isMessageCard(message)) {
      if (!messageCardHasText(message as Record<string, unknown>))
        return webhookError(kind, 400, { code: "", message: "", legacyText: "Summary or Text is required." });
    } else {
      const problem = adaptiveMessageProblem(message);
      if (problem)
        return webhookError(kind, 400, {
          code: "TriggerInputSchemaMismatch",
          message: `The input body for trigger 'manual' of type 'Request' did not match its schema definition. Error details: '${problem}'.`,
          legacyText: `Bad payload received by generic incoming webhook. ${problem}`,
        });
    }
    state.received.push({
      webhookId,
      kind,
      receivedAtMs: clock.now(),
      message: message as Record<string, unknown>,
    });
    if (kind === "legacy") return c.text("1", 200);
    return new Response(null, { status: 202, headers: { "x-ms-workflow-run-id": randomUUID() } });
  }

  app.post("/webhookb2/*", (c) =>
    receive(c, "legacy", new URL(c.req.url).pathname.slice("/webhookb2/".length)),
  );
  app.post("/workflows/:id/triggers/manual/paths/invoke", (c) => receive(c, "workflow", c.req.param("id")));
  app.post("/powerautomate/automations/direct/workflows/:id/triggers/manual/paths/invoke", (c) =>
    receive(c, "workflow", c.req.param("id")),
  );

  app.get(`${CONTROL_PREFIX}/teams/cards`, (c) => c.json({ cards: state.cards(c.req.query("webhook")) }));
  app.delete(`${CONTROL_PREFIX}/teams/cards`, (c) => {
    state.received.length = 0;
    return c.json({ ok: true });
  });
  app.onError((error) => {
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return new Response("500 Internal Server Error", { status: 500 });
  });
  return { vendor: "teams", app, faults, state };
}
