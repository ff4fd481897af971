import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../../kit/control.ts";
import { type OktaEnv, orgUrl } from "../env.ts";
import { userActor } from "../events.ts";

const SignInBody = z.strictObject({ clientId: z.string().min(1).optional() });
const EventBody = z
  .strictObject({
    eventType: z.string().min(1),
    userId: z.string().min(1).optional(),
    login: z.string().min(1).optional(),
    debugData: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => b.userId !== undefined || b.login !== undefined, "userId or login is required");

/**
 * Emulator-only endpoints (no auth, never rate-limited or faulted; Okta has nothing like them). They create the
 * state that only an end user's interactive sign-in creates on a real org, and let people check the result:
 *
 * - `POST /__cordon/okta/users/{idOrLogin}/signin` body `{clientId?}` → 201 `{userId, sessionId, clientId,
 *   grantId, refreshTokenId, accessTokenId}`: a session, a consent grant, a refresh token and an access token for
 *   the client (the org's default app when none is named). Only ACTIVE users can sign in (409 otherwise).
 * - `GET /__cordon/okta/users/{idOrLogin}/sessions` → `{count}`.
 * - `POST /__cordon/okta/events` body `{eventType, userId|login, debugData?}` → 201 LogEvent: records an event an
 *   end user causes (e.g. `user.account.report_suspicious_activity_by_enduser` with `debugData`
 *   `suspiciousActivityEventType`… per contracts §3.1, or `user.mfa.okta_verify.deny_push`), with the user as
 *   actor and target, and delivers it to subscribed hooks like any other event.
 */
export function mountOktaControl(app: Hono<OktaEnv>): void {
  const base = `${CONTROL_PREFIX}/okta/users/:idOrLogin`;

  app.post(`${base}/signin`, async (c) => {
    const user = c.var.state.findUser(c.req.param("idOrLogin"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrLogin")}` }, 404);
    const raw = await c.req.text();
    let body: unknown = {};
    try {
      if (raw.trim() !== "") body = JSON.parse(raw);
    } catch {
      return c.json({ error: "the body is not JSON" }, 400);
    }
    const parsed = SignInBody.safeParse(body);
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error.issues }, 400);
    if (user.status !== "ACTIVE") return c.json({ error: `a ${user.status} user cannot sign in` }, 409);
    const result = c.var.state.signIn(user, parsed.data.clientId);
    return c.json(
      {
        userId: user.id,
        sessionId: result.session.id,
        clientId: result.client.clientId,
        grantId: result.grant.id,
        refreshTokenId: result.refreshToken.id,
        accessTokenId: result.accessToken.id,
      },
      201,
    );
  });

  app.post(`${CONTROL_PREFIX}/okta/events`, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "the body is not JSON" }, 400);
    }
    const parsed = EventBody.safeParse(body);
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error.issues }, 400);
    const key = parsed.data.userId ?? parsed.data.login ?? "";
    const user = c.var.state.findUser(key);
    if (!user) return c.json({ error: `no user ${key}` }, 404);
    const actor = userActor(user);
    const event = c.var.state.events.record(
      {
        eventType: parsed.data.eventType,
        actor,
        target: [actor],
        debugData: parsed.data.debugData,
        userAgent: c.req.header("User-Agent"),
        outcome: parsed.data.eventType === "user.mfa.okta_verify.deny_push" ? "DENY" : "SUCCESS",
      },
      orgUrl(c),
    );
    return c.json(event, 201);
  });

  app.get(`${base}/sessions`, (c) => {
    const user = c.var.state.findUser(c.req.param("idOrLogin"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrLogin")}` }, 404);
    return c.json({ count: c.var.state.sessionsOf(user.id).length });
  });
}
