import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { EntraConnection, entraConnectionFromEnv } from "../../src/connectors/entra/config.ts";
import type { EntraClient } from "../../src/connectors/entra/index.ts";
import { OktaConnection } from "../../src/connectors/okta/config.ts";
import { SlackConnection } from "../../src/connectors/slack/config.ts";
import type { Account } from "../../src/core/account.ts";
import { systemClock } from "../../src/core/clock.ts";
import { CONTAINMENT_PROFILES } from "../../src/core/connector.ts";
import { isCordonError } from "../../src/core/errors.ts";
import type { EntraEmulator, EntraSeed } from "../../src/emulators/entra/index.ts";
import { applyPlan } from "../../src/engine/contain.ts";
import { buildPlan } from "../../src/engine/plan.ts";
import { DEFAULT_POLICY } from "../../src/engine/policy.ts";
import { applyUndo, planUndo } from "../../src/engine/uncontain.ts";
import { runAction } from "../../src/library.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { CLIENT_ID, CLIENT_SECRET, entraHarness, TENANT_ID } from "../support/entra-harness.ts";
import type { Harness } from "../support/harness.ts";

const LIMITED_ID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const CERT_APP_ID = "7e6d5c4b-3a29-4187-9f6e-5d4c3b2a1908";
const tls = new URL("../../src/emulators/kit/tls/", import.meta.url);
const SERVER_PEM = readFileSync(new URL("server.pem", tls), "utf8");
const SERVER_KEY = readFileSync(new URL("server.key", tls), "utf8");

/** 120 assigned security groups (two memberOf pages at 100) and one group of each kind Graph will not change. */
const numbered = Array.from({ length: 120 }, (_, i) => ({
  displayName: `g-${String(i + 1).padStart(3, "0")}`,
}));
const SEED: EntraSeed = {
  tenantId: TENANT_ID,
  apps: [
    { clientId: CLIENT_ID, displayName: "cordon", secrets: [CLIENT_SECRET] },
    { clientId: LIMITED_ID, displayName: "reader", secrets: [CLIENT_SECRET], permissions: ["User.Read.All"] },
    { clientId: CERT_APP_ID, displayName: "cordon-cert", certificates: [SERVER_PEM] },
  ],
  groups: [
    ...numbered,
    { displayName: "Team Rocket", groupTypes: ["Unified"] },
    {
      displayName: "All Staff",
      groupTypes: ["DynamicMembership"],
      membershipRule: 'user.department -eq "Sales"',
    },
    { displayName: "Finance (AD)", onPremisesSyncEnabled: true },
    { displayName: "Sales DL", mailEnabled: true, securityEnabled: false },
    { displayName: "Helpdesk admins", isAssignableToRole: true, directoryRoles: ["Helpdesk Administrator"] },
  ],
  users: [
    { userPrincipalName: "admin@contoso.com", directoryRoles: ["Global Administrator"] },
    {
      userPrincipalName: "alice@contoso.com",
      proxyAddresses: ["SMTP:alice@contoso.com", "smtp:alice.anders@contoso.com"],
      groups: [...numbered.map((g) => g.displayName), "Team Rocket", "All Staff", "Finance (AD)", "Sales DL"],
    },
    { userPrincipalName: "bob@contoso.com", accountEnabled: false },
    { userPrincipalName: "carol@contoso.com", mail: "carol.chen@fabrikam.com" },
    { userPrincipalName: "dave@contoso.com", risk: { riskLevel: "medium", riskState: "atRisk" } },
    { userPrincipalName: "erin@contoso.com", risk: { riskLevel: "high", riskState: "confirmedCompromised" } },
    { userPrincipalName: "frank@contoso.com", groups: ["Helpdesk admins"] },
    {
      userPrincipalName: "gina_partner.com#EXT#@contoso.onmicrosoft.com",
      mail: "gina@partner.com",
      userType: "Guest",
    },
    { userPrincipalName: "henry@contoso.com" },
    { userPrincipalName: "ivy@contoso.com" },
  ],
};

// Identity Protection allows one request per second: windows run 20× faster on both sides here.
const TIME_SCALE = 20;
let h: Harness<EntraEmulator>;
before(async () => {
  h = await entraHarness({ seed: SEED, timeScale: TIME_SCALE });
});
after(() => h.close());

async function account(email: string, harness = h): Promise<Account> {
  const [found] = await harness.connector.findAccounts({ email, aliases: [] });
  assert.ok(found, `${email} not found`);
  return found;
}
const user = (upn: string) => h.emulator.state.findUser(upn) ?? assert.fail(`no user ${upn}`);
const ops = (name: string) => h.attempts.filter((a) => a.operation === name).map((a) => a.status);
const forbidden = (scope: string) => (e: unknown) =>
  isCordonError(e) &&
  e.kind === "forbidden" &&
  (e.detail as { neededScope?: string }).neededScope === scope &&
  e.message.includes(scope);

describe("entra connector: lookup and check", () => {
  test("finds by userPrincipalName, by mail, by an smtp: proxy address; says which; none is []", async () => {
    const alice = await account("alice@contoso.com");
    assert.equal(alice.vendor, "entra");
    assert.equal(alice.status, "enabled");
    assert.equal(alice.matchedBy, "$filter userPrincipalName eq alice@contoso.com");
    assert.deepEqual(alice.protectedReasons, []);
    assert.equal(
      (await account("ALICE.ANDERS@contoso.com")).matchedBy,
      "$filter proxyAddresses eq ALICE.ANDERS@contoso.com",
    );
    const carol = await account("carol.chen@fabrikam.com");
    assert.equal(carol.matchedBy, "$filter mail eq carol.chen@fabrikam.com");
    assert.equal(carol.login, "carol@contoso.com");
    assert.equal((await account("bob@contoso.com")).status, "disabled");
    assert.deepEqual(await h.connector.findAccounts({ email: "nobody@contoso.com", aliases: [] }), []);
  });

  test("a guest is found by mail and is not protected; directory roles (direct or via a group) protect", async () => {
    const gina = await account("gina@partner.com");
    assert.equal(gina.login, "gina_partner.com#EXT#@contoso.onmicrosoft.com");
    assert.deepEqual(gina.protectedReasons, []);
    assert.deepEqual((await account("admin@contoso.com")).protectedReasons, ["admin"]);
    assert.deepEqual(
      (await account("frank@contoso.com")).protectedReasons,
      ["admin"],
      "role through a group",
    );
  });

  test("check: a token plus one read; names the app and tenant", async () => {
    const result = await h.connector.check();
    assert.equal(result.ok, true, result.problems.join("; "));
    assert.equal(result.identity, `cordon (${CLIENT_ID}) in tenant ${TENANT_ID}`);
    assert.deepEqual(result.problems, []);
  });

  test("check names each missing application permission; a wrong secret is an auth problem", async () => {
    const limited = await entraHarness({ seed: SEED, connector: { clientId: LIMITED_ID } });
    const wrong = await entraHarness({ seed: SEED, connector: { clientSecret: "not-the-secret" } });
    try {
      const result = await limited.connector.check();
      assert.equal(result.ok, false);
      assert.ok(
        result.problems.includes(
          "missing application permission User.RevokeSessions.All (for entra.revoke_sessions)",
        ),
      );
      assert.ok(result.problems.some((p) => p.includes("User.EnableDisableAccount.All")));
      assert.ok(
        result.problems.some((p) =>
          p.startsWith("(optional) missing application permission IdentityRiskyUser.ReadWrite.All"),
        ),
      );
      const refused = await wrong.connector.check();
      assert.equal(refused.ok, false);
      assert.match(refused.problems[0] ?? "", /credential was refused \(invalid_client AADSTS7000215\)/);
      assert.doesNotMatch(JSON.stringify(refused), /not-the-secret/);
      await assert.rejects(
        wrong.connector.findAccounts({ email: "alice@contoso.com", aliases: [] }),
        (e) =>
          isCordonError(e) &&
          e.kind === "auth" &&
          (e.detail as { vendorCode?: string }).vendorCode === "AADSTS7000215",
      );
    } finally {
      await limited.close();
      await wrong.close();
    }
  });

  test("a certificate credential (ClientCertificateCredential, PEM) works end to end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cordon-entra-"));
    const pemPath = join(dir, "cordon.pem");
    writeFileSync(pemPath, `${SERVER_KEY}\n${SERVER_PEM}`);
    const cert = await entraHarness({
      seed: SEED,
      connector: { clientId: CERT_APP_ID, clientSecret: undefined, certificatePath: pemPath },
    });
    try {
      assert.equal((await account("henry@contoso.com", cert)).login, "henry@contoso.com");
    } finally {
      await cert.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** More users than one page of `GET /users` holds (999), around SEED's people. */
const FILLERS = Array.from({ length: 1100 }, (_, i) => ({
  userPrincipalName: `p${String(i).padStart(4, "0")}@contoso.com`,
}));
const BULK_SEED: EntraSeed = { ...SEED, users: [...FILLERS, ...(SEED.users ?? [])] };
const bulkOf = async (
  harness: Harness<EntraEmulator>,
  subjects: Array<{ email: string; aliases?: string[] }>,
) =>
  harness.connector.findAccountsBulk!(
    subjects.map((s) => ({ email: s.email, aliases: s.aliases ?? [] })),
    undefined,
  );

describe("entra connector: bulk lookup", () => {
  let big: Harness<EntraEmulator>;
  before(async () => {
    big = await entraHarness({ seed: BULK_SEED });
  });
  after(() => big.close());

  test("one walk of every user (two pages past 999): by UPN, by mail, by a proxy alias; unknown is []", async () => {
    big.attempts.length = 0;
    const found = await bulkOf(big, [
      { email: "p0000@contoso.com" },
      { email: "P1099@Contoso.com" },
      { email: "alice@contoso.com" },
      { email: "carol.chen@fabrikam.com" },
      { email: "someone@elsewhere.com", aliases: ["ALICE.ANDERS@contoso.com"] },
      { email: "bob@contoso.com" },
      { email: "nobody@contoso.com" },
    ]);
    assert.deepEqual(
      big.attempts.filter((a) => a.operation === "GET /users").map((a) => a.status),
      [200, 200],
    );
    assert.equal(found.get("P1099@Contoso.com")?.[0]?.login, "p1099@contoso.com", "on the second page");
    const alice = found.get("alice@contoso.com") ?? [];
    assert.equal(alice.length, 1);
    assert.equal(alice[0]?.matchedBy, "users list userPrincipalName eq alice@contoso.com");
    const carol = found.get("carol.chen@fabrikam.com")?.[0];
    assert.equal(carol?.matchedBy, "users list mail eq carol.chen@fabrikam.com");
    assert.equal(carol?.login, "carol@contoso.com");
    assert.equal(carol?.email, "carol.chen@fabrikam.com");
    const alias = found.get("someone@elsewhere.com")?.[0];
    assert.equal(alias?.id, alice[0]?.id);
    assert.equal(alias?.matchedBy, "users list proxyAddresses eq ALICE.ANDERS@contoso.com");
    assert.equal(found.get("bob@contoso.com")?.[0]?.status, "disabled");
    assert.deepEqual(found.get("nobody@contoso.com"), []);
    assert.equal(found.size, 7);
  });

  test("the same accounts as findAccounts (but matchedBy); directory roles, direct or via a group, protect; a guest by mail is not protected", async () => {
    const people = [
      "admin@contoso.com",
      "frank@contoso.com",
      "gina@partner.com",
      "alice@contoso.com",
      "carol.chen@fabrikam.com",
      "p0500@contoso.com",
    ];
    const found = await bulkOf(
      big,
      people.map((email) => ({ email })),
    );
    const strip = ({ matchedBy: _, ...rest }: Account) => rest;
    for (const email of people) {
      const one = await big.connector.findAccounts({ email, aliases: [] });
      assert.deepEqual((found.get(email) ?? []).map(strip), one.map(strip), email);
    }
    assert.deepEqual(found.get("admin@contoso.com")?.[0]?.protectedReasons, ["admin"]);
    assert.deepEqual(
      found.get("frank@contoso.com")?.[0]?.protectedReasons,
      ["admin"],
      "role through a group",
    );
    const gina = found.get("gina@partner.com")?.[0];
    assert.equal(gina?.login, "gina_partner.com#EXT#@contoso.onmicrosoft.com");
    assert.equal(gina?.matchedBy, "users list mail eq gina@partner.com");
    assert.deepEqual(gina?.protectedReasons, []);
    assert.deepEqual(found.get("alice@contoso.com")?.[0]?.protectedReasons, []);
  });

  test("250 people: a handful of requests, not several per person", async () => {
    const subjects = [
      ...FILLERS.slice(0, 245).map((u) => ({ email: u.userPrincipalName })),
      { email: "admin@contoso.com" },
      { email: "frank@contoso.com" },
      { email: "gina@partner.com" },
      { email: "carol.chen@fabrikam.com" },
      { email: "nobody@contoso.com" },
    ];
    big.attempts.length = 0;
    const found = await bulkOf(big, subjects);
    assert.equal(found.size, 250);
    assert.equal([...found.values()].filter((a) => a.length === 1).length, 249);
    // Two pages of users, the role assignments, the members of the one role-holding group.
    assert.deepEqual(big.attempts.map((a) => a.operation).sort(), [
      "GET /groups/{id}/members",
      "GET /roleManagement/directory/roleAssignments",
      "GET /users",
      "GET /users",
    ]);
    assert.ok(big.attempts.every((a) => a.status === 200));
  });

  test("without RoleManagement.Read.Directory the people found are checked one by one, and admins still protected", async () => {
    const limited = await entraHarness({ seed: BULK_SEED, connector: { clientId: LIMITED_ID } });
    try {
      const found = await bulkOf(limited, [{ email: "admin@contoso.com" }, { email: "frank@contoso.com" }]);
      assert.deepEqual(found.get("admin@contoso.com")?.[0]?.protectedReasons, ["admin"]);
      assert.deepEqual(found.get("frank@contoso.com")?.[0]?.protectedReasons, ["admin"]);
      const ops = limited.attempts.map((a) => `${a.operation} ${a.status}`);
      assert.ok(ops.includes("GET /roleManagement/directory/roleAssignments 403"), ops.join("; "));
      assert.equal(
        ops.filter((o) => o.startsWith("GET /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole"))
          .length,
        2,
      );
    } finally {
      await limited.close();
    }
  });
});

describe("entra connector: actions over https", () => {
  test("revoke_sessions: 200 true, verified by signInSessionsValidFromDateTime ≥ the call, pending while it is not", async () => {
    const henry = await account("henry@contoso.com");
    const record = user("henry@contoso.com");
    const hourAgo = Date.now() - 3_600_000;
    record.signInSessionsValidFromDateTime = hourAgo;
    const result = await runAction(h.connector, "entra.revoke_sessions", henry);
    assert.equal(result.outcome, "applied");
    assert.equal(result.verification?.state, "verified");
    assert.match(
      (result.verification as { observed: string }).observed,
      /^signInSessionsValidFromDateTime 20\d\d-\d\d-\d\dT[\d:]+Z: refresh tokens/,
    );
    assert.ok(record.signInSessionsValidFromDateTime > hourAgo);
    // Had Graph not moved the timestamp, the same read would not claim it.
    record.signInSessionsValidFromDateTime = hourAgo;
    const verify = h.connector.actions.get("entra.revoke_sessions")?.verify;
    const ctx = {
      client: h.connector.client,
      account: henry,
      clock: systemClock(),
      signal: new AbortController().signal,
    };
    assert.equal((await verify?.(ctx, {}))?.state, "pending");
  });

  test("revoke_sessions on a guest: Graph says true, nothing changes, cordon reports partial", async () => {
    const gina = await account("gina@partner.com");
    const record = h.emulator.state.users.get(gina.id) ?? assert.fail("no gina");
    const before = record.signInSessionsValidFromDateTime;
    const result = await runAction(h.connector, "entra.revoke_sessions", gina);
    assert.equal(result.outcome, "applied");
    assert.equal(result.verification?.state, "partial");
    assert.match((result.verification as { observed: string }).observed, /guest \(B2B\).*home tenant/);
    assert.equal(record.signInSessionsValidFromDateTime, before);
  });

  test("an unknown user id is not_found for every action", async () => {
    const ghost = { ...(await account("henry@contoso.com")), id: "00000000-0000-4000-8000-000000000000" };
    for (const id of [
      "entra.revoke_sessions",
      "entra.disable_account",
      "entra.force_password_change",
      "entra.confirm_compromised",
      "entra.remove_from_groups",
    ]) {
      await assert.rejects(
        runAction(h.connector, id, ghost),
        (e) => isCordonError(e) && e.kind === "not_found",
        id,
      );
    }
  });

  test("disable: snapshot, applied, verified; again already_in_state; enable restores; a disabled user stays so", async () => {
    const ivy = await account("ivy@contoso.com");
    const first = await runAction(h.connector, "entra.disable_account", ivy);
    assert.deepEqual(first.snapshot, { accountEnabled: true });
    assert.deepEqual(first.verification, { state: "verified", observed: "accountEnabled false" });
    assert.equal(user("ivy@contoso.com").accountEnabled, false);
    assert.equal((await runAction(h.connector, "entra.disable_account", ivy)).outcome, "already_in_state");
    assert.equal((await runAction(h.connector, "entra.enable_account", ivy)).verification?.state, "verified");
    assert.equal(user("ivy@contoso.com").accountEnabled, true);
    const bob = await account("bob@contoso.com");
    assert.equal((await runAction(h.connector, "entra.disable_account", bob)).outcome, "already_in_state");
  });

  test("force_password_change: flag set and verified; again already_in_state; output carries no secret", async () => {
    const carol = await account("carol@contoso.com");
    const result = await runAction(h.connector, "entra.force_password_change", carol);
    assert.deepEqual(result.verification, {
      state: "verified",
      observed: "forceChangePasswordNextSignIn true",
    });
    assert.equal(user("carol@contoso.com").forceChangePasswordNextSignIn, true);
    assert.equal(
      (await runAction(h.connector, "entra.force_password_change", carol)).outcome,
      "already_in_state",
    );
  });

  test("confirm_compromised then dismiss_risk, verified through riskyUsers; already states are no-ops", async () => {
    const dave = await account("dave@contoso.com");
    const confirmed = await runAction(h.connector, "entra.confirm_compromised", dave);
    assert.deepEqual(confirmed.snapshot, { riskState: "atRisk", riskLevel: "medium" });
    assert.deepEqual(confirmed.verification, {
      state: "verified",
      observed: "riskState confirmedCompromised, riskLevel high",
    });
    assert.equal(
      (await runAction(h.connector, "entra.confirm_compromised", dave)).outcome,
      "already_in_state",
    );
    const action = h.connector.actions.get("entra.confirm_compromised");
    assert.equal(action?.inverse, "entra.dismiss_risk");
    const dismissed = await runAction(
      h.connector,
      "entra.dismiss_risk",
      dave,
      action?.restoreInput?.(confirmed.snapshot) ?? {},
    );
    assert.deepEqual(dismissed.verification, {
      state: "verified",
      observed: "riskState dismissed, riskLevel none",
    });
    assert.equal((await runAction(h.connector, "entra.dismiss_risk", dave)).outcome, "already_in_state");
    const erin = await account("erin@contoso.com");
    assert.equal(
      (await runAction(h.connector, "entra.confirm_compromised", erin)).outcome,
      "already_in_state",
    );
    // Never flagged: riskyUsers has no record (404); nothing to dismiss.
    assert.equal(
      (await runAction(h.connector, "entra.dismiss_risk", await account("ivy@contoso.com"))).outcome,
      "already_in_state",
    );
  });

  test("remove_from_groups pages memberOf, keeps what Graph cannot change (partial), and restore_groups puts back exactly the snapshot", async () => {
    const alice = await account("alice@contoso.com");
    const original = new Set(
      h.emulator.state.memberOf(alice.id).map((o) => (o.kind === "group" ? o.group.id : o.role.id)),
    );
    assert.equal(original.size, 124);
    h.attempts.length = 0;
    const removed = await runAction(h.connector, "entra.remove_from_groups", alice);
    assert.equal(
      ops("GET /users/{id}/memberOf/microsoft.graph.group").length,
      3,
      "two pages for the snapshot, one to verify",
    );
    const snapshot = removed.snapshot as {
      groupIds: string[];
      kept: Array<{ displayName: string; reason: string }>;
    };
    assert.equal(snapshot.groupIds.length, 121);
    assert.deepEqual(snapshot.kept.map((k) => k.displayName).sort(), [
      "All Staff",
      "Finance (AD)",
      "Sales DL",
    ]);
    assert.deepEqual(removed.output, { removed: 121, absent: 0, refused: [], kept: snapshot.kept });
    assert.equal(removed.verification?.state, "partial");
    assert.match(
      (removed.verification as { observed: string }).observed,
      /still a member of 3: .*All Staff \(dynamic membership rule\)/,
    );
    assert.equal(h.emulator.state.memberOf(alice.id).length, 3);

    const again = await runAction(h.connector, "entra.remove_from_groups", alice);
    assert.equal(again.outcome, "already_in_state");

    const action = h.connector.actions.get("entra.remove_from_groups");
    assert.equal(action?.inverse, "entra.restore_groups");
    const input = action?.restoreInput?.(removed.snapshot) ?? assert.fail("no restoreInput");
    const restored = await runAction(h.connector, "entra.restore_groups", alice, input);
    assert.deepEqual(restored.output, { added: 121, alreadyMember: 0, missing: [] });
    assert.deepEqual(restored.verification, {
      state: "verified",
      observed: "member of all 121 restored group(s)",
    });
    const now = new Set(
      h.emulator.state.memberOf(alice.id).map((o) => (o.kind === "group" ? o.group.id : o.role.id)),
    );
    assert.deepEqual(now, original);
    assert.equal(
      (await runAction(h.connector, "entra.restore_groups", alice, input)).outcome,
      "already_in_state",
    );
  });
});

describe("entra session revocation is verified from the recorded call time", () => {
  test("a verification with the recorded output needs no memory of the call; without it, it says so", async () => {
    const carol = await account("carol@contoso.com");
    const revoked = await runAction(h.connector, "entra.revoke_sessions", carol);
    const action = h.connector.actions.get("entra.revoke_sessions")!;
    const ctx = {
      client: h.connector.client,
      account: carol,
      clock: systemClock(),
      signal: AbortSignal.timeout(5000),
    };
    assert.equal((await action.verify!(ctx, {}, revoked.output)).state, "verified");
    assert.equal((await action.verify!(ctx, {})).state, "pending");
  });
});

describe("entra connector: rate limits, retries, permissions", () => {
  test("a 429 waits for Retry-After and the call succeeds", async () => {
    const ivy = await account("ivy@contoso.com");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0.05,
      pathPrefix: "/v1.0/users/",
      method: "PATCH",
      count: 2,
    });
    assert.equal((await runAction(h.connector, "entra.disable_account", ivy)).outcome, "applied");
    assert.deepEqual(ops("PATCH /users/{id} accountEnabled"), [429, 429, 204]);
    await runAction(h.connector, "entra.enable_account", ivy);
  });

  test("riskyUsers 429 without Retry-After: cordon waits its default second, then succeeds", async () => {
    const dave = await account("dave@contoso.com");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 429,
      pathPrefix: "/v1.0/identityProtection/",
      method: "POST",
      count: 1,
    });
    const started = Date.now();
    const result = await runAction(h.connector, "entra.confirm_compromised", dave);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(ops("POST /identityProtection/riskyUsers/confirmCompromised"), [429, 204]);
    assert.ok(Date.now() - started >= 950, `waited only ${Date.now() - started} ms`);
  });

  test("the emulator's write limit (compressed) answers 429 with Retry-After; the connector honours it", async () => {
    const small = await entraHarness({ seed: SEED, timeScale: 150, rateLimitOverrides: { writes: 2 } });
    try {
      const henry = await account("henry@contoso.com", small);
      // Five writes at two per (compressed) second: however the calls fall across a window boundary, one window
      // receives at least three, so at least one 429 is certain.
      for (let i = 0; i < 5; i++) await runAction(small.connector, "entra.revoke_sessions", henry);
      const statuses = small.attempts
        .filter((a) => a.operation === "POST /users/{id}/revokeSignInSessions")
        .map((a) => a.status);
      assert.ok(statuses.includes(429), `no 429 in ${statuses}`);
      assert.equal(statuses.filter((s) => s === 200).length, 5);
    } finally {
      await small.close();
    }
  });

  test("5xx and dropped connections are retried for idempotent calls", async () => {
    const henry = await account("henry@contoso.com");
    h.attempts.length = 0;
    await h.fault({ kind: "status", status: 503, pathPrefix: "/v1.0/users/", method: "POST", count: 1 });
    assert.equal((await runAction(h.connector, "entra.revoke_sessions", henry)).outcome, "applied");
    assert.deepEqual(ops("POST /users/{id}/revokeSignInSessions"), [503, 200]);
    h.attempts.length = 0;
    await h.fault({ kind: "drop", pathPrefix: "/v1.0/users", method: "GET", count: 1 });
    await account("henry@contoso.com");
    assert.equal(h.attempts[0]?.errorKind, "transient");
  });

  test("a missing permission is forbidden and names it: from Graph's text when it says, else the documented one", async () => {
    const limited = await entraHarness({
      seed: SEED,
      timeScale: TIME_SCALE,
      connector: { clientId: LIMITED_ID },
    });
    try {
      const henry = await account("henry@contoso.com", limited);
      // Directory refusal: "Insufficient privileges…" names nothing; the connector names the call's permission.
      await assert.rejects(
        runAction(limited.connector, "entra.revoke_sessions", henry),
        forbidden("User.RevokeSessions.All"),
      );
      await assert.rejects(
        runAction(limited.connector, "entra.disable_account", henry),
        (e) =>
          forbidden("User.EnableDisableAccount.All")(e) && /privileged Entra role/.test((e as Error).message),
      );
      // Without a group-read permission memberOf returns groups "with limited information"; removal is refused.
      const alice = await account("alice@contoso.com", limited);
      await assert.rejects(
        runAction(limited.connector, "entra.remove_from_groups", alice),
        forbidden("GroupMember.ReadWrite.All"),
      );
      // Identity Protection: "Missing role permissions … API requires one of 'IdentityRiskyUser.Read.All, …'".
      await assert.rejects(
        runAction(limited.connector, "entra.confirm_compromised", henry),
        (e) =>
          forbidden("IdentityRiskyUser.Read.All")(e) &&
          isCordonError(e) &&
          (e.detail as { vendorCode?: string }).vendorCode === "Forbidden",
      );
    } finally {
      await limited.close();
    }
  });
});

describe("entra connector: exact undo through the engine", () => {
  test("lock then undo: an enabled user is enabled again, a user disabled before stays disabled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cordon-entra-"));
    const store = openSqliteStore({ path: join(dir, "cordon.db"), clock: systemClock() });
    const clock = systemClock();
    try {
      const plan = await buildPlan(
        {
          subjects: ["ivy@contoso.com", "bob@contoso.com"],
          profile: "lock",
          reason: "INC-7",
          force: null,
          policy: DEFAULT_POLICY,
        },
        [h.connector],
        clock,
      );
      const run = { clock, actor: "test", store, connectors: [h.connector], verifyIntervalMs: 20 };
      const contained = await applyPlan(plan, run);
      assert.equal(user("ivy@contoso.com").accountEnabled, false);
      const undo = await planUndo(contained.runId, store, [h.connector], clock);
      assert.deepEqual(
        undo.items.flatMap((i) => i.calls.map((c) => `${i.account.login} ${c.actionId}`)),
        ["ivy@contoso.com entra.enable_account"],
      );
      assert.deepEqual(
        undo.notUndoable.map((n) => n.actionId),
        ["entra.revoke_sessions", "entra.revoke_sessions"],
      );
      await applyUndo(undo, run);
      assert.equal(user("ivy@contoso.com").accountEnabled, true);
      assert.equal(user("bob@contoso.com").accountEnabled, false);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("entra config", () => {
  test("the connection schema: exactly one credential, secrets only as references, defaults", () => {
    const parsed = EntraConnection.parse({
      vendor: "entra",
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      clientSecret: "env:AZURE_CLIENT_SECRET",
    });
    assert.equal(parsed.graphUrl, "https://graph.microsoft.com");
    assert.ok(
      EntraConnection.safeParse({ ...parsed, clientSecret: undefined, certificatePath: "/run/cordon.pem" })
        .success,
    );
    assert.equal(
      EntraConnection.safeParse({ ...parsed, certificatePath: "/run/cordon.pem" }).success,
      false,
      "both",
    );
    assert.equal(EntraConnection.safeParse({ ...parsed, clientSecret: undefined }).success, false, "neither");
    assert.equal(EntraConnection.safeParse({ ...parsed, clientSecret: "the-secret-itself" }).success, false);
    assert.equal(EntraConnection.safeParse({ ...parsed, clientId: "cordon" }).success, false);
    assert.ok(EntraConnection.safeParse({ ...parsed, tenantId: "contoso.onmicrosoft.com" }).success);
    // It can join cordon.yaml's discriminated union and compile to JSON Schema for editors.
    const union = z.discriminatedUnion("vendor", [OktaConnection, SlackConnection, EntraConnection]);
    assert.doesNotThrow(() => z.toJSONSchema(union, { io: "input" }));
  });

  test("from the environment: @azure/identity's variables, the secret as a reference", () => {
    const base = { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: CLIENT_ID };
    assert.equal(entraConnectionFromEnv(base), undefined);
    assert.deepEqual(entraConnectionFromEnv({ ...base, AZURE_CLIENT_SECRET: "s3cret" }), {
      vendor: "entra",
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      clientSecret: "env:AZURE_CLIENT_SECRET",
      graphUrl: "https://graph.microsoft.com",
    });
    assert.deepEqual(
      entraConnectionFromEnv({
        ...base,
        AZURE_CLIENT_CERTIFICATE_PATH: "/run/cordon.pem",
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
        CORDON_GRAPH_URL: "https://graph.microsoft.us",
      }),
      {
        vendor: "entra",
        tenantId: TENANT_ID,
        clientId: CLIENT_ID,
        certificatePath: "/run/cordon.pem",
        authorityHost: "https://login.microsoftonline.us",
        graphUrl: "https://graph.microsoft.us",
      },
    );
    const fromEnv = entraConnectionFromEnv({ ...base, AZURE_CLIENT_SECRET: "s3cret" });
    assert.ok(EntraConnection.safeParse(fromEnv).success);
  });

  test("every action is well formed: inverses point back, contain actions verify, profiles' inputs parse", () => {
    const actions = [...h.connector.actions.values()];
    for (const action of actions) {
      assert.match(action.id, /^entra\.[a-z]+(_[a-z]+)+$/);
      assert.match(action.docUrl, /^https:\/\/learn\.microsoft\.com\/graph\/api\//);
      assert.doesNotThrow(() => z.toJSONSchema(action.input), action.id);
      if (action.inverse)
        assert.equal(h.connector.actions.get(action.inverse)?.inverse, action.id, action.id);
      if (action.kind === "contain") {
        assert.ok(action.verify, action.id);
        if (action.inverse) assert.ok(action.snapshot, action.id);
      }
    }
    for (const profile of CONTAINMENT_PROFILES)
      for (const call of h.connector.profile(profile))
        assert.ok(h.connector.actions.get(call.actionId)?.input.safeParse(call.input).success, call.actionId);
    assert.deepEqual(
      h.connector.profile("lock").map((c) => c.actionId),
      ["entra.disable_account", "entra.revoke_sessions"],
    );
    assert.equal((h.connector.client as EntraClient).graphUrl, h.server.url);
  });
});
