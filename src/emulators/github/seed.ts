import { z } from "zod";
import { CREDENTIAL_TYPES, type GithubState } from "./state.ts";

/** GitHub logins: alphanumerics and single hyphens, 1–39 characters, not starting or ending with a hyphen. */
const Login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "not a valid GitHub login");

const Member = z.union([
  Login,
  z.strictObject({
    login: Login,
    role: z.enum(["admin", "member"]).default("member"),
    name: z.string().optional(),
    email: z.email().optional(),
  }),
]);

const TeamSeed = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "team slugs are lower-case letters, digits and dashes"),
  name: z.string().optional(),
  /** Slug of the parent team (nested teams: a parent's members include its child teams' members). */
  parent: z.string().optional(),
  members: z
    .array(z.union([Login, z.strictObject({ login: Login, role: z.enum(["member", "maintainer"]) })]))
    .default([]),
});

const CredentialSeed = z.strictObject({
  login: Login,
  type: z.enum(CREDENTIAL_TYPES).default("personal access token"),
  /** How many credentials of this kind to authorize (default 1); e.g. 150 to exercise pagination. */
  count: z.number().int().min(1).max(1000).default(1),
  scopes: z.array(z.string()).optional(),
  title: z.string().optional(),
});

const OrgSeed = z.strictObject({
  login: Login,
  name: z.string().optional(),
  members: z.array(Member).default([]),
  /** Pending invitations (the invitee has not accepted yet). */
  invitations: z
    .array(z.strictObject({ login: Login, role: z.enum(["admin", "member"]).default("member") }))
    .default([]),
  teams: z.array(TeamSeed).default([]),
  /**
   * The org's SAML identity provider and its linked identities (`nameId`, usually the IdP email, and the GitHub
   * login that claimed it, or null). Absent: the org has no organization-level SAML (GraphQL returns null).
   */
  saml: z
    .strictObject({
      identities: z.array(z.strictObject({ nameId: z.string().min(1), login: Login.nullable() })).default([]),
      /** Refuse tokens not authorized for this org's SSO (403 with `X-GitHub-SSO`). */
      enforced: z.boolean().default(false),
    })
    .optional(),
  credentialAuthorizations: z.array(CredentialSeed).default([]),
});

/**
 * The `github` section of a cordon seed: users, one or more organizations, and the tokens that may call the API.
 * Logins referenced anywhere are created as users when not listed under `users`.
 */
export const GithubSeed = z
  .strictObject({
    users: z
      .array(z.strictObject({ login: Login, name: z.string().optional(), email: z.email().optional() }))
      .default([]),
    orgs: z.array(OrgSeed).default([]),
    /**
     * Valid tokens, each with its owner's login and classic scopes (default `admin:org`, `repo`, `user`), and the
     * orgs whose SAML SSO it is authorized for (default: all). Absent: any well-formed token is accepted and
     * belongs to `tokenOwner`.
     */
    tokens: z
      .array(
        z.strictObject({
          token: z.string().min(1),
          owner: Login,
          scopes: z.array(z.string()).optional(),
          ssoAuthorizedFor: z.array(z.string()).optional(),
        }),
      )
      .optional(),
    /** Login behind any token when `tokens` is absent. Default: the first admin of the first org. */
    tokenOwner: Login.optional(),
  })
  .superRefine((seed, ctx) => {
    const logins = new Set<string>();
    for (const [i, org] of seed.orgs.entries()) {
      const slugs = new Set(org.teams.map((t) => t.slug));
      for (const [j, team] of org.teams.entries()) {
        if (team.parent !== undefined && !slugs.has(team.parent)) {
          ctx.addIssue({
            code: "custom",
            path: ["orgs", i, "teams", j, "parent"],
            message: `no team ${team.parent}`,
          });
        }
      }
      if (logins.has(org.login.toLowerCase()))
        ctx.addIssue({ code: "custom", path: ["orgs", i, "login"], message: `duplicate org ${org.login}` });
      logins.add(org.login.toLowerCase());
    }
  });
export type GithubSeed = z.input<typeof GithubSeed>;
type ParsedSeed = z.output<typeof GithubSeed>;

export function parseGithubSeed(input: unknown): ParsedSeed {
  const parsed = GithubSeed.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid github seed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Fills a fresh instance from a parsed seed; ids come from the state's counter, so a seed always yields the same ids. */
export function applyGithubSeed(state: GithubState, seed: ParsedSeed): void {
  for (const user of seed.users) state.ensureUser(user.login, { name: user.name, email: user.email });
  let firstAdmin: string | undefined;
  for (const spec of seed.orgs) {
    const org = state.addOrg(spec.login, spec.name ?? null);
    for (const entry of spec.members) {
      const member = typeof entry === "string" ? { login: entry, role: "member" as const } : entry;
      const details = typeof entry === "string" ? {} : { name: entry.name, email: entry.email };
      state.ensureUser(member.login, details);
      state.addMember(org, member.login, member.role);
      if (member.role === "admin") firstAdmin ??= member.login;
    }
    for (const invitation of spec.invitations) state.invite(org, invitation.login, invitation.role, "seed");
    for (const teamSpec of spec.teams) {
      const team = state.addTeam(org, { slug: teamSpec.slug, name: teamSpec.name, parent: teamSpec.parent });
      for (const entry of teamSpec.members) {
        const m = typeof entry === "string" ? { login: entry, role: "member" as const } : entry;
        state.setTeamMembership(org, team, m.login, m.role, "seed");
      }
    }
    if (spec.saml) {
      org.saml = spec.saml.identities.map((identity, index) => ({
        guid: `${org.id.toString(16)}-${(index + 1).toString(16).padStart(8, "0")}`,
        nameId: identity.nameId,
        login: identity.login === null ? null : state.ensureUser(identity.login).login,
      }));
      org.ssoEnforced = spec.saml.enforced;
    }
    for (const credential of spec.credentialAuthorizations) {
      for (let i = 0; i < credential.count; i++) {
        state.addCredentialAuthorization(org, {
          login: credential.login,
          type: credential.type,
          scopes: credential.scopes,
          title: credential.title,
        });
      }
    }
  }
  if (seed.tokens) {
    state.tokens = new Map(
      seed.tokens.map((t) => [
        t.token,
        {
          owner: state.ensureUser(t.owner).login,
          scopes: t.scopes ?? state.defaultScopes,
          ssoOrgs: t.ssoAuthorizedFor ? new Set(t.ssoAuthorizedFor.map((o) => o.toLowerCase())) : undefined,
        },
      ]),
    );
  }
  state.defaultTokenOwner = seed.tokenOwner ? state.ensureUser(seed.tokenOwner).login : firstAdmin;
}
