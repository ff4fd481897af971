import type { Account } from "../../core/account.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { HttpClient, HttpMethod, HttpResponse } from "../../http/client.ts";
import { RetryBudget } from "../../http/retry.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { urlOf } from "../shared/paths.ts";
import { slackScimPolicy, slackWebPolicy } from "./errors.ts";
import { SLACK_SCIM_LIMITS, type SlackScimBucket, slackMethodBucket } from "./rate-limits.ts";

/** The fields of Slack's user object cordon reads (docs.slack.dev/reference/objects/user-object). */
export interface SlackUser {
  id: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_bot?: boolean;
  profile?: { email?: string; real_name?: string };
  team_id?: string;
  /** Enterprise Grid: the workspaces the user belongs to. */
  enterprise_user?: { teams?: string[] };
}

/** SCIM v2 user (docs.slack.dev/admins/scim-api), the fields cordon reads. */
export interface ScimUser {
  id: string;
  userName: string;
  active: boolean;
  displayName?: string;
  emails?: Array<{ value: string; primary?: boolean }>;
}

/** SCIM's page size ceiling for `GET /Users` (api.slack.com/changelog/2019-06-have-scim-will-paginate). */
export const SCIM_MAX_COUNT = 1000;

export interface SlackClientConfig {
  connection: string;
  /** An Enterprise Grid org admin's user token (`xoxp-…`) with admin.users:write, users:read, users:read.email; SCIM needs `admin`. */
  token: string;
  /** Web API base, default `https://slack.com/api/`. */
  apiUrl?: string;
  /** SCIM base, default `https://api.slack.com/scim/v2/`. */
  scimUrl?: string;
}

export const SLACK_DEFAULT_API_URL = "https://slack.com/api/";
export const SLACK_DEFAULT_SCIM_URL = "https://api.slack.com/scim/v2/";

/** Web API methods and SCIM calls over the shared HTTP layer, each with its own governor bucket. */
export class SlackClient {
  readonly #web: HttpClient;
  readonly #scim: HttpClient;
  readonly #apiUrl: string;
  readonly #scimUrl: string;

  constructor(config: SlackClientConfig, deps: ConnectorDeps) {
    this.#apiUrl = config.apiUrl ?? SLACK_DEFAULT_API_URL;
    this.#scimUrl = config.scimUrl ?? SLACK_DEFAULT_SCIM_URL;
    const authorization = `Bearer ${config.token}`;
    // Web API and SCIM spend one credential: one retry budget.
    const budget = new RetryBudget();
    const common = { connection: config.connection, authorization: () => authorization, budget };
    this.#web = connectionHttpClient(deps, { ...common, policy: slackWebPolicy });
    this.#scim = connectionHttpClient(deps, { ...common, policy: slackScimPolicy });
  }

  /**
   * Calls a Web API method with a form body and the token in the Authorization header (never in the form or URL).
   * `idempotent` says whether a 5xx may be retried.
   */
  async method<T>(
    name: string,
    args: Record<string, string | number | boolean | undefined>,
    idempotent: boolean,
    signal?: AbortSignal,
  ): Promise<T> {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(args)) if (value !== undefined) form.set(key, String(value));
    const { bucket, limit } = slackMethodBucket(name, args);
    const response = await this.#web.send(
      {
        method: "POST",
        url: urlOf(this.#apiUrl, [`/${name}`]),
        form,
        bucket,
        limit,
        idempotent,
        operation: name,
      },
      signal,
    );
    return response.body as T;
  }

  scim(
    call: {
      method: HttpMethod;
      path: ReadonlyArray<string | { id: string }>;
      query?: Record<string, string | number>;
      json?: unknown;
      bucket: SlackScimBucket;
      idempotent: boolean;
      operation: string;
    },
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    return this.#scim.send(
      {
        method: call.method,
        url: urlOf(this.#scimUrl, call.path, call.query),
        json: call.json,
        headers: call.json === undefined ? undefined : { "content-type": "application/json" },
        bucket: `scim.${call.bucket}`,
        limit: SLACK_SCIM_LIMITS[call.bucket],
        idempotent: call.idempotent,
        operation: `${call.method} ${call.operation}`,
      },
      signal,
    );
  }

  async lookupByEmail(email: string, signal?: AbortSignal): Promise<SlackUser | null> {
    try {
      const reply = await this.method<{ user: SlackUser }>("users.lookupByEmail", { email }, true, signal);
      return reply.user;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  /** A deactivated user is invisible to users.lookupByEmail (`users_not_found`); SCIM still lists them. */
  async findScimUserByEmail(email: string, signal?: AbortSignal): Promise<ScimUser | null> {
    const response = await this.scim(
      {
        method: "GET",
        path: ["/Users"],
        query: { filter: `emails.value eq ${JSON.stringify(email)}`, count: 2 },
        bucket: "listUsers",
        idempotent: true,
        operation: "/Users?filter",
      },
      signal,
    );
    const resources = (response.body as { Resources?: ScimUser[] }).Resources ?? [];
    return resources[0] ?? null;
  }

  /**
   * Every SCIM user of the org, deactivated ones included (`active: false`), `count` a page (at most 1,000:
   * "HTTP requests with count parameter values of 1001 and above will automatically be evaluated as if 1000 were
   * provided … The remainder can be fetched by adjusting the startIndex parameter", api.slack.com/changelog/
   * 2019-06-have-scim-will-paginate). `startIndex` is 1-based (RFC 7644 §3.4.2.4) and advances by the number of
   * resources each page actually held, until `totalResults` is reached. A page that is malformed, or empty before
   * the total is reached, throws: a short list must never pass for the whole org.
   */
  async *listScimUsers(signal?: AbortSignal, count = SCIM_MAX_COUNT): AsyncGenerator<ScimUser> {
    const pageSize = Math.max(1, Math.min(SCIM_MAX_COUNT, Math.trunc(count)));
    let startIndex = 1;
    for (;;) {
      const response = await this.scim(
        {
          method: "GET",
          path: ["/Users"],
          query: { startIndex, count: pageSize },
          bucket: "listUsers",
          idempotent: true,
          operation: "/Users",
        },
        signal,
      );
      const body = response.body as { totalResults?: unknown; Resources?: unknown } | null;
      const total = body?.totalResults;
      const resources = body?.Resources ?? [];
      if (typeof total !== "number" || !Array.isArray(resources)) {
        throw new CordonError(
          { kind: "vendor", vendor: "slack", status: response.status },
          "slack GET /scim/v2/Users: expected a SCIM ListResponse with totalResults and Resources",
        );
      }
      for (const user of resources as ScimUser[]) yield user;
      if (startIndex - 1 + resources.length >= total) return;
      if (resources.length === 0) {
        throw new CordonError(
          { kind: "vendor", vendor: "slack", status: response.status },
          `slack GET /scim/v2/Users: empty page at startIndex ${startIndex} of ${total}; the list is incomplete`,
        );
      }
      startIndex += resources.length;
    }
  }

  async userInfo(id: string, signal?: AbortSignal): Promise<SlackUser | null> {
    try {
      return (await this.method<{ user: SlackUser }>("users.info", { user: id }, true, signal)).user;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  async getScimUser(id: string, signal?: AbortSignal): Promise<ScimUser | null> {
    try {
      const response = await this.scim(
        {
          method: "GET",
          path: ["/Users/", { id }],
          bucket: "readUser",
          idempotent: true,
          operation: "/Users/{id}",
        },
        signal,
      );
      return response.body as ScimUser;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  /**
   * Every user of every workspace of the org, each once: `admin.teams.list` then `users.list` per workspace
   * (`team_id` is required with an org token; docs.slack.dev/reference/methods/users.list). Deactivated users
   * are included with `deleted: true`. A mass containment resolves 1,000 people in a handful of calls instead of
   * 1,000 `users.lookupByEmail` calls at Tier 3.
   */
  async *listAllUsers(signal?: AbortSignal): AsyncGenerator<SlackUser> {
    const seen = new Set<string>();
    for await (const team of this.#pages<{ id: string }>(
      "admin.teams.list",
      "teams",
      { limit: 100 },
      signal,
    )) {
      for await (const user of this.#pages<SlackUser>(
        "users.list",
        "members",
        { team_id: team.id, limit: 1000 },
        signal,
      )) {
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        yield user;
      }
    }
  }

  async *#pages<T>(
    method: string,
    field: string,
    args: Record<string, string | number>,
    signal?: AbortSignal,
  ): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.method<
        Record<string, unknown> & { response_metadata?: { next_cursor?: string } }
      >(method, { ...args, cursor }, true, signal);
      for (const item of (page[field] as T[] | undefined) ?? []) yield item;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }

  toAccount(user: SlackUser, connection: string, matchedBy: string): Account {
    return {
      connection,
      vendor: "slack",
      id: user.id,
      email: user.profile?.email ?? "",
      login: user.name,
      displayName: user.real_name ?? user.profile?.real_name,
      status: user.deleted ? "deactivated" : "active",
      protectedReasons: protectedReasonsOf(user),
      matchedBy,
    };
  }
}

/**
 * Slack refuses to deactivate owners and primary owners, and to reset a bot's or the primary owner's sessions
 * (admin.users.session.reset errors `cannot_reset_bot`, `cannot_reset_primary_owner`): cordon says so up front.
 * Admins are protected by cordon's policy (DESIGN.md "Safety"), and can be forced with a reason.
 */
export function protectedReasonsOf(user: SlackUser): string[] {
  const reasons: string[] = [];
  if (user.is_primary_owner) reasons.push("primary_owner");
  else if (user.is_owner) reasons.push("owner");
  else if (user.is_admin) reasons.push("admin");
  if (user.is_bot) reasons.push("bot");
  return reasons;
}
