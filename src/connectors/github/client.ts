import { type Account, normaliseEmail } from "../../core/account.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { HttpClient, HttpMethod, HttpResponse } from "../../http/client.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { sameOriginNextLink } from "../shared/link.ts";
import { urlOf } from "../shared/paths.ts";
import { githubPolicy } from "./errors.ts";
import { GITHUB_BUCKETS, GITHUB_MAX_CONCURRENT, type GithubBucket } from "./rate-limits.ts";

export const GITHUB_DEFAULT_API_URL = "https://api.github.com";

export interface GithubClientConfig {
  /** The connection's name from configuration. */
  connection: string;
  /** The organization's login, e.g. `acme-corp`. */
  org: string;
  /** A classic personal access token (or app token) of an organization owner. Never logged, never in a URL. */
  token: string;
  /** REST base, default `https://api.github.com`; `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl?: string;
  /** Optional email → login mapping for orgs without organization-level SAML (or for accounts it misses). */
  logins?: Record<string, string>;
}

/** `simple-user`, the fields cordon reads. */
export interface GithubUser {
  login: string;
  id: number;
  name?: string | null;
  email?: string | null;
}

/** `org-membership`: `state` active or pending (an invitation not yet accepted), `role` admin/member/billing_manager. */
export interface OrgMembership {
  state: "active" | "pending";
  role: "admin" | "member" | "billing_manager";
  user: GithubUser | null;
}

export interface GithubTeam {
  id: number;
  slug: string;
  name: string;
  parent: { slug: string } | null;
}

export interface TeamMembership {
  role: "member" | "maintainer";
  state: "active" | "pending";
}

/** `credential-authorization`, the fields cordon reads (never a secret: `token_last_eight` is public metadata). */
export interface CredentialAuthorization {
  login: string;
  credential_id: number;
  credential_type: string;
  token_last_eight?: string;
  fingerprint?: string;
  credential_authorized_at: string;
  scopes?: string[];
}

/** One SAML external identity: the IdP's NameID and the GitHub login that claimed it (null when none has). */
export interface SamlIdentity {
  nameId: string;
  login: string | null;
}

type Segments = ReadonlyArray<string | { id: string }>;

export interface GithubCall {
  method: HttpMethod;
  path: Segments;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  idempotent: boolean;
  /** The path as a template for messages and buckets: `/orgs/{org}/memberships/{username}`. */
  operation: string;
}

/** Every page of SAML identities is read once and kept this long, so one plan's lookups share it. */
const IDENTITY_CACHE_MS = 60_000;

/**
 * The query cordon sends to map emails to logins (docs.github.com/enterprise-cloud@latest/graphql/reference/
 * objects#organizationidentityprovider: `externalIdentities`, `ExternalIdentity.samlIdentity.nameId`, `.user`).
 */
export const SAML_IDENTITIES_QUERY = `query($org: String!, $cursor: String) {
  organization(login: $org) {
    samlIdentityProvider {
      externalIdentities(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { samlIdentity { nameId } user { login } }
      }
    }
  }
}`;

interface IdentitiesPage {
  organization: {
    samlIdentityProvider: {
      externalIdentities: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{ samlIdentity: { nameId: string } | null; user: { login: string } | null }>;
      };
    } | null;
  } | null;
}

function bucketOf(method: HttpMethod): GithubBucket {
  if (method === "GET") return "read";
  if (method === "PUT" || method === "POST") return "content";
  return "write";
}

/** A thin typed client over the shared HTTP layer: auth, per-endpoint buckets, Link pagination, GraphQL. */
export class GithubClient {
  readonly org: string;
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  readonly connection: string;
  readonly #http: HttpClient;
  readonly #now: () => number;
  #identities: { at: number; value: Promise<SamlIdentity[] | null> } | undefined;

  constructor(config: GithubClientConfig, deps: ConnectorDeps) {
    this.org = config.org;
    this.connection = config.connection;
    this.apiUrl = (config.apiUrl ?? GITHUB_DEFAULT_API_URL).replace(/\/+$/, "");
    // GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql (as Octokit derives it).
    this.graphqlUrl = /\/api\/v3$/.test(this.apiUrl)
      ? this.apiUrl.replace(/\/api\/v3$/, "/api/graphql")
      : `${this.apiUrl}/graphql`;
    this.#now = () => deps.clock.now();
    const authorization = `Bearer ${config.token}`;
    this.#http = connectionHttpClient(deps, {
      policy: githubPolicy,
      connection: config.connection,
      authorization: () => authorization,
      maxConcurrent: GITHUB_MAX_CONCURRENT,
    });
  }

  call(call: GithubCall, signal?: AbortSignal): Promise<HttpResponse> {
    return this.#send(call, urlOf(this.apiUrl, call.path, call.query), signal);
  }

  #send(call: GithubCall, url: URL, signal?: AbortSignal): Promise<HttpResponse> {
    const bucket = bucketOf(call.method);
    return this.#http.send(
      {
        method: call.method,
        url,
        headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
        json: call.json,
        bucket: bucket === "content" ? "content" : `${bucket} ${call.method} ${call.operation}`,
        limit: GITHUB_BUCKETS[bucket],
        idempotent: call.idempotent,
        operation: `${call.method} ${call.operation}`,
      },
      signal,
    );
  }

  /**
   * Every item of a list, following `Link: <…>; rel="next"` (docs.github.com/rest/using-the-rest-api/
   * using-pagination-in-the-rest-api) with `per_page=100`. A next link is used as given, after checking it stays on
   * the API's origin so a reply can never send the token elsewhere.
   */
  async *paginate<T>(call: GithubCall, signal?: AbortSignal): AsyncGenerator<T> {
    let url: URL | null = urlOf(this.apiUrl, call.path, { per_page: 100, ...call.query });
    while (url) {
      const response: HttpResponse = await this.#send(call, url, signal);
      if (!Array.isArray(response.body)) {
        throw new CordonError(
          { kind: "vendor", vendor: "github", status: response.status },
          `github GET ${call.operation}: expected a list`,
        );
      }
      for (const item of response.body) yield item as T;
      url = sameOriginNextLink(response.headers.get("link"), this.apiUrl, "github");
    }
  }

  /** One GraphQL query; errors in a 200 reply are classified by the policy like HTTP errors. */
  async graphql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const response = await this.#http.send(
      {
        method: "POST",
        url: new URL(this.graphqlUrl),
        headers: { accept: "application/vnd.github+json" },
        json: { query, variables },
        bucket: "graphql",
        limit: GITHUB_BUCKETS.graphql,
        idempotent: true,
        operation: "POST /graphql",
      },
      signal,
    );
    return (response.body as { data: T }).data;
  }

  /**
   * Every SAML identity of the org, all pages, or null when the org has no organization-level SAML identity
   * provider (`samlIdentityProvider: null`: no SAML, SAML configured on the enterprise, or a token that is not an
   * owner's). Cached for a minute, and concurrent callers share one read.
   */
  samlIdentities(signal?: AbortSignal): Promise<SamlIdentity[] | null> {
    const now = this.#now();
    if (this.#identities && now - this.#identities.at < IDENTITY_CACHE_MS) return this.#identities.value;
    const value = this.#readIdentities(signal);
    const entry = { at: now, value };
    this.#identities = entry;
    value.catch(() => {
      if (this.#identities === entry) this.#identities = undefined;
    });
    return value;
  }

  async #readIdentities(signal?: AbortSignal): Promise<SamlIdentity[] | null> {
    const identities: SamlIdentity[] = [];
    let cursor: string | null = null;
    for (;;) {
      const data: IdentitiesPage = await this.graphql<IdentitiesPage>(
        SAML_IDENTITIES_QUERY,
        { org: this.org, cursor },
        signal,
      );
      if (!data.organization)
        throw new CordonError(
          { kind: "not_found", vendor: "github", what: "organization" },
          `github: no organization ${this.org}`,
        );
      const provider = data.organization.samlIdentityProvider;
      if (!provider) return null;
      const page = provider.externalIdentities;
      for (const node of page.nodes) {
        if (node.samlIdentity)
          identities.push({ nameId: node.samlIdentity.nameId, login: node.user?.login ?? null });
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return identities;
      cursor = page.pageInfo.endCursor;
    }
  }

  async #orNull<T>(request: Promise<HttpResponse>): Promise<T | null> {
    try {
      return (await request).body as T;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  /** `GET /orgs/{org}/memberships/{username}`: active membership, pending invitation, or null (404). */
  getMembership(login: string, signal?: AbortSignal): Promise<OrgMembership | null> {
    return this.#orNull(
      this.call(
        {
          method: "GET",
          path: ["/orgs/", { id: this.org }, "/memberships/", { id: login }],
          idempotent: true,
          operation: "/orgs/{org}/memberships/{username}",
        },
        signal,
      ),
    );
  }

  /**
   * `PUT /orgs/{org}/memberships/{username}` with the role in the JSON body (the seed library put it in the query
   * string, which GitHub ignores: owners came back as members). A non-member gets a pending invitation.
   */
  async setMembership(login: string, role: "admin" | "member", signal?: AbortSignal): Promise<OrgMembership> {
    const response = await this.call(
      {
        method: "PUT",
        path: ["/orgs/", { id: this.org }, "/memberships/", { id: login }],
        json: { role },
        idempotent: true,
        operation: "/orgs/{org}/memberships/{username}",
      },
      signal,
    );
    return response.body as OrgMembership;
  }

  /** `DELETE /orgs/{org}/members/{username}` (204): removes an active member from the org and all its teams. */
  async removeMember(login: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      {
        method: "DELETE",
        path: ["/orgs/", { id: this.org }, "/members/", { id: login }],
        idempotent: true,
        operation: "/orgs/{org}/members/{username}",
      },
      signal,
    );
  }

  /** `DELETE /orgs/{org}/memberships/{username}` (204): for a pending invitee, cancels the invitation. */
  async removeMembership(login: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      {
        method: "DELETE",
        path: ["/orgs/", { id: this.org }, "/memberships/", { id: login }],
        idempotent: true,
        operation: "/orgs/{org}/memberships/{username}",
      },
      signal,
    );
  }

  async listTeams(signal?: AbortSignal): Promise<GithubTeam[]> {
    const teams: GithubTeam[] = [];
    for await (const team of this.paginate<GithubTeam>(
      {
        method: "GET",
        path: ["/orgs/", { id: this.org }, "/teams"],
        idempotent: true,
        operation: "/orgs/{org}/teams",
      },
      signal,
    ))
      teams.push(team);
    return teams;
  }

  getTeamMembership(slug: string, login: string, signal?: AbortSignal): Promise<TeamMembership | null> {
    return this.#orNull(
      this.call(
        {
          method: "GET",
          path: ["/orgs/", { id: this.org }, "/teams/", { id: slug }, "/memberships/", { id: login }],
          idempotent: true,
          operation: "/orgs/{org}/teams/{team_slug}/memberships/{username}",
        },
        signal,
      ),
    );
  }

  /** `PUT /orgs/{org}/teams/{team_slug}/memberships/{username}` with `{role}` in the body. */
  async setTeamMembership(
    slug: string,
    login: string,
    role: "member" | "maintainer",
    signal?: AbortSignal,
  ): Promise<TeamMembership> {
    const response = await this.call(
      {
        method: "PUT",
        path: ["/orgs/", { id: this.org }, "/teams/", { id: slug }, "/memberships/", { id: login }],
        json: { role },
        idempotent: true,
        operation: "/orgs/{org}/teams/{team_slug}/memberships/{username}",
      },
      signal,
    );
    return response.body as TeamMembership;
  }

  /** Every SSO credential authorization of one login, all pages (`login` filter, and checked again here). */
  async listCredentialAuthorizations(
    login: string,
    signal?: AbortSignal,
  ): Promise<CredentialAuthorization[]> {
    const found: CredentialAuthorization[] = [];
    for await (const item of this.paginate<CredentialAuthorization>(
      {
        method: "GET",
        path: ["/orgs/", { id: this.org }, "/credential-authorizations"],
        query: { login },
        idempotent: true,
        operation: "/orgs/{org}/credential-authorizations",
      },
      signal,
    )) {
      if (item.login.toLowerCase() === login.toLowerCase()) found.push(item);
    }
    return found;
  }

  /** `DELETE /orgs/{org}/credential-authorizations/{credential_id}`: true when removed now, false when already gone (404). */
  async removeCredentialAuthorization(credentialId: number, signal?: AbortSignal): Promise<boolean> {
    const removed = await this.#orNull(
      this.call(
        {
          method: "DELETE",
          path: ["/orgs/", { id: this.org }, "/credential-authorizations/", { id: String(credentialId) }],
          idempotent: true,
          operation: "/orgs/{org}/credential-authorizations/{credential_id}",
        },
        signal,
      ),
    );
    return removed !== null;
  }

  getUser(login: string, signal?: AbortSignal): Promise<GithubUser | null> {
    return this.#orNull(
      this.call(
        { method: "GET", path: ["/users/", { id: login }], idempotent: true, operation: "/users/{username}" },
        signal,
      ),
    );
  }

  /** `GET /user`: the token's owner, and its classic scopes from `X-OAuth-Scopes` (null when not sent). */
  async authenticatedUser(signal?: AbortSignal): Promise<{ user: GithubUser; scopes: string[] | null }> {
    const response = await this.call(
      { method: "GET", path: ["/user"], idempotent: true, operation: "/user" },
      signal,
    );
    const header = response.headers.get("x-oauth-scopes");
    const scopes =
      header === null
        ? null
        : header
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
    return { user: response.body as GithubUser, scopes };
  }

  /** Members of one role (`admin` or `member`), all pages. */
  async *listMembers(role: "admin" | "member", signal?: AbortSignal): AsyncGenerator<GithubUser> {
    yield* this.paginate<GithubUser>(
      {
        method: "GET",
        path: ["/orgs/", { id: this.org }, "/members"],
        query: { role },
        idempotent: true,
        operation: "/orgs/{org}/members",
      },
      signal,
    );
  }

  /** Pending invitations, all pages (`role` is `admin` or `direct_member`…). */
  async *listInvitations(signal?: AbortSignal): AsyncGenerator<{ login: string | null; role: string }> {
    yield* this.paginate<{ login: string | null; role: string }>(
      {
        method: "GET",
        path: ["/orgs/", { id: this.org }, "/invitations"],
        idempotent: true,
        operation: "/orgs/{org}/invitations",
      },
      signal,
    );
  }

  /**
   * An account as cordon reports it. `status` is `admin`, `member`, `invited` (a pending invitation), or
   * `not_member`; an org admin is an owner and protected (`protectedReasons: ["owner"]`).
   */
  toAccount(
    user: GithubUser,
    membership: Pick<OrgMembership, "state" | "role"> | null,
    email: string,
    matchedBy: string,
  ): Account {
    const status = !membership ? "not_member" : membership.state === "pending" ? "invited" : membership.role;
    return {
      connection: this.connection,
      vendor: "github",
      id: String(user.id),
      email: normaliseEmail(email),
      login: user.login,
      displayName: user.name || undefined,
      status,
      protectedReasons: membership?.state === "active" && membership.role === "admin" ? ["owner"] : [],
      matchedBy,
    };
  }
}

/** The login an action acts on; accounts without one (hand-made) are refused rather than guessed. */
export function loginOf(account: Account): string {
  if (!account.login)
    throw new CordonError(
      { kind: "invalid_input", field: "account.login" },
      "github: the account has no login",
    );
  return account.login;
}
