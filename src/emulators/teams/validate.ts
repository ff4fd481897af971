/** What is wrong with a posted message, in words the emulator puts in its 400 reply; null when it is valid. */
export type MessageProblem = string | null;

const ADAPTIVE = "application/vnd.microsoft.card.adaptive";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every item an object with a string `type` (Adaptive Card elements and actions). */
function typedItems(value: unknown, where: string): MessageProblem {
  if (!Array.isArray(value)) return `${where} must be an array`;
  for (const [index, item] of value.entries()) {
    if (!isObject(item) || typeof item.type !== "string" || item.type === "")
      return `${where}[${index}] has no type`;
  }
  return null;
}

/**
 * An Adaptive Card as Teams accepts it (https://adaptivecards.io/explorer/AdaptiveCard.html): `type`
 * "AdaptiveCard", a `version` such as "1.4", a `body` array of elements each with a `type`, optional `actions`
 * likewise.
 */
function cardProblem(card: unknown, where: string): MessageProblem {
  if (!isObject(card)) return `${where} must be an object`;
  if (card.type !== "AdaptiveCard") return `${where}.type must be 'AdaptiveCard'`;
  if (typeof card.version !== "string" || !/^\d+\.\d+$/.test(card.version))
    return `${where}.version must be a version such as '1.4'`;
  const body = typedItems(card.body, `${where}.body`);
  if (body) return body;
  if (card.actions !== undefined) return typedItems(card.actions, `${where}.actions`);
  return null;
}

/**
 * The envelope both webhook kinds take for Adaptive Cards (connectors-using, "Send Adaptive Cards using an
 * incoming webhook"): "The type field must be message", "The attachments array contains a set of card objects",
 * "The contentType field must be set to Adaptive Card type", "The content object is the card formatted in JSON".
 */
export function adaptiveMessageProblem(message: unknown): MessageProblem {
  if (!isObject(message)) return "the body must be a JSON object";
  if (message.type !== "message") return "type must be 'message'";
  if (!Array.isArray(message.attachments) || message.attachments.length === 0)
    return "attachments must be a non-empty array";
  for (const [index, attachment] of message.attachments.entries()) {
    const where = `attachments[${index}]`;
    if (!isObject(attachment)) return `${where} must be an object`;
    if (attachment.contentType !== ADAPTIVE) return `${where}.contentType must be '${ADAPTIVE}'`;
    const problem = cardProblem(attachment.content, `${where}.content`);
    if (problem) return problem;
  }
  return null;
}

/** A legacy Office 365 connector card (`@type` MessageCard): only legacy webhooks take it. */
export function isMessageCard(message: unknown): boolean {
  return isObject(message) && (message["@type"] === "MessageCard" || message.type === undefined);
}

/** Legacy webhooks refuse a MessageCard with neither `text` nor `summary` ("Summary or Text is required."). */
export function messageCardHasText(message: Record<string, unknown>): boolean {
  return typeof message.text === "string" || typeof message.summary === "string";
}
