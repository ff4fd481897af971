import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../kit/control.ts";
import { sessionObject } from "./render.ts";
import type { SlackState } from "./state.ts";

const SignIn = z.strictObject({
  kind: z.enum(["web", "mobile"]),
  teamId: z.string().optional(),
  deviceHardware: z.string().optional(),
  os: z.string().optional(),
  osVersion: z.string().optional(),
  clientVersion: z.string().optional(),
  ip: z.string().optional(),
});

/**
 * Emulator-only endpoints (no auth; Slack has nothing like them), under `/__cordon/slack`:
 * - `POST /__cordon/slack/users/{id}/signin` `{kind: "web"|"mobile", teamId?, deviceHardware?, os?, osVersion?,
 *   clientVersion?, ip?}` starts a session as if the person signed in: 201 with the session. A deactivated user
 *   cannot sign in (409), so a test can check that containment holds.
 * - `GET /__cordon/slack/users/{id}/sessions` lists the user's sessions with their kind (the Web API's session
 *   objects do not say web or mobile).
 */
export function mountSlackControl(app: Hono, state: SlackState): void {
  const prefix = `${CONTROL_PREFIX}/slack`;
  app.post(`${prefix}/users/:id/signin`, async (c) => {
    const user = state.getUser(c.req.param("id"));
    if (!user) return c.json({ error: "user_not_found" }, 404);
    if (user.deleted) return c.json({ error: "user_deactivated" }, 409);
    const parsed = SignIn.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "invalid sign-in", issues: parsed.error.issues }, 400);
    const { kind, ...details } = parsed.data;
    if (details.teamId && !user.teams.includes(details.teamId))
      return c.json({ error: "team_not_found" }, 404);
    const session = state.signIn(user.id, kind, details);
    return c.json({ ...sessionObject(session), kind }, 201);
  });
  app.get(`${prefix}/users/:id/sessions`, (c) => {
    const user = state.getUser(c.req.param("id"));
    if (!user) return c.json({ error: "user_not_found" }, 404);
    return c.json({
      sessions: state.sessionsOf(user.id).map((s) => ({ ...sessionObject(s), kind: s.kind })),
    });
  });
}
