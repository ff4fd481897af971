import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnector } from "../../connectors/index.ts";
import { systemClock } from "../../core/clock.ts";
import { DEMO_SEED } from "../../emulators/demo-seed.ts";
import { type EmulatedVendor, SeedFile, startEmulators } from "../../emulators/index.ts";
import { trustTestCa } from "../../emulators/kit/tls.ts";
import { rehearsalConnection, rehearsalServiceAccount } from "../../emulators/rehearsal.ts";
import { applyPlan } from "../../engine/contain.ts";
import { buildPlan } from "../../engine/plan.ts";
import { DEFAULT_POLICY } from "../../engine/policy.ts";
import { applyUndo, planUndo } from "../../engine/uncontain.ts";
import { RateGovernor } from "../../http/governor.ts";
import { openSqliteStore } from "../../store/index.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, renderPlan, renderRun, renderUndoPlan } from "../output.ts";
import { progressReporter } from "./contain.ts";

const CORE_APPS: EmulatedVendor[] = ["okta", "slack"];
const ALL_APPS: EmulatedVendor[] = ["okta", "slack", "entra", "google", "atlassian", "github", "aws"];

/**
 * The main job on the embedded default: emulated tenants, the real connectors over HTTP(S), a SQLite ledger in a
 * temporary folder. Contains one user, shows the ledger, verifies it, then undoes it. Needs no account, token or
 * database; nothing outside 127.0.0.1 is contacted. `--all` does it across every app cordon supports.
 */
export async function demoCommand(
  output: Output,
  options: { keep?: boolean; all?: boolean },
): Promise<number> {
  const apps = options.all ? ALL_APPS : CORE_APPS;
  trustTestCa();
  const clock = systemClock();
  const dir = mkdtempSync(join(tmpdir(), "cordon-demo-"));
  const serviceAccount = rehearsalServiceAccount();
  const seed = SeedFile.parse({
    ...DEMO_SEED,
    google: { ...DEMO_SEED.google, serviceAccounts: [serviceAccount.seed] },
  });
  const running = await startEmulators(apps, { seed, port: 0 });
  const store = openSqliteStore({ path: join(dir, "cordon.db"), clock });
  const say = (text: string) => {
    if (!output.json) output.out(text);
  };
  try {
    const governor = new RateGovernor({ clock });
    const connectors = running.map((r) =>
      createConnector(
        rehearsalConnection(r.vendor, r.server.url, {
          googleKeyJson: serviceAccount.keyJson(`${r.server.url}/token`),
          googleAdmin: "admin@corp.example",
          githubOrg: "corp",
        }),
        { clock, governor },
      ),
    );
    for (const r of running) say(`emulated ${r.vendor.padEnd(9)} ${r.server.url}`);
    say(`ledger ${join(dir, "cordon.db")}\n`);

    say("1. Plan: find the people in every app, decide with policy (lock profile)");
    const plan = await buildPlan(
      {
        subjects: ["alice@corp.example", "admin@corp.example"],
        profile: "lock",
        reason: "demo: phished credentials",
        force: null,
        policy: DEFAULT_POLICY,
      },
      connectors,
      clock,
    );
    say(
      `${renderPlan(plan)}\n(admin@corp.example is an administrator everywhere: protected, so it is skipped)\n`,
    );

    say("2. Apply: intent recorded, prior state snapshotted, call made, effect verified, outcome recorded");
    const contained = await applyPlan(plan, {
      store,
      connectors,
      clock,
      actor: "demo",
      onProgress: progressReporter(output),
    });
    say(`${renderRun(contained)}\n`);

    say("3. Ledger");
    const records = await store.listLedger({ runId: contained.runId });
    for (const r of records.slice(0, 6))
      say(`  #${r.seq} ${r.type.padEnd(13)} ${r.hash.slice(0, 16)} ← ${r.prevHash.slice(0, 16)}`);
    if (records.length > 6) say(`  … ${records.length - 6} more`);

    say("\n4. Uncontain: restore exactly what containment changed");
    const undo = await planUndo(contained.runId, store, connectors, clock);
    say(renderUndoPlan(undo));
    const restored = await applyUndo(undo, { store, connectors, clock, actor: "demo" });
    say(`${renderRun(restored)}\n`);

    const verification = await store.verifyLedger();
    say(
      verification.ok
        ? `5. Ledger verified: ${verification.records} records, hash chain intact`
        : `5. LEDGER BROKEN: ${verification.problem}`,
    );
    if (output.json)
      output.out(JSON.stringify({ plan, contained, undo, restored, ledger: verification }, null, 2));
    // An undo can be honestly partial: GitHub re-invites wait for the user to accept, and AWS keeps the session
    // revocation until stolen temporary credentials have expired (a deliberate policy hold). Anything else fails.
    const held = restored.steps.filter((s) => s.state === "failed" && s.error?.kind === "policy");
    for (const step of held) say(`held on purpose: ${step.connection} ${step.actionId}`);
    const unexpected = restored.steps.filter((s) => s.state === "failed" && s.error?.kind !== "policy");
    const ok =
      plan.unreachable.length === 0 &&
      contained.state === "completed" &&
      unexpected.length === 0 &&
      verification.ok;
    return ok ? EXIT.ok : EXIT.partial;
  } finally {
    await store.close();
    await Promise.all(running.map((r) => r.server.close()));
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
