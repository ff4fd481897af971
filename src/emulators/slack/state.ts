import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { IdGenerator } from "./ids.ts";
import { type SlackSeed, type SlackSeedUser, TOKEN_SHAPE } from "./seed.ts";

export interface SlackEnterprise {
  id: string;
  name: string;
  domain: string;
}

export interface SlackWorkspace {
  id: string;
  name: string;
  domain: string;
}

/** One person in the org. The Web API user and the SCIM user are two views of this record. */
export interface SlackUser {
  id: string;
  email: string;
  /** The handle: Web API `name`, SCIM `userName`. */
  name: string;
  realName: string;
  displayName: string;
  givenName: string;
  familyName: string;
  title: string;
  externalId: string;
  isAdmin: boolean;
  isOwner: boolean;
  isPrimaryOwner: boolean;
  isBot: boolean;
  /** Deactivated: Web API `deleted: true`, SCIM `active: false`. */
  deleted: boolean;
  /** Workspaces the user belongs to (`enterprise_user.teams`). */
  teams: string[];
  createdMs: number;
  updatedMs: number;
}

export type SessionKind = "web" | "mobile";

export interface SlackSession {
  /** An integer, as `admin.users.session.invalidate` documents `session_id`. */
  id: number;
  userId: string;
  teamId: string;
  kind: SessionKind;
  createdMs: number;
  deviceHardware: string;
  os: string;
  osVersion: string;
  clientVersion: string;
  ip: string;
}

export interface SlackChannel {
  id: string;
  name: string;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** A thread reply also shown in the channel (`reply_broadcast`). */
  broadcast?: boolean;
  /** Set by chat.update and response_url replacements: who edited it, and when (`edited` of `objs_message`). */
  edited?: { user: string; ts: string };
}

/**
 * A `response_url` handed out with an interaction: usable "up to five times within thirty minutes"
 * (https://api.slack.com/interactivity/handling#message_responses).
 */
export interface SlackResponseUrl {
  /** The path after `/actions/`: `<team>/<id>/<secret>`. */
  key: string;
  channel: string;
  messageTs: string;
  userId: string;
  createdMs: number;
  uses: number;
}

/** One POST an app made to a response_url, as received (for tests to read). */
export interface SlackResponsePost {
  key: string;
  atMs: number;
  body: unknown;
  /** What the emulator did with it. */
  effect: "replaced" | "deleted" | "posted" | "ephemeral";
}

/** 0 member, 1 admin, 2 owner, 3 primary owner: SCIM tokens "can only action on accounts with the same or fewer permissions". */
export function rankOf(user: SlackUser): number {
  if (user.isPrimaryOwner) return 3;
  if (user.isOwner) return 2;
  if (user.isAdmin) return 1;
  return 0;
}

export interface NewUser {
  email: string;
  name: string;
  realName?: string;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  title?: string;
  externalId?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  isPrimaryOwner?: boolean;
  isBot?: boolean;
  deleted?: boolean;
  id?: string;
}

/**
 * Everything one emulated Enterprise Grid org holds. Owned by one emulator instance; nothing is module-level.
 * Tests may read and change it directly (e.g. `state.sessionsOf(id)`), as the control endpoints do over HTTP.
 */
export class SlackState {
  readonly enterprise: SlackEnterprise;
  readonly workspaces: SlackWorkspace[] = [];
  readonly users = new Map<string, SlackUser>();
  readonly sessions = new Map<number, SlackSession>();
  readonly channels = new Map<string, SlackChannel>();
  /** Per channel id, oldest first. */
  readonly messages = new Map<string, SlackMessage[]>();
  /** Interaction response URLs by key, and every POST made to one. */
  readonly responseUrls = new Map<string, SlackResponseUrl>();
  readonly responsePosts: SlackResponsePost[] = [];
  /** The valid tokens, or `undefined` when any Slack-shaped token is accepted. */
  readonly tokens: ReadonlySet<string> | undefined;
  /** The user every token belongs to. */
  readonly tokenOwnerId: string;

  readonly #clock: Clock;
  readonly #ids = new IdGenerator();
  #nextSessionId = 1;
  #lastTsMicros = 0;

  constructor(seed: SlackSeed, clock: Clock) {
    this.#clock = clock;
    for (const id of [
      seed.enterprise?.id,
      ...(seed.workspaces ?? []).map((w) => w.id),
      ...(seed.channels ?? []).map((c) => c.id),
      ...(seed.users ?? []).map((u) => u.id),
    ]) {
      if (id) this.#ids.claim(id);
    }
    this.enterprise = {
      id: seed.enterprise?.id ?? this.#ids.next("E"),
      name: seed.enterprise?.name ?? "Cordon Test Org",
      domain: seed.enterprise?.domain ?? "cordon-test",
    };
    for (const [index, workspace] of (seed.workspaces ?? [{ name: "Cordon Test" }]).entries()) {
      this.workspaces.push({
        id: workspace.id ?? this.#ids.next("T"),
        name: workspace.name,
        domain: workspace.domain ?? `${this.enterprise.domain}-${index + 1}`,
      });
    }
    for (const channel of seed.channels ?? [{ name: "general" }]) {
      const id = channel.id ?? this.#ids.next("C");
      this.channels.set(id, { id, name: channel.name.replace(/^#/, "") });
      this.messages.set(id, []);
    }
    const seedUsers: SlackSeedUser[] = seed.users ?? [
      { email: seed.adminUser ?? "admin@example.com", isPrimaryOwner: true, realName: "Org Admin" },
    ];
    for (const seedUser of seedUsers) {
      const user = this.addUser({ ...seedUser, name: seedUser.name ?? localPart(seedUser.email) });
      for (let i = 0; i < (seedUser.sessions?.web ?? 0); i += 1) this.signIn(user.id, "web");
      for (let i = 0; i < (seedUser.sessions?.mobile ?? 0); i += 1) this.signIn(user.id, "mobile");
    }
    const owner = seed.adminUser
      ? this.findByEmail(seed.adminUser, { includeDeleted: true })
      : ([...this.users.values()].find((u) => u.isAdmin) ?? [...this.users.values()][0]);
    if (!owner) throw new Error("slack seed: no user can own the tokens");
    this.tokenOwnerId = owner.id;
    this.tokens = seed.tokens ? new Set(seed.tokens) : undefined;
  }

  now(): number {
    return this.#clock.now();
  }

  /** Adds a user to every workspace. Owners are admins too, and the primary owner is an owner, as in Slack. */
  addUser(input: NewUser): SlackUser {
    const id = input.id ?? this.#ids.next("W");
    this.#ids.claim(id);
    const realName = input.realName ?? input.displayName ?? input.name;
    const [given = "", ...rest] = realName.split(/\s+/);
    const isPrimaryOwner = input.isPrimaryOwner ?? false;
    const isOwner = isPrimaryOwner || (input.isOwner ?? false);
    const now = this.now();
    const user: SlackUser = {
      id,
      email: input.email,
      name: input.name,
      realName,
      displayName: input.displayName ?? input.name,
      givenName: input.givenName ?? given,
      familyName: input.familyName ?? rest.join(" "),
      title: input.title ?? "",
      externalId: input.externalId ?? "",
      isAdmin: isOwner || (input.isAdmin ?? false),
      isOwner,
      isPrimaryOwner,
      isBot: input.isBot ?? false,
      deleted: input.deleted ?? false,
      teams: this.workspaces.map((w) => w.id),
      createdMs: now,
      updatedMs: now,
    };
    this.users.set(id, user);
    return user;
  }

  get tokenOwner(): SlackUser {
    return this.users.get(this.tokenOwnerId)!;
  }

  isValidToken(token: string): boolean {
    return this.tokens ? this.tokens.has(token) : TOKEN_SHAPE.test(token);
  }

  getUser(id: string): SlackUser | undefined {
    return this.users.get(id);
  }

  findByEmail(email: string, options: { includeDeleted?: boolean } = {}): SlackUser | undefined {
    const wanted = email.trim().toLowerCase();
    for (const user of this.users.values()) {
      if (user.email.toLowerCase() === wanted && (options.includeDeleted || !user.deleted)) return user;
    }
    return undefined;
  }

  findByName(name: string): SlackUser | undefined {
    const wanted = name.toLowerCase();
    for (const user of this.users.values()) if (user.name.toLowerCase() === wanted) return user;
    return undefined;
  }

  touch(user: SlackUser): void {
    user.updatedMs = this.now();
  }

  /** Deactivates or reactivates. Deactivation ends every session, as Slack signs deactivated people out. */
  setActive(user: SlackUser, active: boolean): void {
    if (user.deleted === !active) return;
    user.deleted = !active;
    if (!active) this.endSessions(user.id, ["web", "mobile"]);
    this.touch(user);
  }

  signIn(
    userId: string,
    kind: SessionKind,
    details: Partial<
      Pick<SlackSession, "teamId" | "deviceHardware" | "os" | "osVersion" | "clientVersion" | "ip">
    > = {},
  ): SlackSession {
    const user = this.users.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    const id = this.#nextSessionId++;
    // Sample device details; Slack documents the fields (device_hardware, os, os_version, slack_client_version,
    // ip) but not their values for each client.
    const defaults =
      kind === "web"
        ? { deviceHardware: "Computer", os: "Mac OS X", osVersion: "14.5", clientVersion: "web" }
        : { deviceHardware: "iPhone", os: "iOS", osVersion: "17.5", clientVersion: "24.06.10" };
    const session: SlackSession = {
      id,
      userId,
      teamId: details.teamId ?? user.teams[0] ?? this.workspaces[0]!.id,
      kind,
      createdMs: this.now(),
      ...defaults,
      ip: `198.51.100.${(id % 254) + 1}`,
      ...stripUndefined(details),
    };
    this.sessions.set(id, session);
    return session;
  }

  sessionsOf(userId: string): SlackSession[] {
    return [...this.sessions.values()].filter((s) => s.userId === userId);
  }

  /** Ends the user's sessions of the given kinds; returns how many ended. */
  endSessions(userId: string, kinds: SessionKind[]): number {
    let ended = 0;
    for (const session of this.sessionsOf(userId)) {
      if (kinds.includes(session.kind)) {
        this.sessions.delete(session.id);
        ended += 1;
      }
    }
    return ended;
  }

  findChannel(idOrName: string): SlackChannel | undefined {
    const byId = this.channels.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^#/, "");
    for (const channel of this.channels.values()) if (channel.name === name) return channel;
    return undefined;
  }

  /** Message timestamps are `seconds.micros` strings, unique and increasing per org (spec `defs_ts`). */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.#lastTsMicros + 1);
    this.#lastTsMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  /** A channel's messages (by id or name), oldest first, thread replies included; empty for an unknown channel. */
  channelMessages(idOrName: string): SlackMessage[] {
    const channel = this.findChannel(idOrName);
    return channel ? [...(this.messages.get(channel.id) ?? [])] : [];
  }

  findMessage(channelId: string, ts: string): SlackMessage | undefined {
    return this.messages.get(channelId)?.find((m) => m.ts === ts);
  }

  /** Replaces a message's text and blocks in place (its ts stays), marking it edited. */
  update(message: SlackMessage, changes: { text: string; blocks?: unknown[] | null }, editor: string): void {
    message.text = changes.text;
    if (changes.blocks === null) delete message.blocks;
    else if (changes.blocks !== undefined) message.blocks = changes.blocks;
    message.edited = { user: editor, ts: this.nextTs() };
  }

  deleteMessage(channelId: string, ts: string): boolean {
    const list = this.messages.get(channelId) ?? [];
    const index = list.findIndex((m) => m.ts === ts);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  /** A fresh random secret for ids Slack makes unguessable (response URLs, trigger ids). */
  randomToken(): string {
    return randomBytes(12).toString("base64url");
  }

  post(message: Omit<SlackMessage, "ts">): SlackMessage {
    const stored: SlackMessage = { ...message, ts: this.nextTs() };
    const list = this.messages.get(message.channel) ?? [];
    list.push(stored);
    this.messages.set(message.channel, list);
    return stored;
  }
}

function localPart(email: string): string {
  return email.split("@")[0] ?? email;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
