import type { Account } from "../../core/account.ts";
import { CordonError, isKind } from "../../core/errors.ts";
import type { HttpClient, HttpMethod, HttpResponse } from "../../http/client.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { urlOf } from "../shared/paths.ts";
import { GoogleTokenSource, isSafeEndpoint } from "./credentials.ts";
import { GOOGLE_SCOPES, googlePolicy } from "./errors.ts";
import { GOOGLE_BUCKETS, GOOGLE_MAX_CONCURRENT } from "./rate-limits.ts";

/** The fields of the Directory `User` resource cordon reads (Discovery schema `User`). */
export interface GoogleUser {
  id: string;
  primaryEmail: string;
  aliases?: string[];
  nonEditableAliases?: string[];
  name?: { fullName?: string; givenName?: string; familyName?: string };
  isAdmin?: boolean;
  isDelegatedAdmin?: boolean;
  suspended?: boolean;
  suspensionReason?: string;
  changePasswordAtNextLogin?: boolean;
  archived?: boolean;
}

/** Discovery schema `Token`: an OAuth grant of one client (no token value: Google never returns one). */
export interface GoogleOAuthGrant {
  clientId: string;
  displayText?: string;
  scopes?: string[];
  anonymous?: boolean;
  nativeApp?: boolean;
}

/** Discovery schema `Asp` (the password itself is never returned). */
export interface GoogleAsp {
  codeId: number;
  name?: string;
  creationTime?: string;
  lastTimeUsed?: string;
}

export interface GoogleClientConfig {
  connection: string;
  /**
   * The service-account JSON key: a path (`GOOGLE_APPLICATION_CREDENTIALS`) or the JSON text itself (what a
   * cordon.yaml secret reference resolves to). Exactly one.
   */
  credentialsPath?: string;
  credentialsJson?: string;
  /** The admin the service account impersonates (domain-wide delegation `sub`). */
  adminSubject: string;
  /** Root URL of the Admin SDK; default `https://admin.googleapis.com`. */
  directoryUrl?: string;
}

export const GOOGLE_DEFAULT_DIRECTORY_URL = "https://admin.googleapis.com";
const BASE = "/admin/directory/v1";

type Segments = ReadonlyArray<string | { id: string }>;

export interface GoogleCall {
  method: HttpMethod;
  /** Path segments under `/admin/directory/v1`. */
  path: Segments;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  idempotent: boolean;
  /** The path as a template for messages: `/users/{userKey}/signOut`. */
  operation: string;
}

/** A thin typed client over the shared HTTP layer: token, bucket, Google's page tokens. */
export class GoogleClient {
  readonly adminSubject: string;
  readonly #http: HttpClient;
  readonly #tokens: GoogleTokenSource;
  readonly #root: string;

  constructor(config: GoogleClientConfig, deps: ConnectorDeps) {
    this.adminSubject = config.adminSubject;
    this.#root = (config.directoryUrl ?? GOOGLE_DEFAULT_DIRECTORY_URL).replace(/\/+$/, "");
    let root: URL;
    try {
      root = new URL(this.#root);
    } catch {
      throw new CordonError({ kind: "config", path: "directoryUrl" }, "google: directoryUrl is not a URL");
    }
    if (!isSafeEndpoint(root))
      throw new CordonError(
        { kind: "config", path: "directoryUrl" },
        "google: directoryUrl must be https (or http to this machine, for an emulator)",
      );
    this.#tokens = new GoogleTokenSource({
      credentialsPath: config.credentialsPath,
      credentialsJson: config.credentialsJson,
      subject: config.adminSubject,
      scopes: [GOOGLE_SCOPES.user, GOOGLE_SCOPES.userSecurity],
      fetch: deps.fetch,
    });
    this.#http = connectionHttpClient(deps, {
      policy: googlePolicy,
      connection: config.connection,
      authorization: () => this.#tokens.authorization(),
      maxConcurrent: GOOGLE_MAX_CONCURRENT,
    });
  }

  async call(call: GoogleCall, signal?: AbortSignal): Promise<HttpResponse> {
    try {
      return await this.#http.send(
        {
          method: call.method,
          url: urlOf(this.#root, [BASE, ...call.path], call.query),
          json: call.json,
          bucket: "directory",
          limit: GOOGLE_BUCKETS.directory,
          idempotent: call.idempotent,
          operation: `${call.method} ${BASE}${call.operation}`,
        },
        signal,
      );
    } catch (error) {
      // A refused access token (expired early, revoked): the next call asks for a new one.
      if (isKind(error, "auth")) this.#tokens.invalidate();
      throw error;
    }
  }

  /** `users.get`: by primary email, alias or id; null when Google says 404. */
  async getUser(userKey: string, signal?: AbortSignal): Promise<GoogleUser | null> {
    try {
      const response = await this.call(
        {
          method: "GET",
          path: ["/users/", { id: userKey }],
          idempotent: true,
          operation: "/users/{userKey}",
        },
        signal,
      );
      return response.body as GoogleUser;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  async requireUser(userKey: string, signal?: AbortSignal): Promise<GoogleUser> {
    const user = await this.getUser(userKey, signal);
    if (!user)
      throw new CordonError(
        { kind: "not_found", vendor: "google", what: "user" },
        `google: user ${userKey} not found`,
      );
    return user;
  }

  /**
   * Every user of the customer matching `query`, following `nextPageToken` until there is none
   * (Discovery `directory.users.list`; `maxResults` at most 500). An empty result has no `users` member.
   */
  async *listUsers(query: string | undefined, signal?: AbortSignal): AsyncGenerator<GoogleUser> {
    let pageToken: string | undefined;
    do {
      const response = await this.call(
        {
          method: "GET",
          path: ["/users"],
          query: { customer: "my_customer", maxResults: 500, query, pageToken },
          idempotent: true,
          operation: "/users",
        },
        signal,
      );
      const page = response.body as { users?: GoogleUser[]; nextPageToken?: string };
      for (const user of page.users ?? []) yield user;
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
  }

  /** `users.update` (PUT, patch semantics per the Discovery doc, which prefers it to `users.patch`). */
  async updateUser(userId: string, changes: Partial<GoogleUser>, signal?: AbortSignal): Promise<GoogleUser> {
    const response = await this.call(
      {
        method: "PUT",
        path: ["/users/", { id: userId }],
        json: changes,
        // Setting a flag to a value is the same however often it is done.
        idempotent: true,
        operation: "/users/{userKey}",
      },
      signal,
    );
    return response.body as GoogleUser;
  }

  /** `users.tokens.list`: not paginated (schema `Tokens` has no nextPageToken); no `items` when empty. */
  async listOAuthGrants(userId: string, signal?: AbortSignal): Promise<GoogleOAuthGrant[]> {
    const response = await this.call(
      {
        method: "GET",
        path: ["/users/", { id: userId }, "/tokens"],
        idempotent: true,
        operation: "/users/{userKey}/tokens",
      },
      signal,
    );
    return (response.body as { items?: GoogleOAuthGrant[] }).items ?? [];
  }

  /** `users.tokens.delete`; a client that holds no token any more is "absent" (404). */
  async deleteOAuthGrant(
    userId: string,
    clientId: string,
    signal?: AbortSignal,
  ): Promise<"revoked" | "absent"> {
    try {
      await this.call(
        {
          method: "DELETE",
          path: ["/users/", { id: userId }, "/tokens/", { id: clientId }],
          idempotent: true,
          operation: "/users/{userKey}/tokens/{clientId}",
        },
        signal,
      );
      return "revoked";
    } catch (error) {
      if (isKind(error, "not_found")) return "absent";
      throw error;
    }
  }

  /** `users.asps.list`: not paginated; no `items` when empty. */
  async listAsps(userId: string, signal?: AbortSignal): Promise<GoogleAsp[]> {
    const response = await this.call(
      {
        method: "GET",
        path: ["/users/", { id: userId }, "/asps"],
        idempotent: true,
        operation: "/users/{userKey}/asps",
      },
      signal,
    );
    return (response.body as { items?: GoogleAsp[] }).items ?? [];
  }

  async deleteAsp(userId: string, codeId: number, signal?: AbortSignal): Promise<"deleted" | "absent"> {
    try {
      await this.call(
        {
          method: "DELETE",
          path: ["/users/", { id: userId }, "/asps/", { id: String(codeId) }],
          idempotent: true,
          operation: "/users/{userKey}/asps/{codeId}",
        },
        signal,
      );
      return "deleted";
    } catch (error) {
      if (isKind(error, "not_found")) return "absent";
      throw error;
    }
  }

  toAccount(user: GoogleUser, connection: string, matchedBy: string): Account {
    return {
      connection,
      vendor: "google",
      id: user.id,
      email: user.primaryEmail,
      login: user.primaryEmail,
      displayName: user.name?.fullName || undefined,
      status: user.suspended ? "suspended" : "active",
      // Super admins and delegated admins hold admin rights: cordon's policy protects both.
      protectedReasons: user.isAdmin || user.isDelegatedAdmin ? ["admin"] : [],
      matchedBy,
    };
  }
}
