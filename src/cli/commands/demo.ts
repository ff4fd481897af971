import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnector } from "../../connectors/index.ts";
import { systemClock } from "../../core/clock.ts";
import { DEMO_SEED } from "../../emulators/demo-seed.ts";
import { startEmulators } from "../../emulators/index.ts";
import { applyPlan } from "../../engine/contain.ts";
import { buildPlan } from "../../engine/plan.ts";
import { DEFAULT_POLICY } from "../../engine/policy.ts";
import { applyUndo, planUndo } from "../../engine/uncontain.ts";
import { RateGovernor } from "../../http/governor.ts";
import { openSqliteStore } from "../../store/index.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, renderPlan, renderRun, renderUndoPlan } from "../output.ts";
import { progressReporter } from "./contain.ts";

/**
 * The main job on the embedded default: emulated Okta and Slack tenants, the real connectors over HTTP, a
 * SQLite ledger in a temporary folder. Contains one user, shows the ledger, verifies it, then undoes it.
 * Needs no account, token or database. Nothing outside 127.0.0.1 is contacted.
 */
export async function demoCommand(output: Output, options: { keep?: boolean }): Promise<number> {
  const clock = systemClock();
  const dir = mkdtempSync(join(tmpdir(), "cordon-demo-"));
  const running = await startEmulators(["okta", "slack"], { seed: DEMO_SEED, port: 0 });
  const store = openSqliteStore({ path: join(dir, "cordon.db"), clock });
  const say = (text: string) => {
    if (!output.json) output.out(text);
  };
  try {
    const url = (vendor: string) => running.find((r) => r.vendor === vendor)!.server.url;
    say(`emulated okta  ${url("okta")}\nemulated slack ${url("slack")}\nledger ${join(dir, "cordon.db")}\n`);
    const governor = new RateGovernor({ clock });
    const connectors = [
      createConnector(
        { vendor: "okta", name: "okta", orgUrl: url("okta"), token: "demo-okta-token" },
        { clock, governor },
      ),
      createConnector(
        {
          vendor: "slack",
          name: "slack",
          token: "xoxp-demo-token",
          apiUrl: `${url("slack")}/api/`,
          scimUrl: `${url("slack")}/scim/v2/`,
        },
        { clock, governor },
      ),
    ];

    say("1. Plan: find alice@corp.example in every app, decide with policy (lock profile)");
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
      `${renderPlan(plan)}\n(admin@corp.example is an Okta super admin and the Slack primary owner: protected, so it is skipped)\n`,
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
    const ok = contained.state === "completed" && restored.state === "completed" && verification.ok;
    return ok ? EXIT.ok : EXIT.partial;
  } finally {
    await store.close();
    await Promise.all(running.map((r) => r.server.close()));
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
