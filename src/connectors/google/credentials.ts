import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { JWT } from "google-auth-library";
import { CordonError } from "../../core/errors.ts";
import type { FetchFunction } from "../../http/client.ts";

/** Where Google's token endpoint is, and what google-auth-library 11 posts to whatever the key file says. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/** The members of a service-account JSON key file cordon reads (the file Cloud console downloads). */
export interface ServiceAccountKey {
  type?: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  client_id?: string;
  project_id?: string;
  token_uri?: string;
}

function configError(what: string, message: string): CordonError {
  return new CordonError({ kind: "config", path: what }, message);
}

/**
 * True for https, or plain http to this machine (an emulator): an access token or a signed assertion never
 * crosses a network in the clear.
 */
export function isSafeEndpoint(url: URL): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/**
 * Parses and checks a service-account key. Messages name the source and the member, never any content: a JSON
 * parse error would quote the file, private key included, so it is not passed on.
 */
export function parseServiceAccountKey(text: string, source: string): ServiceAccountKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw configError(source, `${source}: not a JSON service-account key file`);
  }
  const key = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (key.type !== undefined && key.type !== "service_account") {
    throw configError(
      source,
      `${source}: a "${String(key.type).slice(0, 40)}" credential; domain-wide delegation needs a service-account key`,
    );
  }
  for (const member of ["client_email", "private_key"] as const) {
    if (typeof key[member] !== "string" || key[member] === "")
      throw configError(source, `${source}: the key file has no ${member}`);
  }
  try {
    createPrivateKey(key.private_key as string);
  } catch {
    throw configError(source, `${source}: private_key is not a PEM private key`);
  }
  if (key.token_uri !== undefined) {
    let tokenUri: URL;
    try {
      tokenUri = new URL(String(key.token_uri));
    } catch {
      throw configError(source, `${source}: token_uri is not a URL`);
    }
    if (!isSafeEndpoint(tokenUri))
      throw configError(
        source,
        `${source}: token_uri must be https (or http to this machine, for an emulator)`,
      );
  }
  return key as unknown as ServiceAccountKey;
}

export interface TokenSourceOptions {
  /** Path of the key file, read on first use. */
  credentialsPath?: string;
  /** Or the key file's JSON text (what a `file:`/`env:` secret reference resolves to). */
  credentialsJson?: string;
  /** The admin to impersonate (JWT `sub`). */
  subject: string;
  scopes: readonly string[];
  /** cordon's transport; the token request goes through it too. */
  fetch?: FetchFunction;
  /** One token request may take this long. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Access tokens for a service account with domain-wide delegation, from google-auth-library's `JWT` client
 * (service account + `subject`), cached until shortly before they expire (the library refreshes five minutes
 * early). The library is used only to sign the assertion, post it, and cache the answer:
 * - its requests go through cordon's `fetch`, with the library's own retries off (cordon's HTTP layer retries the
 *   Directory call, and fetches a token again with it);
 * - it posts to https://oauth2.googleapis.com/token whatever the key file's `token_uri` says (gtoken/getToken.js
 *   hard-codes the URL), so cordon sends that request to `token_uri` instead: the same URL for every key Google
 *   issues, and an emulator's URL in tests.
 */
export class GoogleTokenSource {
  readonly #options: TokenSourceOptions;
  #key: ServiceAccountKey | undefined;
  #jwt: JWT | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: TokenSourceOptions) {
    if (!options.credentialsPath === !options.credentialsJson)
      throw configError("credentials", "google: give exactly one of credentialsPath or credentialsJson");
    this.#options = options;
  }

  /** The parsed key (read once). */
  key(): ServiceAccountKey {
    if (this.#key) return this.#key;
    const { credentialsPath, credentialsJson } = this.#options;
    let text = credentialsJson ?? "";
    const source = credentialsPath ?? "the google credentials";
    if (credentialsPath) {
      try {
        text = readFileSync(credentialsPath, "utf8");
      } catch {
        throw configError(source, `google: cannot read the service-account key file ${credentialsPath}`);
      }
    }
    this.#key = parseServiceAccountKey(text, source);
    return this.#key;
  }

  /** The `Authorization` header value: a cached token, or a new one. Concurrent callers share one request. */
  async authorization(): Promise<string> {
    this.#pending ??= this.#token().finally(() => {
      this.#pending = undefined;
    });
    return `Bearer ${await this.#pending}`;
  }

  /** Forget the cached token (after a 401), so the next call fetches a new one. */
  invalidate(): void {
    this.#jwt = undefined;
  }

  #client(): JWT {
    if (this.#jwt) return this.#jwt;
    const key = this.key();
    const tokenUri = key.token_uri ?? GOOGLE_TOKEN_URL;
    const transport = this.#options.fetch ?? ((input, init) => fetch(input, init));
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const fetchImplementation = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const target = url === GOOGLE_TOKEN_URL ? tokenUri : url;
      const signal = AbortSignal.any([
        AbortSignal.timeout(timeoutMs),
        ...(init?.signal ? [init.signal] : []),
      ]);
      return transport(target, { ...init, signal });
    };
    this.#jwt = new JWT({
      email: key.client_email,
      key: key.private_key,
      keyId: key.private_key_id,
      subject: this.#options.subject,
      scopes: [...this.#options.scopes],
      transporterOptions: { fetchImplementation, retryConfig: { retry: 0, noResponseRetries: 0 } },
    });
    return this.#jwt;
  }

  async #token(): Promise<string> {
    const client = this.#client();
    try {
      const { token } = await client.getAccessToken();
      if (!token) throw new Error("empty token");
      return token;
    } catch (error) {
      this.invalidate();
      throw tokenError(error, this.#options.scopes, this.key());
    }
  }
}

/**
 * Token endpoint replies → CordonError (RFC 6749 §5.2 `{error, error_description}`). `invalid_grant`: the key,
 * the clock or the subject was refused (auth). `unauthorized_client`/`access_denied`/`invalid_scope`: domain-wide
 * delegation does not grant the scopes to the client id (forbidden, naming them). Google's `error_description`
 * is quoted (it names JWT checks, never the assertion).
 */
function tokenError(error: unknown, scopes: readonly string[], key: ServiceAccountKey): CordonError {
  const where = "google POST /token";
  const gaxios = error as { response?: { status?: number; data?: unknown }; config?: unknown };
  if (!gaxios.response) {
    if (gaxios.config !== undefined)
      return new CordonError(
        { kind: "transient", vendor: "google" },
        `${where}: no answer from the token endpoint`,
        {
          cause: error,
        },
      );
    return new CordonError(
      { kind: "config", path: "credentials" },
      `${where}: could not sign the assertion with the key file's private_key`,
    );
  }
  const status = gaxios.response.status ?? 0;
  const data = (
    typeof gaxios.response.data === "object" && gaxios.response.data ? gaxios.response.data : {}
  ) as {
    error?: unknown;
    error_description?: unknown;
  };
  const code = typeof data.error === "string" ? data.error.slice(0, 60) : undefined;
  const description =
    typeof data.error_description === "string" ? `: ${data.error_description.slice(0, 200)}` : "";
  const detail = code ? ` (${code}${description})` : "";
  if (status === 429)
    return new CordonError(
      { kind: "rate_limited", vendor: "google", retryAfterMs: 1000, vendorCode: code },
      `${where}: rate limited`,
    );
  if (status >= 500)
    return new CordonError(
      { kind: "transient", vendor: "google", status, vendorCode: code },
      `${where}: Google failed with ${status}`,
    );
  if (code === "unauthorized_client" || code === "access_denied" || code === "invalid_scope") {
    const needed = scopes.join(" ");
    return new CordonError(
      { kind: "forbidden", vendor: "google", vendorCode: code, neededScope: needed },
      `${where}: domain-wide delegation does not grant client id ${key.client_id ?? key.client_email} the ` +
        `scopes ${needed}; add them in Admin console > Security > API controls > Domain-wide delegation${detail}`,
    );
  }
  if (status === 400 || status === 401)
    return new CordonError(
      { kind: "auth", vendor: "google", vendorCode: code },
      `${where}: the service account ${key.client_email} or the admin subject was refused${detail}`,
    );
  return new CordonError(
    { kind: "vendor", vendor: "google", status, vendorCode: code },
    `${where}: ${status}${detail}`,
  );
}
