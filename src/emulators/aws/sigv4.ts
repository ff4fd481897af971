import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * AWS Signature Version 4, both directions, written from the AWS documentation
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html, "Create a signed
 * AWS API request"): canonical request → string to sign → HMAC chain of date, region, service and
 * `aws4_request` → hex signature. The emulator verifies with it; tests sign raw requests with it (checked against
 * the worked IAM `ListUsers` example of that page and against the AWS SDK's own signer).
 */

export const ALGORITHM = "AWS4-HMAC-SHA256";
/** "a signed request must reach AWS within 15 minutes of the time stamp in the request" (CommonErrors: RequestExpired). */
export const MAX_SKEW_MS = 15 * 60_000;

export interface SignableRequest {
  method: string;
  url: URL;
  /** Header names in any case; the value sent on the wire. */
  headers: Headers;
  /** The exact payload bytes (as text: IAM's bodies are form-encoded ASCII). */
  body: string;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  date: string;
  region: string;
  service: string;
  terminal: string;
  signedHeaders: string[];
  signature: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-._~` percent-encoded, upper-case hex. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The canonical URI of a non-S3 service: the path normalised (no empty, `.` or `..` segments) and URI-encoded
 * once more, slashes kept, as the SDKs compute it.
 */
export function canonicalUri(pathname: string): string {
  const segments: string[] = [];
  for (const segment of pathname.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalised = `/${segments.join("/")}${segments.length > 0 && pathname.endsWith("/") ? "/" : ""}`;
  return encodeURIComponent(normalised).replace(/%2F/g, "/");
}

/** Query parameters decoded, re-encoded strictly, sorted by name then value. */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith("?") ? search.slice(1) : search;
  if (raw === "") return "";
  const pairs = raw
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? "" : part.slice(eq + 1);
      return [uriEncode(safeDecode(name)), uriEncode(safeDecode(value))] as const;
    })
    .filter(([name]) => name.toLowerCase() !== "x-amz-signature");
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** `name:value\n` per signed header, values trimmed and inner runs of spaces collapsed. */
function canonicalHeaders(headers: Headers, signed: string[]): string {
  return signed.map((name) => `${name}:${(headers.get(name) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
}

export function canonicalRequest(
  request: SignableRequest,
  signedHeaders: string[],
  payloadHash: string,
): string {
  return [
    request.method.toUpperCase(),
    canonicalUri(request.url.pathname),
    canonicalQuery(request.url.search),
    canonicalHeaders(request.headers, signedHeaders),
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

export function signature(key: Buffer, toSign: string): string {
  return createHmac("sha256", key).update(toSign, "utf8").digest("hex");
}

/** `20150830T123600Z` ↔ epoch ms. */
export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export function parseAmzDate(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=a;b,
 * Signature=hex`. Returns the list of what is missing when it is incomplete (IAM's IncompleteSignature message
 * names each missing part).
 */
export function parseAuthorization(header: string): ParsedAuthorization | { missing: string[] } {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) return { missing: ["algorithm AWS4-HMAC-SHA256"] };
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "Signature", "SignedHeaders"].filter((name) => !fields.get(name));
  if (missing.length > 0) return { missing };
  const credential = (fields.get("Credential") ?? "").split("/");
  if (credential.length !== 5 || credential.some((p) => p === ""))
    return { missing: ["a well-formed Credential"] };
  const [accessKeyId, date, region, service, terminal] = credential as [
    string,
    string,
    string,
    string,
    string,
  ];
  const signedHeaders = (fields.get("SignedHeaders") ?? "").split(";").map((h) => h.trim().toLowerCase());
  return {
    accessKeyId,
    date,
    region,
    service,
    terminal,
    signedHeaders,
    signature: (fields.get("Signature") ?? "").toLowerCase(),
  };
}

export interface VerifyInput {
  request: SignableRequest;
  auth: ParsedAuthorization;
  secretAccessKey: string;
}

/** Recomputes the signature and compares in constant time. */
export function signatureMatches({ request, auth, secretAccessKey }: VerifyInput): boolean {
  const amzDate = request.headers.get("x-amz-date") ?? "";
  const canonical = canonicalRequest(request, auth.signedHeaders, sha256Hex(request.body));
  const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminal}`;
  const expected = signature(
    signingKey(secretAccessKey, auth.date, auth.region, auth.service),
    stringToSign(amzDate, scope, canonical),
  );
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(auth.signature, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Signs a request in place (sets `x-amz-date`, `x-amz-security-token` when given, and `authorization`), signing
 * `host`, `x-amz-*` and `content-type`. Used by tests to send raw requests; cordon itself signs with the AWS SDK.
 */
export function signRequest(
  request: SignableRequest,
  credentials: SigningCredentials,
  options: { region?: string; service?: string; now?: number } = {},
): void {
  const region = options.region ?? "us-east-1";
  const service = options.service ?? "iam";
  const amzDate = formatAmzDate(options.now ?? Date.now());
  const date = amzDate.slice(0, 8);
  request.headers.set("x-amz-date", amzDate);
  if (credentials.sessionToken) request.headers.set("x-amz-security-token", credentials.sessionToken);
  if (!request.headers.has("host")) request.headers.set("host", request.url.host);
  const signed = [...request.headers.keys()]
    .map((name) => name.toLowerCase())
    .filter((name) => name === "host" || name === "content-type" || name.startsWith("x-amz-"))
    .sort();
  const scope = `${date}/${region}/${service}/aws4_request`;
  const canonical = canonicalRequest(request, signed, sha256Hex(request.body));
  const sig = signature(
    signingKey(credentials.secretAccessKey, date, region, service),
    stringToSign(amzDate, scope, canonical),
  );
  request.headers.set(
    "authorization",
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${sig}`,
  );
}
