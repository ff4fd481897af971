import type { Hono } from "hono";
import { z } from "zod";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors, oktaError } from "../errors.ts";
import type { EventHookRecord } from "../events.ts";
import { iso } from "../render.ts";

/**
 * Spec `EventHook` create body (contracts §3.1 "Create event hook"). The emulator accepts `http:` URIs too (Okta
 * requires HTTPS), so tests can run a plain loopback receiver.
 */
const CreateBody = z.object({
  name: z.string().min(1),
  description: z.string().nullable().optional(),
  events: z.object({ type: z.literal("EVENT_TYPE"), items: z.array(z.string().min(1)).min(1) }),
  channel: z.object({
    type: z.literal("HTTP"),
    version: z.literal("1.0.0"),
    config: z.object({
      uri: z.string().regex(/^https?:\/\//),
      headers: z.array(z.object({ key: z.string().min(1), value: z.string() })).optional(),
      authScheme: z
        .object({ type: z.literal("HEADER"), key: z.string().min(1), value: z.string() })
        .optional(),
    }),
  }),
});

/**
 * Spec `EventHook` (example `RetrieveAnEventHook`): the `authScheme` comes back without its `value` (the secret is
 * write-only); `_links` offer verify and deactivate (or activate when INACTIVE).
 */
function renderHook(hook: EventHookRecord, org: string) {
  const self = `${org}/api/v1/eventHooks/${hook.id}`;
  const post = (href: string) => ({ href, hints: { allow: ["POST"] } });
  return {
    id: hook.id,
    status: hook.status,
    verificationStatus: hook.verificationStatus,
    name: hook.name,
    description: hook.description,
    created: iso(hook.created),
    createdBy: hook.createdBy,
    lastUpdated: iso(hook.lastUpdated),
    events: { type: "EVENT_TYPE", items: hook.eventTypes, filter: null },
    channel: {
      type: "HTTP",
      version: "1.0.0",
      config: {
        uri: hook.uri,
        headers: hook.headers,
        method: "POST",
        authScheme: hook.authScheme ? { type: hook.authScheme.type, key: hook.authScheme.key } : null,
      },
    },
    _links: {
      self: { href: self },
      verify: post(`${self}/lifecycle/verify`),
      ...(hook.status === "ACTIVE"
        ? { deactivate: post(`${self}/lifecycle/deactivate`) }
        : { activate: post(`${self}/lifecycle/activate`) }),
    },
  };
}

function hookOf(c: OktaContext): EventHookRecord | Response {
  const id = c.req.param("id") ?? "";
  return c.var.state.events.hooks.get(id) ?? OktaErrors.notFound(c, id, "EventHook");
}

/** `POST /api/v1/eventHooks` (spec `createEventHook`) → 200 EventHook, ACTIVE and UNVERIFIED. */
async function createHook(c: OktaContext): Promise<Response> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return OktaErrors.malformedBody(c);
  }
  const parsed = CreateBody.safeParse(raw);
  if (!parsed.success) {
    return OktaErrors.validation(
      c,
      "eventHook",
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    );
  }
  const body = parsed.data;
  const hook = c.var.state.events.addHook({
    name: body.name,
    description: body.description ?? null,
    createdBy: c.var.state.tokenOwnerId ?? null,
    eventTypes: body.events.items,
    uri: body.channel.config.uri,
    headers: body.channel.config.headers ?? [],
    authScheme: body.channel.config.authScheme ?? null,
  });
  return c.json(renderHook(hook, orgUrl(c)));
}

/**
 * `POST /api/v1/eventHooks/{id}/lifecycle/verify` (spec `verifyEventHook`; contracts §3.1): the one-time
 * challenge; failure → 400 E0000001 "Api validation failed: eventHook" with the "execution failed" cause.
 */
async function verifyHook(c: OktaContext): Promise<Response> {
  const hook = hookOf(c);
  if (hook instanceof Response) return hook;
  if (!(await c.var.state.events.verify(hook))) {
    return oktaError(c, 400, "E0000001", "Api validation failed: eventHook", [
      `Unable to verify event hook. Hook ${hook.name} execution failed`,
    ]);
  }
  return c.json(renderHook(hook, orgUrl(c)));
}

/** Spec `activateEventHook` / `deactivateEventHook`: 200 EventHook with the new status. */
function setStatus(status: EventHookRecord["status"]) {
  return (c: OktaContext): Response => {
    const hook = hookOf(c);
    if (hook instanceof Response) return hook;
    c.var.state.events.setHookStatus(hook, status);
    return c.json(renderHook(hook, orgUrl(c)));
  };
}

/**
 * `DELETE /api/v1/eventHooks/{id}` (spec `deleteEventHook`): 204; "you can only delete event hooks with a status
 * of INACTIVE". The spec lists 403 for refusals; the code E0000006 for an ACTIVE hook is **unverified**.
 */
function deleteHook(c: OktaContext): Response {
  const hook = hookOf(c);
  if (hook instanceof Response) return hook;
  if (hook.status !== "INACTIVE") {
    return oktaError(c, 403, "E0000006", "You do not have permission to perform the requested action", [
      "Only INACTIVE event hooks can be deleted",
    ]);
  }
  c.var.state.events.deleteHook(hook.id);
  return c.body(null, 204);
}

export function mountEventHookRoutes(app: Hono<OktaEnv>): void {
  app.post("/api/v1/eventHooks", createHook);
  // Spec `listEventHooks`: 200 EventHook[] (no pagination).
  app.get("/api/v1/eventHooks", (c) =>
    c.json([...c.var.state.events.hooks.values()].map((h) => renderHook(h, orgUrl(c)))),
  );
  // Spec `getEventHook`: 200 EventHook; 404 E0000007.
  app.get("/api/v1/eventHooks/:id", (c) => {
    const hook = hookOf(c);
    return hook instanceof Response ? hook : c.json(renderHook(hook, orgUrl(c)));
  });
  app.delete("/api/v1/eventHooks/:id", deleteHook);
  app.post("/api/v1/eventHooks/:id/lifecycle/verify", verifyHook);
  app.post("/api/v1/eventHooks/:id/lifecycle/activate", setStatus("ACTIVE"));
  app.post("/api/v1/eventHooks/:id/lifecycle/deactivate", setStatus("INACTIVE"));
}
