import type { EntraContext } from "../env.ts";
import { graphError } from "../errors.ts";
import { QueryError } from "../odata.ts";

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
