import type { Hono } from "hono";
import { type EntraContext, type EntraEnv, originOf } from "../env.ts";
import { GraphErrors } from "../errors.ts";
import { pageOf, parseSelect } from "../odata.ts";
import { GROUP_PROPERTIES, renderGroup, renderUser, USER_PROPERTIES } from "../render.ts";
import type { GroupRecord } from "../state.ts";
import { requireRole } from "../token.ts";
import { contextUrl, getEntity, jsonObject, withQuery } from "./query.ts";

/** group-get, group-list-members, group-post-members, group-delete-members: least privileged first. */
const PERMISSIONS = {
  read: [
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  writeMembers: ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"],
  /** group-post-members: a role-assignable group also needs RoleManagement.ReadWrite.Directory. */
  roleAssignable: ["RoleManagement.ReadWrite.Directory"],
} as const;

function groupOf(c: EntraContext): GroupRecord | Response {
  const id = c.req.param("gid") ?? "";
  return c.var.state.groups.get(id.toLowerCase()) ?? GraphErrors.notFound(c, id);
}

/**
 * Groups whose membership Graph refuses to change, with its answer:
 * - synced from on-premises AD: "Unable to update the specified properties for on-premises mastered Directory Sync
 *   objects or objects currently undergoing migration." (Graph wire text);
 * - mail-enabled security groups and distribution lists (managed in Exchange): "Cannot Update a mail-enabled
 *   security groups and or distribution list." (Graph wire text);
 * - dynamic membership (the rule decides): refused with 400; the exact text is **unverified**.
 */
function membershipLocked(c: EntraContext, group: GroupRecord): Response | undefined {
  if (group.onPremisesSyncEnabled)
    return GraphErrors.badRequest(
      c,
      "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
    );
  if (group.mailEnabled && !group.groupTypes.includes("Unified"))
    return GraphErrors.badRequest(
      c,
      "Cannot Update a mail-enabled security groups and or distribution list.",
    );
  if (group.groupTypes.includes("DynamicMembership"))
    return GraphErrors.badRequest(
      c,
      "Members of a group with dynamic membership are managed by its membership rule and cannot be added or removed.",
    );
  if (group.isAssignableToRole) return requireRole(c, PERMISSIONS.roleAssignable);
  return undefined;
}

/** `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/{id}"}` (also `/users/{id}`): the id. */
function referencedId(body: Record<string, unknown> | undefined): string | undefined {
  const ref = body?.["@odata.id"];
  if (typeof ref !== "string") return undefined;
  const match = /\/(?:directoryObjects|users)\/([^/?#]+)$/i.exec(ref);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** `POST /groups/{id}/members/$ref` (https://learn.microsoft.com/graph/api/group-post-members?view=graph-rest-1.0): 204; 400 when the object already is a member. */
async function addMember(c: EntraContext): Promise<Response> {
  const denied = requireRole(c, PERMISSIONS.writeMembers);
  if (denied) return denied;
  const group = groupOf(c);
  if (group instanceof Response) return group;
  const id = referencedId(await jsonObject(c));
  if (!id)
    return GraphErrors.badQuery(
      c,
      "Invalid request: the body must carry '@odata.id' with a directoryObjects URL.",
    );
  const locked = membershipLocked(c, group);
  if (locked) return locked;
  const user = c.var.state.findUser(id);
  if (!user) return GraphErrors.notFound(c, id);
  if (group.members.has(user.id))
    return GraphErrors.badRequest(
      c,
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
  group.members.add(user.id);
  return c.body(null, 204);
}

/** `DELETE /groups/{id}/members/{id}/$ref` (https://learn.microsoft.com/graph/api/group-delete-members?view=graph-rest-1.0): 204; 404 when it is not a member. */
function removeMember(c: EntraContext): Response {
  const denied = requireRole(c, PERMISSIONS.writeMembers);
  if (denied) return denied;
  const group = groupOf(c);
  if (group instanceof Response) return group;
  const locked = membershipLocked(c, group);
  if (locked) return locked;
  const id = c.req.param("uid") ?? "";
  const user = c.var.state.findUser(id);
  if (!user || !group.members.has(user.id)) return GraphErrors.notFound(c, id);
  group.members.delete(user.id);
  return c.body(null, 204);
}

/** `GET /groups/{id}` (https://learn.microsoft.com/graph/api/group-get?view=graph-rest-1.0). */
function getGroup(c: EntraContext): Promise<Response> {
  return getEntity(c, {
    roles: PERMISSIONS.read,
    set: "groups",
    type: "microsoft.graph.group",
    properties: GROUP_PROPERTIES,
    find: groupOf,
    render: renderGroup,
  });
}

/** `GET /groups/{id}/members` (https://learn.microsoft.com/graph/api/group-list-members?view=graph-rest-1.0): users, paged. */
function listMembers(c: EntraContext): Promise<Response> {
  return withQuery(c, () => {
    const denied = requireRole(c, PERMISSIONS.read);
    if (denied) return denied;
    const group = groupOf(c);
    if (group instanceof Response) return group;
    const url = new URL(c.req.url);
    const select = parseSelect(url.searchParams.get("$select"), USER_PROPERTIES, "microsoft.graph.user");
    const members = [...group.members].flatMap((id) => {
      const user = c.var.state.users.get(id);
      return user ? [user] : [];
    });
    const page = pageOf(members, url);
    return c.json({
      "@odata.context": contextUrl(originOf(c), "directoryObjects", select),
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      value: page.items.map((u) => ({ "@odata.type": "#microsoft.graph.user", ...renderUser(u, select) })),
    });
  });
}

export function mountGroupRoutes(app: Hono<EntraEnv>): void {
  app.get("/v1.0/groups/:gid", getGroup);
  app.get("/v1.0/groups/:gid/members", listMembers);
  // `$ref` arrives literally or percent-encoded, depending on the client.
  for (const ref of ["$ref", "%24ref"]) {
    app.post(`/v1.0/groups/:gid/members/${ref}`, addMember);
    app.delete(`/v1.0/groups/:gid/members/:uid/${ref}`, removeMember);
  }
}
