import type { Hono } from "hono";
import { guard } from "../auth.ts";
import { DIRECTORY_BASE, type GoogleContext, type GoogleEnv } from "../env.ts";
import { GoogleErrors } from "../errors.ts";
import { etag, renderAsp, renderToken, respond } from "../render.ts";
import { userOf } from "./users.ts";

/**
 * `users.tokens` and `users.asps` (Discovery `directory.tokens.*`, `directory.asps.*`; reference pages
 * developers.google.com/workspace/admin/directory/reference/rest/v1/tokens and …/v1/asps; scope
 * admin.directory.user.security). Neither list is paginated (the `Tokens` and `Asps` schemas have no
 * nextPageToken). An empty list carries no `items` member, as Google omits empty lists. Deletes answer 204 with
 * an empty body (no response schema); deleting what is not there is 404 (wording unverified).
 */
export function mountSecurityRoutes(app: Hono<GoogleEnv>): void {
  const tokens = `${DIRECTORY_BASE}/users/:userKey/tokens`;
  const asps = `${DIRECTORY_BASE}/users/:userKey/asps`;

  app.get(tokens, (c) => {
    const denied = guard(c, "directory.tokens.list");
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const items = c.var.state.tokensOf(user.id).map((t) => renderToken(t, user));
    return respond(c, {
      kind: "admin#directory#tokenList",
      etag: etag("tokens", user.id, ...items.map((i) => String(i.clientId))),
      ...(items.length > 0 ? { items } : {}),
    });
  });

  app.get(`${tokens}/:clientId`, (c: GoogleContext) => {
    const denied = guard(c, "directory.tokens.get");
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const token = c.var.state.tokens.get(user.id)?.get(c.req.param("clientId") ?? "");
    if (!token) return GoogleErrors.notFound(c, "clientId");
    return respond(c, renderToken(token, user));
  });

  app.delete(`${tokens}/:clientId`, (c: GoogleContext) => {
    const denied = guard(c, "directory.tokens.delete");
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    if (!c.var.state.revokeToken(user.id, c.req.param("clientId") ?? ""))
      return GoogleErrors.notFound(c, "clientId");
    return c.body(null, 204);
  });

  app.get(asps, (c) => {
    const denied = guard(c, "directory.asps.list");
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const items = c.var.state.aspsOf(user.id).map((a) => renderAsp(a, user));
    return respond(c, {
      kind: "admin#directory#aspList",
      etag: etag("asps", user.id, ...items.map((i) => String(i.codeId))),
      ...(items.length > 0 ? { items } : {}),
    });
  });

  /** `codeId` is an int32 path parameter (Discovery `asps.get.codeId`). */
  const codeIdOf = (c: GoogleContext): number | Response => {
    const raw = c.req.param("codeId") ?? "";
    const codeId = Number(raw);
    return /^-?\d+$/.test(raw) && Number.isSafeInteger(codeId) && Math.abs(codeId) < 2 ** 31
      ? codeId
      : GoogleErrors.invalidInput(c, "codeId");
  };

  app.get(`${asps}/:codeId`, (c: GoogleContext) => {
    const denied = guard(c, "directory.asps.get");
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const codeId = codeIdOf(c);
    if (codeId instanceof Response) return codeId;
    const asp = c.var.state.asps.get(user.id)?.get(codeId);
    if (!asp) return GoogleErrors.notFound(c, "codeId");
    return respond(c, renderAsp(asp, user));
  });

  app.delete(`${asps}/:codeId`, (c: GoogleContext) => {
    const denied = guard(c, "directory.asps.delete");
    if (denied) return denied;
    const user = userOf(c);
    if (user instanceof Response) return user;
    const codeId = codeIdOf(c);
    if (codeId instanceof Response) return codeId;
    if (!c.var.state.deleteAsp(user.id, codeId)) return GoogleErrors.notFound(c, "codeId");
    return c.body(null, 204);
  });
}
