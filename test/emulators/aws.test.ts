import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AwsIamEmulator, createAwsIamEmulator, signRequest } from "../../src/emulators/aws/index.ts";
import {
  canonicalRequest,
  type SigningCredentials,
  sha256Hex,
  signature,
  signingKey,
  stringToSign,
} from "../../src/emulators/aws/sigv4.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { ADMIN, adminUser } from "../support/aws-harness.ts";

const NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"';
const admin: SigningCredentials = { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey };
const BOB_KEY = {
  accessKeyId: "AKIABOB0000000000001",
  secretAccessKey: "bobSecret000000000000000000000000000000001",
};

const seed = {
  users: [
    adminUser(),
    {
      userName: "alice",
      tags: { email: "Alice@Corp.Example" },
      accessKeys: [{ accessKeyId: "AKIAALICE00000000001" }],
      password: "correct horse battery",
      sessions: [
        {
          accessKeyId: "ASIAALICEOLD00000001",
          secretAccessKey: "aliceOldSessionSecret00000000000000000001",
          sessionToken: "alice-old-session-token",
          issuedAt: new Date(Date.now() - 3_600_000).toISOString(),
        },
      ],
    },
    { userName: "bob", accessKeys: [BOB_KEY], permissions: ["iam:Get*", "iam:List*"] },
    ...["carol", "dave", "erin", "frank"].map((userName) => ({ userName })),
  ],
  roleSessions: [
    {
      roleName: "incident-responder",
      accessKeyId: "ASIAROLE000000000001",
      secretAccessKey: "roleSessionSecret0000000000000000000000001",
      sessionToken: "role-session-token",
    },
  ],
};

let emulator: AwsIamEmulator;
let server: RunningServer;
before(async () => {
  // Rate limits have their own test below, on their own emulator.
  emulator = createAwsIamEmulator({ seed, enforceRateLimits: false });
  server = await serveFetch(emulator.app.fetch);
});
after(() => server.close());

interface Reply {
  status: number;
  text: string;
  headers: Headers;
}

/** A raw awsQuery POST, signed with `credentials` unless null; `tamper` may change it after signing. */
async function call(
  params: Record<string, string>,
  credentials: SigningCredentials | null = admin,
  options: { region?: string; now?: number; tamper?: (r: { headers: Headers; body: string }) => string } = {},
): Promise<Reply> {
  const url = new URL(`${server.url}/`);
  const body = new URLSearchParams({ Version: "2010-05-08", ...params }).toString();
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
  const request = { method: "POST", url, headers, body };
  if (credentials) signRequest(request, credentials, { region: options.region, now: options.now });
  const sent = options.tamper ? options.tamper(request) : body;
  headers.delete("host");
  const response = await fetch(url, { method: "POST", headers, body: sent });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

function code(reply: Reply): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(reply.text)?.[1];
}

describe("SigV4 signing (the worked example of AWS's SigV4 guide)", () => {
  test("our signer reproduces the IAM ListUsers example signature", () => {
    const headers = new Headers({
      host: "iam.amazonaws.com",
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "x-amz-date": "20150830T123600Z",
    });
    const request = {
      method: "GET",
      url: new URL("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
      headers,
      body: "",
    };
    const canonical = canonicalRequest(request, ["content-type", "host", "x-amz-date"], sha256Hex(""));
    assert.equal(sha256Hex(canonical), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    const key = signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
    assert.equal(key.toString("hex"), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    assert.equal(
      signature(key, stringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical)),
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
  });
});

describe("IAM emulator: authentication", () => {
  test("a signed request is answered in IAM's XML", async () => {
    const reply = await call({ Action: "GetUser" });
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get("content-type") ?? "", /text\/xml/);
    const requestId = reply.headers.get("x-amzn-requestid");
    assert.match(requestId ?? "", /^[0-9a-f-]{36}$/);
    assert.match(
      reply.text,
      new RegExp(
        `^<GetUserResponse ${NS}><GetUserResult><User><Path>/</Path><UserName>cordon-admin</UserName>` +
          `<UserId>AIDA[A-Z2-7]{17}</UserId><Arn>arn:aws:iam::123456789012:user/cordon-admin</Arn>` +
          `<CreateDate>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ</CreateDate></User></GetUserResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetUserResponse>$`,
      ),
    );
  });

  test("unsigned: 403 MissingAuthenticationToken in an ErrorResponse", async () => {
    const reply = await call({ Action: "ListUsers" }, null);
    assert.equal(reply.status, 403);
    assert.match(
      reply.text,
      new RegExp(
        `^<ErrorResponse ${NS}><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>` +
          `<Message>Request is missing Authentication Token</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`,
      ),
    );
  });

  test("a wrong secret, a tampered body and a tampered signed header are SignatureDoesNotMatch (403)", async () => {
    const wrong = await call({ Action: "ListUsers" }, { ...admin, secretAccessKey: "wrong" });
    assert.deepEqual([wrong.status, code(wrong)], [403, "SignatureDoesNotMatch"]);
    const body = await call({ Action: "ListUsers" }, admin, { tamper: (r) => `${r.body}&MaxItems=1` });
    assert.deepEqual([body.status, code(body)], [403, "SignatureDoesNotMatch"]);
    const header = await call({ Action: "ListUsers" }, admin, {
      tamper: (r) => {
        r.headers.set("content-type", "application/x-www-form-urlencoded"); // signed with "; charset=utf-8"
        return r.body;
      },
    });
    assert.deepEqual([header.status, code(header)], [403, "SignatureDoesNotMatch"]);
  });

  test("an unknown or inactive key is InvalidClientTokenId (403)", async () => {
    const unknown = await call(
      { Action: "GetUser" },
      { accessKeyId: "AKIAUNKNOWN000000001", secretAccessKey: "x" },
    );
    assert.deepEqual([unknown.status, code(unknown)], [403, "InvalidClientTokenId"]);
    emulator.state.accessKey(BOB_KEY.accessKeyId)!.status = "Inactive";
    try {
      const inactive = await call({ Action: "GetUser" }, BOB_KEY);
      assert.deepEqual([inactive.status, code(inactive)], [403, "InvalidClientTokenId"]);
    } finally {
      emulator.state.accessKey(BOB_KEY.accessKeyId)!.status = "Active";
    }
  });

  test("a malformed Authorization header is IncompleteSignature (400)", async () => {
    const reply = await call({ Action: "GetUser" }, admin, {
      tamper: (r) => {
        r.headers.set("authorization", r.headers.get("authorization")!.replace(/, Signature=[0-9a-f]+/, ""));
        return r.body;
      },
    });
    assert.deepEqual([reply.status, code(reply)], [400, "IncompleteSignature"]);
    assert.match(reply.text, /requires 'Signature' parameter/);
  });

  test("a wrong region or a request more than 15 minutes old is refused", async () => {
    const region = await call({ Action: "GetUser" }, admin, { region: "eu-west-1" });
    assert.deepEqual([region.status, code(region)], [403, "SignatureDoesNotMatch"]);
    assert.match(region.text, /scoped to a valid region/);
    const old = await call({ Action: "GetUser" }, admin, { now: Date.now() - 16 * 60_000 });
    assert.deepEqual([old.status, code(old)], [403, "SignatureDoesNotMatch"]);
    assert.match(old.text, /Signature expired/);
  });

  test("temporary credentials need their session token; a role session cannot GetUser without a name", async () => {
    const role = {
      accessKeyId: "ASIAROLE000000000001",
      secretAccessKey: "roleSessionSecret0000000000000000000000001",
    };
    const noToken = await call({ Action: "ListUsers" }, role);
    assert.deepEqual([noToken.status, code(noToken)], [403, "InvalidClientTokenId"]);
    const withToken = { ...role, sessionToken: "role-session-token" };
    assert.equal((await call({ Action: "ListUsers" }, withToken)).status, 200);
    const me = await call({ Action: "GetUser" }, withToken);
    assert.deepEqual([me.status, code(me)], [400, "ValidationError"]);
    assert.match(me.text, /Must specify userName when calling with non-User credentials/);
  });
});

describe("IAM emulator: operations", () => {
  test("ListUsers pages with Marker and IsTruncated, without tags", async () => {
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const reply = await call({ Action: "ListUsers", MaxItems: "3", ...(marker ? { Marker: marker } : {}) });
      assert.equal(reply.status, 200);
      assert.doesNotMatch(reply.text, /<Tags>/);
      names.push(...[...reply.text.matchAll(/<UserName>([^<]+)<\/UserName>/g)].map((m) => m[1]!));
      const truncated = /<IsTruncated>(true|false)<\/IsTruncated>/.exec(reply.text)?.[1];
      marker = truncated === "true" ? /<Marker>([^<]+)<\/Marker>/.exec(reply.text)?.[1] : undefined;
      if (truncated === "true") assert.ok(marker, "a truncated page carries a Marker");
      pages += 1;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(names, ["alice", "bob", "carol", "cordon-admin", "dave", "erin", "frank"]);
  });

  test("GetAccountAuthorizationDetails Filter=User pages users with their tags; other kinds are empty", async () => {
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    let alice = "";
    do {
      const reply = await call({
        Action: "GetAccountAuthorizationDetails",
        "Filter.member.1": "User",
        MaxItems: "3",
        ...(marker ? { Marker: marker } : {}),
      });
      assert.equal(reply.status, 200);
      assert.match(
        reply.text,
        /<GroupDetailList><\/GroupDetailList><RoleDetailList><\/RoleDetailList><Policies>/,
      );
      names.push(...[...reply.text.matchAll(/<UserName>([^<]+)<\/UserName>/g)].map((m) => m[1]!));
      alice ||=
        reply.text.split("<member><Path>").find((m) => m.includes("<UserName>alice</UserName>")) ?? "";
      const truncated = /<IsTruncated>(true|false)<\/IsTruncated>/.exec(reply.text)?.[1];
      marker = truncated === "true" ? /<Marker>([^<]+)<\/Marker>/.exec(reply.text)?.[1] : undefined;
      pages += 1;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(names, ["alice", "bob", "carol", "cordon-admin", "dave", "erin", "frank"]);
    assert.match(alice, /<Arn>arn:aws:iam::123456789012:user\/alice<\/Arn>/);
    assert.match(
      alice,
      /<Tags><member><Key>email<\/Key><Value>Alice@Corp.Example<\/Value><\/member><\/Tags>/,
    );

    const roles = await call({ Action: "GetAccountAuthorizationDetails", "Filter.member.1": "Role" });
    assert.match(roles.text, /<UserDetailList><\/UserDetailList>.*<IsTruncated>false<\/IsTruncated>/);
    const wrong = await call({ Action: "GetAccountAuthorizationDetails", "Filter.member.1": "Users" });
    assert.deepEqual([wrong.status, code(wrong)], [400, "ValidationError"]);
    assert.match(wrong.text, /Value '\[Users\]' at 'filter' failed to satisfy constraint/);
  });

  test("a forged Marker and an out-of-range MaxItems are ValidationError (400)", async () => {
    const marker = await call({ Action: "ListUsers", Marker: "not-a-marker" });
    assert.deepEqual([marker.status, code(marker)], [400, "ValidationError"]);
    const max = await call({ Action: "ListUsers", MaxItems: "1001" });
    assert.deepEqual([max.status, code(max)], [400, "ValidationError"]);
    assert.match(max.text, /Value '1001' at 'maxItems' failed to satisfy constraint/);
  });

  test("missing required members are listed in one ValidationError", async () => {
    const reply = await call({ Action: "UpdateAccessKey", UserName: "alice" });
    assert.deepEqual([reply.status, code(reply)], [400, "ValidationError"]);
    assert.match(
      reply.text,
      /2 validation errors detected: Value null at 'accessKeyId'.*Value null at 'status'/,
    );
  });

  test("unknown user → 404 NoSuchEntity; unknown action → 400 InvalidAction", async () => {
    const missing = await call({ Action: "ListAccessKeys", UserName: "nobody" });
    assert.deepEqual([missing.status, code(missing)], [404, "NoSuchEntity"]);
    assert.match(missing.text, /The user with name nobody cannot be found\./);
    const unknown = await call({ Action: "DeleteUser", UserName: "alice" });
    assert.deepEqual([unknown.status, code(unknown)], [400, "InvalidAction"]);
  });

  test("UpdateAccessKey has a Unit output: a Response with only ResponseMetadata", async () => {
    const reply = await call({
      Action: "UpdateAccessKey",
      UserName: "alice",
      AccessKeyId: "AKIAALICE00000000001",
      Status: "Active",
    });
    assert.equal(reply.status, 200);
    assert.match(
      reply.text,
      new RegExp(
        `^<UpdateAccessKeyResponse ${NS}><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></UpdateAccessKeyResponse>$`,
      ),
    );
  });

  test("GetLoginProfile / UpdateLoginProfile; no profile is NoSuchEntity", async () => {
    const get = await call({ Action: "GetLoginProfile", UserName: "alice" });
    assert.match(
      get.text,
      /<LoginProfile><UserName>alice<\/UserName><CreateDate>[^<]+<\/CreateDate><PasswordResetRequired>false<\/PasswordResetRequired><\/LoginProfile>/,
    );
    assert.doesNotMatch(get.text, /horse/);
    assert.equal(
      (await call({ Action: "UpdateLoginProfile", UserName: "alice", PasswordResetRequired: "true" })).status,
      200,
    );
    assert.equal(emulator.state.user("alice")?.loginProfile?.passwordResetRequired, true);
    await call({ Action: "UpdateLoginProfile", UserName: "alice", PasswordResetRequired: "false" });
    const none = await call({ Action: "GetLoginProfile", UserName: "carol" });
    assert.deepEqual([none.status, code(none)], [404, "NoSuchEntity"]);
    assert.match(none.text, /Login Profile for User carol cannot be found/);
  });

  test("PutUserPolicy checks the document; GetUserPolicy returns it URL-encoded; Delete removes it", async () => {
    const bad = await call({
      Action: "PutUserPolicy",
      UserName: "carol",
      PolicyName: "p",
      PolicyDocument: "{not json",
    });
    assert.deepEqual([bad.status, code(bad)], [400, "MalformedPolicyDocument"]);
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
    });
    assert.equal(
      (await call({ Action: "PutUserPolicy", UserName: "carol", PolicyName: "p", PolicyDocument: document }))
        .status,
      200,
    );
    const got = await call({ Action: "GetUserPolicy", UserName: "carol", PolicyName: "p" });
    assert.match(got.text, /<PolicyDocument>%7B%22Version%22%3A%222012-10-17%22/);
    const listed = await call({ Action: "ListUserPolicies", UserName: "carol" });
    assert.match(
      listed.text,
      /<PolicyNames><member>p<\/member><\/PolicyNames><IsTruncated>false<\/IsTruncated>/,
    );
    const huge = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Action: Array.from({ length: 200 }, (_, i) => `iam:Action${i}`), Resource: "*" },
      ],
    });
    const tooBig = await call({
      Action: "PutUserPolicy",
      UserName: "carol",
      PolicyName: "big",
      PolicyDocument: huge,
    });
    assert.deepEqual([tooBig.status, code(tooBig)], [409, "LimitExceeded"]);
    assert.equal(
      (await call({ Action: "DeleteUserPolicy", UserName: "carol", PolicyName: "p" })).status,
      200,
    );
    const gone = await call({ Action: "DeleteUserPolicy", UserName: "carol", PolicyName: "p" });
    assert.deepEqual([gone.status, code(gone)], [404, "NoSuchEntity"]);
  });

  test("GetAccessKeyLastUsed: the signing key was just used; an unused key says N/A", async () => {
    const used = await call({ Action: "GetAccessKeyLastUsed", AccessKeyId: ADMIN.accessKeyId });
    assert.match(
      used.text,
      /<UserName>cordon-admin<\/UserName><AccessKeyLastUsed><LastUsedDate>[^<]+<\/LastUsedDate><ServiceName>iam<\/ServiceName>/,
    );
    const unused = await call({ Action: "GetAccessKeyLastUsed", AccessKeyId: "AKIAALICE00000000001" });
    assert.match(
      unused.text,
      /<AccessKeyLastUsed><ServiceName>N\/A<\/ServiceName><Region>N\/A<\/Region><\/AccessKeyLastUsed>/,
    );
  });

  test("a user with only Get/List permissions gets AccessDenied (403) naming the action", async () => {
    const reply = await call(
      {
        Action: "UpdateAccessKey",
        UserName: "alice",
        AccessKeyId: "AKIAALICE00000000001",
        Status: "Inactive",
      },
      BOB_KEY,
    );
    assert.deepEqual([reply.status, code(reply)], [403, "AccessDenied"]);
    assert.match(
      reply.text,
      /user\/bob is not authorized to perform: iam:UpdateAccessKey on resource: arn:aws:iam::123456789012:user\/alice/,
    );
    assert.equal(emulator.state.accessKey("AKIAALICE00000000001")?.status, "Active");
  });
});

describe("IAM emulator: what cordon's policies do to the contained user's credentials", () => {
  const oldSession = {
    accessKeyId: "ASIAALICEOLD00000001",
    secretAccessKey: "aliceOldSessionSecret00000000000000000001",
    sessionToken: "alice-old-session-token",
  };

  test("a TokenIssueTime deny stops sessions issued before it and spares newer ones", async () => {
    assert.equal((await call({ Action: "GetUser" }, oldSession)).status, 200);
    const cutoff = new Date(Date.now() + 2_000).toISOString();
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: ["*"],
          Resource: ["*"],
          Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } },
        },
      ],
    });
    await call({
      Action: "PutUserPolicy",
      UserName: "alice",
      PolicyName: "revoke",
      PolicyDocument: document,
    });
    const denied = await call({ Action: "GetUser" }, oldSession);
    assert.deepEqual([denied.status, code(denied)], [403, "AccessDenied"]);
    assert.match(denied.text, /with an explicit deny in an identity-based policy/);
    // Long-term keys carry no aws:TokenIssueTime: the condition is false for them.
    const alice = emulator.state.accessKey("AKIAALICE00000000001")!;
    const longTerm = await call(
      { Action: "GetUser" },
      { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey },
    );
    assert.equal(longTerm.status, 200);
    const fresh = await fetch(`${server.url}/__cordon/aws/users/alice/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ issuedAt: new Date(Date.now() + 10_000).toISOString() }),
    });
    assert.equal(fresh.status, 201);
    const creds = (await fresh.json()) as {
      AccessKeyId: string;
      SecretAccessKey: string;
      SessionToken: string;
    };
    const newer = await call(
      { Action: "GetUser" },
      {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: creds.SessionToken,
      },
    );
    assert.equal(newer.status, 200);
    await call({ Action: "DeleteUserPolicy", UserName: "alice", PolicyName: "revoke" });
  });

  test("console sign-in: a required reset with iam:ChangePassword denied cannot complete", async () => {
    const signIn = (password: string) =>
      fetch(`${server.url}/__cordon/aws/console-signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userName: "alice", password }),
      });
    assert.equal((await signIn("wrong")).status, 403);
    assert.deepEqual(await (await signIn("correct horse battery")).json(), {
      signedIn: true,
      mustChangePassword: false,
      canAct: true,
    });
    const user = emulator.state.user("alice")!;
    user.loginProfile!.passwordResetRequired = true;
    user.inlinePolicies.set(
      "deny",
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }),
    );
    const blocked = await signIn("correct horse battery");
    assert.equal(blocked.status, 403);
    assert.match(((await blocked.json()) as { reason: string }).reason, /iam:ChangePassword is denied/);
    user.inlinePolicies.delete("deny");
    user.loginProfile!.passwordResetRequired = false;
  });
});

describe("IAM emulator: throttling and faults", () => {
  test("past the per-account rate: 400 Throttling 'Rate exceeded' with the exact wait; then it recovers", async () => {
    const small = createAwsIamEmulator({
      seed: { users: [adminUser()] },
      rateLimit: { limit: 3, windowMs: 1000 },
    });
    const local = await serveFetch(small.app.fetch);
    try {
      const send = async () => {
        const url = new URL(`${local.url}/`);
        const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
        const request = { method: "POST", url, headers, body: "Action=GetUser&Version=2010-05-08" };
        signRequest(request, admin);
        headers.delete("host");
        const r = await fetch(url, { method: "POST", headers, body: request.body });
        return { status: r.status, text: await r.text(), wait: r.headers.get("x-cordon-retry-after-ms") };
      };
      // Start at a window boundary so the 4 calls share one window.
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
      const replies = [];
      for (let i = 0; i < 4; i++) replies.push(await send());
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 200, 400],
      );
      const throttled = replies[3]!;
      assert.match(throttled.text, /<Code>Throttling<\/Code><Message>Rate exceeded<\/Message>/);
      const wait = Number(throttled.wait);
      assert.ok(wait > 0 && wait <= 1000, `wait ${wait}`);
      await new Promise((r) => setTimeout(r, wait + 5));
      assert.equal((await send()).status, 200);
    } finally {
      await local.close();
    }
  });

  test("faults target an Action: 429 is rendered as IAM's Throttling, 500 as ServiceFailure", async () => {
    const add = (rule: object) =>
      fetch(`${server.url}/__cordon/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(rule),
      });
    await add({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0.25,
      pathPrefix: "/ListUserTags",
      count: 1,
    });
    await add({ kind: "status", status: 500, pathPrefix: "/ListUserTags", count: 1 });
    assert.equal((await call({ Action: "GetUser" })).status, 200, "other actions unaffected");
    const throttled = await call({ Action: "ListUserTags", UserName: "alice" });
    assert.deepEqual([throttled.status, code(throttled)], [400, "Throttling"]);
    assert.equal(throttled.headers.get("x-cordon-retry-after-ms"), "250");
    const failed = await call({ Action: "ListUserTags", UserName: "alice" });
    assert.deepEqual([failed.status, code(failed)], [500, "ServiceFailure"]);
    assert.match(failed.text, /<Type>Receiver<\/Type>/);
    assert.equal((await call({ Action: "ListUserTags", UserName: "alice" })).status, 200);
  });

  test("a dropped connection is a network error", async () => {
    await fetch(`${server.url}/__cordon/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "drop", pathPrefix: "/GetUser", count: 1 }),
    });
    await assert.rejects(call({ Action: "GetUser" }), TypeError);
    assert.equal((await call({ Action: "GetUser" })).status, 200);
  });
});

describe("IAM emulator: seed", () => {
  test("a seed with no signing credential gets the documented default administrator", async () => {
    const bare = createAwsIamEmulator({ seed: { users: [{ userName: "alice" }] } });
    assert.equal(bare.state.accessKey("AKIAIOSFODNN7EXAMPLE")?.userName, "emulator-admin");
  });

  test("invalid seeds are refused with every problem named", () => {
    assert.throws(
      () =>
        createAwsIamEmulator({
          seed: {
            users: [
              { userName: "alice", accessKeys: [{}, {}, {}] },
              { userName: "ALICE" },
              { userName: "bad name" },
            ],
          },
        }),
      (e: Error) =>
        /at most 2 access keys/.test(e.message) &&
        /duplicate user name "ALICE"/.test(e.message) &&
        /userName: 1–64/.test(e.message),
    );
  });
});
