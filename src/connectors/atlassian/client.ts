import type { Account } from "../../core/account.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { HttpClient, HttpMethod, HttpResponse } from "../../http/client.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { urlOf } from "../shared/paths.ts";
import { atlassianPolicy } from "./errors.ts";
import { ATLASSIAN_BUCKETS, ATLASSIAN_MAX_CONCURRENT, type AtlassianBucket } from "./rate-limits.ts";

export const ATLASSIAN_DEFAULT_API_URL = "https://api.atlassian.com";

/** "An organization admin is the highest level of admin" (`roleIds` / `PlatformRole` `atlassian/org-admin`). */
export const ORG_ADMIN_ROLE = "atlassian/org-admin";

/**
 * The fields of a v2 directory user cordon reads (`MultiDirectoryUser`; jira.js `src/admin/models/`):
 * `status` is the composite of `accountStatus` (active | inactive | closed) and `membershipStatus`
 * (active | suspended | no_membership): active, suspended, not_invited, deactivated, for_deletion.
 */
export interface AtlassianUser {
  accountId: string;
  accountType?: string;
  status?: string;
  accountStatus?: string;
  membershipStatus?: string;
  name?: string;
  nickname?: string;
  email?: string;
  claimStatus?: string;
  platformRoles?: string[];
}

/** `ApiTokenModel` of the user management API (never contains the token's secret). */
export interface AtlassianApiToken {
  id: string;
  label: string;
  createdAt?: string;
  lastAccess?: string;
  expiry?: string;
}

export interface AtlassianClientConfig {
  /** The connection's name from configuration. */
  connection: string;
  /** The organization id (from the Atlassian Administration URL or the API key page). */
  orgId: string;
  /** An organization API key, sent as `Authorization: Bearer <key>`. Never logged, never in a URL. */
  apiKey: string;
  /** Default `https://api.atlassian.com`. */
  apiUrl?: string;
}

type Segments = ReadonlyArray<string | { id: string }>;

export interface AtlassianCall {
  method: HttpMethod;
  path: Segments;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  bucket: AtlassianBucket;
  idempotent: boolean;
  /** The path as a template for messages: `/admin/v2/orgs/{orgId}/directories/-/users/{accountId}`. */
  operation: string;
}

interface UserPage {
  data?: AtlassianUser[];
  links?: { next?: string | null };
}

/** The v2 search body the connector sends (`MultiDirectoryUserSearchRequest`). */
export interface UserSearch {
  emails?: string[];
}

/**
 * A thin typed client over the shared HTTP layer for the two org-admin APIs: the Organizations REST API
 * (`{apiUrl}/admin/…`) and the user management REST API (`{apiUrl}/users/{account_id}/manage/…`), one API key.
 */
export class AtlassianClient {
  readonly orgId: string;
  readonly apiUrl: string;
  readonly #http: HttpClient;

  constructor(config: AtlassianClientConfig, deps: ConnectorDeps) {
    this.orgId = config.orgId;
    this.apiUrl = (config.apiUrl ?? ATLASSIAN_DEFAULT_API_URL).replace(/\/+$/, "");
    const authorization = `Bearer ${config.apiKey}`;
    this.#http = connectionHttpClient(deps, {
      policy: atlassianPolicy,
      connection: config.connection,
      authorization: () => authorization,
      maxConcurrent: ATLASSIAN_MAX_CONCURRENT,
    });
  }

  call(call: AtlassianCall, signal?: AbortSignal): Promise<HttpResponse> {
    return this.#http.send(
      {
        method: call.method,
        url: urlOf(this.apiUrl, call.path, call.query),
        json: call.json,
        bucket: call.bucket,
        limit: ATLASSIAN_BUCKETS[call.bucket],
        idempotent: call.idempotent,
        operation: `${call.method} ${call.operation}`,
      },
      signal,
    );
  }

  /** `/admin/v2/orgs/{orgId}/directories/-/users`: `-` is every directory the key may manage. */
  #directoryUsers(): Segments {
    return ["/admin/v2/orgs/", { id: this.orgId }, "/directories/-/users"];
  }

  /**
   * Every user matching a search, all pages: `POST /admin/v2/orgs/{orgId}/directories/-/users/search` with
   * `expand: ["platformRoles"]` (to see org admins), then `{cursor: links.next}` until there is no `next`
   * ("Search for users in an organization"; `links.next` is the next page's cursor, and a cursor carries the
   * query: "If present, all other parameters are discarded"). A repeated cursor stops the walk with an error
   * instead of looping.
   */
  async *searchUsers(search: UserSearch, signal?: AbortSignal): AsyncGenerator<AtlassianUser> {
    const first = { ...search, limit: 100, expand: ["platformRoles"] };
    let body: Record<string, unknown> = first;
    const seen = new Set<string>();
    for (;;) {
      const response = await this.call(
        {
          method: "POST",
          path: [...this.#directoryUsers(), "/search"],
          json: body,
          bucket: "admin",
          // A search changes nothing: safe to repeat after a 5xx.
          idempotent: true,
          operation: "/admin/v2/orgs/{orgId}/directories/-/users/search",
        },
        signal,
      );
      const page = response.body as UserPage;
      if (!Array.isArray(page?.data)) {
        throw new CordonError(
          { kind: "vendor", vendor: "atlassian", status: response.status },
          "atlassian POST /admin/v2/orgs/{orgId}/directories/-/users/search: expected a page of users",
        );
      }
      for (const user of page.data) yield user;
      const next = page.links?.next;
      if (!next) return;
      if (seen.has(next)) {
        throw new CordonError(
          { kind: "vendor", vendor: "atlassian", status: response.status },
          "atlassian users/search: the same next cursor came back twice; refusing to loop",
        );
      }
      seen.add(next);
      body = { cursor: next };
    }
  }

  /**
   * Users whose email is the address (`emails`: "Only exact matches are returned"). Whether that match ignores
   * case is not documented, so the address is sent as given and in lower case; callers compare again.
   */
  async findUsersByEmail(email: string, signal?: AbortSignal): Promise<AtlassianUser[]> {
    const emails = [...new Set([email.trim(), email.trim().toLowerCase()])];
    const found: AtlassianUser[] = [];
    for await (const user of this.searchUsers({ emails }, signal)) found.push(user);
    return found;
  }

  /** `GET /admin/v2/orgs/{orgId}/directories/-/users/{accountId}` → `{data: …}`; null when Atlassian says 404. */
  async getUser(accountId: string, signal?: AbortSignal): Promise<AtlassianUser | null> {
    try {
      const response = await this.call(
        {
          method: "GET",
          path: [...this.#directoryUsers(), "/", { id: accountId }],
          bucket: "admin",
          idempotent: true,
          operation: "/admin/v2/orgs/{orgId}/directories/-/users/{accountId}",
        },
        signal,
      );
      const data = (response.body as { data?: AtlassianUser } | null)?.data;
      if (!data || typeof data.accountId !== "string") {
        throw new CordonError(
          { kind: "vendor", vendor: "atlassian", status: response.status },
          "atlassian GET /admin/v2/orgs/{orgId}/directories/-/users/{accountId}: expected a user",
        );
      }
      return data;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  async requireUser(accountId: string, signal?: AbortSignal): Promise<AtlassianUser> {
    const user = await this.getUser(accountId, signal);
    if (!user)
      throw new CordonError(
        { kind: "not_found", vendor: "atlassian", what: "user" },
        `atlassian: user ${accountId} not found in the organization's directories`,
      );
    return user;
  }

  /**
   * `POST /admin/v1/orgs/{orgId}/directory/users/{accountId}/suspend-access` or `…/restore-access`
   * (developer.atlassian.com/cloud/admin/organization/rest/api-group-directory/): 200 `{message}`. Repeating
   * either leaves the same state, so a 5xx may be retried.
   */
  async changeAccess(
    accountId: string,
    change: "suspend-access" | "restore-access",
    signal?: AbortSignal,
  ): Promise<void> {
    await this.call(
      {
        method: "POST",
        path: ["/admin/v1/orgs/", { id: this.orgId }, "/directory/users/", { id: accountId }, `/${change}`],
        bucket: "admin",
        idempotent: true,
        operation: `/admin/v1/orgs/{orgId}/directory/users/{accountId}/${change}`,
      },
      signal,
    );
  }

  /**
   * `GET /users/{account_id}/manage/api-tokens` (user management API, api-group-api-tokens): the managed
   * account's API tokens, one unpaginated array.
   */
  async listApiTokens(accountId: string, signal?: AbortSignal): Promise<AtlassianApiToken[]> {
    const response = await this.call(
      {
        method: "GET",
        path: ["/users/", { id: accountId }, "/manage/api-tokens"],
        bucket: "userManagement",
        idempotent: true,
        operation: "/users/{account_id}/manage/api-tokens",
      },
      signal,
    );
    if (!Array.isArray(response.body)) {
      throw new CordonError(
        { kind: "vendor", vendor: "atlassian", status: response.status },
        "atlassian GET /users/{account_id}/manage/api-tokens: expected a list",
      );
    }
    return response.body as AtlassianApiToken[];
  }

  /** `DELETE /users/{account_id}/manage/api-tokens/{tokenId}`; "absent" when Atlassian no longer knows it. */
  async deleteApiToken(
    accountId: string,
    tokenId: string,
    signal?: AbortSignal,
  ): Promise<"revoked" | "absent"> {
    try {
      await this.call(
        {
          method: "DELETE",
          path: ["/users/", { id: accountId }, "/manage/api-tokens/", { id: tokenId }],
          bucket: "userManagement",
          idempotent: true,
          operation: "/users/{account_id}/manage/api-tokens/{tokenId}",
        },
        signal,
      );
      return "revoked";
    } catch (error) {
      if (isKind(error, "not_found")) return "absent";
      throw error;
    }
  }

  /** `GET /admin/v1/orgs/{orgId}` (getOrgById) → `{data: {id, type, attributes: {name}}}`. */
  async getOrg(signal?: AbortSignal): Promise<{ id: string; name?: string }> {
    const response = await this.call(
      {
        method: "GET",
        path: ["/admin/v1/orgs/", { id: this.orgId }],
        bucket: "admin",
        idempotent: true,
        operation: "/admin/v1/orgs/{orgId}",
      },
      signal,
    );
    const data = (response.body as { data?: { id?: string; attributes?: { name?: string } } } | null)?.data;
    return { id: data?.id ?? this.orgId, name: data?.attributes?.name };
  }

  toAccount(user: AtlassianUser, connection: string, matchedBy: string): Account {
    return {
      connection,
      vendor: "atlassian",
      id: user.accountId,
      email: user.email ?? "",
      login: user.nickname,
      displayName: user.name,
      status: user.status ?? statusFrom(user),
      protectedReasons: user.platformRoles?.includes(ORG_ADMIN_ROLE) ? ["admin"] : [],
      matchedBy,
    };
  }
}

/** The composite status as the API defines it, for a reply that left `status` out. */
function statusFrom(user: AtlassianUser): string {
  if (user.accountStatus && user.accountStatus !== "active") return "deactivated";
  if (user.membershipStatus === "suspended") return "suspended";
  if (user.membershipStatus === "no_membership") return "not_invited";
  return user.membershipStatus === "active" ? "active" : "unknown";
}
