import type { Hono } from "hono";
import { type EntraContext, type EntraEnv, originOf } from "../env.ts";
import { GraphErrors } from "../errors.ts";
import { pageOf } from "../odata.ts";
import { renderRiskyUser } from "../render.ts";
import { jsonObject, withQuery } from "./query.ts";

/** riskyuser-get / riskyusers-confirmcompromised / riskyusers-dismiss: application permissions. */
const READ = ["IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All"];
const WRITE = ["IdentityRiskyUser.ReadWrite.All"];

function requireIdentityProtectionRole(c: EntraContext, accepted: string[]): Response | undefined {
  const held = c.var.claims.roles;
  return held.some((r) => accepted.includes(r)) ? undefined : GraphErrors.missingRole(c, accepted, held);
}

/**
 * `GET /identityProtection/riskyUsers/{id}` (https://learn.microsoft.com/graph/api/riskyuser-get?view=graph-rest-1.0): the user's risk record. A user Identity Protection
 * never flagged has no record: 404 (the error code for this workload is **unverified**).
 */
function getRiskyUser(c: EntraContext): Response {
  const denied = requireIdentityProtectionRole(c, READ);
  if (denied) return denied;
  const id = c.req.param("id") ?? "";
  const user = c.var.state.users.get(id.toLowerCase());
  const risk = user && c.var.state.riskyUsers.get(user.id);
  if (!user || !risk) return GraphErrors.notFound(c, id);
  return c.json({
    "@odata.context": `${originOf(c)}/v1.0/$metadata#identityProtection/riskyUsers/$entity`,
    ...renderRiskyUser(user, risk),
  });
}

/** `GET /identityProtection/riskyUsers` (https://learn.microsoft.com/graph/api/riskyuser-list?view=graph-rest-1.0), paged. */
function listRiskyUsers(c: EntraContext): Promise<Response> {
  return withQuery(c, () => {
    const denied = requireIdentityProtectionRole(c, READ);
    if (denied) return denied;
    const state = c.var.state;
    const records = [...state.riskyUsers.entries()].flatMap(([id, risk]) => {
      const user = state.users.get(id);
      return user ? [renderRiskyUser(user, risk)] : [];
    });
    const page = pageOf(records, new URL(c.req.url));
    return c.json({
      "@odata.context": `${originOf(c)}/v1.0/$metadata#identityProtection/riskyUsers`,
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      value: page.items,
    });
  });
}

/**
 * `POST /identityProtection/riskyUsers/confirmCompromised` and `/dismiss` with `{"userIds":[…]}`: 204 No Content
 * (https://learn.microsoft.com/graph/api/riskyuser-confirmcompromised?view=graph-rest-1.0,
 * https://learn.microsoft.com/graph/api/riskyuser-dismiss?view=graph-rest-1.0; CSDL: bound actions on Collection(graph.riskyUser) with
 * `userIds`). An id that names no user is refused with 404 (Graph's answer for it is **unverified**).
 */
function riskAction(action: "confirm" | "dismiss") {
  return async (c: EntraContext): Promise<Response> => {
    const denied = requireIdentityProtectionRole(c, WRITE);
    if (denied) return denied;
    const body = await jsonObject(c);
    const ids = body?.userIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === "string"))
      return GraphErrors.badQuery(
        c,
        "The request body must contain 'userIds', a non-empty collection of strings.",
      );
    const state = c.var.state;
    const users = [];
    for (const id of ids as string[]) {
      const user = state.users.get(id.toLowerCase());
      if (!user) return GraphErrors.notFound(c, id);
      users.push(user);
    }
    for (const user of users) {
      if (action === "confirm") state.confirmCompromised(user.id);
      else state.dismissRisk(user.id);
    }
    return c.body(null, 204);
  };
}

export function mountRiskRoutes(app: Hono<EntraEnv>): void {
  const base = "/v1.0/identityProtection/riskyUsers";
  app.get(base, listRiskyUsers);
  for (const prefix of ["", "microsoft.graph."]) {
    app.post(`${base}/${prefix}confirmCompromised`, riskAction("confirm"));
    app.post(`${base}/${prefix}dismiss`, riskAction("dismiss"));
  }
  app.get(`${base}/:id`, getRiskyUser);
}
