import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { isKind } from "../../src/core/errors.ts";
import {
  fileSource,
  mozillaGroupName,
  parseAccessRules,
  parsePeople,
  ruleForApp,
} from "../../src/reconcile/index.ts";

const APPS_YML = `
apps:
  - application:
      name: "Phonebook"
      op: auth0
      url: "https://phonebook.example"
      authorized_users: []
      authorized_groups: [team_moco]
      display: true
  - application:
      name: "Slack"
      op: auth0
      authorized_users: ["Contractor@Partner.example"]
      authorized_groups:
        - team_moco
        - mozilliansorg_slack-access
        - hris_is_staff
        - ldap_already
      vanity_url: ["/slack"]
  - application:
      name: "LastApp"
      authorized_users: []
      authorized_groups: []
`;

test("apps.yml is read as is: the app by name (any case), authorized_users honoured, ldap_ prefix applied", () => {
  const rules = parseAccessRules(APPS_YML, "apps.yml");
  assert.equal(rules.format, "mozilla-apps-yml");
  const slack = ruleForApp(rules, "slack");
  assert.equal(slack.name, "Slack");
  assert.deepEqual(slack.allowedEmails, ["contractor@partner.example"]);
  assert.deepEqual(slack.allowedGroups, [
    "ldap_team_moco",
    "mozilliansorg_slack-access",
    "hris_is_staff",
    "ldap_already",
  ]);
  assert.equal(mozillaGroupName("team_moco"), "ldap_team_moco");
  const raw = ruleForApp(parseAccessRules(APPS_YML, "apps.yml", { ldapPrefix: false }), "Slack");
  assert.deepEqual(raw.allowedGroups.slice(0, 1), ["team_moco"]);
});

test("apps.yml without the app is an alarm, not the last app (the seed driver deactivated everyone)", () => {
  const rules = parseAccessRules(APPS_YML.replace('name: "Slack"', 'name: "Zoom"'), "apps.yml");
  assert.throws(
    () => ruleForApp(rules, "Slack"),
    (e) =>
      isKind(e, "policy") &&
      e.detail.rule === "reconcile.rules.app_missing" &&
      /no entry for the app "Slack"/.test(e.message),
  );
  // An entry that allows nobody is refused too.
  assert.throws(
    () => ruleForApp(rules, "LastApp"),
    (e) => isKind(e, "policy") && /allows no group/.test(e.message),
  );
});

test("an empty access file stops with an alarm", () => {
  for (const text of ["", "   \n", "{}", "apps: []"]) {
    assert.throws(
      () => ruleForApp(parseAccessRules(text, "apps.yml"), "Slack"),
      (e) => isKind(e, "policy"),
      JSON.stringify(text),
    );
  }
});

test("cordon's own rules format: groups, emails, exceptions; errors name the line and path", () => {
  const rules = parseAccessRules(
    `apps:
  slack:
    allowedGroups: [engineering]
    allowedEmails: [Bot@Corp.example]
    exceptions:
      - { email: temp@corp.example, owner: secops, expires: "2030-01-01", reason: audit }
`,
    "rules.yaml",
  );
  assert.equal(rules.format, "cordon");
  const slack = ruleForApp(rules, "Slack");
  assert.deepEqual(slack.allowedEmails, ["bot@corp.example"]);
  assert.equal(slack.exceptions[0]!.owner, "secops");

  assert.throws(
    () =>
      parseAccessRules(
        `apps:
  slack:
    allowedGroups: [eng]
    exceptions:
      - email: temp@corp.example
        owner: secops
        expires: next tuesday
        reason: audit
`,
        "rules.yaml",
      ),
    (e) =>
      isKind(e, "config") &&
      /rules\.yaml: line 7: apps\.slack\.exceptions\.0\.expires: expected an ISO date/.test(e.message),
  );
  assert.throws(
    () => parseAccessRules(`{"apps": {"slack": {"allowedGroup": ["eng"]}}}`, "rules.json"),
    (e) => isKind(e, "config") && /rules\.json: line 1: apps\.slack/.test(e.message),
  );
});

test("profile files: JSON, YAML and CSV give the same people, emails lower-cased", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cordon-reconcile-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const expected = [
    { email: "alice@corp.example", aliases: ["a.l@corp.example"], groups: ["eng", "ops"], active: true },
    { email: "bob@corp.example", aliases: [], groups: [], active: false },
  ];
  writeFileSync(
    join(dir, "p.json"),
    JSON.stringify([
      { email: "Alice@Corp.example", aliases: ["A.L@corp.example"], groups: ["eng", "ops"] },
      { email: "bob@corp.example", active: false },
    ]),
  );
  writeFileSync(
    join(dir, "p.yaml"),
    `people:
  - email: Alice@Corp.example
    aliases: [A.L@corp.example]
    groups: [eng, ops]
  - email: bob@corp.example
    active: false
`,
  );
  writeFileSync(
    join(dir, "p.csv"),
    `email,groups,active,aliases\r\nAlice@Corp.example,"eng;ops",true,A.L@corp.example\r\nbob@corp.example,,false,\r\n`,
  );
  for (const file of ["p.json", "p.yaml", "p.csv"]) {
    assert.deepEqual(await fileSource(join(dir, file)).readPeople(), expected, file);
  }
});

test("profile files: errors carry the line number", () => {
  const cases: Array<[string, "csv" | "yaml" | "json", RegExp]> = [
    ["email,groups\nalice@corp.example,eng\n", "csv", /line 1: the header must name the column active/],
    ["alice@corp.example,eng,true\n", "csv", /line 1: the header must name the column email/],
    ["", "csv", /line 1: empty file/],
    [
      "email,groups,active\nalice@corp.example,eng,true\nnot-an-email,eng,true\n",
      "csv",
      /line 3: email: not an email/,
    ],
    ["email,groups,active\nalice@corp.example,eng,maybe\n", "csv", /line 2: active: expected true or false/],
    ["email,groups,active\nalice@corp.example,eng\n", "csv", /line 2: expected 3 fields, got 2/],
    ['email,groups,active\n"alice@corp.example,eng,true\n', "csv", /line 2: unterminated quoted field/],
    [
      "email,groups,active\nalice@corp.example,,true\nALICE@corp.example,,true\n",
      "csv",
      /line 3: alice@corp\.example is already listed on line 2/,
    ],
    [
      "- email: alice@corp.example\n- email: bob@corp.example\n  groups: eng\n",
      "yaml",
      /line 3: 1\.groups: /,
    ],
    ["- email: alice@corp.example\n  colour: red\n", "yaml", /line 1: 0: /],
    ['[\n {"email": "alice@corp.example"},\n {"email": "nope"}\n]', "json", /line 3: 1\.email: not an email/],
    ['[\n {"email": "alice@corp.example",\n', "json", /line \d+: /],
  ];
  for (const [text, format, pattern] of cases) {
    assert.throws(
      () => parsePeople(text, format, "people"),
      (e) => isKind(e, "config") && pattern.test(e.message),
      `${format}: ${JSON.stringify(text)}`,
    );
  }
});
