/**
 * IAM's awsQuery replies (contracts.md §3.7; model trait `smithy.api#xmlNamespace`):
 * `<XResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><XResult>…</XResult><ResponseMetadata>
 * <RequestId>…</RequestId></ResponseMetadata></XResponse>`; lists are `<Name><member>…</member></Name>`;
 * operations with a `smithy.api#Unit` output have no `<XResult>`.
 */

export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

/** Escapes text content (the emulator writes no attribute values from data, so quotes stay as they are). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `<name>value</name>`, or nothing when the value is absent (optional members are omitted, not empty). */
export function field(name: string, value: string | number | boolean | null | undefined): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An element around already-rendered XML. */
export function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** A list member: `<name><member>…</member>…</name>`; items are already-rendered XML. */
export function members(name: string, items: string[]): string {
  return `<${name}>${items.map((item) => `<member>${item}</member>`).join("")}</${name}>`;
}

/** IAM timestamps: ISO 8601 in UTC without milliseconds (`2024-01-01T00:00:00Z`). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function xmlResponse(
  body: string,
  status: number,
  requestId: string,
  extra?: Record<string, string>,
): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId, ...extra },
  });
}

/** A successful reply; `result` undefined for operations whose output is `smithy.api#Unit`. */
export function renderSuccess(action: string, requestId: string, result?: string): Response {
  const inner = result === undefined ? "" : element(`${action}Result`, result);
  return xmlResponse(
    `<${action}Response xmlns="${IAM_NAMESPACE}">${inner}` +
      `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`,
    200,
    requestId,
  );
}
