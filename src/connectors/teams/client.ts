import { CordonError } from "../../core/errors.ts";
import type { FetchFunction, HttpClient, HttpResponse } from "../../http/client.ts";
import { type ConnectorDeps, connectionHttpClient } from "../shared/deps.ts";
import { teamsPolicy } from "./errors.ts";
import { TEAMS_WEBHOOK_LIMIT } from "./rate-limits.ts";

export interface TeamsClientConfig {
  connection: string;
  /** The webhook URL (a secret): Workflows or legacy incoming webhook. */
  webhookUrl: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** https only; plain http only on loopback (the emulator). Never echoes the URL. */
function parseWebhookUrl(raw: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The TypeError carries the input; it is not kept as a cause.
    return { problem: "webhookUrl is not a valid URL" };
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname))) return { url };
  return { problem: "webhookUrl must be an https URL" };
}

/**
 * The shared HTTP layer always sets an Authorization header; a webhook URL carries its own credential, and Logic
 * Apps refuse a request that presents a second authorization scheme alongside the SAS signature. The empty header
 * is dropped here, before the request leaves.
 */
function withoutEmptyAuthorization(fetchImpl: FetchFunction | undefined): FetchFunction {
  const send: FetchFunction = fetchImpl ?? ((input, init) => fetch(input, init));
  return (input, init) => {
    const headers = new Headers(init.headers);
    if (headers.get("authorization") === "") headers.delete("authorization");
    return send(input, { ...init, headers });
  };
}

/** Posts messages to one channel's webhook. The URL lives in a private field only. */
export class TeamsClient {
  readonly #http: HttpClient;
  readonly #url: URL | null;
  /** Why the configured URL cannot be used, if it cannot (said without the URL). */
  readonly problem: string | null;

  constructor(config: TeamsClientConfig, deps: ConnectorDeps) {
    const parsed = parseWebhookUrl(config.webhookUrl);
    this.#url = "url" in parsed ? parsed.url : null;
    this.problem = "problem" in parsed ? parsed.problem : null;
    this.#http = connectionHttpClient(
      { ...deps, fetch: withoutEmptyAuthorization(deps.fetch) },
      { policy: teamsPolicy, connection: config.connection, authorization: () => "" },
    );
  }

  /**
   * One POST of a message. Not idempotent: a 5xx may have posted the card, so it is not retried; a 429 (the
   * message was not taken) is.
   */
  post(message: unknown, signal?: AbortSignal): Promise<HttpResponse> {
    if (!this.#url)
      throw new CordonError(
        { kind: "config", path: "webhookUrl" },
        `teams: ${this.problem ?? "no webhook URL"}`,
      );
    return this.#http.send(
      {
        method: "POST",
        url: new URL(this.#url),
        json: message,
        bucket: "webhook",
        limit: TEAMS_WEBHOOK_LIMIT,
        idempotent: false,
        operation: "POST webhook",
      },
      signal,
    );
  }
}
