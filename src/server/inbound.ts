/**
 * Parsers of what arrives from outside, after its signature was checked: a generic webhook body, a manual run's
 * request, a Slack block_actions click. Each refuses what it does not understand with a clear reason and never
 * echoes the input back.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { CordonError } from "../core/errors.ts";
import type { CordonEvent } from "../core/event.ts";
import { APPROVE_ACTION_ID, parseApprovalButtonValue, REJECT_ACTION_ID } from "../playbooks/approval.ts";

/** A webhook body → event: a JSON object with a string type; the id (or the body's hash) is the dedupe key. */
export function genericEvent(
  name: string,
  text: string,
  hook: { typeField: string; idField: string; subjectField: string },
  clock: Clock,
): CordonEvent {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CordonError({ kind: "invalid_input", field: "body" }, "the body is not JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new CordonError({ kind: "invalid_input", field: "body" }, "the body must be a JSON object");
  const fields = body as Record<string, unknown>;
  const type = fields[hook.typeField];
  if (typeof type !== "string" || type === "" || type.length > 200)
    throw new CordonError(
      { kind: "invalid_input", field: hook.typeField },
      `the body needs a string "${hook.typeField}"`,
    );
  const id = fields[hook.idField];
  const eventId =
    (typeof id === "string" && id !== "" && id.length <= 200) || typeof id === "number"
      ? String(id)
      : `sha256-${createHash("sha256").update(text).digest("hex")}`;
  const subject = fields[hook.subjectField];
  return {
    key: `webhook:${name}:${eventId}`,
    source: "webhook",
    type,
    occurredAt: new Date(clock.now()).toISOString(),
    subject: typeof subject === "string" && subject !== "" ? subject : null,
    origin: name,
    data: body,
  };
}

/** A manual run's event: the caller's `subject` and `data`, keyed uniquely (a manual run is never a duplicate). */
export function manualEvent(
  playbook: string,
  body: Record<string, unknown>,
  actor: string,
  clock: Clock,
): CordonEvent {
  return {
    key: `manual:${randomBytes(9).toString("hex")}`,
    source: "manual",
    type: typeof body.type === "string" ? body.type : "manual",
    occurredAt: new Date(clock.now()).toISOString(),
    subject: typeof body.subject === "string" ? body.subject : null,
    origin: playbook,
    data: { ...((body.data as Record<string, unknown> | undefined) ?? {}), actor },
  };
}

/** A block_actions payload → the click on a cordon approval button. */
export function parseBlockAction(
  text: string,
):
  | { id: string; planHash: string; approve: boolean; userId: string; userName: string | null }
  | { reason: string } {
  const payload = new URLSearchParams(text).get("payload");
  if (!payload) return { reason: "missing payload field" };
  let parsed: {
    type?: unknown;
    user?: { id?: unknown; username?: unknown };
    actions?: Array<{ action_id?: unknown; value?: unknown }>;
  };
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { reason: "payload is not JSON" };
  }
  if (parsed?.type !== "block_actions") return { reason: "only block_actions interactions are handled" };
  const action = Array.isArray(parsed.actions) ? parsed.actions[0] : undefined;
  const approve = action?.action_id === APPROVE_ACTION_ID;
  if (!action || (!approve && action.action_id !== REJECT_ACTION_ID))
    return { reason: "not a cordon approval button" };
  const value = typeof action.value === "string" ? parseApprovalButtonValue(action.value) : null;
  if (!value) return { reason: "the button's value is not an approval id and plan hash" };
  const userId = typeof parsed.user?.id === "string" ? parsed.user.id : "";
  if (!/^[UW][A-Z0-9]{2,}$/.test(userId)) return { reason: "the payload names no Slack user" };
  return {
    ...value,
    approve,
    userId,
    userName: typeof parsed.user?.username === "string" ? parsed.user.username.slice(0, 80) : null,
  };
}
