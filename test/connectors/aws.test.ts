import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CreateLoginProfileCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { AwsConnection, awsConnectionFromEnv, awsConnectorConfig } from "../../src/connectors/aws/config.ts";
import { awsIamPolicy } from "../../src/connectors/aws/errors.ts";
import {
  createAwsIamConnector,
  DENY_ALL_POLICY,
  REVOKE_SESSIONS_POLICY,
} from "../../src/connectors/aws/index.ts";
import { CordonIamRequestHandler, IDEMPOTENT_OPERATIONS } from "../../src/connectors/aws/transport.ts";
import type { Account } from "../../src/core/account.ts";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { CONTAINMENT_PROFILES } from "../../src/core/connector.ts";
import { isCordonError } from "../../src/core/errors.ts";
import type { AwsIamEmulator, AwsIamSeed } from "../../src/emulators/aws/index.ts";
import type { AttemptEvent } from "../../src/http/client.ts";
import { RateGovernor } from "../../src/http/governor.ts";
import { RetryBudget } from "../../src/http/retry.ts";
import { runAction } from "../../src/library.ts";
import { redactSecrets } from "../../src/store/redact.ts";
import { ADMIN, adminUser, awsHarness } from "../support/aws-harness.ts";
import type { Harness } from "../support/harness.ts";

const HOUR = 3_600_000;
const ALICE_OLD_SESSION = {
  accessKeyId: "ASIAALICEOLD00000001",
  secretAccessKey: "aliceOldSessionSecret00000000000000000001",
  sessionToken: "alice-old-session-token",
};
const LIMITED = {
  accessKeyId: "AKIALIMITED000000001",
  secretAccessKey: "limitedSecret00000000000000000000000000001",
};
/** May look users up the least-privilege way: no iam:GetAccountAuthorizationDetails. */
const LOOKUP_ONLY = {
  accessKeyId: "AKIALOOKUPONLY000001",
  secretAccessKey: "lookupOnlySecret0000000000000000000000001",
};
const olderRevocation = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "CordonRevokeOlderSessions",
      Effect: "Deny",
      Action: ["*"],
      Resource: ["*"],
      Condition: { DateLessThan: { "aws:TokenIssueTime": new Date(Date.now() - 72 * HOUR).toISOString() } },
    },
  ],
});

const seed: AwsIamSeed = {
  users: [
    { ...adminUser(), tags: { email: "admin@corp.example" } },
    {
      userName: "alice",
      tags: { email: "Alice@Corp.Example", team: "payments" },
      accessKeys: [
        { accessKeyId: "AKIAALICE00000000001" },
        { accessKeyId: "AKIAALICE00000000002", status: "Inactive" as const },
      ],
      password: "correct horse battery",
      sessions: [{ ...ALICE_OLD_SESSION, issuedAt: new Date(Date.now() - HOUR).toISOString() }],
    },
    {
      userName: "bob",
      tags: { Email: "bob@corp.example" },
      accessKeys: [{ accessKeyId: "AKIABOB0000000000001" }],
    },
    { userName: "carol" },
    { userName: "carol-ci", accessKeys: [{ accessKeyId: "AKIACAROLCI000000001" }] },
    { userName: "breakglass", tags: { email: "breakglass@corp.example", "cordon:protected": "TRUE" } },
    { userName: "ops-bot", tags: { email: "ops@corp.example" } },
    {
      userName: "dave",
      tags: { email: "dave@corp.example" },
      inlinePolicies: { [REVOKE_SESSIONS_POLICY]: olderRevocation },
    },
    {
      userName: "erin",
      // Seven tags, the email last: with pages of 5 it is on ListUserTags' second page.
      tags: { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6", email: "erin@corp.example" },
      password: "erin password 1",
      passwordResetRequired: true,
    },
    { userName: "limited", accessKeys: [LIMITED], permissions: ["iam:Get*", "iam:List*"] },
    {
      userName: "lookup-only",
      accessKeys: [LOOKUP_ONLY],
      permissions: ["iam:ListUsers", "iam:ListUserTags", "iam:ListAccessKeys", "iam:GetUser"],
    },
    ...Array.from({ length: 6 }, (_, i) => ({ userName: `filler-${i}` })),
  ],
};

let h: Harness<AwsIamEmulator>;
before(async () => {
  h = await awsHarness(
    // Pages of at most 5 ("IAM might return fewer results"), so every listing here spans pages. Rate windows
    // compressed tenfold on both sides (200 requests/s); the pacing test below runs at the real rate.
    { seed, pageCap: 5, timeScale: 10 },
    { mapping: { file: { "carol@corp.example": ["carol", "carol-ci"] } }, protectedUserNames: ["OPS-BOT"] },
  );
});
after(() => h.close());

async function account(email: string): Promise<Account> {
  const [found] = await h.connector.findAccounts({ email, aliases: [] });
  assert.ok(found, `${email} not found`);
  return found;
}
const state = () => h.emulator.state;
const ops = (name: string) => h.attempts.filter((a) => a.operation === name);
const later = (ms: number): Clock => ({ now: () => Date.now() + ms, sleep: systemClock().sleep });

function sdkAs(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}): IAMClient {
  return new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials, maxAttempts: 1 });
}

async function consoleSignIn(userName: string, password: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${h.server.url}/__cordon/aws/console-signin`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userName, password }),
  });
  return { status: response.status, body: await response.json() };
}

describe("aws connector: identity", () => {
  test("finds a user by its email tag, case-insensitively, from GetAccountAuthorizationDetails pages", async () => {
    h.attempts.length = 0;
    const alice = await account("alice@corp.example");
    assert.equal(alice.id, "alice");
    assert.equal(alice.vendor, "aws");
    assert.equal(alice.login, "arn:aws:iam::123456789012:user/alice");
    assert.equal(alice.status, "keys-active");
    assert.equal(alice.matchedBy, "tag email=alice@corp.example");
    assert.deepEqual(alice.protectedReasons, []);
    assert.deepEqual(
      ops("GetAccountAuthorizationDetails").map((a) => a.status),
      [200, 200, 200, 200],
      "17 users at 5 a page",
    );
    assert.equal(ops("ListUsers").length, 0);
    assert.equal(ops("ListUserTags").length, 0);
    assert.equal((await account("erin@corp.example")).id, "erin", "the seventh of seven tags");
    assert.equal((await account("BOB@corp.example")).id, "bob", "tag key compared case-insensitively");
    assert.deepEqual(await h.connector.findAccounts({ email: "nobody@corp.example", aliases: [] }), []);
  });

  test("the directory is listed once and reused across lookups (cached per plan)", async () => {
    await account("alice@corp.example");
    h.attempts.length = 0;
    await account("dave@corp.example");
    await account("bob@corp.example");
    assert.equal(ops("GetAccountAuthorizationDetails").length, 0);
    assert.equal(ops("ListUsers").length, 0);
    assert.equal(ops("ListUserTags").length, 0);
  });

  test("without iam:GetAccountAuthorizationDetails (AccessDenied): ListUsers and ListUserTags, same matches", async () => {
    const attempts: AttemptEvent[] = [];
    const clock = systemClock();
    const lookupOnly = createAwsIamConnector(
      { connection: "aws-lookup-only", endpoint: h.server.url, credentials: { ...LOOKUP_ONLY } },
      { clock, governor: new RateGovernor({ clock, timeScale: 10 }), onAttempt: (e) => attempts.push(e) },
    );
    const find = async (email: string) =>
      (await lookupOnly.findAccounts({ email, aliases: [] })).map((a) => [a.id, a.matchedBy, a.status]);
    assert.deepEqual(await find("alice@corp.example"), [
      ["alice", "tag email=alice@corp.example", "keys-active"],
    ]);
    const called = (name: string) => attempts.filter((a) => a.operation === name);
    assert.deepEqual(
      called("GetAccountAuthorizationDetails").map((a) => [a.status, a.errorKind]),
      [[403, "forbidden"]],
      "asked once, refused, not retried",
    );
    assert.equal(called("ListUsers").length, 4, "17 users at 5 a page");
    assert.equal(called("ListUserTags").length, 17 + 1, "one per user; erin's seven tags take two pages");
    assert.deepEqual(await find("erin@corp.example"), [["erin", "tag email=erin@corp.example", "no-keys"]]);
    assert.deepEqual(await find("BOB@corp.example"), [["bob", "tag email=bob@corp.example", "keys-active"]]);
    assert.deepEqual(await find("nobody@corp.example"), []);
    assert.equal(called("ListUsers").length, 4, "the fallback listing is cached like the other");
  });

  test("any other GetAccountAuthorizationDetails failure is not a reason to fall back", async () => {
    const clock = systemClock();
    const fresh = createAwsIamConnector(
      {
        connection: "aws-fresh",
        endpoint: h.server.url,
        credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
      },
      { clock, governor: new RateGovernor({ clock, timeScale: 10 }) },
    );
    h.attempts.length = 0;
    await h.fault({ kind: "status", status: 404, pathPrefix: "/GetAccountAuthorizationDetails", count: 1 });
    await assert.rejects(
      fresh.findAccounts({ email: "alice@corp.example", aliases: [] }),
      (e) => isCordonError(e) && e.kind === "not_found" && /GetAccountAuthorizationDetails/.test(e.message),
    );
    assert.equal((await fresh.findAccounts({ email: "alice@corp.example", aliases: [] }))[0]?.id, "alice");
  });

  test("250 tagged people: one directory call and a key read each, half the fallback's requests", async () => {
    const people = Array.from({ length: 250 }, (_, i) => ({
      userName: `person-${String(i).padStart(3, "0")}`,
      tags: { email: `person-${i}@corp.example`, team: "eng" },
      accessKeys: [{}],
    }));
    const local = await awsHarness(
      {
        seed: {
          users: [
            adminUser(),
            ...people,
            {
              userName: "lookup-only",
              accessKeys: [LOOKUP_ONLY],
              permissions: ["iam:ListUsers", "iam:ListUserTags", "iam:ListAccessKeys", "iam:GetUser"],
            },
          ],
        },
        timeScale: 60,
      },
      {},
    );
    const subjects = people.map((_, i) => ({ email: `person-${i}@corp.example`, aliases: [] }));
    const count = (attempts: AttemptEvent[]) => {
      const byOperation: Record<string, number> = {};
      for (const a of attempts) byOperation[a.operation] = (byOperation[a.operation] ?? 0) + 1;
      return byOperation;
    };
    try {
      const found = await local.connector.findAccountsBulk!(subjects);
      assert.equal(found.size, 250);
      assert.ok([...found.values()].every((accounts) => accounts.length === 1));
      assert.deepEqual(count(local.attempts), {
        GetUser: 1, // who cordon signs as
        GetAccountAuthorizationDetails: 1, // 252 users, one page of up to 1,000
        ListAccessKeys: 250, // each matched person's status
      });

      const attempts: AttemptEvent[] = [];
      const clock = systemClock();
      const fallback = createAwsIamConnector(
        { connection: "aws-lookup-only", endpoint: local.server.url, credentials: { ...LOOKUP_ONLY } },
        { clock, governor: new RateGovernor({ clock, timeScale: 60 }), onAttempt: (e) => attempts.push(e) },
      );
      const slow = await fallback.findAccountsBulk!(subjects);
      const ids = (found: Map<string, Account[]>) =>
        subjects.map((subject) => found.get(subject.email)?.map((a) => a.id));
      assert.deepEqual(ids(slow), ids(found));
      assert.equal(ids(found)[7]?.[0], "person-007");
      assert.deepEqual(count(attempts), {
        GetAccountAuthorizationDetails: 1, // refused
        ListUsers: 1,
        ListUserTags: 252,
        GetUser: 1,
        ListAccessKeys: 250,
      });
      assert.equal(local.attempts.length, 252);
      assert.equal(attempts.length, 505);
    } finally {
      await local.close();
    }
  });

  test("the mapping file names users directly; matchedBy says so; aliases are looked up too", async () => {
    const found = await h.connector.findAccounts({
      email: "carol@corp.example",
      aliases: ["bob@corp.example"],
    });
    assert.deepEqual(
      found.map((a) => [a.id, a.matchedBy, a.status, a.email]),
      [
        ["carol", "mapping file (carol@corp.example)", "no-keys", "carol@corp.example"],
        ["carol-ci", "mapping file (carol@corp.example)", "keys-active", "carol@corp.example"],
        ["bob", "tag email=bob@corp.example", "keys-active", "carol@corp.example"],
      ],
    );
  });

  test("a mapping that names a missing user is a config error, never a guess", async () => {
    const local = await awsHarness(
      { seed: { users: [adminUser()] } },
      { mapping: { file: { "x@corp.example": ["ghost"] } } },
    );
    try {
      await assert.rejects(
        local.connector.findAccounts({ email: "x@corp.example", aliases: [] }),
        (e) => isCordonError(e) && e.kind === "config" && /no such user/.test(e.message),
      );
    } finally {
      await local.close();
    }
  });

  test("protected: tagged cordon:protected=true, named in protectedUsers, or cordon's own identity", async () => {
    assert.deepEqual((await account("breakglass@corp.example")).protectedReasons, ["protected"]);
    assert.deepEqual((await account("ops@corp.example")).protectedReasons, ["protected"]);
    assert.deepEqual((await account("admin@corp.example")).protectedReasons, ["caller"]);
  });

  test("check() names the caller; a wrong secret is an auth error", async () => {
    assert.deepEqual(await h.connector.check(), {
      ok: true,
      identity: `arn:aws:iam::123456789012:user/${ADMIN.userName}`,
      problems: [],
    });
    const wrong = createAwsIamConnector(
      {
        connection: "aws-wrong",
        endpoint: h.server.url,
        credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: "wrong" },
      },
      { clock: systemClock(), governor: new RateGovernor({ clock: systemClock() }) },
    );
    const result = await wrong.check();
    assert.equal(result.ok, false);
    assert.match(
      result.problems[0] ?? "",
      /aws GetUser: AWS refused the credential \(SignatureDoesNotMatch\)/,
    );
  });

  test("check() with a role's temporary credentials: authenticated, not an IAM user", async () => {
    const role = {
      accessKeyId: "ASIAROLE000000000001",
      secretAccessKey: "roleSessionSecret0000000000000000000000001",
      sessionToken: "role-session-token",
    };
    const local = await awsHarness(
      { seed: { users: [adminUser()], roleSessions: [{ roleName: "incident-responder", ...role }] } },
      { credentials: role },
    );
    try {
      assert.deepEqual(await local.connector.check(), {
        ok: true,
        identity: "temporary credentials of a role or federated user (not an IAM user)",
        problems: [],
      });
    } finally {
      await local.close();
    }
  });

  test("profiles: sessions revokes sessions; lock also deactivates keys and blocks the console", () => {
    assert.deepEqual(h.connector.profile("sessions"), [{ actionId: "aws.revoke_sessions", input: {} }]);
    assert.deepEqual(
      h.connector.profile("lock").map((c) => c.actionId),
      ["aws.deactivate_access_keys", "aws.revoke_sessions", "aws.disable_console_login"],
    );
    for (const profile of CONTAINMENT_PROFILES) {
      for (const call of h.connector.profile(profile)) {
        const action = h.connector.actions.get(call.actionId);
        assert.ok(action?.input.safeParse(call.input).success);
        assert.equal(action?.kind, "contain");
        assert.ok(action?.inverse && h.connector.actions.get(action.inverse)?.inverse === action.id);
      }
    }
  });
});

describe("aws connector: access keys", () => {
  test("deactivate snapshots the active keys, deactivates them, verifies; undo reactivates exactly those", async () => {
    const alice = await account("alice@corp.example");
    const result = await runAction(h.connector, "aws.deactivate_access_keys", alice);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(result.snapshot, {
      accessKeyIds: ["AKIAALICE00000000001"],
      inactiveAccessKeyIds: ["AKIAALICE00000000002"],
    });
    assert.deepEqual(result.verification, { state: "verified", observed: "2 access keys, none active" });
    assert.equal(state().accessKey("AKIAALICE00000000001")?.status, "Inactive");
    // The deactivated key no longer works.
    const key = state().accessKey("AKIAALICE00000000001")!;
    const stolen = sdkAs({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    await assert.rejects(
      stolen.send(new GetUserCommand({})),
      (e: Error) => e.name === "InvalidClientTokenId",
    );
    stolen.destroy();

    assert.equal(
      (await runAction(h.connector, "aws.deactivate_access_keys", alice)).outcome,
      "already_in_state",
    );

    const deactivate = h.connector.actions.get("aws.deactivate_access_keys")!;
    const undoInput = deactivate.restoreInput!(result.snapshot);
    assert.deepEqual(undoInput, { accessKeyIds: ["AKIAALICE00000000001"] });
    const undo = await runAction(h.connector, "aws.reactivate_access_keys", alice, undoInput);
    assert.equal(undo.outcome, "applied");
    assert.deepEqual(undo.output, { reactivated: ["AKIAALICE00000000001"], missing: [] });
    assert.deepEqual(undo.verification, { state: "verified", observed: "1 access keys active again" });
    assert.equal(state().accessKey("AKIAALICE00000000001")?.status, "Active");
    assert.equal(
      state().accessKey("AKIAALICE00000000002")?.status,
      "Inactive",
      "was inactive before: stays so",
    );
    assert.equal(
      (await runAction(h.connector, "aws.reactivate_access_keys", alice, undoInput)).outcome,
      "already_in_state",
    );
  });

  test("a user without active keys is already_in_state; a key deleted since containment is reported", async () => {
    const carol = (await h.connector.findAccounts({ email: "carol@corp.example", aliases: [] }))[0]!;
    assert.equal(
      (await runAction(h.connector, "aws.deactivate_access_keys", carol)).outcome,
      "already_in_state",
    );
    const bob = await account("bob@corp.example");
    await runAction(h.connector, "aws.deactivate_access_keys", bob);
    const undo = await runAction(h.connector, "aws.reactivate_access_keys", bob, {
      accessKeyIds: ["AKIABOB0000000000001", "AKIABOBDELETED000001"],
    });
    assert.deepEqual(undo.output, {
      reactivated: ["AKIABOB0000000000001"],
      missing: ["AKIABOBDELETED000001"],
    });
    assert.equal(undo.verification?.state, "partial");
  });

  test("reactivate refuses input that is not a list of key ids", async () => {
    const bob = await account("bob@corp.example");
    await assert.rejects(
      runAction(h.connector, "aws.reactivate_access_keys", bob, {}),
      (e) => isCordonError(e) && e.kind === "invalid_input",
    );
  });
});

describe("aws connector: sessions", () => {
  test("revoke_sessions denies the temporary credentials issued before now, and verifies its policy", async () => {
    const alice = await account("alice@corp.example");
    const old = sdkAs(ALICE_OLD_SESSION);
    assert.equal((await old.send(new GetUserCommand({}))).User?.UserName, "alice");
    const result = await runAction(h.connector, "aws.revoke_sessions", alice);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(result.snapshot, { previousDocument: null });
    assert.equal(result.verification?.state, "verified");
    assert.match(
      (result.verification as { observed: string }).observed,
      /cordon-revoke-sessions denies every action to temporary credentials issued before \d{4}-/,
    );
    await assert.rejects(old.send(new GetUserCommand({})), (e: Error) => e.name === "AccessDenied");
    old.destroy();
    const document = JSON.parse(state().user("alice")!.inlinePolicies.get(REVOKE_SESSIONS_POLICY)!);
    assert.deepEqual(document.Statement[0].Action, ["*"]);
    assert.ok(Date.parse(document.Statement[0].Condition.DateLessThan["aws:TokenIssueTime"]) > Date.now());
  });

  test("undo removes cordon's policy, but only once the credentials it revoked have expired (or when told)", async () => {
    const alice = await account("alice@corp.example");
    const revoke = h.connector.actions.get("aws.revoke_sessions")!;
    const input = revoke.restoreInput!({ previousDocument: null });
    await assert.rejects(
      runAction(h.connector, "aws.restore_sessions_policy", alice, input),
      (e) => isCordonError(e) && e.kind === "policy" && /would let them .* work again/.test(e.message),
    );
    assert.ok(state().user("alice")!.inlinePolicies.has(REVOKE_SESSIONS_POLICY), "kept");
    const undo = await runAction(h.connector, "aws.restore_sessions_policy", alice, input, {
      clock: later(37 * HOUR),
    });
    assert.equal(undo.outcome, "applied");
    assert.deepEqual(undo.output, { removed: true, restored: false });
    assert.deepEqual(undo.verification, {
      state: "verified",
      observed: `no inline policy ${REVOKE_SESSIONS_POLICY}`,
    });
    assert.equal(
      (await runAction(h.connector, "aws.restore_sessions_policy", alice, input)).outcome,
      "already_in_state",
    );
    // An explicit human decision lifts a fresh revocation.
    await runAction(h.connector, "aws.revoke_sessions", alice);
    const forced = await runAction(h.connector, "aws.restore_sessions_policy", alice, {
      ...input,
      reviveOlderSessions: true,
    });
    assert.deepEqual(forced.output, { removed: true, restored: false });
  });

  test("a revoke-sessions policy that existed before is put back, not removed", async () => {
    const dave = await account("dave@corp.example");
    const result = await runAction(h.connector, "aws.revoke_sessions", dave);
    assert.deepEqual(result.snapshot, { previousDocument: olderRevocation });
    const input = h.connector.actions.get("aws.revoke_sessions")!.restoreInput!(result.snapshot);
    const undo = await runAction(h.connector, "aws.restore_sessions_policy", dave, input, {
      clock: later(37 * HOUR),
    });
    assert.deepEqual(undo.output, { removed: false, restored: true });
    assert.equal(undo.verification?.state, "verified");
    assert.equal(state().user("dave")!.inlinePolicies.get(REVOKE_SESSIONS_POLICY), olderRevocation);
  });

  test("a policy of cordon's name that somebody changed since is left alone", async () => {
    const bob = await account("bob@corp.example");
    await runAction(h.connector, "aws.revoke_sessions", bob);
    state()
      .user("bob")!
      .inlinePolicies.set(
        REVOKE_SESSIONS_POLICY,
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
        }),
      );
    await assert.rejects(
      runAction(
        h.connector,
        "aws.restore_sessions_policy",
        bob,
        { previousDocument: null },
        { clock: later(37 * HOUR) },
      ),
      (e) => isCordonError(e) && e.kind === "conflict",
    );
    assert.ok(state().user("bob")!.inlinePolicies.has(REVOKE_SESSIONS_POLICY));
  });
});

describe("aws connector: console login", () => {
  test("disable: explicit deny plus a required reset; sign-in cannot complete; undo restores both exactly", async () => {
    const alice = await account("alice@corp.example");
    assert.equal((await consoleSignIn("alice", "correct horse battery")).status, 200);
    const result = await runAction(h.connector, "aws.disable_console_login", alice);
    assert.equal(result.outcome, "applied");
    assert.deepEqual(result.snapshot, {
      loginProfile: true,
      passwordResetRequired: false,
      previousDenyAllDocument: null,
    });
    assert.deepEqual(result.output, { denyPolicyAdded: true, passwordResetRequiredSet: true });
    assert.equal(result.verification?.state, "verified");
    const blocked = await consoleSignIn("alice", "correct horse battery");
    assert.equal(blocked.status, 403);
    assert.match((blocked.body as { reason: string }).reason, /iam:ChangePassword is denied/);
    assert.equal(
      state().user("alice")!.loginProfile?.password,
      "correct horse battery",
      "the password is untouched",
    );
    assert.equal(
      (await runAction(h.connector, "aws.disable_console_login", alice)).outcome,
      "already_in_state",
    );

    const input = h.connector.actions.get("aws.disable_console_login")!.restoreInput!(result.snapshot);
    assert.deepEqual(input, { passwordResetRequired: false, previousDenyAllDocument: null });
    const undo = await runAction(h.connector, "aws.enable_console_login", alice, input);
    assert.deepEqual(undo.output, {
      denyPolicyRemoved: true,
      passwordResetRequiredRestored: true,
      loginProfileMissing: false,
    });
    assert.equal(undo.verification?.state, "verified");
    assert.equal(state().user("alice")!.inlinePolicies.has(DENY_ALL_POLICY), false);
    assert.deepEqual((await consoleSignIn("alice", "correct horse battery")).body, {
      signedIn: true,
      mustChangePassword: false,
      canAct: true,
    });
  });

  test("a reset flag that was already set stays set after undo; no console password is already_in_state", async () => {
    const erin = await account("erin@corp.example");
    const result = await runAction(h.connector, "aws.disable_console_login", erin);
    assert.deepEqual(result.output, { denyPolicyAdded: true, passwordResetRequiredSet: false });
    const input = h.connector.actions.get("aws.disable_console_login")!.restoreInput!(result.snapshot);
    await runAction(h.connector, "aws.enable_console_login", erin, input);
    assert.equal(state().user("erin")!.loginProfile?.passwordResetRequired, true);
    assert.equal(state().user("erin")!.inlinePolicies.size, 0);
    const bob = await account("bob@corp.example");
    assert.equal(
      (await runAction(h.connector, "aws.disable_console_login", bob)).outcome,
      "already_in_state",
    );
  });
});

describe("aws connector: errors, retries and rate", () => {
  test("an unknown user is not_found for every action", async () => {
    const ghost = { ...(await account("bob@corp.example")), id: "ghost" };
    const calls: Array<[string, Record<string, unknown>]> = [
      ["aws.deactivate_access_keys", {}],
      ["aws.revoke_sessions", {}],
      ["aws.disable_console_login", {}],
      ["aws.reactivate_access_keys", { accessKeyIds: ["AKIABOB0000000000001"] }],
      ["aws.restore_sessions_policy", { previousDocument: null }],
      ["aws.enable_console_login", { passwordResetRequired: false, previousDenyAllDocument: null }],
    ];
    for (const [id, input] of calls) {
      await assert.rejects(
        runAction(h.connector, id, ghost, input),
        (e) => isCordonError(e) && e.kind === "not_found" && /cannot be found/.test(e.message),
        id,
      );
    }
  });

  test("IAM's Throttling is honoured: the call waits and succeeds", async () => {
    const bob = await account("bob@corp.example");
    assert.equal((await runAction(h.connector, "aws.deactivate_access_keys", bob)).outcome, "applied");
    h.attempts.length = 0;
    await h.fault({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0.05,
      pathPrefix: "/UpdateAccessKey",
      count: 2,
    });
    const started = Date.now();
    assert.equal(
      (
        await runAction(h.connector, "aws.reactivate_access_keys", bob, {
          accessKeyIds: ["AKIABOB0000000000001"],
        })
      ).outcome,
      "applied",
    );
    assert.deepEqual(
      ops("UpdateAccessKey").map((a) => [a.status, a.errorKind]),
      [
        [400, "rate_limited"],
        [400, "rate_limited"],
        [200, null],
      ],
    );
    assert.ok(Date.now() - started >= 90, "two announced waits of 50 ms");
  });

  test("a 5xx is retried for idempotent calls; a dropped read is retried", async () => {
    const bob = await account("bob@corp.example");
    h.attempts.length = 0;
    await h.fault({ kind: "status", status: 500, pathPrefix: "/UpdateAccessKey", count: 1 });
    assert.equal((await runAction(h.connector, "aws.deactivate_access_keys", bob)).outcome, "applied");
    assert.deepEqual(
      ops("UpdateAccessKey").map((a) => a.status),
      [500, 200],
    );
    h.attempts.length = 0;
    await h.fault({ kind: "drop", pathPrefix: "/ListAccessKeys", count: 1 });
    await runAction(h.connector, "aws.reactivate_access_keys", bob, {
      accessKeyIds: ["AKIABOB0000000000001"],
    });
    assert.deepEqual(ops("ListAccessKeys")[0]?.errorKind, "transient");
  });

  test("a non-idempotent operation through cordon's transport is not retried after a 5xx", async () => {
    assert.equal(IDEMPOTENT_OPERATIONS.has("CreateLoginProfile"), false);
    const attempts: AttemptEvent[] = [];
    const clock = systemClock();
    const iam = new IAMClient({
      endpoint: h.server.url,
      region: "us-east-1",
      credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
      maxAttempts: 1,
      requestHandler: new CordonIamRequestHandler({
        policy: awsIamPolicy,
        tenant: "raw",
        governor: new RateGovernor({ clock }),
        budget: new RetryBudget(),
        clock,
        onAttempt: (e) => attempts.push(e),
      }),
    });
    await h.fault({ kind: "status", status: 503, pathPrefix: "/CreateLoginProfile", count: 1 });
    await assert.rejects(
      iam.send(new CreateLoginProfileCommand({ UserName: "carol", Password: "a long password 1" })),
      (e) => isCordonError(e) && e.kind === "transient",
    );
    assert.deepEqual(
      attempts.map((a) => a.status),
      [503],
    );
    assert.equal(state().user("carol")!.loginProfile, null);
    iam.destroy();
  });

  test("AccessDenied is forbidden and names the IAM action the credential lacks", async () => {
    const clock = systemClock();
    const limited = createAwsIamConnector(
      { connection: "aws-limited", endpoint: h.server.url, credentials: LIMITED, mapping: { tagKey: null } },
      { clock, governor: new RateGovernor({ clock, timeScale: 10 }) },
    );
    const bob = await account("bob@corp.example");
    await assert.rejects(runAction(limited, "aws.revoke_sessions", bob), (e) => {
      assert.ok(isCordonError(e) && e.detail.kind === "forbidden");
      assert.equal(e.detail.neededScope, "iam:PutUserPolicy");
      assert.match(
        e.message,
        /aws PutUserPolicy: the credential is not allowed iam:PutUserPolicy \(AccessDenied\)/,
      );
      return true;
    });
  });

  test("the governor paces at the assumed 1,200 requests a minute, so IAM never has to throttle", async () => {
    // At 60× a minute lasts one second: 1,300 calls at once must spread over at least two windows, unthrottled.
    const paced = await awsHarness({
      seed: { users: [adminUser(), { userName: "x", tags: { email: "x@corp.example" } }] },
      timeScale: 60,
    });
    try {
      const started = Date.now();
      await Promise.all(Array.from({ length: 1300 }, () => paced.connector.check()));
      const elapsed = Date.now() - started;
      assert.equal(paced.attempts.filter((a) => a.status !== 200).length, 0);
      assert.ok(elapsed >= 1000, `1,300 calls at 1,200 a (compressed) minute took only ${elapsed} ms`);
    } finally {
      await paced.close();
    }
  });
});

describe("aws snapshots survive the ledger's redaction", () => {
  test("what undo needs is kept under plain names", async () => {
    const erin = await account("erin@corp.example");
    for (const id of ["aws.deactivate_access_keys", "aws.revoke_sessions", "aws.disable_console_login"]) {
      const action = h.connector.actions.get(id)!;
      const snapshot = await action.snapshot!(
        {
          client: h.connector.client,
          account: erin,
          clock: systemClock(),
          signal: new AbortController().signal,
        },
        {},
      );
      assert.deepEqual(redactSecrets(snapshot), snapshot, id);
    }
    assert.deepEqual(
      redactSecrets({ loginProfile: true, passwordResetRequired: false, previousDenyAllDocument: null }),
      { loginProfile: true, passwordResetRequired: false, previousDenyAllDocument: null },
    );
  });
});

describe("aws connection config", () => {
  test("the SDK's environment variables describe a connection, secrets as references", () => {
    assert.deepEqual(
      awsConnectionFromEnv({
        AWS_ACCESS_KEY_ID: "AKIA…",
        AWS_SECRET_ACCESS_KEY: "s",
        AWS_SESSION_TOKEN: "t",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_IAM: "http://127.0.0.1:4566",
      }),
      {
        vendor: "aws",
        region: "eu-west-1",
        endpoint: "http://127.0.0.1:4566",
        accessKeyId: "env:AWS_ACCESS_KEY_ID",
        secretAccessKey: "env:AWS_SECRET_ACCESS_KEY",
        sessionToken: "env:AWS_SESSION_TOKEN",
      },
    );
    assert.deepEqual(awsConnectionFromEnv({ AWS_PROFILE: "security" }), {
      vendor: "aws",
      profile: "security",
    });
    assert.equal(awsConnectionFromEnv({ AWS_REGION: "us-east-1" }), undefined);
  });

  test("the schema refuses secrets written inline and half-configured keys", () => {
    assert.equal(AwsConnection.safeParse({ vendor: "aws" }).success, true, "the default credential chain");
    assert.equal(
      AwsConnection.safeParse({ vendor: "aws", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" })
        .success,
      false,
    );
    assert.equal(AwsConnection.safeParse({ vendor: "aws", accessKeyId: "env:A" }).success, false);
    assert.equal(
      AwsConnection.safeParse({ vendor: "aws", profile: "p", accessKeyId: "env:A", secretAccessKey: "env:B" })
        .success,
      false,
    );
  });

  test("the mapping file is read, checked and merged with inline users", () => {
    const dir = mkdtempSync(join(tmpdir(), "cordon-aws-"));
    writeFileSync(join(dir, "iam-users.yaml"), "Alice@Corp.Example: [alice, alice-admin]\n");
    const connection = AwsConnection.parse({
      vendor: "aws",
      accessKeyId: "env:A",
      secretAccessKey: "env:B",
      mapping: { file: "iam-users.yaml", users: { "alice@corp.example": ["alice-ro"] } },
      protectedUsers: ["breakglass"],
    });
    const config = awsConnectorConfig(
      "aws",
      { ...connection, accessKeyId: "AKIA1", secretAccessKey: "secret" },
      dir,
    );
    assert.deepEqual(config.mapping, {
      tagKey: "email",
      file: { "alice@corp.example": ["alice", "alice-admin", "alice-ro"] },
    });
    assert.deepEqual(config.credentials, { accessKeyId: "AKIA1", secretAccessKey: "secret" });
    assert.deepEqual(config.protectedUserNames, ["breakglass"]);
    writeFileSync(join(dir, "bad.yaml"), "not-an-email: [x]\n");
    assert.throws(
      () =>
        awsConnectorConfig("aws", AwsConnection.parse({ vendor: "aws", mapping: { file: "bad.yaml" } }), dir),
      (e) => isCordonError(e) && e.kind === "config",
    );
  });
});
