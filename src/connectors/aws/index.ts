import type { Tag } from "@aws-sdk/client-iam";
import { type Account, normaliseEmail, type Subject } from "../../core/account.ts";
import type { AnyActionDefinition } from "../../core/action.ts";
import type { Clock } from "../../core/clock.ts";
import { forEachLimited } from "../../core/concurrency.ts";
import type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "../../core/connector.ts";
import { CordonError, isCordonError, isKind } from "../../core/errors.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { deactivateAccessKeys } from "./actions/deactivate-access-keys.ts";
import { disableConsoleLogin } from "./actions/disable-console-login.ts";
import { enableConsoleLogin } from "./actions/enable-console-login.ts";
import { reactivateAccessKeys } from "./actions/reactivate-access-keys.ts";
import { restoreSessionsPolicy } from "./actions/restore-sessions-policy.ts";
import { revokeSessions } from "./actions/revoke-sessions.ts";
import { AwsIamClient, type AwsIamClientConfig, type IamUser } from "./client.ts";

export { AwsIamClient, type AwsIamClientConfig, type IamAccessKey, type IamUser } from "./client.ts";
export { DENY_ALL_POLICY, REVOKE_SESSIONS_POLICY } from "./policies.ts";

export interface AwsIamConnectorConfig extends AwsIamClientConfig {
  mapping?: {
    /** The user tag holding the person's email (compared case-insensitively). Default `email`; null: no tag lookup. */
    tagKey?: string | null;
    /** The mapping file's content: email → IAM user names. */
    file?: Record<string, string[]>;
  };
  /** IAM user names never contained unless a human forces it (break-glass, automation users). */
  protectedUserNames?: string[];
}

export const awsActions: readonly AnyActionDefinition[] = [
  deactivateAccessKeys,
  reactivateAccessKeys,
  revokeSessions,
  restoreSessionsPolicy,
  disableConsoleLogin,
  enableConsoleLogin,
];

/**
 * Profiles (docs/decisions/0003-containment-profiles.md). `sessions`: revoke the temporary credentials issued
 * so far. `lock`: first the long-term access keys (they mint new sessions), then the sessions, then console
 * sign-in (an explicit deny of everything plus a required password change). Every step is undone exactly, except
 * that revoked sessions stay revoked until the credentials they deny have expired.
 */
const PROFILES: Record<ContainmentProfile, ActionCall[]> = {
  sessions: [{ actionId: "aws.revoke_sessions", input: {} }],
  lock: [
    { actionId: "aws.deactivate_access_keys", input: {} },
    { actionId: "aws.revoke_sessions", input: {} },
    { actionId: "aws.disable_console_login", input: {} },
  ],
};

/** The tag that protects a user: `cordon:protected` = `true` (key and value compared case-insensitively). */
export const PROTECTED_TAG = "cordon:protected";

/**
 * `protectedReasons` words (vendor-intrinsic reasons the policy honours when listed in `policy.protectedRoles`):
 * `protected` (tagged cordon:protected=true, or named in the connection's `protectedUsers`) and `caller` (the IAM
 * user whose credentials cordon itself uses: deactivating its keys would also make undo impossible).
 */
export const AWS_PROTECTED_REASONS = ["protected", "caller"] as const;

/** How long a listing of the account's users and their tags is reused: about one plan's lookups. */
const DIRECTORY_TTL_MS = 60_000;

interface DirectoryEntry {
  user: IamUser;
  tags: Tag[];
}

/**
 * The users whose `tagKey` tag holds a given email, built once and reused for a minute so a plan's lookups share
 * one listing. GetAccountAuthorizationDetails (`Filter=User`) returns every user with its tags, 1,000 a call: a
 * 500-user account is one request. Credentials without `iam:GetAccountAuthorizationDetails` (least privilege: the
 * action also reveals every inline policy) get AccessDenied; only then does the directory fall back to ListUsers
 * (every page) plus one ListUserTags per user (ListUsers "does not return tags"), asking again at the next build in
 * case the permission has been granted since.
 */
class TagDirectory {
  readonly #client: AwsIamClient;
  readonly #clock: Clock;
  readonly #tagKey: string;
  /** `readyAt` null while the listing runs: every lookup meanwhile waits for that one listing. */
  #cached: { readyAt: number | null; index: Promise<Map<string, DirectoryEntry[]>> } | undefined;

  constructor(client: AwsIamClient, clock: Clock, tagKey: string) {
    this.#client = client;
    this.#clock = clock;
    this.#tagKey = tagKey.toLowerCase();
  }

  get(signal?: AbortSignal): Promise<Map<string, DirectoryEntry[]>> {
    const cached = this.#cached;
    if (cached && (cached.readyAt === null || this.#clock.now() - cached.readyAt < DIRECTORY_TTL_MS))
      return cached.index;
    const entry: { readyAt: number | null; index: Promise<Map<string, DirectoryEntry[]>> } = {
      readyAt: null,
      index: this.#build(signal),
    };
    this.#cached = entry;
    // The minute counts from when the listing is complete: listing a large account can itself take minutes.
    entry.index.then(
      () => {
        entry.readyAt = this.#clock.now();
      },
      () => {
        if (this.#cached === entry) this.#cached = undefined;
      },
    );
    return entry.index;
  }

  async #build(signal?: AbortSignal): Promise<Map<string, DirectoryEntry[]>> {
    let entries: DirectoryEntry[];
    try {
      entries = (await this.#client.usersWithTags(signal)).map(({ tags, ...user }) => ({ user, tags }));
    } catch (error) {
      if (!(isKind(error, "forbidden") && error.detail.vendorCode === "AccessDenied")) throw error;
      entries = await this.#listThenTags(signal);
    }
    const index = new Map<string, DirectoryEntry[]>();
    for (const entry of entries) {
      const value = entry.tags.find((t) => t.Key?.toLowerCase() === this.#tagKey)?.Value;
      if (!value) continue;
      const email = normaliseEmail(value);
      index.set(email, [...(index.get(email) ?? []), entry]);
    }
    return index;
  }

  /** The fallback: ListUsers, then ListUserTags for each user, 16 in flight. */
  async #listThenTags(signal?: AbortSignal): Promise<DirectoryEntry[]> {
    const users = await this.#client.listUsers(signal);
    // In ListUsers' order whatever order the tag reads finish in; a user deleted since the listing stays empty.
    const entries: Array<DirectoryEntry | undefined> = new Array(users.length);
    let next = 0;
    const worker = async () => {
      while (next < users.length) {
        const at = next++;
        const user = users[at]!;
        try {
          entries[at] = { user, tags: await this.#client.listUserTags(user.userName, signal) };
        } catch (error) {
          if (isKind(error, "not_found")) continue; // deleted since the listing
          throw error;
        }
      }
    };
    // The governor paces these at IAM's rate; enough in flight keeps the pipe full despite round trips.
    await Promise.all(Array.from({ length: Math.min(16, users.length) }, worker));
    return entries.filter((e) => e !== undefined);
  }
}

export function createAwsIamConnector(config: AwsIamConnectorConfig, deps: ConnectorDeps): Connector {
  const client = new AwsIamClient(config, deps);
  const tagKey = config.mapping?.tagKey === undefined ? "email" : config.mapping.tagKey;
  const directory = tagKey === null ? null : new TagDirectory(client, deps.clock, tagKey);
  const mapping = new Map<string, string[]>(
    Object.entries(config.mapping?.file ?? {}).map(([email, names]) => [normaliseEmail(email), names]),
  );
  const protectedNames = new Set((config.protectedUserNames ?? []).map((n) => n.toLowerCase()));
  let caller: Promise<string | null> | undefined;

  /** The IAM user cordon signs as (lower-cased), or null for role or federated credentials. */
  function callerName(signal?: AbortSignal): Promise<string | null> {
    caller ??= client.getUser(undefined, signal).then(
      (me) => me?.userName.toLowerCase() ?? null,
      (error) => {
        if (isKind(error, "vendor") && error.detail.vendorCode === "ValidationError") return null;
        caller = undefined; // not an answer: ask again next time
        throw error;
      },
    );
    return caller;
  }

  async function toAccount(entry: DirectoryEntry, email: string, matchedBy: string, signal?: AbortSignal) {
    const keys = await client.listAccessKeys(entry.user.userName, signal);
    const reasons = new Set<string>();
    const tagged = entry.tags.some(
      (t) => t.Key?.toLowerCase() === PROTECTED_TAG && (t.Value ?? "").trim().toLowerCase() === "true",
    );
    if (tagged || protectedNames.has(entry.user.userName.toLowerCase())) reasons.add("protected");
    if ((await callerName(signal)) === entry.user.userName.toLowerCase()) reasons.add("caller");
    const account: Account = {
      connection: config.connection,
      vendor: "aws",
      id: entry.user.userName,
      email,
      login: entry.user.arn,
      displayName: entry.user.userName,
      status:
        keys.length === 0
          ? "no-keys"
          : keys.some((k) => k.status === "Active")
            ? "keys-active"
            : "keys-inactive",
      protectedReasons: [...reasons],
      matchedBy,
    };
    return account;
  }

  async function resolve(subject: Subject, signal?: AbortSignal): Promise<Account[]> {
    const addresses = [...new Set([subject.email, ...subject.aliases].map(normaliseEmail))];
    const found = new Map<string, Account>();
    for (const address of addresses) {
      for (const name of mapping.get(address) ?? []) {
        if (found.has(name.toLowerCase())) continue;
        const user = await client.getUser(name, signal);
        if (!user)
          throw new CordonError(
            { kind: "config", path: "mapping" },
            `aws: the mapping names IAM user ${name} for ${address}, but the account has no such user`,
          );
        found.set(
          name.toLowerCase(),
          await toAccount({ user, tags: user.tags }, subject.email, `mapping file (${address})`, signal),
        );
      }
    }
    if (directory) {
      const index = await directory.get(signal);
      for (const address of addresses) {
        for (const entry of index.get(address) ?? []) {
          const key = entry.user.userName.toLowerCase();
          if (found.has(key)) continue;
          found.set(key, await toAccount(entry, subject.email, `tag ${tagKey}=${address}`, signal));
        }
      }
    }
    return [...found.values()];
  }

  return {
    vendor: "aws",
    connection: config.connection,
    client,
    // GetAccountAuthorizationDetails lists users with their tags; ListUsers + ListUserTags serve when it is denied.
    lookupScopes: [
      "iam:GetAccountAuthorizationDetails",
      "iam:ListUsers",
      "iam:ListUserTags",
      "iam:GetUser",
      "iam:ListAccessKeys",
    ],
    actions: new Map(awsActions.map((a) => [a.id, a])),
    profile: (profile) => PROFILES[profile].map((call) => ({ ...call, input: { ...call.input } })),
    findAccounts: (subject, signal) => resolve(subject, signal),
    async findAccountsBulk(subjects, signal) {
      const out = new Map<string, Account[]>();
      // One directory listing serves everyone; the per-person key reads run 16 at a time. IAM has no bulk read of
      // access keys (UserDetail carries none), so `status` costs one ListAccessKeys per matched user.
      await forEachLimited(subjects, 16, async (subject) => {
        out.set(subject.email, await resolve(subject, signal));
      });
      return out;
    },
    async check(signal?: AbortSignal): Promise<ConnectionCheck> {
      try {
        const me = await client.getUser(undefined, signal);
        return { ok: true, identity: me?.arn, problems: [] };
      } catch (error) {
        if (isKind(error, "vendor") && error.detail.vendorCode === "ValidationError")
          return {
            ok: true,
            identity: "temporary credentials of a role or federated user (not an IAM user)",
            problems: [],
          };
        return { ok: false, problems: [isCordonError(error) ? error.message : "unexpected error"] };
      }
    },
  };
}
