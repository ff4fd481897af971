import { sha256Hex } from "../../core/hash.ts";
import type { SlackMessage, SlackSession, SlackState, SlackUser } from "./state.ts";

/**
 * Web API objects in Slack's wire shape. The user object follows the spec's enterprise-user variant of
 * `objs_user` and `objs_user_profile` (slack_web_openapi_v2.json), whose required profile fields are all present.
 */
export function userObject(state: SlackState, user: SlackUser): Record<string, unknown> {
  const hash = sha256Hex(user.id);
  const image = (size: number) =>
    `https://secure.gravatar.com/avatar/${hash.slice(0, 32)}.jpg?s=${size}&d=mp`;
  const profile: Record<string, unknown> = {
    title: user.title,
    phone: "",
    skype: "",
    real_name: user.realName,
    real_name_normalized: user.realName,
    display_name: user.displayName,
    display_name_normalized: user.displayName,
    fields: null,
    status_text: "",
    status_emoji: "",
    status_expiration: 0,
    avatar_hash: `g${hash.slice(0, 11)}`,
    first_name: user.givenName,
    last_name: user.familyName,
    image_24: image(24),
    image_32: image(32),
    image_48: image(48),
    image_72: image(72),
    image_192: image(192),
    image_512: image(512),
    team: user.teams[0] ?? state.workspaces[0]!.id,
  };
  // Bots have no email in Slack; their profile names the bot instead.
  if (user.isBot) {
    profile.bot_id = `B${user.id.slice(1)}`;
    profile.always_active = false;
  } else {
    profile.email = user.email;
  }
  return {
    id: user.id,
    team_id: user.teams[0] ?? state.workspaces[0]!.id,
    name: user.name,
    deleted: user.deleted,
    color: hash.slice(12, 18),
    real_name: user.realName,
    tz: "America/Los_Angeles",
    tz_label: "Pacific Daylight Time",
    tz_offset: -25200,
    profile,
    is_admin: user.isAdmin,
    is_owner: user.isOwner,
    is_primary_owner: user.isPrimaryOwner,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: Math.floor(user.updatedMs / 1000),
    has_2fa: false,
    enterprise_user: {
      id: user.id,
      enterprise_id: state.enterprise.id,
      enterprise_name: state.enterprise.name,
      is_admin: user.isAdmin,
      is_owner: user.isOwner,
      teams: user.teams,
    },
  };
}

/**
 * An `active_sessions` entry as admin.users.session.list documents it
 * (https://docs.slack.dev/reference/methods/admin.users.session.list; @slack/web-api `ActiveSession`):
 * `user_id`, `team_id`, integer `session_id`, and `created` with device_hardware, os, os_version,
 * slack_client_version and ip. `recent` appears only when a session changed since creation, which never happens
 * here, so it is left out.
 */
export function sessionObject(session: SlackSession): Record<string, unknown> {
  return {
    user_id: session.userId,
    team_id: session.teamId,
    session_id: session.id,
    created: {
      device_hardware: session.deviceHardware,
      os: session.os,
      os_version: session.osVersion,
      slack_client_version: session.clientVersion,
      ip: session.ip,
    },
  };
}

/** A message as `objs_message` (required: type, text, ts). */
export function messageObject(state: SlackState, message: SlackMessage): Record<string, unknown> {
  const author = state.getUser(message.user);
  return {
    type: "message",
    text: message.text,
    user: message.user,
    ts: message.ts,
    team: author?.teams[0] ?? state.workspaces[0]!.id,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.edited ? { edited: { ...message.edited } } : {}),
  };
}
