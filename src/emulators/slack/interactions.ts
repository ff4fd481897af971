import type { Hono } from "hono";
import { z } from "zod";
import { signSlackRequest } from "../../server/verify/slack.ts";
import { CONTROL_PREFIX } from "../kit/control.ts";
import { messageObject } from "./render.ts";
import type { SlackMessage, SlackResponsePost, SlackState } from "./state.ts";

/** The deprecated verification token Slack still puts in payloads ("token"); fixed and fake here. */
export const EMULATOR_VERIFICATION_TOKEN = "cordonEmulatorVerificationToken";
/** The app id every interaction claims to come from. */
export const EMULATOR_APP_ID = "A0CORDONAPP1";

/** Slack shows the user an error when the app does not acknowledge within 3 seconds (interactivity/handling). */
const ACK_TIMEOUT_MS = 3000;
/** "You can use response_url up to five times within thirty minutes" (interactivity/handling). */
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

const Interaction = z.strictObject({
  /** The app's Request URL (Interactivity & Shortcuts settings). */
  requestUrl: z.url(),
  /** The app's signing secret: Slack gives each app its own, so each call names it. */
  signingSecret: z.string().min(1),
  userId: z.string().min(1),
  /** Channel id or name. */
  channel: z.string().min(1),
  messageTs: z.string().min(1),
  actionId: z.string().min(1),
  /** Optional: the button's own value is sent; when given it must equal it (Slack sends only what the message holds). */
  value: z.string().optional(),
});

interface Button {
  blockId: string;
  element: Record<string, unknown>;
}

/** The button with `actionId` in an `actions` block or as a section's accessory. */
function findButton(message: SlackMessage, actionId: string): Button | undefined {
  for (const [index, raw] of (message.blocks ?? []).entries()) {
    const block = raw as { block_id?: unknown; elements?: unknown; accessory?: unknown };
    // Slack gives every block a block_id when the app omits one; a stable stand-in here.
    const blockId = typeof block.block_id === "string" ? block.block_id : `cordon-block-${index}`;
    const candidates = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    for (const candidate of candidates) {
      const element = candidate as Record<string, unknown> | undefined;
      if (element?.type === "button" && element.action_id === actionId) return { blockId, element };
    }
  }
  return undefined;
}

/**
 * Emulator-only: `POST /__cordon/slack/interactions` plays a person clicking a button. Body
 * `{ requestUrl, signingSecret, userId, channel, messageTs, actionId, value? }`. The message must exist with a
 * button of that `action_id`. The emulator builds a `block_actions` payload
 * (https://api.slack.com/reference/interaction-payloads/block-actions) and POSTs it the way Slack does
 * (https://api.slack.com/interactivity/handling): `application/x-www-form-urlencoded` with one `payload` field of
 * JSON, signed with `X-Slack-Signature`/`X-Slack-Request-Timestamp` under `signingSecret`. Answers 200
 * `{ status, body }` with the app's reply (body as text), or 502 when the app could not be reached in 3 s.
 *
 * The payload's `response_url` points back at this emulator (`POST /actions/<team>/<id>/<secret>`, the path shape of
 * hooks.slack.com): `replace_original` edits the message, `delete_original` deletes it, `response_type:
 * "in_channel"` posts a new message, anything else is an ephemeral reply (recorded only). Every POST is kept in
 * `state.responsePosts`.
 */
export function mountSlackInteractions(app: Hono, state: SlackState, fetchImpl: FetchLike): void {
  app.post(`${CONTROL_PREFIX}/slack/interactions`, async (c) => {
    const parsed = Interaction.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "invalid interaction", issues: parsed.error.issues }, 400);
    const request = parsed.data;
    const user = state.getUser(request.userId);
    if (!user) return c.json({ error: "user_not_found" }, 404);
    const channel = state.findChannel(request.channel);
    if (!channel) return c.json({ error: "channel_not_found" }, 404);
    const message = state.findMessage(channel.id, request.messageTs);
    if (!message) return c.json({ error: "message_not_found" }, 404);
    const button = findButton(message, request.actionId);
    if (!button) return c.json({ error: "action_not_found" }, 404);
    const buttonValue = typeof button.element.value === "string" ? button.element.value : undefined;
    if (request.value !== undefined && request.value !== buttonValue)
      return c.json(
        { error: "value_mismatch", detail: "the message's button carries a different value" },
        409,
      );

    const team = state.workspaces.find((w) => w.id === user.teams[0]) ?? state.workspaces[0]!;
    const key = `${team.id}/${state.randomToken()}/${state.randomToken()}`;
    state.responseUrls.set(key, {
      key,
      channel: channel.id,
      messageTs: message.ts,
      userId: user.id,
      createdMs: state.now(),
      uses: 0,
    });
    const origin = new URL(c.req.url).origin;
    const payload = {
      type: "block_actions",
      user: { id: user.id, username: user.name, name: user.name, team_id: team.id },
      api_app_id: EMULATOR_APP_ID,
      token: EMULATOR_VERIFICATION_TOKEN,
      container: {
        type: "message",
        message_ts: message.ts,
        channel_id: channel.id,
        is_ephemeral: false,
      },
      trigger_id: `${Math.floor(state.now() / 1000)}.${team.id.slice(1)}.${state.randomToken()}`,
      team: { id: team.id, domain: team.domain },
      enterprise: { id: state.enterprise.id, name: state.enterprise.name },
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.name },
      message: messageObject(state, message),
      state: { values: {} },
      response_url: `${origin}/actions/${key}`,
      actions: [
        {
          action_id: request.actionId,
          block_id: button.blockId,
          ...(button.element.text ? { text: button.element.text } : {}),
          ...(buttonValue !== undefined ? { value: buttonValue } : {}),
          ...(typeof button.element.style === "string" ? { style: button.element.style } : {}),
          type: "button",
          action_ts: state.nextTs(),
        },
      ],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const signed = signSlackRequest(body, request.signingSecret, state.now() / 1000);
    try {
      const reply = await fetchImpl(request.requestUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
          ...signed,
        },
        body,
        signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
      });
      return c.json({ status: reply.status, body: await reply.text() });
    } catch (error) {
      const timedOut = (error as { name?: string }).name === "TimeoutError";
      return c.json({ error: timedOut ? "request_url_timeout" : "request_url_unreachable" }, 502);
    }
  });

  /**
   * The response_url. Slack's exact replies are not documented beyond success; `{"ok":true}` on success and 404
   * `expired_url`/`used_url` past the limits are this emulator's choice.
   */
  app.post("/actions/:team/:id/:secret", async (c) => {
    const key = `${c.req.param("team")}/${c.req.param("id")}/${c.req.param("secret")}`;
    const url = state.responseUrls.get(key);
    if (!url) return c.text("invalid_url", 404);
    if (state.now() - url.createdMs > RESPONSE_URL_TTL_MS) return c.text("expired_url", 404);
    if (url.uses >= RESPONSE_URL_USES) return c.text("used_url", 404);
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== "object" || Array.isArray(body)) return c.text("invalid_payload", 400);
    url.uses += 1;
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    let effect: SlackResponsePost["effect"];
    const original = state.findMessage(url.channel, url.messageTs);
    if (body.delete_original === true || body.delete_original === "true") {
      state.deleteMessage(url.channel, url.messageTs);
      effect = "deleted";
    } else if ((body.replace_original === true || body.replace_original === "true") && original) {
      state.update(original, { text, blocks: blocks ?? null }, original.user);
      effect = "replaced";
    } else if (body.response_type === "in_channel") {
      state.post({ channel: url.channel, user: original?.user ?? state.tokenOwnerId, text, blocks });
      effect = "posted";
    } else {
      effect = "ephemeral";
    }
    state.responsePosts.push({ key, atMs: state.now(), body, effect });
    return c.json({ ok: true });
  });
}
