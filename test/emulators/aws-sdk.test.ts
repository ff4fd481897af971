import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  GetAccountAuthorizationDetailsCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  paginateListUsers,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { type AwsIamEmulator, createAwsIamEmulator } from "../../src/emulators/aws/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import { ADMIN, adminUser } from "../support/aws-harness.ts";

/** The official SDK, configured as any user would configure it for a custom endpoint: nothing else changed. */
const users = Array.from({ length: 7 }, (_, i) => ({
  userName: `sdk-user-${i}`,
  tags: { email: `u${i}@corp.example` },
}));

let emulator: AwsIamEmulator;
let server: RunningServer;
let iam: IAMClient;

before(async () => {
  emulator = createAwsIamEmulator({
    seed: {
      users: [
        adminUser(),
        ...users,
        {
          userName: "alice",
          tags: { email: "alice@corp.example", team: "payments" },
          accessKeys: [
            { accessKeyId: "AKIAALICE00000000001" },
            { accessKeyId: "AKIAALICE00000000002", status: "Inactive" },
          ],
        },
      ],
    },
  });
  server = await serveFetch(emulator.app.fetch);
  iam = new IAMClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
  });
});
after(async () => {
  iam.destroy();
  await server.close();
});

describe("@aws-sdk/client-iam against the IAM emulator, unchanged", () => {
  test("GetUser without a name returns the caller", async () => {
    const out = await iam.send(new GetUserCommand({}));
    assert.equal(out.User?.UserName, ADMIN.userName);
    assert.equal(out.User?.Arn, `arn:aws:iam::123456789012:user/${ADMIN.userName}`);
    assert.ok(out.User?.CreateDate instanceof Date);
    assert.match(out.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
  });

  test("the ListUsers paginator follows Marker across pages", async () => {
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 3 }, {})) {
      pages.push(page.Users?.length ?? 0);
      names.push(...(page.Users ?? []).map((u) => u.UserName ?? ""));
    }
    assert.deepEqual(pages, [3, 3, 3]);
    assert.equal(names.length, 9);
    assert.equal(new Set(names).size, 9);
    assert.ok(names.includes("alice") && names.includes("sdk-user-6"));
  });

  test("ListUserTags and ListAccessKeys", async () => {
    const tags = await iam.send(new ListUserTagsCommand({ UserName: "alice" }));
    assert.deepEqual(tags.Tags, [
      { Key: "email", Value: "alice@corp.example" },
      { Key: "team", Value: "payments" },
    ]);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: "alice" }));
    assert.deepEqual(
      keys.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status, k.UserName]),
      [
        ["AKIAALICE00000000001", "Active", "alice"],
        ["AKIAALICE00000000002", "Inactive", "alice"],
      ],
    );
    assert.equal(keys.IsTruncated, false);
  });

  test("UpdateAccessKey deactivates a key; an unknown key is NoSuchEntityException", async () => {
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: "alice",
        AccessKeyId: "AKIAALICE00000000001",
        Status: "Inactive",
      }),
    );
    assert.equal(emulator.state.accessKey("AKIAALICE00000000001")?.status, "Inactive");
    await assert.rejects(
      iam.send(
        new UpdateAccessKeyCommand({
          UserName: "alice",
          AccessKeyId: "AKIANOSUCHKEY0000001",
          Status: "Active",
        }),
      ),
      (e) => e instanceof NoSuchEntityException && e.$metadata.httpStatusCode === 404,
    );
  });

  test("PutUserPolicy then GetUserPolicy round-trips the document (URL-encoded on the wire)", async () => {
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:ViaAWSService": "false" } } },
      ],
    });
    await iam.send(
      new PutUserPolicyCommand({ UserName: "alice", PolicyName: "deny-all", PolicyDocument: document }),
    );
    const out = await iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "deny-all" }));
    assert.equal(out.UserName, "alice");
    assert.equal(out.PolicyName, "deny-all");
    assert.equal(decodeURIComponent(out.PolicyDocument ?? ""), document);
    await assert.rejects(
      iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "nope" })),
      (e) => e instanceof NoSuchEntityException,
    );
  });

  test("GetAccountAuthorizationDetails (Filter=User) parses into UserDetailList, paged by Marker", async () => {
    const details = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(
        new GetAccountAuthorizationDetailsCommand({ Filter: ["User"], MaxItems: 4, Marker: marker }),
      );
      details.push(...(out.UserDetailList ?? []));
      assert.deepEqual([out.GroupDetailList, out.RoleDetailList, out.Policies], [[], [], []]);
      marker = out.IsTruncated ? out.Marker : undefined;
      pages += 1;
    } while (marker);
    assert.equal(pages, 3);
    assert.equal(details.length, 9);
    const alice = details.find((u) => u.UserName === "alice");
    assert.equal(alice?.Arn, "arn:aws:iam::123456789012:user/alice");
    assert.equal(alice?.Path, "/");
    assert.match(alice?.UserId ?? "", /^AIDA/);
    assert.ok(alice?.CreateDate instanceof Date);
    assert.deepEqual(alice?.Tags, [
      { Key: "email", Value: "alice@corp.example" },
      { Key: "team", Value: "payments" },
    ]);
    assert.deepEqual([alice?.GroupList, alice?.AttachedManagedPolicies], [[], []]);
    // The inline policy the test above put, URL-encoded as GetUserPolicy returns it.
    assert.deepEqual(
      alice?.UserPolicyList?.map((p) => [
        p.PolicyName,
        JSON.parse(decodeURIComponent(p.PolicyDocument ?? "")),
      ]),
      [["deny-all", JSON.parse(emulator.state.user("alice")!.inlinePolicies.get("deny-all")!)]],
    );
    assert.deepEqual(details.find((u) => u.UserName === "sdk-user-3")?.Tags, [
      { Key: "email", Value: "u3@corp.example" },
    ]);
    // The SDK sends the filter as awsQuery's `Filter.member.1=Role`: the emulator reads it.
    const roles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    assert.deepEqual([roles.UserDetailList, roles.IsTruncated], [[], false]);
  });

  test("a wrong secret is refused with SignatureDoesNotMatch", async () => {
    const wrong = new IAMClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: "not-the-secret" },
      maxAttempts: 1,
    });
    try {
      await assert.rejects(
        wrong.send(new GetUserCommand({})),
        (e: Error & { name: string; $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(e.name, "SignatureDoesNotMatch");
          assert.equal(e.$metadata?.httpStatusCode, 403);
          return true;
        },
      );
    } finally {
      wrong.destroy();
    }
  });
});
