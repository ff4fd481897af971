import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { isCordonError } from "../../core/errors.ts";
import type { TargetAccount } from "../../core/reconcile.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { deactivateUser } from "./actions/deactivate-user.ts";
import { postMessage } from "./actions/post-message.ts";
import { reactivateUser } from "./actions/reactivate-user.ts";
import { resetSessions } from "./actions/reset-sessions.ts";
import { updateMessage } from "./actions/update-message.ts";
import {
  protectedReasonsOf,
  type ScimUser,
  SlackClient,
  type SlackClientConfig,
  type SlackUser,
} from "./client.ts";

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
  updateMessage,
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

/** The SCIM user's primary email, else its first one. */
function scimEmail(user: ScimUser): string | undefined {
  const emails = user.emails ?? [];
  return (emails.find((e) => e.primary) ?? emails[0])?.value;
}

/** Runs both reads side by side; the first failure stops the other and rejects (never a partial list). */
async function bothOrNothing<A, B>(
  signal: AbortSignal | undefined,
  a: (inner: AbortSignal) => Promise<A>,
  b: (inner: AbortSignal) => Promise<B>,
): Promise<[A, B]> {
  const stop = new AbortController();
  const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const walks = [a(inner), b(inner)] as const;
  for (const walk of walks) walk.catch(() => stop.abort());
  return Promise.all(walks);
}

/**
 * Slack as a reconciliation target deactivates and reactivates through SCIM `active` (org-wide), the same
 * actions containment uses.
 */
const LIFECYCLE = {
  deactivate: { actionId: "slack.deactivate_user", input: {} },
  reactivate: { actionId: "slack.reactivate_user", input: {} },
};

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
    lifecycle: { deactivate: { ...LIFECYCLE.deactivate }, reactivate: { ...LIFECYCLE.reactivate } },
    /**
     * Every account of the org. SCIM (`GET /scim/v2/Users`, 1,000 a page) is the list of record: it has every
     * human user with `active` and emails, deactivated ones included. SCIM carries no owner/admin/bot flags, so
     * `users.list` per workspace (`listAllUsers`) is read alongside and joined on the user id (SCIM ids are the
     * Web API ids) for `protectedReasons`. Accounts only the Web API lists (bots, which are not SCIM users) are
     * kept so nothing is silently missing: they are protected (`bot`, or `not_in_scim` for a human SCIM does not
     * show, which the SCIM lifecycle actions could not change anyway). A SCIM user with no Web API record is
     * protected as `role_unknown`. Any failed page rejects the whole call.
     */
    async listAccounts(signal?: AbortSignal): Promise<TargetAccount[]> {
      const [scimUsers, webUsers] = await bothOrNothing(
        signal,
        async (inner) => {
          const all: ScimUser[] = [];
          for await (const user of client.listScimUsers(inner)) all.push(user);
          return all;
        },
        async (inner) => {
          const byId = new Map<string, SlackUser>();
          for await (const user of client.listAllUsers(inner)) byId.set(user.id, user);
          return byId;
        },
      );
      const accounts: TargetAccount[] = [];
      const seen = new Set<string>();
      for (const user of scimUsers) {
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        const web = webUsers.get(user.id);
        const displayName = user.displayName || web?.real_name || web?.profile?.real_name || undefined;
        accounts.push({
          id: user.id,
          email: scimEmail(user) ?? web?.profile?.email ?? "",
          active: user.active,
          // No Web API record (in no workspace cordon can list): its owner/admin flags are unknown, so hands off.
          protectedReasons: web ? protectedReasonsOf(web) : ["role_unknown"],
          ...(displayName ? { displayName } : {}),
        });
      }
      for (const web of webUsers.values()) {
        if (seen.has(web.id)) continue;
        const reasons = protectedReasonsOf(web);
        if (!reasons.includes("bot")) reasons.push("not_in_scim");
        const displayName = web.real_name ?? web.profile?.real_name;
        accounts.push({
          id: web.id,
          email: web.profile?.email ?? "",
          active: !web.deleted,
          protectedReasons: reasons,
          ...(displayName ? { displayName } : {}),
        });
      }
      return accounts;
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
