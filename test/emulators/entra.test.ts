import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  createEntraEmulator,
  type EntraEmulator,
  type EntraEmulatorOptions,
  EntraSeed,
} from "../../src/emulators/entra/index.ts";
import { assignmentId } from "../../src/emulators/entra/routes/roles.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { testTls } from "../../src/emulators/kit/tls.ts";
import { type ManualClock, manualClock } from "../support/clock.ts";

const TENANT = "3f1c2a8e-6b7d-4e5f-8a9b-0c1d2e3f4a5b";
const APP = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const READER = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const SECRET = "s3cret~value";
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

const SEED: EntraSeed = {
  tenantId: TENANT,
  domains: ["contoso.onmicrosoft.com"],
  apps: [
    {
      clientId: APP,
      displayName: "cordon",
      secrets: [SECRET],
      permissions: [
        "User.Read.All",
        "RoleManagement.Read.Directory",
        "User.EnableDisableAccount.All",
        "User-PasswordProfile.ReadWrite.All",
        "User.RevokeSessions.All",
        "GroupMember.ReadWrite.All",
        "IdentityRiskyUser.ReadWrite.All",
      ],
    },
    { clientId: READER, secrets: [SECRET], permissions: ["User.Read.All"] },
  ],
  groups: [
    { displayName: "Engineering" },
    { displayName: "Team Rocket", groupTypes: ["Unified"] },
    {
      displayName: "All Staff",
      groupTypes: ["DynamicMembership"],
      membershipRule: 'user.department -eq "x"',
    },
    { displayName: "Finance (AD)", onPremisesSyncEnabled: true },
    { displayName: "Sales DL", mailEnabled: true, securityEnabled: false },
    { displayName: "Helpdesk admins", isAssignableToRole: true, directoryRoles: ["Helpdesk Administrator"] },
  ],
  users: [
    { userPrincipalName: "admin@contoso.com", directoryRoles: ["Global Administrator"] },
    {
      userPrincipalName: "alice@contoso.com",
      proxyAddresses: ["SMTP:alice@contoso.com", "smtp:a.anders@contoso.com"],
      groups: ["Engineering", "Team Rocket", "All Staff", "Finance (AD)", "Sales DL", "Helpdesk admins"],
    },
    { userPrincipalName: "bob@contoso.com", mail: "bob.baker@fabrikam.com" },
    {
      userPrincipalName: "carol@contoso.com",
      proxyAddresses: ["SMTP:carol@contoso.com", "smtp:cc@contoso.com"],
    },
    {
      userPrincipalName: "gina_partner.com#EXT#@contoso.onmicrosoft.com",
      mail: "gina@partner.com",
      userType: "Guest",
    },
    { userPrincipalName: "dave@contoso.com", risk: { riskLevel: "medium", riskState: "atRisk" } },
  ],
};

/** This file's clocks start at Math.floor(1790000000000 / 300000) * 300000. */
const entraClock = (start = Math.floor(1_790_000_000_000 / 300_000) * 300_000) => manualClock(start);

interface Running {
  emulator: EntraEmulator;
  server: RunningServer;
  clock: ManualClock;
  token(clientId?: string): Promise<string>;
  graph(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  fault(rule: object): Promise<void>;
}

async function start(options: EntraEmulatorOptions = {}): Promise<Running> {
  const clock = entraClock();
  const emulator = createEntraEmulator({ seed: SEED, clock, ...options });
  const server = await serveFetch(emulator.app.fetch, { tls: testTls() });
  const token = async (clientId = APP) => {
    const response = await postForm(`${server.url}/${TENANT}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: SECRET,
      scope: GRAPH_SCOPE,
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { access_token: string }).access_token;
  };
  return {
    emulator,
    server,
    clock,
    token,
    // Without a token given, a fresh one per call: tests move the clock past tokens' expiry.
    graph: async (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: {
          ...(init.body ? { "content-type": "application/json" } : {}),
          ...(init.token === "" ? {} : { authorization: `Bearer ${init.token ?? (await token())}` }),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    async fault(rule) {
      const response = await fetch(`${server.url}/__cordon/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(rule),
      });
      assert.equal(response.status, 200);
    },
  };
}

function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

interface GraphErrorJson {
  error: {
    code: string;
    message: string;
    innerError: { date: string; "request-id": string; "client-request-id": string };
  };
}
async function graphError(
  response: Response,
  status: number,
  code: string,
): Promise<GraphErrorJson["error"]> {
  assert.equal(response.status, status);
  const body = (await response.json()) as GraphErrorJson;
  assert.equal(body.error.code, code, body.error.message);
  assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.match(body.error.innerError["request-id"], /^[0-9a-f-]{36}$/);
  return body.error;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}

let r: Running;
before(async () => {
  r = await start();
});
after(() => r.server.close());

const idOf = (upn: string) => r.emulator.state.findUser(upn)?.id ?? assert.fail(`no ${upn}`);

describe("entra emulator: token endpoint", () => {
  test("OIDC discovery points every endpoint back at the emulator; an unknown tenant is AADSTS90002", async () => {
    for (const tenant of [TENANT, "contoso.onmicrosoft.com"]) {
      const doc = (await (
        await fetch(`${r.server.url}/${tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      assert.equal(doc.token_endpoint, `${r.server.url}/${TENANT}/oauth2/v2.0/token`);
      assert.equal(doc.issuer, `${r.server.url}/${TENANT}/v2.0`);
      assert.equal(doc.authorization_endpoint, `${r.server.url}/${TENANT}/oauth2/v2.0/authorize`);
      assert.ok(doc.jwks_uri?.startsWith(r.server.url));
    }
    const unknown = await fetch(
      `${r.server.url}/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
    );
    assert.equal(unknown.status, 400);
    const body = (await unknown.json()) as {
      error: string;
      error_codes: number[];
      error_description: string;
    };
    assert.equal(body.error, "invalid_request");
    assert.deepEqual(body.error_codes, [90002]);
    assert.match(body.error_description, /^AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found/);
  });

  test("client credentials: Bearer JWT carrying the app's roles, tid and appid; Basic auth too", async () => {
    const response = await postForm(`${r.server.url}/${TENANT}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: APP,
      client_secret: SECRET,
      scope: GRAPH_SCOPE,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store, no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      "access_token",
      "expires_in",
      "ext_expires_in",
      "token_type",
    ]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 3599);
    const claims = claimsOf(String(body.access_token));
    assert.equal(claims.tid, TENANT);
    assert.equal(claims.appid, APP);
    assert.equal(claims.aud, "https://graph.microsoft.com");
    assert.ok((claims.roles as string[]).includes("User.RevokeSessions.All"));
    const basic = await postForm(
      `${r.server.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
      { grant_type: "client_credentials", scope: "00000003-0000-0000-c000-000000000000/.default" },
      { authorization: `Basic ${Buffer.from(`${READER}:${SECRET}`).toString("base64")}` },
    );
    assert.deepEqual(claimsOf(((await basic.json()) as { access_token: string }).access_token).roles, [
      "User.Read.All",
    ]);
  });

  test("refusals in the token endpoint's error format", async () => {
    const url = `${r.server.url}/${TENANT}/oauth2/v2.0/token`;
    const base = {
      grant_type: "client_credentials",
      client_id: APP,
      client_secret: SECRET,
      scope: GRAPH_SCOPE,
    };
    const cases: Array<[Record<string, string>, number, string, number]> = [
      [{ ...base, client_secret: "wrong" }, 401, "invalid_client", 7000215],
      [{ ...base, client_id: "99999999-9999-4999-8999-999999999999" }, 400, "unauthorized_client", 700016],
      [{ ...base, scope: "https://graph.microsoft.com/User.Read.All" }, 400, "invalid_scope", 1002012],
      [{ ...base, scope: "https://vault.azure.net/.default" }, 400, "invalid_resource", 500011],
      [{ ...base, grant_type: "password" }, 400, "unsupported_grant_type", 70003],
      [
        { grant_type: "client_credentials", client_id: APP, scope: GRAPH_SCOPE },
        401,
        "invalid_client",
        7000218,
      ],
    ];
    for (const [fields, status, error, code] of cases) {
      const response = await postForm(url, fields, {
        "client-request-id": "11111111-2222-4333-8444-555555555555",
      });
      assert.equal(response.status, status, JSON.stringify(fields));
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
      assert.match(
        String(body.error_description),
        new RegExp(
          `^AADSTS${code}: .* Trace ID: [0-9a-f-]+ Correlation ID: 11111111-2222-4333-8444-555555555555 Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
        ),
      );
      assert.equal(body.correlation_id, "11111111-2222-4333-8444-555555555555");
    }
  });
});

describe("entra emulator: Graph v1.0", () => {
  test("no token, garbage, expired: 401 InvalidAuthenticationToken in Graph's envelope, with a challenge", async () => {
    const none = await r.graph("/v1.0/users", {
      token: "",
      headers: { "client-request-id": "c0ffee00-0000-4000-8000-000000000001" },
    });
    assert.ok(none.headers.get("www-authenticate")?.startsWith("Bearer "));
    assert.equal(none.headers.get("client-request-id"), "c0ffee00-0000-4000-8000-000000000001");
    const error = await graphError(none, 401, "InvalidAuthenticationToken");
    assert.equal(error.message, "Access token is empty.");
    assert.equal(error.innerError["client-request-id"], "c0ffee00-0000-4000-8000-000000000001");
    assert.equal(
      (await graphError(await r.graph("/v1.0/users", { token: "abc" }), 401, "InvalidAuthenticationToken"))
        .message,
      "CompactToken parsing failed with error code: 80049217",
    );
    const old = await r.token();
    r.clock.advance(3600_000);
    const expired = await graphError(
      await r.graph("/v1.0/users", { token: old }),
      401,
      "InvalidAuthenticationToken",
    );
    assert.equal(expired.message, "Lifetime validation failed, the token is expired.");
  });

  test("users: default properties vs $select, by id or UPN (a guest's #EXT# percent-encoded), 404 envelope", async () => {
    const fresh = await r.token();
    const byUpn = (await (await r.graph("/v1.0/users/alice@contoso.com", { token: fresh })).json()) as Record<
      string,
      unknown
    >;
    assert.equal(byUpn["@odata.context"], `${r.server.url}/v1.0/$metadata#users/$entity`);
    assert.equal(byUpn.accountEnabled, undefined, "returned only on $select");
    assert.deepEqual(byUpn.businessPhones, []);
    const guest = (await (
      await r.graph(
        `/v1.0/users/${encodeURIComponent("gina_partner.com#EXT#@contoso.onmicrosoft.com")}?$select=id,userType,accountEnabled,signInSessionsValidFromDateTime`,
        { token: fresh },
      )
    ).json()) as Record<string, unknown>;
    assert.equal(guest.userType, "Guest");
    assert.match(String(guest.signInSessionsValidFromDateTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(Object.keys(guest).sort(), [
      "@odata.context",
      "accountEnabled",
      "id",
      "signInSessionsValidFromDateTime",
      "userType",
    ]);
    const missing = await graphError(
      await r.graph("/v1.0/users/nobody@contoso.com", { token: fresh }),
      404,
      "Request_ResourceNotFound",
    );
    assert.equal(
      missing.message,
      "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.",
    );
    const badSelect = await graphError(
      await r.graph("/v1.0/users/alice@contoso.com?$select=shoeSize", { token: fresh }),
      400,
      "BadRequest",
    );
    assert.equal(
      badSelect.message,
      "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    );
  });

  test("$filter with or across mail, userPrincipalName and proxyAddresses/any, paged past the first page", async () => {
    const fresh = await r.token();
    const filter =
      "mail eq 'BOB.BAKER@fabrikam.com' or userPrincipalName eq 'alice@contoso.com' or proxyAddresses/any(x:x eq 'smtp:cc@contoso.com')";
    const upns: string[] = [];
    let next: string | undefined =
      `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id,userPrincipalName&$top=2`;
    let pages = 0;
    while (next) {
      const response = await r.graph(next, { token: fresh });
      assert.equal(response.status, 200);
      const page = (await response.json()) as {
        value: Array<{ userPrincipalName: string }>;
        "@odata.nextLink"?: string;
      };
      upns.push(...page.value.map((u) => u.userPrincipalName));
      pages += 1;
      next = page["@odata.nextLink"]?.slice(r.server.url.length);
      if (page["@odata.nextLink"])
        assert.ok(page["@odata.nextLink"].startsWith(`${r.server.url}/v1.0/users?`));
    }
    assert.equal(pages, 2);
    assert.deepEqual(upns, ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"]);
    // `+` for spaces (URLSearchParams) and a literal `$` both work.
    const plus = await r.graph(
      `/v1.0/users?${new URLSearchParams({ $filter: "startswith(userPrincipalName,'gina')" })}`,
      { token: fresh },
    );
    assert.equal(((await plus.json()) as { value: unknown[] }).value.length, 1);
    const unsupported = await graphError(
      await r.graph(`/v1.0/users?$filter=${encodeURIComponent("shoeSize eq '9'")}`, { token: fresh }),
      400,
      "Request_UnsupportedQuery",
    );
    assert.match(unsupported.message, /property 'shoeSize' of resource 'User'/);
    await graphError(
      await r.graph(`/v1.0/users?$filter=${encodeURIComponent("mail eq 'x")}`, { token: fresh }),
      400,
      "BadRequest",
    );
    await graphError(
      await r.graph("/v1.0/users?$top=1000", { token: fresh }),
      400,
      "Request_UnsupportedQuery",
    );
  });

  test("PATCH: 204; each property needs its permission (403 Authorization_RequestDenied); the password never shows", async () => {
    const fresh = await r.token();
    const bob = idOf("bob@contoso.com");
    const patch = (body: unknown, token = fresh) =>
      r.graph(`/v1.0/users/${bob}`, { method: "PATCH", body: JSON.stringify(body), token });
    assert.equal((await patch({ accountEnabled: false })).status, 204);
    assert.equal(r.emulator.state.findUser("bob@contoso.com")?.accountEnabled, false);
    assert.equal(
      (await patch({ passwordProfile: { forceChangePasswordNextSignIn: true, password: "Xy!23456789" } }))
        .status,
      204,
    );
    const read = (await (
      await r.graph(`/v1.0/users/${bob}?$select=passwordProfile,accountEnabled`, { token: fresh })
    ).json()) as Record<string, unknown>;
    assert.deepEqual(read.passwordProfile, {
      password: null,
      forceChangePasswordNextSignIn: true,
      forceChangePasswordNextSignInWithMfa: false,
    });
    const denied = await graphError(
      await patch({ accountEnabled: true }, await r.token(READER)),
      403,
      "Authorization_RequestDenied",
    );
    assert.equal(denied.message, "Insufficient privileges to complete the operation.");
    await graphError(await patch({ jobTitle: "CEO" }), 403, "Authorization_RequestDenied");
    await graphError(await patch({ accountEnabled: "no" }), 400, "BadRequest");
    await graphError(await patch({ id: "x" }), 400, "Request_BadRequest");
    assert.equal((await patch({ accountEnabled: true })).status, 204);
  });

  test("revokeSignInSessions: 200 value true; a member's timestamp moves, a guest's does not", async () => {
    const fresh = await r.token();
    const alice = r.emulator.state.findUser("alice@contoso.com")!;
    const guest = r.emulator.state.findUser("gina_partner.com#EXT#@contoso.onmicrosoft.com")!;
    r.clock.advance(5000);
    const before = {
      alice: alice.signInSessionsValidFromDateTime,
      guest: guest.signInSessionsValidFromDateTime,
    };
    for (const id of [alice.id, guest.id]) {
      const response = await r.graph(`/v1.0/users/${id}/revokeSignInSessions`, {
        method: "POST",
        token: fresh,
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        "@odata.context": `${r.server.url}/v1.0/$metadata#Edm.Boolean`,
        value: true,
      });
    }
    assert.equal(alice.signInSessionsValidFromDateTime, r.clock.now());
    assert.ok(alice.signInSessionsValidFromDateTime > before.alice);
    assert.equal(guest.signInSessionsValidFromDateTime, before.guest);
    const denied = await r.graph(`/v1.0/users/${alice.id}/revokeSignInSessions`, {
      method: "POST",
      token: await r.token(READER),
    });
    await graphError(denied, 403, "Authorization_RequestDenied");
  });

  test("memberOf: paged, cast to groups or directory roles; transitive roles through a role-assignable group", async () => {
    const fresh = await r.token();
    const alice = idOf("alice@contoso.com");
    const first = (await (
      await r.graph(`/v1.0/users/${alice}/memberOf?$top=4`, { token: fresh })
    ).json()) as { value: Array<Record<string, unknown>>; "@odata.nextLink"?: string };
    assert.equal(first.value.length, 4);
    assert.equal(first.value[0]?.["@odata.type"], "#microsoft.graph.group");
    const rest = (await (
      await r.graph(first["@odata.nextLink"]!.slice(r.server.url.length), { token: fresh })
    ).json()) as { value: unknown[]; "@odata.nextLink"?: string };
    assert.equal(rest.value.length, 2);
    assert.equal(rest["@odata.nextLink"], undefined);
    const roles = (await (
      await r.graph(`/v1.0/users/${alice}/transitiveMemberOf/microsoft.graph.directoryRole`, { token: fresh })
    ).json()) as { value: Array<{ displayName: string }> };
    assert.deepEqual(
      roles.value.map((x) => x.displayName),
      ["Helpdesk Administrator"],
    );
    const direct = (await (
      await r.graph(`/v1.0/users/${alice}/memberOf/microsoft.graph.directoryRole`, { token: fresh })
    ).json()) as { value: unknown[] };
    assert.equal(direct.value.length, 0);
    // Without a group-read permission, groups come back "with limited information".
    const limited = (await (
      await r.graph(`/v1.0/users/${alice}/memberOf/microsoft.graph.group`, { token: await r.token(READER) })
    ).json()) as { value: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(limited.value[0] ?? {}).sort(), ["@odata.type", "id"]);
  });

  test("roleAssignments: one per role member (users and role-assignable groups), principal expanded, filtered, paged; RoleManagement.Read.Directory", async () => {
    const fresh = await r.token();
    const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
    const HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    const admin = idOf("admin@contoso.com");
    const group = [...r.emulator.state.groups.values()].find((g) => g.displayName === "Helpdesk admins")!.id;
    const response = await r.graph("/v1.0/roleManagement/directory/roleAssignments?$expand=principal", {
      token: fresh,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-ms-resource-unit"), "2", "$expand costs one more");
    const body = (await response.json()) as {
      "@odata.context": string;
      value: Array<Record<string, unknown> & { principal: Record<string, unknown> }>;
    };
    assert.equal(
      body["@odata.context"],
      `${r.server.url}/v1.0/$metadata#roleManagement/directory/roleAssignments(principal())`,
    );
    const byRole = Object.fromEntries(body.value.map((a) => [String(a.roleDefinitionId), a]));
    assert.deepEqual(Object.keys(byRole).sort(), [GLOBAL_ADMIN, HELPDESK]);
    const direct = byRole[GLOBAL_ADMIN]!;
    assert.deepEqual(
      { ...direct, principal: undefined },
      {
        id: assignmentId(GLOBAL_ADMIN, admin),
        principalId: admin,
        resourceScope: "/",
        directoryScopeId: "/",
        roleDefinitionId: GLOBAL_ADMIN,
        principal: undefined,
      },
    );
    assert.equal(direct.principal["@odata.type"], "#microsoft.graph.user");
    assert.equal(direct.principal.userPrincipalName, "admin@contoso.com");
    const viaGroup = byRole[HELPDESK]!;
    assert.equal(viaGroup.principalId, group);
    assert.equal(viaGroup.principal["@odata.type"], "#microsoft.graph.group");
    assert.equal(viaGroup.principal.isAssignableToRole, true);
    // The ids decode as the doc's example does: role definition and principal GUID bytes, then "-1".
    assert.equal(
      assignmentId(GLOBAL_ADMIN, "ace08ec9-aa11-4ada-9145-addf0398233e"),
      "lAPpYvVpN0KRkAEhdxReEMmO4KwRqtpKkUWt3wOYIz4-1",
    );
    const filtered = (await (
      await r.graph(
        `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${GLOBAL_ADMIN}'`)}&$select=principalId`,
        { token: fresh },
      )
    ).json()) as { "@odata.context": string; value: unknown[] };
    assert.deepEqual(filtered.value, [{ principalId: admin }]);
    assert.match(filtered["@odata.context"], /roleAssignments\(principalId\)$/);
    const first = (await (
      await r.graph("/v1.0/roleManagement/directory/roleAssignments?$top=1", { token: fresh })
    ).json()) as { value: unknown[]; "@odata.nextLink"?: string };
    assert.equal(first.value.length, 1);
    const second = (await (
      await r.graph(first["@odata.nextLink"]!.slice(r.server.url.length), { token: fresh })
    ).json()) as { value: unknown[]; "@odata.nextLink"?: string };
    assert.equal(second.value.length, 1);
    assert.equal(second["@odata.nextLink"], undefined);
    await graphError(
      await r.graph("/v1.0/roleManagement/directory/roleAssignments?$expand=roleDefinition", {
        token: fresh,
      }),
      400,
      "BadRequest",
    );
    await graphError(
      await r.graph("/v1.0/roleManagement/directory/roleAssignments", { token: await r.token(READER) }),
      403,
      "Authorization_RequestDenied",
    );
    await graphError(
      await r.graph("/v1.0/roleManagement/directory/roleAssignments", { method: "POST", token: fresh }),
      405,
      "Request_BadRequest",
    );
  });

  test("group members $ref: add 204, again 400, remove 204, again 404; Graph-managed groups refuse", async () => {
    const fresh = await r.token();
    const state = r.emulator.state;
    const group = (name: string) => [...state.groups.values()].find((g) => g.displayName === name)!.id;
    const bob = idOf("bob@contoso.com");
    const ref = { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${bob}` };
    const add = (g: string) =>
      r.graph(`/v1.0/groups/${g}/members/$ref`, { method: "POST", body: JSON.stringify(ref), token: fresh });
    const remove = (g: string, u = bob) =>
      r.graph(`/v1.0/groups/${g}/members/${u}/$ref`, { method: "DELETE", token: fresh });
    assert.equal((await add(group("Engineering"))).status, 204);
    const again = await graphError(await add(group("Engineering")), 400, "Request_BadRequest");
    assert.equal(
      again.message,
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    assert.equal((await remove(group("Engineering"))).status, 204);
    await graphError(await remove(group("Engineering")), 404, "Request_ResourceNotFound");
    const alice = idOf("alice@contoso.com");
    assert.match(
      (await graphError(await remove(group("Finance (AD)"), alice), 400, "Request_BadRequest")).message,
      /on-premises mastered Directory Sync objects/,
    );
    assert.match(
      (await graphError(await remove(group("Sales DL"), alice), 400, "Request_BadRequest")).message,
      /mail-enabled security groups and or distribution list/,
    );
    await graphError(await remove(group("All Staff"), alice), 400, "Request_BadRequest");
    await graphError(await remove(group("Helpdesk admins"), alice), 403, "Authorization_RequestDenied");
    assert.equal(
      (
        await r.graph(`/v1.0/groups/${group("Team Rocket")}/members/%24ref`, {
          method: "POST",
          body: JSON.stringify(ref),
          token: fresh,
        })
      ).status,
      204,
    );
  });

  test("riskyUsers: confirmCompromised and dismiss (204), read back; no record is 404; a missing role names the permissions", async () => {
    r.clock.advance(1000);
    const fresh = await r.token();
    const dave = idOf("dave@contoso.com");
    const risk = async () => {
      r.clock.advance(1000);
      return (await (
        await r.graph(`/v1.0/identityProtection/riskyUsers/${dave}`, { token: fresh })
      ).json()) as Record<string, unknown>;
    };
    assert.equal((await risk()).riskState, "atRisk");
    r.clock.advance(1000);
    const confirm = await r.graph("/v1.0/identityProtection/riskyUsers/confirmCompromised", {
      method: "POST",
      body: JSON.stringify({ userIds: [dave] }),
      token: fresh,
    });
    assert.equal(confirm.status, 204);
    const confirmed = await risk();
    assert.equal(confirmed.riskState, "confirmedCompromised");
    assert.equal(confirmed.riskLevel, "high");
    assert.equal(confirmed.riskDetail, "adminConfirmedUserCompromised");
    r.clock.advance(1000);
    assert.equal(
      (
        await r.graph("/v1.0/identityProtection/riskyUsers/dismiss", {
          method: "POST",
          body: JSON.stringify({ userIds: [dave] }),
          token: fresh,
        })
      ).status,
      204,
    );
    const dismissed = await risk();
    assert.deepEqual([dismissed.riskState, dismissed.riskLevel], ["dismissed", "none"]);
    r.clock.advance(1000);
    await graphError(
      await r.graph(`/v1.0/identityProtection/riskyUsers/${idOf("bob@contoso.com")}`, { token: fresh }),
      404,
      "Request_ResourceNotFound",
    );
    r.clock.advance(1000);
    const denied = await graphError(
      await r.graph(`/v1.0/identityProtection/riskyUsers/${dave}`, { token: await r.token(READER) }),
      403,
      "Forbidden",
    );
    assert.equal(
      denied.message,
      "Missing role permissions on the request. API requires one of 'IdentityRiskyUser.Read.All, IdentityRiskyUser.ReadWrite.All'. Roles on the request 'User.Read.All'.",
    );
  });

  test("an unknown segment is 400, a wrong method 405", async () => {
    await graphError(await r.graph("/v1.0/usres"), 400, "BadRequest");
    await graphError(
      await r.graph(`/v1.0/users/${idOf("bob@contoso.com")}/revokeSignInSessions`),
      405,
      "Request_BadRequest",
    );
  });
});

describe("entra emulator: rate limits", () => {
  test("riskyUsers: 1 request per second per tenant, 429 without Retry-After, open again next second", async () => {
    const small = await start();
    try {
      const dave = small.emulator.state.findUser("dave@contoso.com")!.id;
      const read = () => small.graph(`/v1.0/identityProtection/riskyUsers/${dave}`);
      assert.equal((await read()).status, 200);
      const refused = await read();
      assert.equal(refused.headers.get("retry-after"), null);
      assert.equal(
        refused.headers.get("x-cordon-retry-after-ms"),
        null,
        "uncompressed: exactly what Graph sends",
      );
      assert.equal((await graphError(refused, 429, "TooManyRequests")).message, "Please retry again later.");
      small.clock.advance(1000);
      assert.equal((await read()).status, 200);
    } finally {
      await small.server.close();
    }
  });

  test("identity writes: 429 with Retry-After, the exact wait and x-ms-throttle-*; reads carry x-ms-resource-unit", async () => {
    const small = await start({ rateLimitOverrides: { writes: 2 }, timeScale: 150 });
    try {
      const bob = small.emulator.state.findUser("bob@contoso.com")!.id;
      const revoke = () => small.graph(`/v1.0/users/${bob}/revokeSignInSessions`, { method: "POST" });
      assert.equal((await revoke()).status, 200);
      assert.equal((await revoke()).status, 200);
      small.clock.advance(250);
      const refused = await revoke();
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.equal(refused.headers.get("x-cordon-retry-after-ms"), "750");
      assert.equal(refused.headers.get("x-ms-throttle-information"), "WriteLimitExceeded");
      assert.equal(
        refused.headers.get("x-ms-throttle-scope"),
        `Tenant_Application/ReadWrite/${APP}/${TENANT}`,
      );
      await graphError(refused, 429, "TooManyRequests");
      small.clock.advance(750);
      assert.equal((await revoke()).status, 200);
      const list = await small.graph("/v1.0/users");
      assert.equal(list.headers.get("x-ms-resource-unit"), "2");
      const selected = await small.graph("/v1.0/users?$select=id");
      assert.equal(selected.headers.get("x-ms-resource-unit"), "1");
    } finally {
      await small.server.close();
    }
  });

  test("resource units: the tenant-size budget per 10 s, then 429 ResourceUnitLimitExceeded", async () => {
    const small = await start({ rateLimitOverrides: { resourceUnits: 3 } });
    try {
      assert.equal((await small.graph("/v1.0/users")).status, 200, "2 RU");
      const last = await small.graph("/v1.0/users/alice@contoso.com");
      assert.equal(last.headers.get("x-ms-throttle-limit-percentage"), "1.00");
      const refused = await small.graph("/v1.0/users/alice@contoso.com");
      assert.equal(refused.headers.get("x-ms-throttle-information"), "ResourceUnitLimitExceeded");
      await graphError(refused, 429, "TooManyRequests");
    } finally {
      await small.server.close();
    }
  });
});

describe("entra emulator: faults and seeds", () => {
  test("injected statuses in Graph's envelope; 429s with Retry-After except on Identity Protection; drops", async () => {
    await r.fault({ kind: "status", status: 503, pathPrefix: "/v1.0/users", count: 1 });
    await graphError(await r.graph("/v1.0/users"), 503, "serviceNotAvailable");
    await r.fault({ kind: "status", status: 429, retryAfterSeconds: 2, pathPrefix: "/v1.0/users", count: 1 });
    const throttled = await r.graph("/v1.0/users");
    assert.equal(throttled.headers.get("retry-after"), "2");
    await graphError(throttled, 429, "TooManyRequests");
    await r.fault({ kind: "status", status: 429, pathPrefix: "/v1.0/identityProtection/", count: 1 });
    const risky = await r.graph(`/v1.0/identityProtection/riskyUsers/${idOf("dave@contoso.com")}`);
    assert.equal(risky.headers.get("retry-after"), null);
    await graphError(risky, 429, "TooManyRequests");
    await r.fault({ kind: "drop", pathPrefix: "/v1.0/users", count: 1 });
    await assert.rejects(r.graph("/v1.0/users"));
    await r.fault({ kind: "status", status: 503, pathPrefix: `/${TENANT}/oauth2`, count: 1 });
    const token = await postForm(`${r.server.url}/${TENANT}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
    });
    assert.equal(token.status, 503);
    assert.equal(((await token.json()) as { error: string }).error, "temporarily_unavailable");
  });

  test("a seed with problems lists every one", () => {
    const parsed = EntraSeed.safeParse({
      users: [
        { userPrincipalName: "a@contoso.com", groups: ["Nope"] },
        { userPrincipalName: "A@contoso.com" },
      ],
      groups: [{ displayName: "Dyn", groupTypes: ["DynamicMembership"] }],
      apps: [{ clientId: "not-a-guid", permissions: ["Mail.Send"] }],
    });
    assert.equal(parsed.success, false);
    const paths = parsed.error?.issues.map((i) => i.path.join(".")).sort();
    assert.deepEqual(paths, [
      "apps.0.clientId",
      "apps.0.permissions.0",
      "groups.0.membershipRule",
      "users.0.groups.0",
      "users.1.userPrincipalName",
    ]);
    assert.throws(
      () => createEntraEmulator({ seed: { users: [{ userPrincipalName: "nope" }] } }),
      /invalid entra seed/,
    );
  });
});
