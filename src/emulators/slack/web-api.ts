import type { Context, Hono } from "hono";
import type { Limits } from "./limits.ts";
import {
  adminUsersSessionInvalidate,
  adminUsersSessionList,
  adminUsersSessionReset,
} from "./methods/admin-sessions.ts";
import { adminTeamsList } from "./methods/admin-teams.ts";
import { authTest } from "./methods/auth.ts";
import { chatPostMessage, chatUpdate, conversationsHistory } from "./methods/chat.ts";
import { type Args, fail, type MethodHandler, type MethodResult, str } from "./methods/common.ts";
import { usersInfo, usersList, usersLookupByEmail } from "./methods/users.ts";
import { retryHeaders, TIER_PER_MINUTE, type Tier } from "./rate-limits.ts";
import type { SlackState } from "./state.ts";

export interface MethodSpec {
  tier: Tier;
  /** Enforced requests per minute per token (`rateLimitOverrides[method]` replaces it). */
  perMinute: number;
  handler: MethodHandler;
}

/**
 * The Web API methods the emulator serves, with the rate-limit tier each method's reference page gives
 * (https://docs.slack.dev/reference/methods/<method>, "Rate limits").
 */
export const WEB_API_METHODS: Record<string, MethodSpec> = {
  // "Special": "This method allows hundreds of requests per minute"; enforced as 100/min (Tier 4's floor).
  "auth.test": { tier: "special", perMinute: 100, handler: authTest },
  "users.lookupByEmail": { tier: 3, perMinute: TIER_PER_MINUTE[3], handler: usersLookupByEmail },
  "users.info": { tier: 4, perMinute: TIER_PER_MINUTE[4], handler: usersInfo },
  "users.list": { tier: 2, perMinute: TIER_PER_MINUTE[2], handler: usersList },
  "admin.users.session.reset": { tier: 2, perMinute: TIER_PER_MINUTE[2], handler: adminUsersSessionReset },
  "admin.users.session.invalidate": {
    tier: 2,
    perMinute: TIER_PER_MINUTE[2],
    handler: adminUsersSessionInvalidate,
  },
  "admin.users.session.list": { tier: 2, perMinute: TIER_PER_MINUTE[2], handler: adminUsersSessionList },
  "admin.teams.list": { tier: 2, perMinute: TIER_PER_MINUTE[2], handler: adminTeamsList },
  // "Special": one message per second per channel with short bursts; see TokenBuckets.
  "chat.postMessage": { tier: "special", perMinute: 60, handler: chatPostMessage },
  "chat.update": { tier: 3, perMinute: TIER_PER_MINUTE[3], handler: chatUpdate },
  // Tier 3 for internal apps (non-Marketplace commercial apps get 1/min since 2025-05-29; not modelled).
  "conversations.history": { tier: 3, perMinute: TIER_PER_MINUTE[3], handler: conversationsHistory },
};

/**
 * `/api/<method>`: any HTTP verb, arguments from the query string and from a form, multipart or JSON body (Slack
 * "accepts both GET and POST"; https://docs.slack.dev/apis/web-api/). The token comes from
 * `Authorization: Bearer` or a `token` argument; a JSON body must use the header ("Present your token in your
 * request's Authorization header"), so `token` inside JSON is ignored. Method errors are HTTP 200 with
 * `{"ok":false,"error":…}` (spec `defs_ok_false`); only rate limiting uses a status (429).
 */
export function mountWebApi(app: Hono, state: SlackState, limits: Limits): void {
  app.all("/api/:method", async (c) => {
    const method = c.req.param("method");
    const spec = WEB_API_METHODS[method];
    // Unknown methods are refused before authentication (a tokenless call to one gets unknown_method, not
    // not_authed). The 404 status is unverified; the body and `req_method` echo are what Slack sends.
    if (!spec) return slackJson(fail("unknown_method", { req_method: method }), 404);
    const read = await readArgs(c);
    if ("error" in read) return slackJson(fail(read.error));
    const { args, json } = read;
    const header = c.req.header("authorization");
    const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const token = bearer ?? (json ? undefined : str(args, "token"));
    if (!token) return slackJson(fail("not_authed"));
    if (!state.isValidToken(token)) return slackJson(fail("invalid_auth"));
    const caller = state.tokenOwner;
    // A deactivated owner's tokens stop working.
    if (caller.deleted) return slackJson(fail("account_inactive"));
    const throttle = limits.webApi(
      method,
      token,
      spec,
      method === "chat.postMessage" ? channelKey(state, args) : "",
    );
    if (!throttle.allowed) {
      // HTTP 429 with Retry-After (https://docs.slack.dev/apis/web-api/rate-limits); the `ratelimited` body is
      // the error code Slack's method tables list ("The request has been ratelimited. Refer to the Retry-After
      // header for when to retry the request.").
      return slackJson(fail("ratelimited"), 429, retryHeaders(throttle.waitMs));
    }
    return slackJson(spec.handler({ state, args, caller }));
  });
}

function channelKey(state: SlackState, args: Args): string {
  const channel = str(args, "channel") ?? "";
  return state.findChannel(channel)?.id ?? channel;
}

export function slackJson(body: MethodResult, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

type ReadArgs = { args: Args; json: boolean } | { error: string };

/**
 * Query arguments first, body arguments over them. Error codes are Slack's common ones: `invalid_json`,
 * `json_not_object`, `invalid_form_data`, `invalid_post_type` ("Valid types are: application/json
 * application/x-www-form-urlencoded multipart/form-data text/plain").
 */
async function readArgs(c: Context): Promise<ReadArgs> {
  const args: Args = Object.fromEntries(new URL(c.req.url).searchParams);
  if (c.req.method === "GET" || c.req.method === "HEAD") return { args, json: false };
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/json")) {
    const text = await c.req.text();
    if (!text.trim()) return { args, json: true };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { error: "invalid_json" };
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return { error: "json_not_object" };
    return { args: { ...args, ...(body as Args) }, json: true };
  }
  if (type.startsWith("multipart/form-data")) {
    try {
      const form = await c.req.parseBody();
      for (const [key, value] of Object.entries(form)) if (typeof value === "string") args[key] = value;
      return { args, json: false };
    } catch {
      return { error: "invalid_form_data" };
    }
  }
  if (type === "" || type.startsWith("application/x-www-form-urlencoded") || type.startsWith("text/plain")) {
    for (const [key, value] of new URLSearchParams(await c.req.text())) args[key] = value;
    return { args, json: false };
  }
  return { error: "invalid_post_type" };
}
