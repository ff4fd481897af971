import { randomUUID } from "node:crypto";

export type WebhookKind = "workflow" | "legacy";

/**
 * Error replies in each webhook kind's own form. Legacy connectors answer plain text
 * ("Bad payload received by generic incoming webhook.", "Summary or Text is required.", and "Microsoft Teams
 * endpoint returned HTTP error <status> with ContextId …" for throttling, per connectors-using). Workflows are Logic
 * Apps request triggers and answer the Logic Apps envelope `{"error":{"code":…,"message":…}}`; the codes below
 * follow Logic Apps' naming, and those for throttling and size are this emulator's choice (unverified).
 */
export function webhookError(
  kind: WebhookKind,
  status: number,
  detail: { code: string; message: string; legacyText?: string },
  headers: Record<string, string> = {},
): Response {
  if (kind === "workflow") {
    return new Response(JSON.stringify({ error: { code: detail.code, message: detail.message } }), {
      status,
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
    });
  }
  const text =
    detail.legacyText ??
    `Microsoft Teams endpoint returned HTTP error ${status} with ContextId tcid=0,server=cordon-emulator,cv=${randomUUID()}`;
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

/** `Retry-After` in whole seconds (at least 1) and the emulator's exact wait, for compressed windows. */
export function retryHeaders(waitMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(waitMs));
  return { "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))), "X-Cordon-Retry-After-Ms": String(ms) };
}

export function kindOfPath(path: string): WebhookKind {
  return path.startsWith("/webhookb2/") ? "legacy" : "workflow";
}
