import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { deactivateUser } from "./actions/deactivate-user.ts";
import { postMessage } from "./actions/post-message.ts";
import { reactivateUser } from "./actions/reactivate-user.ts";
import { resetSessions } from "./actions/reset-sessions.ts";
import { SlackClient, type SlackClientConfig } from "./client.ts";

export {
  SLACK_DEFAULT_API_URL,
  SLACK_DEFAULT_SCIM_URL,
  SlackClient,
  type SlackClientConfig,
  type SlackUser,
} from "./client.ts";

export const slackActions: readonly AnyActionDefinition[] = [
  resetSessions,
  deactivateUser,
  reactivateUser,
  postMessage,
];

const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [{ actionId: "slack.reset_sessions", input: {} }],
  lock: [
    { actionId: "slack.reset_sessions", input: {} },
    { actionId: "slack.deactivate_user", input: {} },
  ],
};

/** Calls Slack refuses for an account, known before asking (docs of admin.users.session.reset and SCIM). */
function slackRefuses(account: Account, call: ActionCall): string | null {
  const reasons = account.protectedReasons;
  if (
    call.actionId === "slack.deactivate_user" &&
    (reasons.includes("owner") || reasons.includes("primary_owner"))
  ) {
    return "Slack does not allow deactivating an owner or the primary owner";
  }
  if (call.actionId === "slack.reset_sessions" && reasons.includes("bot"))
    return "Slack refuses to reset a bot's sessions (cannot_reset_bot)";
  return null;
}

export function createSlackConnector(config: SlackClientConfig, deps: ConnectorDeps): Connector {
  const client = new SlackClient(config, deps);
  return {
    vendor: "slack",
    connection: config.connection,
    client,
    lookupScopes: ["users:read", "users:read.email", "admin.teams:read", "admin"],
    actions: new Map(slackActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    vendorRefuses: slackRefuses,
    async findAccounts(subject: Subject, signal?: AbortSignal): Promise<Account[]> {
      const found = new Map<string, Account>();
      for (const address of [subject.email, ...subject.aliases]) {
        let user = await client.lookupByEmail(address, signal);
        let matchedBy = `users.lookupByEmail ${address}`;
        if (!user) {
          // Deactivated users are not returned by lookupByEmail; containing one again must still find it.
          const scimUser = await client.findScimUserByEmail(address, signal);
          user = scimUser ? await client.userInfo(scimUser.id, signal) : null;
          matchedBy = `SCIM emails.value eq ${address}`;
        }
        if (user && !found.has(user.id))
          found.set(user.id, client.toAccount(user, config.connection, matchedBy));
      }
      return [...found.values()];
    },
    async findAccountsBulk(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>> {
      const wanted = new Map<string, string>();
      for (const subject of subjects)
        for (const address of [subject.email, ...subject.aliases])
          wanted.set(normaliseEmail(address), subject.email);
      const found = new Map<string, Account[]>(subjects.map((s) => [s.email, []]));
      for await (const user of client.listAllUsers(signal)) {
        const email = user.profile?.email ? normaliseEmail(user.profile.email) : undefined;
        const subject = email ? wanted.get(email) : undefined;
        if (subject)
          found.get(subject)?.push(client.toAccount(user, config.connection, `users.list ${email}`));
      }
      return found;
    },
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      try {
        const who = await client.method<{ user?: string; team?: string }>("auth.test", {}, true, signal);
        return { ok: true, identity: [who.user, who.team].filter(Boolean).join(" @ "), problems: [] };
      } catch (error) {
        return { ok: false, problems: [isCordonError(error) ? error.message : "unexpected error"] };
      }
    },
  };
}
