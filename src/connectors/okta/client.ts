import type { Account } from "../../core/account.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { HttpClient, HttpMethod, HttpResponse } from "../../http/client.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { sameOriginNextLink } from "../shared/link.ts";
import { urlOf } from "../shared/paths.ts";
import { oktaPolicy } from "./errors.ts";
import { OKTA_BUCKETS, OKTA_MAX_CONCURRENT, type OktaBucket } from "./rate-limits.ts";

/** The fields of Okta's Group object cordon reads (spec `Group`). */
export interface OktaGroup {
  id: string;
  type: string;
  profile: { name: string; description?: string | null };
}

/** The group types reconciliation reads: Okta-mastered and app-imported (AD, LDAP…); `BUILT_IN` (Everyone) is not. */
export const ENTITLEMENT_GROUP_TYPES = ["OKTA_GROUP", "APP_GROUP"] as const;

/** The fields of Okta's User object cordon reads (spec `User`). */
export interface OktaUser {
  id: string;
  status: string;
  profile: {
    login: string;
    email: string;
    secondEmail?: string | null;
    firstName?: string | null;
    lastName?: string | null;
  };
}

export interface OktaClientConfig {
  /** The org URL, e.g. `https://acme.okta.com`. */
  orgUrl: string;
  /** An API token (sent as `SSWS <token>`). Never logged, never in a URL. */
  token: string;
  connection: string;
}

type Segments = ReadonlyArray<string | { id: string }>;

export interface OktaCall {
  method: HttpMethod;
  path: Segments;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  bucket: OktaBucket;
  idempotent: boolean;
  /** The path as a template for messages: `/api/v1/users/{id}/sessions`. */
  operation: string;
}

/** A thin typed client over the shared HTTP layer: auth, buckets, and Okta's `Link` pagination. */
export class OktaClient {
  readonly orgUrl: string;
  readonly #http: HttpClient;

  constructor(config: OktaClientConfig, deps: ConnectorDeps) {
    this.orgUrl = config.orgUrl.replace(/\/+$/, "");
    const authorization = `SSWS ${config.token}`;
    this.#http = connectionHttpClient(deps, {
      policy: oktaPolicy,
      connection: config.connection,
      authorization: () => authorization,
      maxConcurrent: OKTA_MAX_CONCURRENT,
    });
  }

  call(call: OktaCall, signal?: AbortSignal): Promise<HttpResponse> {
    return this.#http.send(
      {
        method: call.method,
        url: urlOf(this.orgUrl, call.path, call.query),
        json: call.json,
        bucket: call.bucket,
        limit: OKTA_BUCKETS[call.bucket],
        idempotent: call.idempotent,
        operation: `${call.method} ${call.operation}`,
      },
      signal,
    );
  }

  /**
   * Every item of a collection, following `Link: <…>; rel="next"` until there is none
   * (developer.okta.com/docs/api/#pagination). The cursor is opaque: the next URL is used as given,
   * after checking it stays on the org's origin so a reply can never redirect the token elsewhere.
   */
  async *paginate<T>(call: OktaCall, signal?: AbortSignal): AsyncGenerator<T> {
    let url: URL | null = urlOf(this.orgUrl, call.path, call.query);
    while (url) {
      const response: HttpResponse = await this.#http.send(
        {
          method: "GET",
          url,
          bucket: call.bucket,
          limit: OKTA_BUCKETS[call.bucket],
          idempotent: true,
          operation: `GET ${call.operation}`,
        },
        signal,
      );
      if (!Array.isArray(response.body)) {
        throw new CordonError(
          { kind: "vendor", vendor: "okta", status: response.status },
          `okta GET ${call.operation}: expected a list`,
        );
      }
      for (const item of response.body) yield item as T;
      url = sameOriginNextLink(response.headers.get("link"), this.orgUrl, "okta");
    }
  }

  async getUser(idOrLogin: string, signal?: AbortSignal): Promise<OktaUser | null> {
    try {
      const response = await this.call(
        {
          method: "GET",
          path: ["/api/v1/users/", { id: idOrLogin }],
          bucket: "userGet",
          idempotent: true,
          operation: "/api/v1/users/{id}",
        },
        signal,
      );
      return response.body as OktaUser;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  /** Users whose email or login equals the address, via `search` (values compare case-insensitively). */
  async findUsersByEmail(email: string, signal?: AbortSignal): Promise<OktaUser[]> {
    const quoted = JSON.stringify(email);
    const found: OktaUser[] = [];
    for await (const user of this.paginate<OktaUser>(
      {
        method: "GET",
        path: ["/api/v1/users"],
        query: { search: `profile.email eq ${quoted} or profile.login eq ${quoted}`, limit: 200 },
        bucket: "usersCollection",
        idempotent: true,
        operation: "/api/v1/users?search",
      },
      signal,
    )) {
      found.push(user);
    }
    return found;
  }

  /**
   * Every user of the org, 200 a page (spec `listUsers`, `limit` default and maximum 200). A plain listing
   * "omits users that have a status of `DEPROVISIONED`" (spec `listUsers` notes: "To return all users, use a
   * filter or search query instead"), so a second walk with `filter=status eq "DEPROVISIONED"` adds them (spec
   * `listUsers.filter`: supports `status` with `eq`, and "Returned users include those with the `DEPROVISIONED`
   * status"). `filter` rather than `search`: the spec says search results come from "an eventually consistent
   * datasource". Yields each user once, even one deactivated between the two walks.
   */
  async *listAllUsers(signal?: AbortSignal): AsyncGenerator<OktaUser> {
    const seen = new Set<string>();
    const walks: Array<{ query: Record<string, string | number>; operation: string }> = [
      { query: { limit: 200 }, operation: "/api/v1/users" },
      {
        query: { filter: 'status eq "DEPROVISIONED"', limit: 200 },
        operation: "/api/v1/users?filter",
      },
    ];
    for (const walk of walks) {
      for await (const user of this.paginate<OktaUser>(
        {
          method: "GET",
          path: ["/api/v1/users"],
          query: walk.query,
          bucket: "usersCollection",
          idempotent: true,
          operation: walk.operation,
        },
        signal,
      )) {
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        yield user;
      }
    }
  }

  /**
   * Every OKTA_GROUP and APP_GROUP of the org (spec `listGroups`, scope okta.groups.read), 200 a page: the spec
   * allows `limit` up to 10000 but says "We recommend using a limit less than or equal to 200", and an org has far
   * fewer groups than users, so the recommended size costs a call or two. The type filter is spec `listGroups.filter`
   * ("supports … `id`, `type`, `lastUpdated`, and `lastMembershipUpdated`", example `type eq "OKTA_GROUP"`); it
   * leaves out `Everyone` (BUILT_IN), whose member walk would re-read the whole directory. The type is checked
   * again here in case a server ignores the filter.
   */
  async listGroups(signal?: AbortSignal): Promise<OktaGroup[]> {
    const groups: OktaGroup[] = [];
    for await (const group of this.paginate<OktaGroup>(
      {
        method: "GET",
        path: ["/api/v1/groups"],
        query: {
          filter: ENTITLEMENT_GROUP_TYPES.map((t) => `type eq "${t}"`).join(" or "),
          limit: 200,
        },
        bucket: "groups",
        idempotent: true,
        operation: "/api/v1/groups",
      },
      signal,
    )) {
      if ((ENTITLEMENT_GROUP_TYPES as readonly string[]).includes(group.type)) groups.push(group);
    }
    return groups;
  }

  /**
   * Ids of every member of a group (spec `listGroupUsers`, scope okta.groups.read), `Link`-paged. `limit=1000` is
   * the spec's default for this operation (no maximum is stated; the spec now recommends 200 per page): 1000
   * keeps a 2,000-member group to two calls.
   */
  async listGroupMemberIds(groupId: string, signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for await (const user of this.paginate<OktaUser>(
      {
        method: "GET",
        path: ["/api/v1/groups/", { id: groupId }, "/users"],
        query: { limit: 1000 },
        bucket: "groups",
        idempotent: true,
        operation: "/api/v1/groups/{id}/users",
      },
      signal,
    )) {
      ids.push(user.id);
    }
    return ids;
  }

  /**
   * Ids of every user holding an admin role, in one paged read instead of one `/roles` call per user
   * (`GET /api/v1/iam/assignees/users`, spec listUsersWithRoleAssignments, scope okta.roles.read): the reply is a
   * `RoleAssignedUsers` object, `{ value: [{ id, orn, _links }], _links: { next: { href } } }`, `limit` defaulting
   * to 100, and the next page is the `_links.next.href` of the body (spec example
   * `RoleAssignedUsersResponseExample`), not a Link header. Whether users holding a role only through a group are
   * listed is not stated by the spec (**unverified**).
   */
  async usersWithRoleAssignments(signal?: AbortSignal): Promise<Set<string>> {
    const ids = new Set<string>();
    let url: URL | null = urlOf(this.orgUrl, ["/api/v1/iam/assignees/users"], { limit: 100 });
    while (url) {
      const response: HttpResponse = await this.#http.send(
        {
          method: "GET",
          url,
          bucket: "other",
          limit: OKTA_BUCKETS.other,
          idempotent: true,
          operation: "GET /api/v1/iam/assignees/users",
        },
        signal,
      );
      const body = response.body as {
        value?: unknown;
        _links?: { next?: { href?: unknown } };
      } | null;
      if (typeof body !== "object" || body === null || !Array.isArray(body.value)) {
        throw new CordonError(
          { kind: "vendor", vendor: "okta", status: response.status },
          "okta GET /api/v1/iam/assignees/users: expected a RoleAssignedUsers object",
        );
      }
      for (const item of body.value as Array<{ id?: unknown }>) {
        if (typeof item?.id === "string") ids.add(item.id);
      }
      const href = body._links?.next?.href;
      url = typeof href === "string" && href !== "" ? sameOrgUrl(href, this.orgUrl) : null;
    }
    return ids;
  }

  /**
   * The user's admin roles (`GET /api/v1/users/{userId}/roles`, spec listAssignedRolesForUser): an Okta admin is
   * protected by cordon's policy, like a Slack owner.
   */
  async adminRoles(userId: string, signal?: AbortSignal): Promise<string[]> {
    const response = await this.call(
      {
        method: "GET",
        path: ["/api/v1/users/", { id: userId }, "/roles"],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/users/{id}/roles",
      },
      signal,
    );
    return Array.isArray(response.body)
      ? (response.body as Array<{ type?: string }>).map((r) => r.type ?? "CUSTOM")
      : [];
  }

  toAccount(user: OktaUser, connection: string, matchedBy: string, roles: string[] = []): Account {
    const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(" ");
    return {
      connection,
      vendor: "okta",
      id: user.id,
      email: user.profile.email,
      login: user.profile.login,
      displayName: name || undefined,
      status: user.status,
      protectedReasons: roles.length > 0 ? ["admin"] : [],
      aliases: [user.profile.login, user.profile.secondEmail ?? ""].filter(
        (a) => a.includes("@") && a !== user.profile.email,
      ),
      matchedBy,
    };
  }
}

/** A next-page URL resolved against the org, refused unless it stays on the org's origin (the token goes with it). */
function sameOrgUrl(href: string, orgUrl: string): URL {
  const url = new URL(href, orgUrl);
  if (url.origin !== new URL(orgUrl).origin) {
    throw new CordonError(
      { kind: "vendor", vendor: "okta", status: 200 },
      "okta: a next-page link pointed outside the org; refusing to follow it",
    );
  }
  return url;
}
