import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../kit/control.ts";
import type { GithubEnv } from "./env.ts";
import { renderCredentialAuthorization } from "./render.ts";
import { CREDENTIAL_TYPES } from "./state.ts";

const CredentialBody = z.strictObject({
  login: z.string().min(1),
  type: z.enum(CREDENTIAL_TYPES).default("personal access token"),
  scopes: z.array(z.string()).optional(),
  title: z.string().optional(),
});

/**
 * Emulator-only endpoints (no auth, never rate-limited or faulted; GitHub has nothing like them). They do what
 * only a person can do on github.com:
 *
 * - `POST /__cordon/github/orgs/{org}/invitations/{login}/accept` → 200 `{ok:true}`: the invitee accepts; the
 *   membership and its pending team memberships become active. 404 when there is no pending invitation.
 * - `POST /__cordon/github/orgs/{org}/credential-authorizations` body `{login, type?, scopes?, title?}` → 201 with the
 *   rendered authorization: the user authorizes a personal access token or SSH key for the org's SSO.
 */
export function mountGithubControl(app: Hono<GithubEnv>): void {
  const base = `${CONTROL_PREFIX}/github/orgs/:org`;

  app.post(`${base}/invitations/:login/accept`, (c) => {
    const org = c.var.state.org(c.req.param("org"));
    if (!org || !c.var.state.acceptInvitation(org, c.req.param("login")))
      return c.json({ error: "no pending invitation" }, 404);
    return c.json({ ok: true });
  });

  app.post(`${base}/credential-authorizations`, async (c) => {
    const org = c.var.state.org(c.req.param("org"));
    if (!org) return c.json({ error: "no such org" }, 404);
    const parsed = CredentialBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error.issues }, 400);
    const record = c.var.state.addCredentialAuthorization(org, parsed.data);
    return c.json(renderCredentialAuthorization(record), 201);
  });
}
