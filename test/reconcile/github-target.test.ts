/**
 * GitHub organization membership as a reconcile target, over HTTP against the GitHub emulator: a member who lost
 * entitlement is removed; when entitled again, cordon re-invites with exactly the role and teams it removed.
 */
import assert from "node:assert/strict";
import test from "node:test";
import { systemClock } from "../../src/core/clock.ts";
import type { EntitledPerson } from "../../src/core/reconcile.ts";
import { parseAccessRules, reconcile } from "../../src/reconcile/index.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { githubHarness } from "../support/github-harness.ts";

test("github target: remove who lost entitlement, re-invite exactly (role and teams) when entitled again", async (t) => {
  const h = await githubHarness({
    seed: {
      orgs: [
        {
          login: "acme",
          members: [
            { login: "root", role: "admin" },
            { login: "alice", role: "member" },
            { login: "bob", role: "member" },
            { login: "nomail", role: "member" },
          ],
          teams: [{ slug: "platform", members: [{ login: "bob", role: "maintainer" }] }],
          saml: {
            identities: [
              { nameId: "root@corp.example", login: "root" },
              { nameId: "alice@corp.example", login: "alice" },
              { nameId: "bob@corp.example", login: "bob" },
            ],
            enforced: true,
          },
        },
      ],
      tokenOwner: "root",
    },
  });
  t.after(() => h.close());
  const store = openSqliteStore({ path: ":memory:" });
  t.after(() => store.close());
  const rules = parseAccessRules("apps:\n  GitHub:\n    allowedGroups: [engineering]\n", "rules.yaml");
  const person = (email: string, groups: string[]): EntitledPerson => ({
    email,
    aliases: [],
    groups,
    active: true,
  });
  const run = (people: EntitledPerson[]) =>
    reconcile({
      source: { name: "okta", readPeople: async () => people },
      rules,
      app: "GitHub",
      target: h.connector,
      store,
      clock: systemClock(),
      actor: "test",
      apply: true,
      firstRun: "apply",
      caps: { maxChanges: 5, maxShare: 0.5 },
      run: { verifyIntervalMs: 1, verifyTimeoutMs: 500 },
    });

  // bob moved to sales: removed. root is an owner (protected); nomail has no known email (left alone).
  const first = await run([
    person("alice@corp.example", ["engineering"]),
    person("bob@corp.example", ["sales"]),
  ]);
  assert.deepEqual(
    first.plan.changes.map((c) => [c.account.login, c.change]),
    [["bob", "deactivate"]],
  );
  assert.equal(first.result?.state, "completed");
  const acme = h.emulator.state.org("acme")!;
  assert.equal(h.emulator.state.member(acme, "bob"), undefined);

  // bob is back in engineering: re-invited as a member, and to platform as maintainer, from the removal's snapshot.
  const second = await run([
    person("alice@corp.example", ["engineering"]),
    person("bob@corp.example", ["engineering"]),
  ]);
  const change = second.plan.changes[0]!;
  assert.equal(change.change, "reactivate");
  assert.equal(change.call.actionId, "github.reinvite_to_org");
  assert.deepEqual(change.call.input, { role: "member", teams: [{ slug: "platform", role: "maintainer" }] });
  assert.equal(second.result?.steps[0]?.state, "applied");
  assert.equal(acme.invitations.get("bob")?.role, "member");
});
