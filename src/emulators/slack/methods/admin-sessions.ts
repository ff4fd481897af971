import { sessionObject } from "../render.ts";
import type { SessionKind } from "../state.ts";
import {
  bool,
  decodeCursor,
  encodeCursor,
  fail,
  int,
  isAdmin,
  type MethodHandler,
  missing,
  str,
} from "./common.ts";

/**
 * admin.users.session.reset (https://docs.slack.dev/reference/methods/admin.users.session.reset): "By default,
 * this method resets all sessions for a given user. Use the web_only and mobile_only parameters to wipe only web
 * or only mobile sessions." Both flags true is undocumented; the emulator reads each flag as selecting its kind,
 * so both true ends both kinds, the same as neither (unverified). Errors from the method's table:
 * `not_an_admin` ("only accessible by org/compliance team owners and admins"), `user_not_found`,
 * `cannot_reset_bot`, `cannot_reset_primary_owner` ("Only primary owner can reset primary owner's sessions").
 */
export const adminUsersSessionReset: MethodHandler = ({ state, args, caller }) => {
  if (!isAdmin(caller)) return fail("not_an_admin");
  const userId = str(args, "user_id");
  if (!userId) return missing("user_id");
  const user = state.getUser(userId);
  if (!user) return fail("user_not_found");
  if (user.isBot) return fail("cannot_reset_bot");
  if (user.isPrimaryOwner && !caller.isPrimaryOwner) return fail("cannot_reset_primary_owner");
  const mobileOnly = bool(args, "mobile_only");
  const webOnly = bool(args, "web_only");
  const kinds: SessionKind[] = mobileOnly === webOnly ? ["web", "mobile"] : mobileOnly ? ["mobile"] : ["web"];
  state.endSessions(user.id, kinds);
  return { ok: true };
};

/**
 * admin.users.session.list (https://docs.slack.dev/reference/methods/admin.users.session.list): all sessions of
 * the org, or one user's on one workspace when `user_id` and `team_id` are passed ("which must be used
 * together"). `limit` 1–1000, default 1000. Sessions are listed oldest first.
 */
export const adminUsersSessionList: MethodHandler = ({ state, args, caller }) => {
  if (!isAdmin(caller)) return fail("not_an_admin");
  const userId = str(args, "user_id");
  const teamId = str(args, "team_id");
  if (Boolean(userId) !== Boolean(teamId)) {
    return fail("invalid_arguments", {
      response_metadata: { messages: ["[ERROR] user_id and team_id must be passed together"] },
    });
  }
  if (userId && !state.getUser(userId)) return fail("user_not_found");
  const limit = int(args, "limit") ?? 1000;
  if (Number.isNaN(limit) || limit < 1 || limit > 1000) return fail("invalid_limit");
  let sessions = [...state.sessions.values()].sort((a, b) => a.id - b.id);
  if (userId && teamId) sessions = sessions.filter((s) => s.userId === userId && s.teamId === teamId);
  let start = 0;
  const cursor = str(args, "cursor");
  if (cursor) {
    const from = Number(decodeCursor(cursor, "session"));
    if (!Number.isInteger(from)) return fail("invalid_cursor");
    start = sessions.findIndex((s) => s.id >= from);
    if (start < 0) start = sessions.length;
  }
  const page = sessions.slice(start, start + limit);
  const next = sessions[start + limit];
  return {
    ok: true,
    active_sessions: page.map(sessionObject),
    response_metadata: { next_cursor: next ? encodeCursor("session", String(next.id)) : "" },
  };
};

/**
 * admin.users.session.invalidate (https://docs.slack.dev/reference/methods/admin.users.session.invalidate):
 * `session_id` (integer) plus the session's `user_id` or `team_id`. The 2021 spec required `team_id`; current docs
 * prefer `user_id` ("Exactly one of these arguments is required … team_id will be deprecated"). Both are
 * accepted; when given, each must match the session (`session_not_found` otherwise). Errors from the method's
 * table: `not_an_admin`, `user_not_found`, `session_not_found`, `cannot_invalidate_primary_owner`.
 */
export const adminUsersSessionInvalidate: MethodHandler = ({ state, args, caller }) => {
  if (!isAdmin(caller)) return fail("not_an_admin");
  const sessionId = int(args, "session_id");
  if (sessionId === undefined) return missing("session_id");
  const userId = str(args, "user_id");
  const teamId = str(args, "team_id");
  if (!userId && !teamId) return missing("user_id");
  if (userId && !state.getUser(userId)) return fail("user_not_found");
  const session = Number.isNaN(sessionId) ? undefined : state.sessions.get(sessionId);
  if (!session || (userId && session.userId !== userId) || (teamId && session.teamId !== teamId)) {
    return fail("session_not_found");
  }
  const owner = state.getUser(session.userId);
  if (owner?.isPrimaryOwner && !caller.isPrimaryOwner) return fail("cannot_invalidate_primary_owner");
  state.sessions.delete(session.id);
  return { ok: true };
};
