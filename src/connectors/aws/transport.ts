import { CordonError } from "../../core/errors.ts";
import { HttpClient, type HttpClientOptions, type HttpMethod } from "../../http/client.ts";
import { IAM_BUCKETS } from "./rate-limits.ts";

/** The parts of the AWS SDK's `HttpRequest` (@smithy/types) this handler reads. */
export interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What the SDK's deserializers accept as a response (`HttpResponse.isInstance`: a numeric status and headers). */
export interface SdkHttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * IAM operations a repeated call cannot harm, so cordon may retry them after a 5xx or a dropped connection:
 * reads, setting a key's status, putting the same policy document, setting the reset flag, and deleting cordon's
 * own policy (a repeat finds it gone, which the caller checks). CreateLoginProfile and anything else are not.
 */
export const IDEMPOTENT_OPERATIONS: ReadonlySet<string> = new Set([
  "GetUser",
  "ListUsers",
  "ListUserTags",
  "GetAccountAuthorizationDetails",
  "ListAccessKeys",
  "GetAccessKeyLastUsed",
  "GetLoginProfile",
  "ListUserPolicies",
  "GetUserPolicy",
  "UpdateAccessKey",
  "PutUserPolicy",
  "UpdateLoginProfile",
  "DeleteUserPolicy",
]);

/**
 * The signed body exactly as the SDK produced it. SigV4 signs the payload hash, and `URLSearchParams.toString()`
 * re-encodes differently from the SDK's awsQuery serializer (`+` for spaces, `*` unescaped), so the HTTP layer must
 * send these bytes, not a re-serialisation.
 */
class SignedForm extends URLSearchParams {
  readonly #raw: string;

  constructor(raw: string) {
    super(raw);
    this.#raw = raw;
  }

  override toString(): string {
    return this.#raw;
  }
}

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

/** What every request of one connection shares: the governor, retry budget, clock, deadline, fetch, onAttempt. */
export type IamTransportOptions = Omit<HttpClientOptions, "authorization">;

/**
 * The IAMClient's `requestHandler`: every request the SDK has built and signed (SigV4, credential chain, endpoint
 * rules) leaves through cordon's `HttpClient.send`, so the rate governor, the retry budget, deadlines and IAM's
 * error classification apply; the SDK runs with `maxAttempts: 1` so retries are cordon's alone.
 *
 * `HttpClient` sets `Authorization` from its `authorization()` option on every attempt. Each SDK request carries
 * its own signature, so each gets a light `HttpClient` whose `authorization()` returns that signature; they share
 * one governor and one retry budget (the state that matters), passed in `shared`. Retries re-send the same signed
 * request: SigV4 signatures stay valid for 15 minutes, longer than cordon's whole-call deadline.
 */
export class CordonIamRequestHandler {
  readonly metadata = { handlerProtocol: "http/1.1" };
  readonly #shared: IamTransportOptions;

  constructor(shared: IamTransportOptions) {
    this.#shared = shared;
  }

  async handle(
    request: SdkHttpRequest,
    options?: { abortSignal?: unknown },
  ): Promise<{ response: SdkHttpResponse }> {
    const body =
      typeof request.body === "string"
        ? request.body
        : request.body instanceof Uint8Array
          ? new TextDecoder().decode(request.body)
          : "";
    const operation = new URLSearchParams(body).get("Action") ?? "UnknownOperation";
    let authorization = "";
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (lower === "authorization") authorization = value;
      // fetch sets Host and Content-Length itself, to the same values the SDK signed.
      else if (lower !== "host" && lower !== "content-length") headers[lower] = value;
    }
    // cordon's HTTP layer asks for JSON by default; IAM answers XML and the SDK parses XML.
    headers.accept = "text/xml";
    // HttpClient sends a form as exactly `application/x-www-form-urlencoded`, the value the SDK's awsQuery
    // protocol signs; should the SDK ever sign another one, say so instead of failing with SignatureDoesNotMatch.
    if (body !== "" && headers["content-type"] !== FORM_CONTENT_TYPE)
      throw new CordonError(
        { kind: "internal" },
        `aws ${operation}: the AWS SDK signed content-type ${headers["content-type"] ?? "(none)"}, which cordon's HTTP layer would change`,
      );

    const port = request.port ? `:${request.port}` : "";
    const url = new URL(`${request.protocol}//${request.hostname}${port}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value ?? ""]) url.searchParams.append(name, item);
    }
    const signal = options?.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
    const http = new HttpClient({ ...this.#shared, authorization: () => authorization });
    const response = await http.send(
      {
        method: request.method.toUpperCase() as HttpMethod,
        url,
        headers,
        form: body === "" ? undefined : new SignedForm(body),
        bucket: "iam",
        limit: IAM_BUCKETS.iam,
        idempotent: IDEMPOTENT_OPERATIONS.has(operation),
        operation,
      },
      signal,
    );
    const text = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
    return {
      response: {
        statusCode: response.status,
        headers: Object.fromEntries(response.headers),
        body: new TextEncoder().encode(text),
      },
    };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}
