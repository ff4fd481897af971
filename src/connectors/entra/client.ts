import { randomUUID } from "node:crypto";
import type { Account } from "../../core/account.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { HttpClient, HttpMethod, HttpResponse } from "../../http/client.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { ENTRA_DEFAULT_GRAPH_URL } from "./config.ts";
import { createTokenSource, type TokenSource } from "./credential.ts";
import { graphPolicy } from "./errors.ts";
import { ENTRA_BUCKETS, type EntraBucket } from "./rate-limits.ts";

/** The fields of Graph's `user` cordon reads (v1.0 CSDL `graph.user`); most are "returned only on $select". */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  userType?: string | null;
  /** `SMTP:` the primary address, `smtp:` aliases, other prefixes (SIP:, X500:) other systems' addresses. */
  proxyAddresses?: string[] | null;
  signInSessionsValidFromDateTime?: string | null;
  passwordProfile?: { forceChangePasswordNextSignIn?: boolean | null } | null;
}

/** A group in a user's memberOf. Without a group-read permission Graph returns only `@odata.type` and `id`. */
export interface GraphGroup {
  id: string;
  displayName?: string | null;
  groupTypes?: string[] | null;
  mailEnabled?: boolean | null;
  securityEnabled?: boolean | null;
  onPremisesSyncEnabled?: boolean | null;
  isAssignableToRole?: boolean | null;
}

/** Identity Protection's `riskyUser` (v1.0 CSDL). */
export interface RiskyUser {
  id: string;
  riskLevel: string;
  riskState: string;
  riskDetail?: string;
}

export interface EntraClientConfig {
  connection: string;
  tenantId: string;
  clientId: string;
  /** The secret's value (resolved from its reference); never logged, never in a URL. */
  clientSecret?: string;
  /** A PEM file with the certificate and its private key. */
  certificatePath?: string;
  /** Default https://login.microsoftonline.com. */
  authorityHost?: string;
  /** Graph root without `/v1.0`; default https://graph.microsoft.com. */
  graphUrl?: string;
}

type Segments = ReadonlyArray<string | { id: string }>;

export interface EntraCall {
  method: HttpMethod;
  /** Under `/v1.0`; `{id}` segments are percent-encoded (a guest's UPN holds `#`). */
  path: Segments;
  /** OData options, sent with a literal `$` and values encoded with %20 for spaces. */
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  bucket: EntraBucket;
  idempotent: boolean;
  /** The path as a template for messages: `/users/{id}/revokeSignInSessions`. */
  operation: string;
  /** The least-privileged application permission this call needs, named when Graph refuses without saying. */
  permission: string;
  /**
   * Set on changes to sensitive user properties (accountEnabled, passwordProfile): on an administrator Graph also
   * requires a privileged Entra role assigned to the app (user-update, "who can perform sensitive actions").
   */
  sensitive?: boolean;
}

const USER_SELECT = "id,userPrincipalName,mail,displayName,accountEnabled,userType";
/** What the bulk lookup reads of every user: USER_SELECT plus the addresses it indexes. */
const USER_LIST_SELECT = `${USER_SELECT},proxyAddresses`;
/** user-list: "$top … 1 and 999" — the largest page Graph serves for users, so the fewest requests. */
export const USER_PAGE_MAX = 999;

/** A unifiedRoleAssignment with its principal expanded (only what cordon reads). */
interface RoleAssignment {
  principalId?: string;
  directoryScopeId?: string | null;
  principal?: { "@odata.type"?: string; id?: string } | null;
}
export const GROUP_SELECT =
  "id,displayName,groupTypes,mailEnabled,securityEnabled,onPremisesSyncEnabled,isAssignableToRole";

/** OData string literal: single quotes, doubled inside (`o'brien` → `'o''brien'`). */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A thin typed client over the shared HTTP layer: tokens, buckets, `@odata.nextLink` paging, lookups. */
export class EntraClient {
  readonly connection: string;
  /** Graph root without a trailing slash, e.g. `https://graph.microsoft.com`. */
  readonly graphUrl: string;
  readonly #http: HttpClient;
  readonly #tokens: TokenSource;
  /** When this process last called revokeSignInSessions per user (epoch ms, whole seconds), for verification. */

  constructor(config: EntraClientConfig, deps: ConnectorDeps) {
    this.connection = config.connection;
    this.graphUrl = (config.graphUrl ?? ENTRA_DEFAULT_GRAPH_URL).replace(/\/+$/, "");
    this.#tokens = createTokenSource(config, deps.clock);
    this.#http = connectionHttpClient(deps, {
      policy: graphPolicy,
      connection: config.connection,
      authorization: async () => `Bearer ${await this.#tokens.token()}`,
    });
  }

  /** A bearer token for Graph (for `check()`: the caller decodes its claims). */
  token(signal?: AbortSignal): Promise<string> {
    return this.#tokens.token(signal);
  }

  url(path: Segments, query?: Record<string, string | number | undefined>): URL {
    const rendered = path.map((s) => (typeof s === "string" ? s : encodeURIComponent(s.id))).join("");
    const params = Object.entries(query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join("&");
    return new URL(`${this.graphUrl}/v1.0${rendered}${params ? `?${params}` : ""}`);
  }

  call(call: EntraCall, signal?: AbortSignal): Promise<HttpResponse> {
    return this.#send(call, this.url(call.path, call.query), signal);
  }

  async #send(call: EntraCall, url: URL, signal?: AbortSignal): Promise<HttpResponse> {
    try {
      return await this.#http.send(
        {
          method: call.method,
          url,
          json: call.json,
          // Graph echoes it in errors and logs: what Microsoft support asks for.
          headers: { "client-request-id": randomUUID() },
          bucket: call.bucket,
          limit: ENTRA_BUCKETS[call.bucket],
          idempotent: call.idempotent,
          operation: `${call.method} ${call.operation}`,
        },
        signal,
      );
    } catch (error) {
      if (isKind(error, "auth")) this.#tokens.invalidate();
      // Directory refusals do not say which permission is missing: name the one this call is documented to need.
      if (isKind(error, "forbidden") && !error.detail.neededScope) {
        throw new CordonError(
          { ...error.detail, neededScope: call.permission },
          `${error.message}; the app needs the application permission ${call.permission} (Microsoft's documented least privilege for this call)${call.sensitive ? ", and changing an administrator also needs a privileged Entra role assigned to the app" : ""}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Every item of a collection, following `@odata.nextLink` until there is none (learn.microsoft.com/graph/paging).
   * The link is used as given, after checking it stays on the Graph origin so a reply cannot redirect the token.
   */
  async *paginate<T>(call: EntraCall, signal?: AbortSignal): AsyncGenerator<T> {
    let url: URL | undefined = this.url(call.path, call.query);
    while (url) {
      const response: HttpResponse = await this.#send(
        { ...call, method: "GET", idempotent: true },
        url,
        signal,
      );
      const body = response.body as { value?: unknown; "@odata.nextLink"?: unknown };
      if (!Array.isArray(body?.value))
        throw new CordonError(
          { kind: "vendor", vendor: "entra", status: response.status },
          `entra GET ${call.operation}: expected a collection`,
        );
      for (const item of body.value) yield item as T;
      const next = body["@odata.nextLink"];
      url = typeof next === "string" ? this.#sameOrigin(next, call.operation) : undefined;
    }
  }

  #sameOrigin(link: string, operation: string): URL {
    const url = new URL(link, this.graphUrl);
    if (url.origin !== new URL(this.graphUrl).origin)
      throw new CordonError(
        { kind: "vendor", vendor: "entra", status: 200 },
        `entra GET ${operation}: a next-page link pointed outside Graph; refusing to follow it`,
      );
    return url;
  }

  /** `GET /users/{id}?$select=…`; null when Graph says 404. */
  async getUser(id: string, select: string, signal?: AbortSignal): Promise<GraphUser | null> {
    try {
      const response = await this.call(
        {
          method: "GET",
          path: ["/users/", { id }],
          query: { $select: select },
          bucket: "identityRead",
          idempotent: true,
          operation: "/users/{id}",
          permission: "User.Read.All",
        },
        signal,
      );
      return response.body as GraphUser;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  async requireUser(id: string, select: string, signal?: AbortSignal): Promise<GraphUser> {
    const user = await this.getUser(id, select, signal);
    if (!user)
      throw new CordonError(
        { kind: "not_found", vendor: "entra", what: "user" },
        `entra: user ${id} not found`,
      );
    return user;
  }

  /** Users matching one `$filter` clause (all pages). */
  async findUsers(filter: string, signal?: AbortSignal): Promise<GraphUser[]> {
    const found: GraphUser[] = [];
    for await (const user of this.paginate<GraphUser>(
      {
        method: "GET",
        path: ["/users"],
        query: { $filter: filter, $select: USER_SELECT, $top: 100 },
        bucket: "identityRead",
        idempotent: true,
        operation: "/users?$filter",
        permission: "User.Read.All",
      },
      signal,
    )) {
      found.push(user);
    }
    return found;
  }

  /**
   * Whether the user holds an active directory role, directly or through a role-assignable group: one call,
   * `GET /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole?$top=1` (user-list-transitivememberof).
   * PIM-eligible roles that are not activated do not show there.
   */
  async holdsDirectoryRole(userId: string, signal?: AbortSignal): Promise<boolean> {
    const response = await this.call(
      {
        method: "GET",
        path: ["/users/", { id: userId }, "/transitiveMemberOf/microsoft.graph.directoryRole"],
        query: { $select: "id,displayName", $top: 1 },
        bucket: "identityRead",
        idempotent: true,
        operation: "/users/{id}/transitiveMemberOf/microsoft.graph.directoryRole",
        permission: "User.Read.All",
      },
      signal,
    );
    const value = (response.body as { value?: unknown[] }).value;
    return Array.isArray(value) && value.length > 0;
  }

  /**
   * Every user of the tenant, `GET /users?$select=…&$top=999` following `@odata.nextLink`
   * (learn.microsoft.com/graph/api/user-list: `$top` accepts 1 to 999 for users). With `$select` each page costs
   * 1 resource unit.
   */
  listAllUsers(signal?: AbortSignal): AsyncGenerator<GraphUser> {
    return this.paginate<GraphUser>(
      {
        method: "GET",
        path: ["/users"],
        query: { $select: USER_LIST_SELECT, $top: USER_PAGE_MAX },
        bucket: "identityRead",
        idempotent: true,
        operation: "/users",
        permission: "User.Read.All",
      },
      signal,
    );
  }

  /**
   * The ids of every user holding an active tenant-wide directory role, directly or through a role-assignable
   * group: the role assignments of the directory provider with their principal expanded
   * (`GET /roleManagement/directory/roleAssignments?$expand=principal`, learn.microsoft.com/graph/api/rbacapplication-list-roleassignments;
   * least privileged application permission RoleManagement.Read.Directory), then the members of each group
   * principal (`GET /groups/{id}/members?$select=id&$top=999`, group-list-members, GroupMember.Read.All).
   *
   * The same people `holdsDirectoryRole` finds one by one: `transitiveMemberOf/microsoft.graph.directoryRole` lists
   * directoryRole objects, whose members are the tenant-wide (`directoryScopeId` `/`) assignments, so
   * administrative-unit- and app-scoped ones are left out here too. PIM-eligible roles that are not activated are
   * no assignments. Role-assignable groups cannot have groups as members, so one level is all there is.
   * `directoryRoles?$expand=members` would be one call, but `$expand` on directory objects returns at most 20
   * objects and no nextLink (Graph known issues), and the directoryRole list documents no query options.
   */
  async directoryRoleHolders(signal?: AbortSignal): Promise<Set<string>> {
    const users = new Set<string>();
    const groups = new Set<string>();
    for await (const assignment of this.paginate<RoleAssignment>(
      {
        method: "GET",
        path: ["/roleManagement/directory/roleAssignments"],
        query: { $expand: "principal" },
        bucket: "identityRead",
        idempotent: true,
        operation: "/roleManagement/directory/roleAssignments",
        permission: "RoleManagement.Read.Directory",
      },
      signal,
    )) {
      if ((assignment.directoryScopeId ?? "/") !== "/" || !assignment.principalId) continue;
      const type = assignment.principal?.["@odata.type"];
      if (type === "#microsoft.graph.group") groups.add(assignment.principalId);
      // A principal expanded without its type (or not at all) is still a user when it is one: counted, never lost.
      else if (type === "#microsoft.graph.user" || type === undefined) users.add(assignment.principalId);
    }
    for (const group of groups) {
      for await (const member of this.paginate<{ "@odata.type"?: string; id: string }>(
        {
          method: "GET",
          path: ["/groups/", { id: group }, "/members"],
          query: { $select: "id", $top: USER_PAGE_MAX },
          bucket: "identityRead",
          idempotent: true,
          operation: "/groups/{id}/members",
          permission: "GroupMember.Read.All",
        },
        signal,
      )) {
        users.add(member.id);
      }
    }
    return users;
  }

  /** The groups the user is a direct member of (`/memberOf/microsoft.graph.group`, all pages). */
  async groupsOf(userId: string, signal?: AbortSignal): Promise<GraphGroup[]> {
    const groups: GraphGroup[] = [];
    for await (const group of this.paginate<GraphGroup>(
      {
        method: "GET",
        path: ["/users/", { id: userId }, "/memberOf/microsoft.graph.group"],
        query: { $select: GROUP_SELECT, $top: 100 },
        bucket: "identityRead",
        idempotent: true,
        operation: "/users/{id}/memberOf/microsoft.graph.group",
        permission: "GroupMember.Read.All",
      },
      signal,
    )) {
      groups.push(group);
    }
    return groups;
  }

  /** `GET /identityProtection/riskyUsers/{id}`; null when Identity Protection holds no record for the user. */
  async riskyUser(userId: string, signal?: AbortSignal): Promise<RiskyUser | null> {
    try {
      const response = await this.call(
        {
          method: "GET",
          path: ["/identityProtection/riskyUsers/", { id: userId }],
          bucket: "identityProtection",
          idempotent: true,
          operation: "/identityProtection/riskyUsers/{id}",
          permission: "IdentityRiskyUser.Read.All",
        },
        signal,
      );
      return response.body as RiskyUser;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  toAccount(user: GraphUser, matchedBy: string, admin: boolean): Account {
    return {
      connection: this.connection,
      vendor: "entra",
      id: user.id,
      email: user.mail ?? user.userPrincipalName,
      login: user.userPrincipalName,
      displayName: user.displayName ?? undefined,
      status:
        user.accountEnabled === true ? "enabled" : user.accountEnabled === false ? "disabled" : "unknown",
      protectedReasons: admin ? ["admin"] : [],
      matchedBy,
    };
  }
}
