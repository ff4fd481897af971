import { z } from "zod";

/** Actions without parameters take `{}` and nothing else. */
export const NoInput = z.object({}).strict();
export type NoInput = z.infer<typeof NoInput>;

/** Microsoft Graph v1.0 reference pages of the calls the actions make. */
export const GRAPH_DOCS = {
  revokeSignInSessions: "https://learn.microsoft.com/graph/api/user-revokesigninsessions?view=graph-rest-1.0",
  updateUser: "https://learn.microsoft.com/graph/api/user-update?view=graph-rest-1.0",
  confirmCompromised:
    "https://learn.microsoft.com/graph/api/riskyuser-confirmcompromised?view=graph-rest-1.0",
  dismissRisk: "https://learn.microsoft.com/graph/api/riskyuser-dismiss?view=graph-rest-1.0",
  removeMember: "https://learn.microsoft.com/graph/api/group-delete-members?view=graph-rest-1.0",
  addMember: "https://learn.microsoft.com/graph/api/group-post-members?view=graph-rest-1.0",
} as const;
