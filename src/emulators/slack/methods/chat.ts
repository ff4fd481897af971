import { messageObject } from "../render.ts";
import type { SlackMessage } from "../state.ts";
import { bool, decodeCursor, encodeCursor, fail, int, type MethodHandler, missing, str } from "./common.ts";

/** "Slack will truncate messages containing more than 40,000 characters" (chat.postMessage, "Truncating content"). */
export const MAX_TEXT = 40_000;
/** Block Kit allows up to 50 blocks in a message. */
export const MAX_BLOCKS = 50;

/**
 * chat.postMessage (https://docs.slack.dev/reference/methods/chat.postMessage). `channel` is an id or a name.
 * One of `text`, `blocks` or `attachments` is required (`no_text`). `blocks` is a JSON array, sent as a string in
 * form bodies: not JSON or not an array gives `invalid_blocks_format`, an array whose items are not blocks (an
 * object with a string `type`) or more than 50 gives `invalid_blocks`. Text beyond 40,000 characters is truncated,
 * as documented, rather than refused. Messages are posted as the token's owner.
 */
export const chatPostMessage: MethodHandler = ({ state, args, caller }) => {
  const channelArg = str(args, "channel");
  if (!channelArg) return fail("channel_not_found");
  const channel = state.findChannel(channelArg);
  if (!channel) return fail("channel_not_found");
  const parsedBlocks = parseBlocks(args.blocks);
  if (parsedBlocks.error) return fail(parsedBlocks.error);
  const blocks = parsedBlocks.blocks?.length ? parsedBlocks.blocks : undefined;
  const text = str(args, "text") ?? "";
  const hasAttachments =
    args.attachments !== undefined && args.attachments !== "" && args.attachments !== "[]";
  if (!text && !blocks && !hasAttachments) return fail("no_text");
  const threadTs = str(args, "thread_ts");
  const message = state.post({
    channel: channel.id,
    user: caller.id,
    text: text.slice(0, MAX_TEXT),
    ...(blocks ? { blocks } : {}),
    ...(threadTs ? { threadTs, broadcast: bool(args, "reply_broadcast") } : {}),
  });
  return { ok: true, channel: channel.id, ts: message.ts, message: messageObject(state, message) };
};

/**
 * `blocks` as sent (a JSON string in form bodies, an array in JSON bodies): absent, a valid array, or Slack's
 * error code. Not JSON or not an array: `invalid_blocks_format`; items that are not blocks (an object with a
 * string `type`) or more than 50: `invalid_blocks`.
 */
function parseBlocks(raw: unknown): { blocks?: unknown[]; error?: string } {
  if (raw === undefined || raw === "") return {};
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { error: "invalid_blocks_format" };
    }
  }
  if (!Array.isArray(parsed)) return { error: "invalid_blocks_format" };
  const valid = parsed.every(
    (b) => b !== null && typeof b === "object" && typeof (b as { type?: unknown }).type === "string",
  );
  if (!valid || parsed.length > MAX_BLOCKS) return { error: "invalid_blocks" };
  return { blocks: parsed };
}

/**
 * chat.update (https://docs.slack.dev/reference/methods/chat.update), Tier 3. `channel` must be the channel's id
 * (not its name) and `ts` the message's; errors `channel_not_found`, `message_not_found`, and
 * `cant_update_message` when the message is not the caller's own ("Authenticated user does not have permission to
 * update this message"). Blocks follow the reference's rules: absent with `text` given, the previous blocks are
 * removed and the text renders; absent without `text`, they are kept; `[]` removes them. A text-only update shows
 * the `edited` flag, a blocks update does not.
 */
export const chatUpdate: MethodHandler = ({ state, args, caller }) => {
  const channelId = str(args, "channel");
  if (!channelId) return missing("channel");
  const ts = str(args, "ts");
  if (!ts) return missing("ts");
  if (!state.channels.has(channelId)) return fail("channel_not_found");
  const message = state.findMessage(channelId, ts);
  if (!message) return fail("message_not_found");
  if (message.user !== caller.id) return fail("cant_update_message");
  const parsedBlocks = parseBlocks(args.blocks);
  if (parsedBlocks.error) return fail(parsedBlocks.error);
  const text = str(args, "text");
  if (text === undefined && parsedBlocks.blocks === undefined) return fail("no_text");
  // null removes the blocks, undefined keeps them.
  let blocks: unknown[] | null | undefined;
  if (parsedBlocks.blocks === undefined) blocks = text === undefined ? undefined : null;
  else blocks = parsedBlocks.blocks.length > 0 ? parsedBlocks.blocks : null;
  state.update(message, { text: (text ?? message.text).slice(0, MAX_TEXT), blocks }, caller.id);
  if (parsedBlocks.blocks !== undefined) delete message.edited;
  return {
    ok: true,
    channel: channelId,
    ts: message.ts,
    text: message.text,
    message: messageObject(state, message),
  };
};

/**
 * conversations.history (https://docs.slack.dev/reference/methods/conversations.history): newest first,
 * `limit` default 100, maximum 999, cursor paging, `latest`/`oldest`/`inclusive` bounds. `channel` must be an id.
 * Thread replies are left out unless broadcast, as in Slack. The spec's success schema requires `has_more`,
 * `pin_count`, `channel_actions_ts` and `channel_actions_count`.
 */
export const conversationsHistory: MethodHandler = ({ state, args }) => {
  const channelId = str(args, "channel");
  if (!channelId) return missing("channel");
  if (!state.channels.has(channelId)) return fail("channel_not_found");
  const limit = Math.min(int(args, "limit") ?? 100, 999);
  if (Number.isNaN(limit)) return fail("invalid_arguments");
  const latest = str(args, "latest");
  const oldest = str(args, "oldest");
  if (latest && !isTs(latest)) return fail("invalid_ts_latest");
  if (oldest && !isTs(oldest)) return fail("invalid_ts_oldest");
  const inclusive = bool(args, "inclusive");
  let messages = (state.messages.get(channelId) ?? [])
    .filter((m) => !m.threadTs || m.threadTs === m.ts || m.broadcast)
    .filter((m) => !latest || (inclusive ? compareTs(m.ts, latest) <= 0 : compareTs(m.ts, latest) < 0))
    .filter((m) => !oldest || (inclusive ? compareTs(m.ts, oldest) >= 0 : compareTs(m.ts, oldest) > 0))
    .slice()
    .reverse();
  const cursor = str(args, "cursor");
  if (cursor) {
    const from = decodeCursor(cursor, "next_ts");
    if (!from || !isTs(from)) return fail("invalid_cursor");
    messages = messages.filter((m) => compareTs(m.ts, from) <= 0);
  }
  const size = limit <= 0 ? 100 : limit;
  const page: SlackMessage[] = messages.slice(0, size);
  const next = messages[size];
  return {
    ok: true,
    messages: page.map((m) => messageObject(state, m)),
    has_more: next !== undefined,
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: next ? encodeCursor("next_ts", next.ts) : "" },
  };
};

function isTs(value: string): boolean {
  return /^\d+(\.\d{1,6})?$/.test(value);
}

/** Compares `seconds.micros` timestamps exactly (as floats they lose the last digits). */
function compareTs(a: string, b: string): number {
  const [as = "0", af = ""] = a.split(".");
  const [bs = "0", bf = ""] = b.split(".");
  const seconds = Number(as) - Number(bs);
  return seconds !== 0 ? seconds : Number(af.padEnd(6, "0")) - Number(bf.padEnd(6, "0"));
}
