import { Hono, type MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Clock, systemClock } from "../../core/clock.ts";
import { CONTROL_PREFIX, faultMiddleware, mountFaultControl } from "../kit/control.ts";
import type { Emulator, EmulatorBaseOptions } from "../kit/emulator.ts";
import { FaultPlan, type FaultRule } from "../kit/faults.ts";
import { authenticate } from "./access.ts";
import { mountGithubControl } from "./control.ts";
import type { GithubContext, GithubEnv } from "./env.ts";
import { DOCS_REST, GithubErrors, githubError } from "./errors.ts";
import { mountGraphql } from "./graphql.ts";
import {
  GithubLimits,
  type GithubRateLimitOverrides,
  type LimitStatus,
  setPreciseRetry,
  setRateHeaders,
} from "./rate-limits.ts";
import { mountCredentialRoutes } from "./routes/credentials.ts";
import { mountOrgRoutes } from "./routes/orgs.ts";
import { mountTeamRoutes } from "./routes/teams.ts";
import { mountUserRoutes } from "./routes/users.ts";
import { applyGithubSeed, GithubSeed, parseGithubSeed } from "./seed.ts";
import { GithubState } from "./state.ts";

export { GITHUB_LIMITS, type GithubRateLimitOverrides, type LimitStatus } from "./rate-limits.ts";
export { GithubState } from "./state.ts";
export { GithubSeed };

export interface GithubEmulatorOptions extends EmulatorBaseOptions {
  clock?: Clock;
  seed?: GithubSeed;
  /** Replaces documented limits (`core`, `graphql`, `restPointsPerMinute`, `contentPerMinute`…); for tests. */
  rateLimitOverrides?: GithubRateLimitOverrides;
  /** Status of a REST rate-limit refusal: GitHub documents "403 or 429". Default 403. */
  limitStatus?: LimitStatus;
}

export interface GithubEmulator extends Emulator {
  vendor: "github";
  /** Every org, user and token, for inspection by tests. Change it through the API or the control endpoints. */
  state: GithubState;
  limits: GithubLimits;
}

const RATE_DOC = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
const SECONDARY_DOC = `${RATE_DOC}#about-secondary-rate-limits`;

/** Route templates, so the secondary limit counts "requests to a single endpoint" whatever the ids. */
const ENDPOINTS: Array<[RegExp, string]> = [
  [
    /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/,
    "/orgs/{org}/teams/{team_slug}/memberships/{username}",
  ],
  [/^\/orgs\/[^/]+\/teams\/[^/]+$/, "/orgs/{org}/teams/{team_slug}"],
  [/^\/orgs\/[^/]+\/teams$/, "/orgs/{org}/teams"],
  [/^\/orgs\/[^/]+\/members\/[^/]+$/, "/orgs/{org}/members/{username}"],
  [/^\/orgs\/[^/]+\/members$/, "/orgs/{org}/members"],
  [/^\/orgs\/[^/]+\/memberships\/[^/]+$/, "/orgs/{org}/memberships/{username}"],
  [
    /^\/orgs\/[^/]+\/credential-authorizations\/[^/]+$/,
    "/orgs/{org}/credential-authorizations/{credential_id}",
  ],
  [/^\/orgs\/[^/]+\/credential-authorizations$/, "/orgs/{org}/credential-authorizations"],
  [/^\/orgs\/[^/]+\/invitations$/, "/orgs/{org}/invitations"],
  [/^\/orgs\/[^/]+$/, "/orgs/{org}"],
  [/^\/users\/[^/]+$/, "/users/{username}"],
];

function endpointOf(path: string): string {
  for (const [pattern, template] of ENDPOINTS) if (pattern.test(path)) return template;
  return path;
}

function secondaryLimitReply(c: GithubContext, status: ContentfulStatusCode, waitMs: number): Response {
  const response = githubError(
    c,
    status,
    `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${c.var.requestId}.`,
    SECONDARY_DOC,
  );
  response.headers.set("retry-after", String(Math.ceil(waitMs / 1000)));
  setPreciseRetry(response.headers, waitMs);
  return response;
}

/**
 * Primary limit per user and resource (`core` for REST, `graphql`), then the secondary limits (concurrency, points
 * per endpoint per minute, content creation), and the `x-ratelimit-*` headers on whatever reply goes back.
 * Exceeding a primary limit: REST answers 403 (or 429) with remaining 0; GraphQL answers 200 with a
 * `RATE_LIMITED` error (GraphQL rate-limit doc: "the response status will still be 200"). Secondary limits answer
 * 403 (or 429) with `retry-after`.
 */
function rateLimiter(limits: GithubLimits, status: LimitStatus, clock: Clock): MiddlewareHandler<GithubEnv> {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith(CONTROL_PREFIX)) return next();
    const owner = c.var.actor.login;
    const graphql = path === "/graphql";
    const primary = limits.primary(owner, graphql ? "graphql" : "core");
    c.set("rate", primary.rate);
    const waitForReset = primary.rate.resetAtMs - clock.now();
    if (!primary.allowed) {
      const message = `API rate limit exceeded for user ID ${c.var.actor.id}.`;
      const response = graphql
        ? c.json({ errors: [{ type: "RATE_LIMITED", message }] }, 200)
        : githubError(
            c,
            status,
            `${message} If you reach out to GitHub Support for help, please include the request ID ${c.var.requestId}.`,
            RATE_DOC,
          );
      setRateHeaders(response.headers, primary.rate);
      setPreciseRetry(response.headers, waitForReset);
      return response;
    }
    const method = c.req.method.toUpperCase();
    const points = graphql || ["GET", "HEAD", "OPTIONS"].includes(method) ? 1 : 5;
    const contentCreating = method === "PUT" || (method === "POST" && !graphql);
    const secondary = limits.secondary(
      owner,
      `${method} ${endpointOf(path)}`,
      points,
      graphql,
      contentCreating,
    );
    if (!secondary.allowed) {
      const response = secondaryLimitReply(
        c,
        status,
        secondary.kind === "secondary" ? secondary.retryAfterMs : 60_000,
      );
      setRateHeaders(response.headers, primary.rate);
      return response;
    }
    if (!limits.enter()) {
      const response = secondaryLimitReply(c, status, 1000);
      setRateHeaders(response.headers, primary.rate);
      return response;
    }
    try {
      await next();
    } finally {
      limits.leave();
    }
    if (!c.res.headers.has("x-ratelimit-limit")) setRateHeaders(c.res.headers, primary.rate);
  };
}

/** Injected faults in GitHub's format; a 403/429 with `retryAfterSeconds` looks like a secondary rate limit. */
function renderFault(c: GithubContext, rule: FaultRule): Response {
  const status = (rule.status ?? 500) as ContentfulStatusCode;
  if ((status === 403 || status === 429) && rule.retryAfterSeconds !== undefined)
    return secondaryLimitReply(c, status, rule.retryAfterSeconds * 1000);
  if (status === 401) return GithubErrors.badCredentials(c);
  if (status === 404) return GithubErrors.notFound(c);
  if (status === 403) return githubError(c, 403, "Forbidden");
  if (status === 422) return githubError(c, 422, "Validation Failed");
  if (status >= 500) return githubError(c, status, status === 502 ? "Server Error" : "Service Unavailable");
  return githubError(c, status, "Bad Request");
}

/**
 * GitHub's REST API (v3) and a GraphQL slice for one or more organizations: the token's user, orgs, members with
 * Link pagination, memberships (role in the JSON body) and invitations, teams and team memberships, SAML SSO
 * credential authorizations, and SAML external identities over GraphQL. Middleware order: request id → control
 * endpoints (no auth) → auth → rate limits → injected faults → routes. Point Octokit's `baseUrl` at it.
 */
export function createGithubEmulator(options: GithubEmulatorOptions = {}): GithubEmulator {
  const clock = options.clock ?? systemClock();
  const seed = parseGithubSeed(options.seed ?? {});
  const state = new GithubState(clock);
  applyGithubSeed(state, seed);
  const faults = new FaultPlan(options.faultSeed);
  const limits = new GithubLimits({
    clock,
    timeScale: options.timeScale ?? 1,
    enforce: options.enforceRateLimits ?? true,
    overrides: options.rateLimitOverrides,
  });
  let requests = 0;

  const app = new Hono<GithubEnv>();
  app.use("*", async (c, next) => {
    requests += 1;
    c.set("state", state);
    c.set("clock", clock);
    c.set(
      "requestId",
      `C0DE:${requests.toString(16).toUpperCase().padStart(6, "0")}:${(clock.now() % 0xffffff).toString(16).toUpperCase()}`,
    );
    await next();
    if (!new URL(c.req.url).pathname.startsWith(CONTROL_PREFIX)) {
      c.res.headers.set("x-github-request-id", c.var.requestId);
      c.res.headers.set("x-github-api-version-selected", "2022-11-28");
      c.res.headers.set("x-github-media-type", "github.v3; format=json");
    }
  });
  mountFaultControl(app, faults);
  mountGithubControl(app);
  app.use("*", authenticate());
  app.use("*", rateLimiter(limits, options.limitStatus ?? 403, clock));
  app.use(
    "*",
    faultMiddleware({ faults, clock, renderFault: (c, rule) => renderFault(c as GithubContext, rule) }),
  );
  mountUserRoutes(app);
  mountOrgRoutes(app);
  mountTeamRoutes(app);
  mountCredentialRoutes(app);
  mountGraphql(app);

  app.notFound((c) => githubError(c, 404, "Not Found", DOCS_REST));
  app.onError((error, c) => {
    // A dropped connection (injected fault) must reach the caller as a network error, not as a 500.
    if (error instanceof TypeError && error.message.includes("injected fault")) throw error;
    return GithubErrors.internal(c);
  });

  return { vendor: "github", app, faults, state, limits };
}
