import { type EntraContext, originOf } from "../env.ts";
import { graphError } from "../errors.ts";
import { parseSelect, QueryError } from "../odata.ts";
import { requireRole } from "../token.ts";

/** Runs a handler, turning OData query errors into Graph's 400 replies. */
export async function withQuery(
  c: EntraContext,
  handler: () => Response | Promise<Response>,
): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof QueryError) return graphError(c, 400, error.code, error.message);
    throw error;
  }
}

/** `$metadata#users(id,mail)`: the context of a collection, with the selected properties. */
export function contextUrl(
  origin: string,
  set: string,
  select: string[] | undefined,
  entity = false,
): string {
  const props = select ? `(${select.join(",")})` : "";
  return `${origin}/v1.0/$metadata#${set}${props}${entity ? "/$entity" : ""}`;
}

/** Reads a JSON object body, or undefined when the body is not one. */
export async function jsonObject(c: EntraContext): Promise<Record<string, unknown> | undefined> {
  const body: unknown = await c.req.json().catch(() => undefined);
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/**
 * `GET /<set>/{id}`: one entity after the permission check, with `$select` and its `$entity` context, as every
 * Graph get-one operation answers (e.g. https://learn.microsoft.com/graph/api/user-get?view=graph-rest-1.0).
 */
export function getEntity<T>(
  c: EntraContext,
  entity: {
    roles: readonly string[];
    set: string;
    type: string;
    properties: readonly string[];
    /** The entity the path names, or the Graph error reply when there is none. */
    find: (c: EntraContext) => T | Response;
    render: (value: T, select: string[] | undefined) => Record<string, unknown>;
  },
): Promise<Response> {
  return withQuery(c, () => {
    const denied = requireRole(c, entity.roles);
    if (denied) return denied;
    const found = entity.find(c);
    if (found instanceof Response) return found;
    const select = parseSelect(
      new URL(c.req.url).searchParams.get("$select"),
      entity.properties,
      entity.type,
    );
    return c.json({
      "@odata.context": contextUrl(originOf(c), entity.set, select, true),
      ...entity.render(found, select),
    });
  });
}
