import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { CordonError, isCordonError } from "../../core/errors.ts";
import type { TargetAccount } from "../../core/reconcile.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { reinviteToOrg } from "./actions/reinvite-to-org.ts";
import { removeFromOrg } from "./actions/remove-from-org.ts";
import { revokeSsoAuthorizations } from "./actions/revoke-sso-authorizations.ts";
import {
  GithubClient,
  type GithubClientConfig,
  type GithubUser,
  type OrgMembership,
  type SamlIdentity,
} from "./client.ts";

export {
  GITHUB_DEFAULT_API_URL,
  GithubClient,
  type GithubClientConfig,
  type GithubUser,
  SAML_IDENTITIES_QUERY,
} from "./client.ts";

export const githubActions: readonly AnyActionDefinition[] = [
  revokeSsoAuthorizations,
  removeFromOrg,
  reinviteToOrg,
];

/**
 * `sessions`: the user's tokens and SSH keys lose their SSO authorization for the org. `lock`: that, then removal
 * from the org (role and teams snapshotted for the re-invitation). Credential authorizations are removed first,
 * while the user is still a member and they can still be listed. GitHub has no API to end a user's web sessions.
 */
const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [{ actionId: "github.revoke_sso_authorizations", input: {} }],
  lock: [
    { actionId: "github.revoke_sso_authorizations", input: {} },
    { actionId: "github.remove_from_org", input: {} },
  ],
};

interface Match {
  login: string;
  email: string;
  how: string[];
}

function addressesOf(subject: Subject): string[] {
  return [...new Set([subject.email, ...subject.aliases].map(normaliseEmail))];
}

export function createGithubConnector(config: GithubClientConfig, deps: ConnectorDeps): Connector {
  const client = new GithubClient(config, deps);
  const mapping = new Map(
    Object.entries(config.logins ?? {}).map(([email, login]) => [normaliseEmail(email), login] as const),
  );

  /**
   * Logins for the subject's addresses: by SAML identity (`nameId` equal to the address, case-insensitively, and
   * claimed by a login), then by the configured `logins` mapping. Both are kept when they disagree: every match
   * is shown, none is guessed. Without SAML identities and without a mapping nothing can be matched, which is an
   * error rather than "no account".
   */
  function match(addresses: string[], identities: SamlIdentity[] | null): Match[] {
    if (identities === null && mapping.size === 0) {
      throw new CordonError(
        { kind: "config", path: `connections.${config.connection}.logins` },
        `github: ${config.org} shows no organization-level SAML identities (no SAML, enterprise-level SAML, or a token that is not an owner's) and no \`logins\` mapping is configured: cannot map emails to GitHub logins`,
      );
    }
    const found = new Map<string, Match>();
    const add = (login: string, email: string, how: string) => {
      const key = login.toLowerCase();
      const existing = found.get(key);
      if (existing) {
        if (!existing.how.includes(how)) existing.how.push(how);
      } else found.set(key, { login, email, how: [how] });
    };
    for (const address of addresses) {
      for (const identity of identities ?? []) {
        if (identity.login && normaliseEmail(identity.nameId) === address)
          add(identity.login, address, `SAML nameId ${address}`);
      }
      const mapped = mapping.get(address);
      if (mapped) add(mapped, address, `logins mapping ${address}`);
    }
    return [...found.values()];
  }

  async function accountFor(
    m: Match,
    membership: Pick<OrgMembership, "state" | "role"> | null,
    user: GithubUser | null,
    signal?: AbortSignal,
  ): Promise<Account> {
    const resolved = user ?? (await client.getUser(m.login, signal));
    if (!resolved) {
      throw new CordonError(
        { kind: "config", path: `connections.${config.connection}.logins` },
        `github: ${m.how.join("; ")} names ${m.login}, which is not a GitHub user`,
      );
    }
    return client.toAccount(resolved, membership, m.email, m.how.join("; "));
  }

  return {
    vendor: "github",
    connection: config.connection,
    client,
    lookupScopes: ["read:org"],
    actions: new Map(githubActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    async findAccounts(subject: Subject, signal?: AbortSignal): Promise<Account[]> {
      const matches = match(addressesOf(subject), await client.samlIdentities(signal));
      const accounts: Account[] = [];
      for (const m of matches) {
        const membership = await client.getMembership(m.login, signal);
        accounts.push(await accountFor(m, membership, membership?.user ?? null, signal));
      }
      return accounts;
    },
    /**
     * Many subjects at once: SAML identities once, then the member lists (owners, members) and pending invitations
     * instead of one membership read per person.
     */
    async findAccountsBulk(subjects: Subject[], signal?: AbortSignal): Promise<Map<string, Account[]>> {
      const identities = await client.samlIdentities(signal);
      const perSubject = subjects.map((s) => ({ subject: s, matches: match(addressesOf(s), identities) }));
      const memberships = new Map<
        string,
        { membership: Pick<OrgMembership, "state" | "role">; user: GithubUser | null }
      >();
      for (const role of ["admin", "member"] as const) {
        for await (const user of client.listMembers(role, signal))
          memberships.set(user.login.toLowerCase(), { membership: { state: "active", role }, user });
      }
      for await (const invitation of client.listInvitations(signal)) {
        if (!invitation.login || memberships.has(invitation.login.toLowerCase())) continue;
        memberships.set(invitation.login.toLowerCase(), {
          membership: { state: "pending", role: invitation.role === "admin" ? "admin" : "member" },
          user: null,
        });
      }
      const found = new Map<string, Account[]>();
      for (const { subject, matches } of perSubject) {
        const accounts: Account[] = [];
        for (const m of matches) {
          const known = memberships.get(m.login.toLowerCase());
          accounts.push(await accountFor(m, known?.membership ?? null, known?.user ?? null, signal));
        }
        found.set(subject.email, accounts);
      }
      return found;
    },
    /**
     * As a reconcile target: every active member (owners protected) and pending invitee, emails from the SAML
     * identities or the `logins` map (a member with neither is listed without an email, and reconciliation leaves
     * it alone rather than guess).
     */
    async listAccounts(signal?: AbortSignal): Promise<TargetAccount[]> {
      const emailByLogin = new Map<string, string>();
      for (const identity of (await client.samlIdentities(signal)) ?? []) {
        if (identity.login) emailByLogin.set(identity.login.toLowerCase(), normaliseEmail(identity.nameId));
      }
      for (const [email, login] of Object.entries(config.logins ?? {}))
        emailByLogin.set(login.toLowerCase(), normaliseEmail(email));
      const accounts = new Map<string, TargetAccount>();
      for (const role of ["admin", "member"] as const) {
        for await (const user of client.listMembers(role, signal)) {
          const key = user.login.toLowerCase();
          accounts.set(key, {
            id: String(user.id),
            login: user.login,
            email: emailByLogin.get(key) ?? "",
            active: true,
            protectedReasons: role === "admin" ? ["owner"] : [],
          });
        }
      }
      return [...accounts.values()];
    },
    /** Removal, and exact re-invitation (role and teams from the removal's snapshot). */
    lifecycle: {
      deactivate: { actionId: "github.remove_from_org", input: {} },
      reactivate: { actionId: "github.reinvite_to_org", input: {} },
    },
    /** `GET /user`, then the token owner's membership: containment needs an active owner and `admin:org`. */
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      try {
        const { user, scopes } = await client.authenticatedUser(signal);
        const problems: string[] = [];
        const membership = await client.getMembership(user.login, signal);
        if (!membership) problems.push(`${user.login} is not a member of ${config.org}`);
        else if (membership.state !== "active")
          problems.push(`${user.login}'s invitation to ${config.org} is still pending`);
        else if (membership.role !== "admin")
          problems.push(
            `${user.login} is a ${membership.role} of ${config.org}, not an owner: removing members and SSO authorizations needs an owner`,
          );
        if (scopes !== null && !scopes.includes("admin:org"))
          problems.push(`the token lacks the admin:org scope (it has: ${scopes.join(", ") || "none"})`);
        return { ok: problems.length === 0, identity: `${user.login} @ ${config.org}`, problems };
      } catch (error) {
        return { ok: false, problems: [isCordonError(error) ? error.message : "unexpected error"] };
      }
    },
  };
}
