import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { admin } from "@googleapis/admin";
import { JWT } from "google-auth-library";
import {
  createGoogleEmulator,
  type GoogleEmulator,
  type GoogleSeed,
} from "../../src/emulators/google/index.ts";
import { type RunningServer, serveFetch } from "../../src/emulators/kit/serve.ts";
import {
  removeKeyFile,
  seedServiceAccount,
  testServiceAccount,
  writeKeyFile,
} from "../support/google-harness.ts";

const SA = testServiceAccount();
const SCOPES = [
  "https://www.googleapis.com/auth/admin.directory.user",
  "https://www.googleapis.com/auth/admin.directory.user.security",
];

const SEED: GoogleSeed = {
  serviceAccounts: [seedServiceAccount(SA)],
  users: [
    { primaryEmail: "admin@corp.example", isAdmin: true },
    {
      primaryEmail: "alice.anders@corp.example",
      aliases: ["al@corp.example"],
      sessions: 2,
      tokens: [
        { clientId: "1234-slack.apps.googleusercontent.com", displayText: "Slack" },
        { clientId: "5678-zoom.apps.googleusercontent.com", displayText: "Zoom" },
      ],
    },
  ],
};

function directoryClient(auth: JWT, rootUrl: string) {
  return admin({ version: "directory_v1", auth, rootUrl });
}

/**
 * `@googleapis/admin` 37 and `google-auth-library` 11, unchanged, against the emulator over plain http.
 *
 * One piece of configuration is needed besides `rootUrl`: google-auth-library 11 posts the JWT-bearer assertion
 * to the hard-coded https://oauth2.googleapis.com/token and ignores the key file's `token_uri`
 * (gtoken/getToken.js), and offers no option or variable for it. The test therefore adds a request interceptor
 * to the JWT client's own gaxios transporter that sends that one URL to the emulator, as a proxy would; the
 * assertion, its `aud` and every Directory request are exactly what the libraries produce.
 */
describe("google emulator: @googleapis/admin directory_v1 with a google-auth-library JWT client", () => {
  let emulator: GoogleEmulator;
  let server: RunningServer;
  let directory: ReturnType<typeof directoryClient>;
  let auth: JWT;
  let keyFile = "";

  before(async () => {
    emulator = createGoogleEmulator({ seed: SEED });
    server = await serveFetch(emulator.app.fetch);
    keyFile = writeKeyFile(SA, `${server.url}/token`);
    auth = new JWT({ keyFile, subject: "admin@corp.example", scopes: SCOPES });
    auth.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === "https://oauth2.googleapis.com/token")
          config.url = new URL(`${server.url}/token`);
        return config;
      },
    });
    directory = directoryClient(auth, `${server.url}/`);
  });
  after(async () => {
    await server.close();
    removeKeyFile(keyFile);
  });

  test("users.get by alias returns the user; a second call reuses the cached token", async () => {
    const { data, status } = await directory.users.get({ userKey: "al@corp.example" });
    assert.equal(status, 200);
    assert.equal(data.primaryEmail, "alice.anders@corp.example");
    assert.deepEqual(data.aliases, ["al@corp.example"]);
    await directory.users.get({ userKey: "admin@corp.example" });
    assert.equal(emulator.state.tokensIssued, 1);
  });

  test("an unknown user rejects with Google's 404 error, parsed by gaxios", async () => {
    await assert.rejects(directory.users.get({ userKey: "ghost@corp.example" }), (error: unknown) => {
      const e = error as {
        status?: number;
        message?: string;
        response?: { data?: { error?: { errors?: Array<{ reason?: string }> } } };
      };
      assert.equal(e.status, 404);
      assert.equal(e.message, "Resource Not Found: userKey");
      assert.equal(e.response?.data?.error?.errors?.[0]?.reason, "notFound");
      return true;
    });
  });

  test("users.signOut answers 204 and ends the sessions", async () => {
    const response = await directory.users.signOut({ userKey: "alice.anders@corp.example" });
    assert.equal(response.status, 204);
    const alice = emulator.state.findUser("alice.anders@corp.example");
    assert.ok(alice);
    assert.equal(emulator.state.sessionsOf(alice.id).length, 0);
  });

  test("tokens.list then tokens.delete each", async () => {
    const { data } = await directory.tokens.list({ userKey: "alice.anders@corp.example" });
    assert.equal(data.kind, "admin#directory#tokenList");
    assert.deepEqual(data.items?.map((t: { displayText?: string | null }) => t.displayText).sort(), [
      "Slack",
      "Zoom",
    ]);
    for (const token of data.items ?? []) {
      const deleted = await directory.tokens.delete({
        userKey: "alice.anders@corp.example",
        clientId: token.clientId ?? "",
      });
      assert.equal(deleted.status, 204);
    }
    const after = await directory.tokens.list({ userKey: "alice.anders@corp.example" });
    assert.equal(after.data.items, undefined);
  });

  test("users.update suspends, and users.list pages through the customer", async () => {
    const { data } = await directory.users.update({
      userKey: "alice.anders@corp.example",
      requestBody: { suspended: true },
    });
    assert.equal(data.suspended, true);
    assert.equal(data.suspensionReason, "ADMIN");
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await directory.users.list({ customer: "my_customer", maxResults: 1, pageToken });
      seen.push(
        ...(page.data.users ?? []).map((u: { primaryEmail?: string | null }) => u.primaryEmail ?? ""),
      );
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    assert.deepEqual(seen, ["admin@corp.example", "alice.anders@corp.example"]);
  });
});
