import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../../kit/control.ts";
import type { EntraEnv } from "../env.ts";
import { graphDateTime } from "../render.ts";

const RiskBody = z.strictObject({ riskLevel: z.enum(["low", "medium", "high"]) });

/**
 * Emulator-only endpoints (no auth, never rate-limited or faulted; Entra has nothing like them):
 * - `GET /__cordon/entra/users/{idOrUpn}`: the user's state as the tests and rehearsals need it.
 * - `POST /__cordon/entra/users/{idOrUpn}/risk` `{riskLevel}`: Identity Protection flags the user (state atRisk),
 *   as a risky sign-in would.
 */
export function mountEntraControl(app: Hono<EntraEnv>): void {
  const base = `${CONTROL_PREFIX}/entra/users/:idOrUpn`;
  app.get(base, (c) => {
    const state = c.var.state;
    const user = state.findUser(c.req.param("idOrUpn"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrUpn")}` }, 404);
    return c.json({
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      userType: user.userType,
      accountEnabled: user.accountEnabled,
      signInSessionsValidFromDateTime: graphDateTime(user.signInSessionsValidFromDateTime),
      forceChangePasswordNextSignIn: user.forceChangePasswordNextSignIn,
      groups: state.memberOf(user.id).flatMap((o) => (o.kind === "group" ? [o.group.id] : [])),
      directoryRoles: state
        .transitiveMemberOf(user.id)
        .flatMap((o) => (o.kind === "role" ? [o.role.displayName] : [])),
      risk: state.riskyUsers.get(user.id) ?? null,
    });
  });
  app.post(`${base}/risk`, async (c) => {
    const state = c.var.state;
    const user = state.findUser(c.req.param("idOrUpn"));
    if (!user) return c.json({ error: `no user ${c.req.param("idOrUpn")}` }, 404);
    const parsed = RiskBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error.issues }, 400);
    state.riskyUsers.set(user.id, {
      riskLevel: parsed.data.riskLevel,
      riskState: "atRisk",
      riskDetail: "none",
      riskLastUpdatedDateTime: state.now(),
    });
    return c.json({ ok: true });
  });
}
