import type { Hono } from "hono";
import { type EntraContext, type EntraEnv, originOf } from "../env.ts";
import { type FilterSchema, matchesFilter, pageOf, parseFilter, parseSelect, QueryError } from "../odata.ts";
import { renderGroup, renderUser } from "../render.ts";
import type { EntraState, GroupRecord, RoleRecord, UserRecord } from "../state.ts";
import { requireRole } from "../token.ts";
import { withQuery } from "./query.ts";
import { PERMISSIONS as USER_PERMISSIONS } from "./users.ts";

/**
 * rbacapplication-list-roleassignments, directory provider, application permissions (least privileged first):
 * RoleManagement.Read.Directory, RoleManagement.Read.All, Directory.Read.All, RoleManagement.ReadWrite.Directory,
 * Directory.ReadWrite.All.
 */
export const ROLE_ASSIGNMENT_READ = [
  "RoleManagement.Read.Directory",
  "RoleManagement.Read.All",
  "Directory.Read.All",
  "RoleManagement.ReadWrite.Directory",
  "Directory.ReadWrite.All",
] as const;

/** Reading groups in full; without one of these an expanded group principal has only its type and id. */
const GROUP_READ = [
  "GroupMember.Read.All",
  "Group.Read.All",
  "Directory.Read.All",
  "GroupMember.ReadWrite.All",
  "Group.ReadWrite.All",
  "Directory.ReadWrite.All",
];

/** unifiedRoleAssignment (v1.0): the properties the emulator returns, in the doc example's order. */
const ASSIGNMENT_PROPERTIES = [
  "id",
  "principalId",
  "resourceScope",
  "directoryScopeId",
  "roleDefinitionId",
] as const;

/** unifiedRoleAssignment properties that "Support $filter (eq)". */
const ASSIGNMENT_FILTER: FilterSchema = {
  scalars: {
    id: "string",
    principalId: "string",
    roleDefinitionId: "string",
    directoryScopeId: "string",
    appScopeId: "string",
  },
  collections: [],
  resource: "UnifiedRoleAssignment",
};

/** A GUID's bytes in .NET order (the first three groups little-endian), as Entra encodes them in assignment ids. */
function guidBytes(guid: string): Buffer {
  const b = Buffer.from(guid.replaceAll("-", ""), "hex");
  return Buffer.concat([
    b.subarray(0, 4).reverse(),
    b.subarray(4, 6).reverse(),
    b.subarray(6, 8).reverse(),
    b.subarray(8),
  ]);
}

/**
 * An assignment id as Graph shows them for tenant-wide directory roles: base64url of the role definition's and the
 * principal's GUID bytes, then `-1` (both examples of the list doc decode this way, e.g.
 * `lAPpYvVpN0KRkAEhdxReEMmO4KwRqtpKkUWt3wOYIz4-1` is Global Administrator + ace08ec9-…).
 */
export function assignmentId(roleDefinitionId: string, principalId: string): string {
  return `${Buffer.concat([guidBytes(roleDefinitionId), guidBytes(principalId)]).toString("base64url")}-1`;
}

type Principal = { kind: "user"; user: UserRecord } | { kind: "group"; group: GroupRecord };

interface Assignment {
  role: RoleRecord;
  principalId: string;
  principal: Principal | undefined;
}

/**
 * Every active directory-role assignment: one per role member, users and role-assignable groups alike (a role
 * assigned to a group is one assignment whose principal is the group; its members are not listed). The emulator
 * models tenant-wide assignments only (`directoryScopeId` `/`); PIM-eligible roles are not assignments.
 */
function assignments(state: EntraState): Assignment[] {
  const out: Assignment[] = [];
  for (const role of state.roles.values()) {
    for (const principalId of role.members) {
      const user = state.users.get(principalId);
      const group = state.groups.get(principalId);
      const principal: Principal | undefined = user
        ? { kind: "user", user }
        : group
          ? { kind: "group", group }
          : undefined;
      out.push({ role, principalId, principal });
    }
  }
  return out;
}

function assignmentValue(a: Assignment, prop: string): unknown {
  switch (prop) {
    case "id":
      return assignmentId(a.role.roleTemplateId, a.principalId);
    case "principalId":
      return a.principalId;
    case "resourceScope":
    case "directoryScopeId":
      return "/";
    case "roleDefinitionId":
      // A built-in role's definition id is its template id.
      return a.role.roleTemplateId;
    default:
      return null;
  }
}

/**
 * The expanded `principal`, a directoryObject with its `@odata.type`. Without a permission that reads its type,
 * Graph returns such an object "with limited information" (type and id), as in memberOf.
 */
function renderPrincipal(c: EntraContext, principal: Principal | undefined): Record<string, unknown> | null {
  if (!principal) return null;
  const held = c.var.claims.roles;
  if (principal.kind === "user") {
    const full = held.some((r) => (USER_PERMISSIONS.readUsers as readonly string[]).includes(r));
    return full
      ? { "@odata.type": "#microsoft.graph.user", ...renderUser(principal.user) }
      : { "@odata.type": "#microsoft.graph.user", id: principal.user.id };
  }
  const full = held.some((r) => GROUP_READ.includes(r));
  return full
    ? { "@odata.type": "#microsoft.graph.group", ...renderGroup(principal.group) }
    : { "@odata.type": "#microsoft.graph.group", id: principal.group.id };
}

/** `$expand=principal` is the one expansion served; the text for another is **unverified**. */
function parseExpand(raw: string | null): boolean {
  if (raw === null) return false;
  const names = raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const name of names)
    if (name.toLowerCase() !== "principal")
      throw new QueryError(
        "BadRequest",
        `Could not find a property named '${name}' on type 'microsoft.graph.unifiedRoleAssignment'.`,
      );
  return names.length > 0;
}

/**
 * `GET /roleManagement/directory/roleAssignments` (https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments?view=graph-rest-1.0):
 * `$filter` (eq on principalId, roleDefinitionId, directoryScopeId, appScopeId), `$select`, `$expand=principal`,
 * paged with `@odata.nextLink` like other directory collections (Graph documents no `$top` here; the emulator's
 * page is its directory default of 100). `@odata.context` is `…$metadata#roleManagement/directory/roleAssignments`,
 * with `(principal())` when expanded, as in the doc's example.
 */
function listRoleAssignments(c: EntraContext): Promise<Response> {
  return withQuery(c, () => {
    const denied = requireRole(c, ROLE_ASSIGNMENT_READ);
    if (denied) return denied;
    const url = new URL(c.req.url);
    const select = parseSelect(
      url.searchParams.get("$select"),
      ASSIGNMENT_PROPERTIES,
      "microsoft.graph.unifiedRoleAssignment",
    );
    const expand = parseExpand(url.searchParams.get("$expand"));
    const raw = url.searchParams.get("$filter");
    const filter = raw === null ? undefined : parseFilter(raw, ASSIGNMENT_FILTER);
    const all = assignments(c.var.state).filter(
      (a) => !filter || matchesFilter(filter, (p) => assignmentValue(a, p)),
    );
    const page = pageOf(all, url);
    const shape = [...(select ?? []), ...(expand ? ["principal()"] : [])];
    return c.json({
      "@odata.context": `${originOf(c)}/v1.0/$metadata#roleManagement/directory/roleAssignments${shape.length > 0 ? `(${shape.join(",")})` : ""}`,
      ...(page.nextLink ? { "@odata.nextLink": page.nextLink } : {}),
      value: page.items.map((a) => ({
        ...Object.fromEntries((select ?? ASSIGNMENT_PROPERTIES).map((p) => [p, assignmentValue(a, p)])),
        ...(expand ? { principal: renderPrincipal(c, a.principal) } : {}),
      })),
    });
  });
}

export function mountRoleRoutes(app: Hono<EntraEnv>): void {
  app.get("/v1.0/roleManagement/directory/roleAssignments", listRoleAssignments);
}
