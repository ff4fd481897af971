import { userObject } from "../render.ts";
import { decodeCursor, encodeCursor, fail, int, type MethodHandler, missing, str } from "./common.ts";

/**
 * users.lookupByEmail (https://docs.slack.dev/reference/methods/users.lookupByEmail): `users_not_found` when no
 * one has the address. Emails match case-insensitively. "If the user has been deactivated, users_not_found will
 * be returned instead of a user object" (the method's docs, quoted in pablovarela/terraform-provider-slack#251),
 * and bots have no email.
 */
export const usersLookupByEmail: MethodHandler = ({ state, args }) => {
  const email = str(args, "email");
  if (!email) return missing("email");
  const user = state.findByEmail(email);
  if (!user || user.isBot) return fail("users_not_found");
  return { ok: true, user: userObject(state, user) };
};

/** users.info (https://docs.slack.dev/reference/methods/users.info): deactivated users come back with `deleted: true`. */
export const usersInfo: MethodHandler = ({ state, args }) => {
  const id = str(args, "user");
  if (!id) return missing("user");
  const user = state.getUser(id);
  if (!user) return fail("user_not_found");
  return { ok: true, user: userObject(state, user) };
};

/**
 * users.list (https://docs.slack.dev/reference/methods/users.list). `team_id` is "required if org token is used",
 * and every emulator token is org-level, so it is required (`missing_argument`, from the method's error table).
 * No `limit` (or 0) delivers the whole set, as documented; larger limits are capped at 1,000 ("fewer than the
 * requested number of items may be returned"). Deactivated users are listed with `deleted: true`. The spec's
 * success schema requires `cache_ts`.
 */
export const usersList: MethodHandler = ({ state, args }) => {
  const teamId = str(args, "team_id");
  if (!teamId)
    return fail("missing_argument", {
      response_metadata: { messages: ["[ERROR] missing required field: team_id"] },
    });
  if (!state.workspaces.some((w) => w.id === teamId)) return fail("invalid_arguments");
  const limit = int(args, "limit");
  if (Number.isNaN(limit)) return fail("invalid_arguments");
  const members = [...state.users.values()].filter((u) => u.teams.includes(teamId));
  let start = 0;
  const cursor = str(args, "cursor");
  if (cursor) {
    const from = decodeCursor(cursor, "user");
    start = from === undefined ? -1 : members.findIndex((u) => u.id === from);
    if (start < 0) return fail("invalid_cursor");
  }
  const size = limit === undefined || limit <= 0 ? members.length : Math.min(limit, 1000);
  const page = members.slice(start, start + size);
  const next = members[start + size];
  return {
    ok: true,
    members: page.map((u) => userObject(state, u)),
    cache_ts: Math.floor(state.now() / 1000),
    response_metadata: { next_cursor: next ? encodeCursor("user", next.id) : "" },
  };
};
