/**
 * bench/reconcile-read: how long reconciliation takes to read both sides at scale — N people with their groups
 * from Okta (users pages + groups + group members) and N Slack accounts (SCIM pages + users.list for role flags) —
 * against the floor the vendors' rate limits allow, windows compressed by one factor. Each emulator runs in its
 * own process.
 *
 * Usage: node bench/reconcile-read.ts [--people 100000] [--scale 60] [--latency-ms 150]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createConnector } from "../src/connectors/index.ts";
import { systemClock } from "../src/core/clock.ts";
import { rehearsalConnection } from "../src/emulators/rehearsal.ts";
import type { AttemptEvent } from "../src/http/client.ts";
import { RateGovernor } from "../src/http/governor.ts";
import { control, floorMs, spawnEmulator } from "./support.ts";

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "100000" },
    scale: { type: "string", default: "60" },
    "latency-ms": { type: "string", default: "150" },
  },
});
const N = Number(values.people);
const SCALE = Number(values.scale);
const LATENCY_MS = Number(values["latency-ms"]);
const clock = systemClock();
const email = (i: number) => `person${i}@corp.example`;

const dir = mkdtempSync(join(tmpdir(), "cordon-reconcile-read-"));
const seedPath = join(dir, "seed.json");
writeFileSync(
  seedPath,
  JSON.stringify({
    okta: {
      users: [
        { email: "admin@corp.example", admin: true },
        ...Array.from({ length: N }, (_, i) => ({
          email: email(i),
          groups: [`team_${i % 200}`, ...(i % 3 ? ["staff"] : [])],
        })),
      ],
      tokenOwner: "admin@corp.example",
    },
    slack: {
      users: [
        { email: "admin@corp.example", isPrimaryOwner: true, isOwner: true, isAdmin: true },
        ...Array.from({ length: N }, (_, i) => ({ email: email(i) })),
      ],
    },
  }),
);

const started = performance.now();
const [okta, slack] = await Promise.all([
  spawnEmulator("okta", seedPath, SCALE),
  spawnEmulator("slack", seedPath, SCALE),
]);
console.log(
  `reconcile-read: ${N} people × okta (source) + slack (target), time scale ${SCALE}×, latency ${LATENCY_MS} ms`,
);
console.log(`emulators seeded and up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
try {
  for (const url of [okta.url, slack.url]) {
    if (LATENCY_MS > 0)
      await control(url, "POST", { kind: "latency", latencyMs: Math.max(1, Math.round(LATENCY_MS / SCALE)) });
  }
  const attempts: AttemptEvent[] = [];
  const deps = {
    clock,
    governor: new RateGovernor({ clock, timeScale: SCALE }),
    onAttempt: (e: AttemptEvent) => attempts.push(e),
    deadlineMs: 300_000,
  };
  const source = createConnector(rehearsalConnection("okta", okta.url), deps);
  const target = createConnector(rehearsalConnection("slack", slack.url), deps);

  const t0 = performance.now();
  const [people, accounts] = await Promise.all([
    (async () => {
      const list = await source.listPeople!();
      return { list, seconds: (performance.now() - t0) / 1000 };
    })(),
    (async () => {
      const list = await target.listAccounts!();
      return { list, seconds: (performance.now() - t0) / 1000 };
    })(),
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const floor = floorMs(attempts, SCALE);
  const result = {
    people: people.list.length,
    accounts: accounts.list.length,
    oktaSeconds: Number(people.seconds.toFixed(2)),
    slackSeconds: Number(accounts.seconds.toFixed(2)),
    seconds: Number(seconds.toFixed(2)),
    floorSeconds: floor.ms / 1000,
    floorBucket: `${floor.bucket} (${floor.calls} calls)`,
    ratio: floor.ms > 0 ? Number((seconds / (floor.ms / 1000)).toFixed(2)) : null,
    requests: attempts.length,
    http429: attempts.filter((a) => a.status === 429).length,
    peopleWithGroups: people.list.filter((p) => p.groups.length > 0).length,
  };
  console.log(JSON.stringify(result));
  if (result.people !== N + 1 || result.accounts < N + 1) process.exitCode = 1;
} finally {
  for (const child of [okta.child, slack.child]) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
