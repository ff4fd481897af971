import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { SlackClient } from "../client.ts";

const Input = z.object({}).strict();

interface SessionList {
  active_sessions: unknown[];
  response_metadata?: { next_cursor?: string };
}

/**
 * Sessions left across every workspace of the user: `admin.users.session.list` takes `user_id` and `team_id`
 * together (docs.slack.dev/reference/methods/admin.users.session.list), so one listing per workspace, all pages.
 */
async function countSessions(client: SlackClient, userId: string, signal: AbortSignal): Promise<number> {
  const user = await client.userInfo(userId, signal);
  const teams = user?.enterprise_user?.teams ?? (user?.team_id ? [user.team_id] : []);
  let count = 0;
  for (const teamId of teams) {
    let cursor: string | undefined;
    do {
      const page = await client.method<SessionList>(
        "admin.users.session.list",
        { user_id: userId, team_id: teamId, limit: 1000, cursor },
        true,
        signal,
      );
      count += page.active_sessions.length;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }
  return count;
}

/**
 * `admin.users.session.reset` with `mobile_only=false` and `web_only=false`: ends *every* session
 * (docs.slack.dev/reference/methods/admin.users.session.reset). The seed library sent both as true, which is a
 * contradiction, not "all sessions" (seeds.md §1.2). Verified with `admin.users.session.list` for the user.
 */
export const resetSessions = defineAction<SlackClient, z.infer<typeof Input>>({
  id: "slack.reset_sessions",
  title: "Reset all sessions (web and mobile)",
  docUrl: "https://docs.slack.dev/reference/methods/admin.users.session.reset",
  kind: "contain",
  inverse: null,
  idempotent: true,
  affects: ["web_sessions", "mobile_sessions"],
  scopes: ["admin.users:write"],
  risk: "low",
  input: Input,
  async execute({ client, account, signal }) {
    await client.method(
      "admin.users.session.reset",
      { user_id: account.id, mobile_only: false, web_only: false },
      true,
      signal,
    );
    return { outcome: "applied", output: undefined };
  },
  async verify({ client, account, signal }) {
    const left = await countSessions(client, account.id, signal);
    const observed = `${left} active sessions`;
    return left === 0 ? { state: "verified", observed } : { state: "pending", observed };
  },
});
