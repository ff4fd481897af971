import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { renderFactor } from "../render.ts";
import type { FactorRecord, UserRecord } from "../state.ts";

function userOf(c: OktaContext): UserRecord | Response {
  const userId = c.req.param("userId") ?? "";
  return c.var.state.userById(userId) ?? OktaErrors.notFound(c, userId);
}

function factorOf(c: OktaContext, user: UserRecord): FactorRecord | Response {
  const factorId = c.req.param("factorId") ?? "";
  const factor = c.var.state.factors.get(factorId);
  return factor && factor.userId === user.id ? factor : OktaErrors.notFound(c, factorId, "UserFactor");
}

export function mountFactorRoutes(app: Hono<OktaEnv>): void {
  /** Spec `listFactors`: the user's enrolled factors (`UserFactor` objects); not paginated. */
  app.get("/api/v1/users/:userId/factors", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const org = orgUrl(c);
    return c.json(c.var.state.factorsOf(user.id).map((f) => renderFactor(f, user, org)));
  });
  /** Spec `getFactor`. */
  app.get("/api/v1/users/:userId/factors/:factorId", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const factor = factorOf(c, user);
    if (factor instanceof Response) return factor;
    return c.json(renderFactor(factor, user, orgUrl(c)));
  });
  /** Spec `unenrollFactor`: 204 (removing an attacker-enrolled factor). */
  app.delete("/api/v1/users/:userId/factors/:factorId", (c) => {
    const user = userOf(c);
    if (user instanceof Response) return user;
    const factor = factorOf(c, user);
    if (factor instanceof Response) return factor;
    c.var.state.deleteFactor(factor.id);
    return c.body(null, 204);
  });
}
