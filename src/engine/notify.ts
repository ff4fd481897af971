import type { Account } from "../core/account.ts";
import type { Clock } from "../core/clock.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";

/**
 * Sends one notification (`slack.post_message`, `teams.post_card`) through a connection. A notification acts on
 * a channel, not on an account: the action's context names the destination instead. Not idempotent, so it is
 * never retried on a 5xx (the HTTP layer's rule) and never re-sent after an interruption (the runner's rule).
 */
export async function sendNotification(
  connector: Connector,
  actionId: string,
  destination: string,
  input: Record<string, unknown>,
  options: { clock: Clock; signal?: AbortSignal },
): Promise<unknown> {
  const action = connector.actions.get(actionId);
  if (action?.kind !== "notify")
    throw new CordonError(
      { kind: "config" },
      `connection ${connector.connection} (${connector.vendor}) cannot send ${actionId}`,
    );
  const parsed = action.input.safeParse(input);
  if (!parsed.success)
    throw new CordonError(
      { kind: "invalid_input", field: actionId },
      `invalid input for ${actionId}: ${parsed.error.issues[0]?.message ?? "rejected"}`,
    );
  const channel: Account = {
    connection: connector.connection,
    vendor: connector.vendor,
    id: destination,
    email: "",
    status: "",
    protectedReasons: [],
    matchedBy: "notification destination",
  };
  const result = await action.execute(
    {
      client: connector.client,
      account: channel,
      clock: options.clock,
      signal: options.signal ?? new AbortController().signal,
    },
    parsed.data,
    undefined,
  );
  return result.output;
}
