import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../../kit/control.ts";
import type { AtlassianEnv } from "../env.ts";

const NewToken = z.strictObject({ label: z.string().min(1).max(200) });

/**
 * Emulator-only endpoints (no auth, never rate-limited or faulted; Atlassian has nothing like them):
 * - `POST /__cordon/atlassian/users/{accountIdOrEmail}/api-tokens` body `{label}` → 201 `{id, label}`: what a user
 *   creating a token at id.atlassian.com leaves behind;
 * - `GET /__cordon/atlassian/users/{accountIdOrEmail}` → `{accountId, email, status, accountStatus,
 *   membershipStatus, apiTokens}` (a count).
 */
export function mountAtlassianControl(app: Hono<AtlassianEnv>): void {
  const base = `${CONTROL_PREFIX}/atlassian/users/:idOrEmail`;
  app.post(`${base}/api-tokens`, async (c) => {
    const state = c.var.state;
    const user = state.findUser(c.req.param("idOrEmail"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrEmail")}` }, 404);
    const parsed = NewToken.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "body must be {label}", issues: parsed.error.issues }, 400);
    const token = state.addApiToken(user, parsed.data.label);
    return c.json({ id: token.id, label: token.label }, 201);
  });
  app.get(base, (c) => {
    const state = c.var.state;
    const user = state.findUser(c.req.param("idOrEmail"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrEmail")}` }, 404);
    return c.json({
      accountId: user.accountId,
      email: user.email,
      status: state.statusOf(user),
      accountStatus: user.accountStatus,
      membershipStatus: user.membershipStatus,
      apiTokens: user.apiTokens.size,
    });
  });
}
