import type { Hono } from "hono";
import { requireScopes, SCOPES } from "../access.ts";
import { apiBase, type GithubEnv } from "../env.ts";
import { GithubErrors } from "../errors.ts";
import { renderPrivateUser, renderPublicUser } from "../render.ts";

const DOCS = {
  authenticated: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
  user: "https://docs.github.com/rest/users/users#get-a-user",
};

/** `GET /user` (the token's owner, `private-user`) and `GET /users/{username}` (`public-user`). */
export function mountUserRoutes(app: Hono<GithubEnv>): void {
  app.get("/user", (c) => {
    const refused = requireScopes(c, SCOPES.none, DOCS.authenticated);
    if (refused) return refused;
    return c.json(renderPrivateUser(c.var.actor, apiBase(c)));
  });

  app.get("/users/:username", (c) => {
    const user = c.var.state.user(c.req.param("username"));
    if (!user) return GithubErrors.notFound(c, DOCS.user);
    return c.json(renderPublicUser(user, apiBase(c)));
  });
}
