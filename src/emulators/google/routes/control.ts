import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../../kit/control.ts";
import type { GoogleContext, GoogleEnv } from "../env.ts";

const SignInBody = z.strictObject({
  /** Also grant an OAuth token to this client (as consenting to a third-party app does). */
  clientId: z.string().min(1).optional(),
  displayText: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  nativeApp: z.boolean().optional(),
});
const AspBody = z.strictObject({ name: z.string().min(1) });

async function jsonBody(c: GoogleContext): Promise<unknown> {
  const raw = await c.req.text();
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Emulator-only endpoints (no auth, never rate-limited or faulted; Google has nothing like them). They create what
 * only an end user's own actions create, and show what the Directory API cannot:
 *
 * - `POST /__cordon/google/users/{email}/signin` body `{clientId?, displayText?, scopes?, nativeApp?}` → 201
 *   `{userId, sessionId, clientId?}`: a web session, and an OAuth token for the client when one is named.
 *   A suspended user cannot sign in (409).
 * - `GET /__cordon/google/users/{email}/sessions` → `{count, sessions: [{id, createdAt}]}`: Google offers no API
 *   read of a user's sessions; this is how a test or a rehearsal sees that users.signOut ended them.
 * - `POST /__cordon/google/users/{email}/asps` body `{name}` → 201 `{codeId}`: the user creates an app password.
 */
export function mountGoogleControl(app: Hono<GoogleEnv>): void {
  const base = `${CONTROL_PREFIX}/google/users/:email`;

  app.post(`${base}/signin`, async (c) => {
    const user = c.var.state.findUser(c.req.param("email"));
    if (!user) return c.json({ error: `no user ${c.req.param("email")}` }, 404);
    const parsed = SignInBody.safeParse(await jsonBody(c));
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error?.issues }, 400);
    if (user.suspended) return c.json({ error: "a suspended user cannot sign in" }, 409);
    const session = c.var.state.createSession(user);
    const { clientId, displayText, scopes, nativeApp } = parsed.data;
    if (clientId) {
      c.var.state.grantToken(user.id, {
        clientId,
        displayText: displayText ?? clientId,
        scopes: scopes ?? ["openid", "https://www.googleapis.com/auth/userinfo.email"],
        nativeApp: nativeApp ?? false,
        anonymous: false,
      });
    }
    return c.json({ userId: user.id, sessionId: session.id, ...(clientId ? { clientId } : {}) }, 201);
  });

  app.get(`${base}/sessions`, (c) => {
    const user = c.var.state.findUser(c.req.param("email"));
    if (!user) return c.json({ error: `no user ${c.req.param("email")}` }, 404);
    const sessions = c.var.state.sessionsOf(user.id);
    return c.json({
      count: sessions.length,
      sessions: sessions.map((s) => ({ id: s.id, createdAt: new Date(s.createdAt).toISOString() })),
    });
  });

  app.post(`${base}/asps`, async (c) => {
    const user = c.var.state.findUser(c.req.param("email"));
    if (!user) return c.json({ error: `no user ${c.req.param("email")}` }, 404);
    const parsed = AspBody.safeParse(await jsonBody(c));
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error?.issues }, 400);
    return c.json({ codeId: c.var.state.addAsp(user.id, parsed.data.name).codeId }, 201);
  });
}
