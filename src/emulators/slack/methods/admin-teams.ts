import { decodeCursor, encodeCursor, fail, int, isAdmin, type MethodHandler, str } from "./common.ts";

/**
 * admin.teams.list (https://docs.slack.dev/reference/methods/admin.teams.list): the workspaces of an Enterprise
 * Grid org, `limit` 1–100 (default 100), cursor paging; each team `{id, name, discoverability, primary_owner,
 * team_url}`. Needs an org admin's token (`admin.teams:read`).
 */
export const adminTeamsList: MethodHandler = ({ state, args, caller }) => {
  if (!isAdmin(caller)) return fail("not_an_admin");
  const limit = int(args, "limit") ?? 100;
  if (Number.isNaN(limit) || limit < 1 || limit > 100) return fail("invalid_limit");
  let start = 0;
  const cursor = str(args, "cursor");
  if (cursor) {
    const from = decodeCursor(cursor, "team");
    start = from === undefined ? -1 : state.workspaces.findIndex((w) => w.id === from);
    if (start < 0) return fail("invalid_cursor");
  }
  const page = state.workspaces.slice(start, start + limit);
  const next = state.workspaces[start + limit];
  const owner = [...state.users.values()].find((u) => u.isPrimaryOwner);
  return {
    ok: true,
    teams: page.map((w) => ({
      id: w.id,
      name: w.name,
      discoverability: "hidden",
      primary_owner: owner ? { user_id: owner.id, email: owner.email } : undefined,
      team_url: `https://${w.domain}.slack.com/`,
    })),
    response_metadata: { next_cursor: next ? encodeCursor("team", next.id) : "" },
  };
};
