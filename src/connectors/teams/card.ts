/** What `teams.post_card` shows: a title, text, facts and an optional link button. */
export interface TeamsCardContent {
  title: string;
  text: string;
  facts: Record<string, string>;
  link: { title: string; url: string } | null;
}

/**
 * The message envelope Teams webhooks take, with one Adaptive Card 1.4
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using,
 * "Send Adaptive Cards using an incoming webhook": `type` "message", `attachments` of
 * `application/vnd.microsoft.card.adaptive` with `contentUrl` null). 1.4 is what Teams renders on every client;
 * `Action.OpenUrl` is among the actions webhooks support (`Action.Submit` is not).
 */
export function adaptiveCardMessage(content: TeamsCardContent): Record<string, unknown> {
  const facts = Object.entries(content.facts).map(([title, value]) => ({ title, value }));
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: content.title, weight: "Bolder", size: "Medium", wrap: true },
            { type: "TextBlock", text: content.text, wrap: true },
            ...(facts.length > 0 ? [{ type: "FactSet", facts }] : []),
          ],
          actions: content.link
            ? [{ type: "Action.OpenUrl", title: content.link.title, url: content.link.url }]
            : [],
        },
      },
    ],
  };
}
