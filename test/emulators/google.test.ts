import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  createGoogleEmulator,
  type GoogleEmulator,
  type GoogleEmulatorOptions,
  GoogleSeed,
  SCOPE,
} from "../../src/emulators/google/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { manualClock } from "../support/clock.ts";
import { seedServiceAccount, testServiceAccount } from "../support/google-harness.ts";

const SA = testServiceAccount();
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
const D = "/admin/directory/v1";

const SEED: GoogleSeed = {
  customerId: "C01test99",
  serviceAccounts: [seedServiceAccount(SA)],
  users: [
    { primaryEmail: "admin@corp.example", isAdmin: true },
    {
      primaryEmail: "alice.anders@corp.example",
      aliases: ["al@corp.example", "alice@corp-alias.example"],
      sessions: 2,
      tokens: [
        {
          clientId: "1234-slack.apps.googleusercontent.com",
          displayText: "Slack",
          scopes: ["openid", "email"],
        },
        { clientId: "5678-zoom.apps.googleusercontent.com", displayText: "Zoom", nativeApp: true },
      ],
      asps: [{ name: "Thunderbird" }, { name: "iPhone Mail" }],
    },
    { primaryEmail: "bob.baker@corp.example" },
    { primaryEmail: "carol.chen@corp.example", suspended: true },
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({ primaryEmail: `page.user${n}@corp.example` })),
  ],
};

interface GoogleErrorJson {
  error: {
    code: number;
    message: string;
    errors: Array<{ message: string; domain: string; reason: string }>;
    status: string;
  };
}

function jwt(claims: Record<string, unknown>, privateKeyPem = SA.privateKeyPem, alg = "RS256"): string {
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${enc({ alg, typ: "JWT" })}.${enc(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), privateKeyPem).toString("base64url")}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: SA.clientEmail,
    sub: "admin@corp.example",
    scope: `${SCOPE.user} ${SCOPE.userSecurity}`,
    aud: GOOGLE_TOKEN_URL,
    iat,
    exp: iat + 3600,
    ...overrides,
  };
}

interface Served {
  emulator: GoogleEmulator;
  server: RunningServer;
  token(overrides?: Record<string, unknown>, assertion?: string): Promise<Response>;
  bearer(overrides?: Record<string, unknown>): Promise<string>;
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

async function serve(options: GoogleEmulatorOptions = {}): Promise<Served> {
  const emulator = createGoogleEmulator({ seed: SEED, ...options });
  const server = await serveFetch(emulator.app.fetch);
  const token = (overrides: Record<string, unknown> = {}, assertion?: string) =>
    fetch(`${server.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: assertion ?? jwt(claims(overrides)),
      }),
    });
  const bearer = async (overrides: Record<string, unknown> = {}) => {
    const response = await token(overrides);
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { access_token: string }).access_token;
  };
  let adminToken: string | undefined;
  const api = async (path: string, init: RequestInit & { token?: string } = {}) => {
    adminToken ??= await bearer();
    const { token: explicit, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (explicit !== "") headers.set("authorization", `Bearer ${explicit ?? adminToken}`);
    if (rest.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    return fetch(`${server.url}${path}`, { ...rest, headers });
  };
  return { emulator, server, token, bearer, api, close: () => server.close() };
}

async function googleError(response: Response, code: number, reason: string): Promise<GoogleErrorJson> {
  assert.equal(response.status, code);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = (await response.json()) as GoogleErrorJson;
  assert.equal(body.error.code, code);
  assert.equal(body.error.errors[0]?.reason, reason);
  assert.equal(typeof body.error.status, "string");
  return body;
}

describe("google emulator: OAuth JWT-bearer token endpoint", () => {
  let s: Served;
  before(async () => {
    s = await serve();
  });
  after(() => s.close());

  test("a well-signed assertion gets a Bearer token that works on the Directory API", async () => {
    const response = await s.token();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = (await response.json()) as { access_token: string; expires_in: number; token_type: string };
    assert.match(body.access_token, /^ya29\./);
    assert.equal(body.expires_in, 3599);
    assert.equal(body.token_type, "Bearer");
    const me = await s.api(`${D}/users/admin@corp.example`, { token: body.access_token });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { isAdmin: boolean }).isAdmin, true);
  });

  test("an assertion signed with another key is invalid_grant, and so is an unknown issuer", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const bad = await s.token({}, jwt(claims(), other.toString()));
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: "invalid_grant",
      error_description: "Invalid JWT Signature.",
    });
    const unknown = await s.token({ iss: "nobody@other.iam.gserviceaccount.com" });
    assert.equal(((await unknown.json()) as { error: string }).error, "invalid_grant");
    const hs = await s.token({}, jwt(claims(), SA.privateKeyPem, "HS256"));
    assert.equal(
      ((await hs.json()) as { error_description: string }).error_description,
      "Invalid JWT Signature.",
    );
  });

  test("aud, exp and iat are checked", async () => {
    const wrongAud = await s.token({ aud: "https://example.com/token" });
    assert.equal(wrongAud.status, 400);
    assert.match(((await wrongAud.json()) as { error_description: string }).error_description, /audience/);
    // The emulator's own token URL (the key file's token_uri) is accepted as an audience too.
    assert.equal((await s.token({ aud: `${s.server.url}/token` })).status, 200);
    const now = Math.floor(Date.now() / 1000);
    for (const times of [
      { iat: now - 7200, exp: now - 3600 },
      { iat: now, exp: now + 7200 },
      { iat: now + 3600, exp: now + 4000 },
    ]) {
      const response = await s.token(times);
      assert.equal(response.status, 400);
      assert.match(
        ((await response.json()) as { error_description: string }).error_description,
        /short-lived/,
      );
    }
  });

  test("the subject must be a user of the customer; a non-admin subject is refused by the Directory API", async () => {
    const unknown = await s.token({ sub: "ghost@corp.example" });
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), {
      error: "invalid_grant",
      error_description: "Invalid email or User ID",
    });
    const suspended = await s.token({ sub: "carol.chen@corp.example" });
    assert.equal(suspended.status, 400);
    // Google issues a token for any user; the Directory API then says the user is no administrator.
    const bobToken = await s.bearer({ sub: "bob.baker@corp.example" });
    const body = await googleError(
      await s.api(`${D}/users/alice.anders@corp.example`, { token: bobToken }),
      403,
      "forbidden",
    );
    assert.equal(body.error.message, "Not Authorized to access this resource/api");
  });

  test("scopes not delegated to the client id are unauthorized_client; no scope is invalid_scope", async () => {
    const response = await s.token({ scope: "https://www.googleapis.com/auth/admin.directory.group" });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: string }).error, "unauthorized_client");
    const none = await s.token({ scope: "" });
    assert.deepEqual(await none.json(), {
      error: "invalid_scope",
      error_description: "Empty or missing scope not allowed.",
    });
  });

  test("other grant types and a missing assertion are refused", async () => {
    const wrong = await fetch(`${s.server.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    assert.equal(((await wrong.json()) as { error: string }).error, "unsupported_grant_type");
    const missing = await fetch(`${s.server.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer",
    });
    assert.equal(((await missing.json()) as { error: string }).error, "invalid_request");
  });
});

describe("google emulator: Directory API wire format", () => {
  let s: Served;
  before(async () => {
    s = await serve();
  });
  after(() => s.close());

  test("no token is 401 required, a bad one 401 authError, both with a Bearer challenge", async () => {
    const missing = await googleError(
      await s.api(`${D}/users/admin@corp.example`, { token: "" }),
      401,
      "required",
    );
    assert.equal(missing.error.status, "UNAUTHENTICATED");
    const bad = await s.api(`${D}/users/admin@corp.example`, { token: "ya29.not-a-token" });
    assert.match(
      bad.headers.get("www-authenticate") ?? "",
      /^Bearer realm="https:\/\/accounts.google.com\/"/,
    );
    await googleError(bad, 401, "authError");
  });

  test("a token without the security scope gets 403 insufficientPermissions naming the scope, nothing secret", async () => {
    const userOnly = await s.bearer({ scope: SCOPE.user });
    const response = await s.api(`${D}/users/alice.anders@corp.example/signOut`, {
      method: "POST",
      token: userOnly,
    });
    assert.match(
      response.headers.get("www-authenticate") ?? "",
      /error="insufficient_scope", scope=".*user\.security"/,
    );
    const text = await response.clone().text();
    assert.doesNotMatch(text, /ya29|BEGIN|PRIVATE/);
    const body = await googleError(response, 403, "insufficientPermissions");
    assert.equal(body.error.message, "Request had insufficient authentication scopes.");
    assert.equal(body.error.status, "PERMISSION_DENIED");
    // The same token may read users.
    assert.equal((await s.api(`${D}/users/alice.anders@corp.example`, { token: userOnly })).status, 200);
  });

  test("users.get by primary email, URL-encoded alias, or id; unknown is Google's 404 envelope", async () => {
    const primary = (await (await s.api(`${D}/users/alice.anders@corp.example`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(primary.kind, "admin#directory#user");
    assert.deepEqual(primary.aliases, ["al@corp.example", "alice@corp-alias.example"]);
    assert.equal(primary.customerId, "C01test99");
    assert.match(String(primary.id), /^\d+$/);
    const alias = (await (await s.api(`${D}/users/${encodeURIComponent("AL@corp.example")}`)).json()) as {
      id: string;
    };
    assert.equal(alias.id, primary.id);
    const byId = (await (await s.api(`${D}/users/${primary.id}`)).json()) as { primaryEmail: string };
    assert.equal(byId.primaryEmail, "alice.anders@corp.example");
    const missing = await s.api(`${D}/users/ghost@corp.example`);
    assert.deepEqual(await missing.json(), {
      error: {
        code: 404,
        message: "Resource Not Found: userKey",
        errors: [{ message: "Resource Not Found: userKey", domain: "global", reason: "notFound" }],
        status: "NOT_FOUND",
      },
    });
    // An address in a domain the customer does not own.
    await googleError(await s.api(`${D}/users/someone@gmail.com`), 403, "forbidden");
  });

  test("fields narrows a reply to the selected members", async () => {
    const user = await (
      await s.api(`${D}/users/bob.baker@corp.example?fields=primaryEmail,name/givenName`)
    ).json();
    assert.deepEqual(user, { primaryEmail: "bob.baker@corp.example", name: { givenName: "Bob" } });
  });

  test("users.list pages with maxResults and nextPageToken past the first page", async () => {
    const emails: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({
        customer: "my_customer",
        query: "email:page.user*",
        maxResults: "3",
      });
      if (pageToken) query.set("pageToken", pageToken);
      const response = await s.api(`${D}/users?${query}`);
      assert.equal(response.status, 200);
      const page = (await response.json()) as {
        kind: string;
        users: Array<{ primaryEmail: string }>;
        nextPageToken?: string;
      };
      assert.equal(page.kind, "admin#directory#users");
      emails.push(...page.users.map((u) => u.primaryEmail));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken);
    assert.equal(pages, 3);
    assert.deepEqual(
      emails,
      [1, 2, 3, 4, 5, 6, 7].map((n) => `page.user${n}@corp.example`),
    );
  });

  test("users.list finds aliases with email=, omits users when nothing matches, and checks its parameters", async () => {
    const byAlias = (await (
      await s.api(`${D}/users?customer=my_customer&query=${encodeURIComponent("email=al@corp.example")}`)
    ).json()) as { users: Array<{ primaryEmail: string }> };
    assert.deepEqual(
      byAlias.users.map((u) => u.primaryEmail),
      ["alice.anders@corp.example"],
    );
    const none = (await (
      await s.api(`${D}/users?customer=my_customer&query=${encodeURIComponent("email=nobody@corp.example")}`)
    ).json()) as Record<string, unknown>;
    assert.equal(none.users, undefined);
    assert.equal(none.kind, "admin#directory#users");
    await googleError(await s.api(`${D}/users`), 400, "badRequest");
    const range = await googleError(
      await s.api(`${D}/users?customer=my_customer&maxResults=501`),
      400,
      "invalid",
    );
    assert.equal(range.error.message, "Invalid value '501'. Values must be within the range: [1, 500]");
    const suspended = (await (
      await s.api(`${D}/users?customer=C01test99&query=isSuspended%3Dtrue`)
    ).json()) as { users: Array<{ primaryEmail: string; suspensionReason: string }> };
    assert.deepEqual(
      suspended.users.map((u) => [u.primaryEmail, u.suspensionReason]),
      [["carol.chen@corp.example", "ADMIN"]],
    );
  });

  test("users.update sets suspended and changePasswordAtNextLogin with patch semantics", async () => {
    const put = await s.api(`${D}/users/bob.baker@corp.example`, {
      method: "PUT",
      body: JSON.stringify({ suspended: true }),
    });
    const user = (await put.json()) as Record<string, unknown>;
    assert.equal(user.suspended, true);
    assert.equal(user.suspensionReason, "ADMIN");
    assert.equal(user.changePasswordAtNextLogin, false);
    const patch = await s.api(`${D}/users/bob.baker@corp.example`, {
      method: "PATCH",
      body: JSON.stringify({ changePasswordAtNextLogin: true, suspended: false }),
    });
    const patched = (await patch.json()) as Record<string, unknown>;
    assert.deepEqual(
      [patched.suspended, patched.suspensionReason, patched.changePasswordAtNextLogin],
      [false, undefined, true],
    );
    await googleError(
      await s.api(`${D}/users/bob.baker@corp.example`, {
        method: "PUT",
        body: JSON.stringify({ suspended: "yes" }),
      }),
      400,
      "invalid",
    );
  });

  test("users.signOut answers 204 and ends every session; the control endpoints show it", async () => {
    const sessions = async (email: string) =>
      (
        (await (await fetch(`${s.server.url}/__cordon/google/users/${email}/sessions`)).json()) as {
          count: number;
        }
      ).count;
    assert.equal(await sessions("alice.anders@corp.example"), 2);
    const response = await s.api(`${D}/users/al@corp.example/signOut`, { method: "POST" });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), "");
    assert.equal(await sessions("alice.anders@corp.example"), 0);
    const signin = await fetch(`${s.server.url}/__cordon/google/users/alice.anders@corp.example/signin`, {
      method: "POST",
      body: JSON.stringify({ clientId: "9999-notes.apps.googleusercontent.com", displayText: "Notes" }),
    });
    assert.equal(signin.status, 201);
    assert.equal(await sessions("alice.anders@corp.example"), 1);
    const blocked = await fetch(`${s.server.url}/__cordon/google/users/carol.chen@corp.example/signin`, {
      method: "POST",
    });
    assert.equal(blocked.status, 409);
  });

  test("tokens.list and tokens.delete; an empty list has no items", async () => {
    const path = `${D}/users/alice.anders@corp.example/tokens`;
    const list = (await (await s.api(path)).json()) as {
      kind: string;
      items: Array<Record<string, unknown>>;
    };
    assert.equal(list.kind, "admin#directory#tokenList");
    const slack = list.items.find((t) => t.displayText === "Slack");
    assert.deepEqual(
      { ...slack, etag: undefined, userKey: undefined },
      {
        kind: "admin#directory#token",
        etag: undefined,
        userKey: undefined,
        clientId: "1234-slack.apps.googleusercontent.com",
        displayText: "Slack",
        anonymous: false,
        nativeApp: false,
        scopes: ["openid", "email"],
      },
    );
    for (const item of list.items) {
      const deleted = await s.api(`${path}/${encodeURIComponent(String(item.clientId))}`, {
        method: "DELETE",
      });
      assert.equal(deleted.status, 204);
    }
    await googleError(
      await s.api(`${path}/1234-slack.apps.googleusercontent.com`, { method: "DELETE" }),
      404,
      "notFound",
    );
    const empty = (await (await s.api(path)).json()) as Record<string, unknown>;
    assert.equal(empty.items, undefined);
    assert.equal(empty.kind, "admin#directory#tokenList");
  });

  test("asps.list and asps.delete; codeId must be an integer", async () => {
    const path = `${D}/users/alice.anders@corp.example/asps`;
    const list = (await (await s.api(path)).json()) as {
      kind: string;
      items: Array<{ kind: string; codeId: number; name: string; creationTime: string }>;
    };
    assert.equal(list.kind, "admin#directory#aspList");
    assert.deepEqual(
      list.items.map((a) => [a.kind, a.name]),
      [
        ["admin#directory#asp", "Thunderbird"],
        ["admin#directory#asp", "iPhone Mail"],
      ],
    );
    assert.match(list.items[0]!.creationTime, /^\d+$/);
    await googleError(await s.api(`${path}/abc`, { method: "DELETE" }), 400, "invalid");
    assert.equal((await s.api(`${path}/${list.items[0]!.codeId}`, { method: "DELETE" })).status, 204);
    await googleError(await s.api(`${path}/${list.items[0]!.codeId}`, { method: "DELETE" }), 404, "notFound");
    assert.equal(((await (await s.api(path)).json()) as { items: unknown[] }).items.length, 1);
  });
});

/** A clock tests move by hand, starting on a minute boundary so the fixed windows are predictable. */
/** This file's clocks start at Math.floor(Date.now() / 60000) * 60000. */
const googleClock = (start = Math.floor(Date.now() / 60_000) * 60_000) => manualClock(start);

describe("google emulator: quota and faults", () => {
  test("the per-user quota answers 403 userRateLimitExceeded with the exact wait, then recovers", async () => {
    const clock = googleClock();
    const s = await serve({ clock, rateLimitOverrides: { perUserPerMinute: 3 } });
    try {
      const path = `${D}/users/bob.baker@corp.example`;
      for (let i = 0; i < 3; i++) assert.equal((await s.api(path)).status, 200);
      const limited = await s.api(path);
      const body = await googleError(limited, 403, "userRateLimitExceeded");
      assert.equal(body.error.errors[0]?.domain, "usageLimits");
      assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "60000");
      // Another quota user has its own window.
      assert.equal((await s.api(`${path}?quotaUser=worker-2`)).status, 200);
      clock.advance(60_000);
      assert.equal((await s.api(path)).status, 200);
    } finally {
      await s.close();
    }
  });

  test("timeScale compresses the window", async () => {
    const clock = googleClock();
    const s = await serve({ clock, timeScale: 60, rateLimitOverrides: { perUserPerMinute: 1 } });
    try {
      assert.equal((await s.api(`${D}/users/bob.baker@corp.example`)).status, 200);
      const limited = await s.api(`${D}/users/bob.baker@corp.example`);
      assert.equal(limited.status, 403);
      assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "1000");
    } finally {
      await s.close();
    }
  });

  test("concurrent requests past the account's limit get 429 rateLimitExceeded", async () => {
    const s = await serve({ rateLimitOverrides: { concurrent: 1 } });
    try {
      await s.bearer(); // warm the token so both requests below reach the limiter together
      const first = await s.api(`${D}/users/bob.baker@corp.example`);
      assert.equal(first.status, 200);
      await fetch(`${s.server.url}/__cordon/faults`, {
        method: "POST",
        body: JSON.stringify({ kind: "latency", latencyMs: 300, pathPrefix: `${D}/users/alice`, count: 1 }),
      });
      const slow = s.api(`${D}/users/alice.anders@corp.example`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await s.api(`${D}/users/bob.baker@corp.example`);
      const body = await googleError(second, 429, "rateLimitExceeded");
      assert.equal(body.error.status, "RESOURCE_EXHAUSTED");
      assert.equal(second.headers.get("x-cordon-retry-after-ms"), "1000");
      assert.equal((await slow).status, 200);
      assert.equal((await s.api(`${D}/users/bob.baker@corp.example`)).status, 200);
    } finally {
      await s.close();
    }
  });

  test("injected faults use Google's envelope; control endpoints are never faulted", async () => {
    const s = await serve();
    try {
      const fault = (rule: Record<string, unknown>) =>
        fetch(`${s.server.url}/__cordon/faults`, { method: "POST", body: JSON.stringify(rule) });
      await fault({ kind: "status", status: 503, pathPrefix: `${D}/users`, count: 1 });
      const body = await googleError(await s.api(`${D}/users/bob.baker@corp.example`), 503, "backendError");
      assert.equal(body.error.status, "UNAVAILABLE");
      await fault({
        kind: "status",
        status: 403,
        retryAfterSeconds: 0.25,
        pathPrefix: `${D}/users`,
        count: 1,
      });
      const limited = await s.api(`${D}/users/bob.baker@corp.example`);
      assert.equal(limited.headers.get("x-cordon-retry-after-ms"), "250");
      await googleError(limited, 403, "userRateLimitExceeded");
      await fault({ kind: "status", status: 429, pathPrefix: `${D}/users`, count: 1 });
      await googleError(await s.api(`${D}/users/bob.baker@corp.example`), 429, "rateLimitExceeded");
      await fault({ kind: "drop", pathPrefix: `${D}/users`, count: 1 });
      await assert.rejects(s.api(`${D}/users/bob.baker@corp.example`));
      await fault({ kind: "status", status: 500 });
      const control = await fetch(`${s.server.url}/__cordon/google/users/bob.baker@corp.example/sessions`);
      assert.equal(control.status, 200);
      await fetch(`${s.server.url}/__cordon/faults`, { method: "DELETE" });
      assert.equal((await s.api(`${D}/users/bob.baker@corp.example`)).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe("google emulator: seed", () => {
  test("an address used twice and a bad public key are both reported", () => {
    const parsed = GoogleSeed.safeParse({
      serviceAccounts: [{ clientEmail: "x@p.iam.gserviceaccount.com", publicKeyPem: "not a key" }],
      users: [
        { primaryEmail: "a@corp.example" },
        { primaryEmail: "b@corp.example", aliases: ["A@corp.example"] },
      ],
    });
    assert.equal(parsed.success, false);
    const messages = parsed.error?.issues.map((i) => i.message).join("\n") ?? "";
    assert.match(messages, /already users\[0\]'s address/);
    assert.match(messages, /not a PEM public key/);
  });

  test("without service accounts or access tokens, any bearer token acts as the first super admin", async () => {
    const emulator = createGoogleEmulator({
      seed: { users: [{ primaryEmail: "root@corp.example", isAdmin: true }] },
    });
    const response = await emulator.app.fetch(
      new Request("http://emulator/admin/directory/v1/users/root@corp.example", {
        headers: { authorization: "Bearer anything" },
      }),
    );
    assert.equal(response.status, 200);
  });
});
