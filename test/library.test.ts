import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
// The README's examples, run as written against the emulators (imported from the package entry point).
import {
  applyPlan,
  buildPlan,
  connectOkta,
  connectSlack,
  DEFAULT_POLICY,
  findAccount,
  openSqliteStore,
  runAction,
  startEmulators,
  systemClock,
} from "../src/index.ts";

let emulators: Awaited<ReturnType<typeof startEmulators>>;
const url = (vendor: string) => emulators.find((e) => e.vendor === vendor)!.server.url;

before(async () => {
  emulators = await startEmulators(["okta", "slack"], {
    seed: {
      okta: {
        users: [
          { email: "test@test.com", sessions: 1, oauthClients: [{ clientId: "0oa1", refreshTokens: 1 }] },
        ],
      },
      slack: {
        users: [
          { email: "admin@test.com", isPrimaryOwner: true, isOwner: true, isAdmin: true },
          { email: "test@test.com", sessions: { web: 1, mobile: 1 } },
        ],
      },
    },
  });
});
after(() => Promise.all(emulators.map((e) => e.server.close())));

test("seed 000's usages: find a user id by email, terminate that user's sessions (Okta and Slack)", async () => {
  const okta = connectOkta({ orgUrl: url("okta"), token: "any-token" });
  const alice = await findAccount(okta, "test@test.com");
  assert.ok(alice);
  const cleared = await runAction(okta, "okta.clear_sessions", alice);
  assert.equal(cleared.verification?.state, "verified");

  const slack = connectSlack({
    token: "xoxp-any",
    apiUrl: `${url("slack")}/api/`,
    scimUrl: `${url("slack")}/scim/v2/`,
  });
  const user = await findAccount(slack, "test@test.com");
  assert.ok(user);
  const reset = await runAction(slack, "slack.reset_sessions", user);
  assert.deepEqual(reset.verification, { state: "verified", observed: "0 active sessions" });
  assert.equal(await findAccount(okta, "nobody@test.com"), null);
});

test("recorded multi-app runs through the engine", async () => {
  const okta = connectOkta({ orgUrl: url("okta"), token: "any-token" });
  const slack = connectSlack({
    token: "xoxp-any",
    apiUrl: `${url("slack")}/api/`,
    scimUrl: `${url("slack")}/scim/v2/`,
  });
  const clock = systemClock();
  const store = openSqliteStore({
    path: join(mkdtempSync(join(tmpdir(), "cordon-lib-")), "cordon.db"),
    clock,
  });
  const plan = await buildPlan(
    { subjects: ["test@test.com"], profile: "lock", reason: "INC-4711", force: null, policy: DEFAULT_POLICY },
    [okta, slack],
    clock,
  );
  const run = await applyPlan(plan, { store, connectors: [okta, slack], clock, actor: "soar" });
  assert.equal(run.state, "completed");
  assert.equal(run.steps.length, 6);
  await store.close();
});
