import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../../kit/control.ts";
import type { OktaEnv } from "../env.ts";

const SignInBody = z.strictObject({ clientId: z.string().min(1).optional() });

/**
 * Emulator-only endpoints (no auth, never rate-limited or faulted; Okta has nothing like them). They create the
 * state that only an end user's interactive sign-in creates on a real org, and let people check the result:
 *
 * - `POST /__cordon/okta/users/{idOrLogin}/signin` body `{clientId?}` → 201 `{userId, sessionId, clientId,
 *   grantId, refreshTokenId, accessTokenId}`: a session, a consent grant, a refresh token and an access token for
 *   the client (the org's default app when none is named). Only ACTIVE users can sign in (409 otherwise).
 * - `GET /__cordon/okta/users/{idOrLogin}/sessions` → `{count}`.
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

  app.get(`${base}/sessions`, (c) => {
    const user = c.var.state.findUser(c.req.param("idOrLogin"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrLogin")}` }, 404);
    return c.json({ count: c.var.state.sessionsOf(user.id).length });
  });
}
