import { randomBytes } from "node:crypto";
import { sha256Hex } from "../../core/hash.ts";
import type { Plan } from "../../core/plan.ts";
import { decideApproval, findApproval } from "../../playbooks/approval.ts";
import { startServer } from "../../server/serve.ts";
import { confirmOrAbort } from "../confirm.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, renderPlan, table } from "../output.ts";

/**
 * `cordon serve`: hooks, API, worker, pollers and schedules until SIGTERM/SIGINT; then stops gracefully (steps in
 * flight finish or are handed back to the next start). Logs are JSON lines on stderr; secrets never reach them.
 */
export async function serveCommand(
  ctx: CliContext,
  output: Output,
  options: { host?: string; port?: number; playbook?: string[]; timeScale?: number },
): Promise<number> {
  // An event answered 200 must survive a power loss too, not only a crash: fsync every commit unless told not to.
  const store = ctx.openStore("full");
  const log = (entry: Record<string, unknown>) =>
    output.err(JSON.stringify({ time: new Date(ctx.clock.now()).toISOString(), ...entry }));
  const server = await startServer({
    loaded: ctx.loaded,
    env: process.env,
    store,
    clock: ctx.clock,
    log,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.playbook?.length ? { playbooks: options.playbook } : {}),
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
  }).catch(async (error) => {
    await store.close();
    throw error;
  });
  output.out(output.json ? JSON.stringify({ url: server.url }) : `cordon serve listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  log({ level: "info", msg: "stopping: finishing steps in flight" });
  const { handedBack } = await server.stop();
  log({ level: "info", msg: "stopped", handedBack });
  await store.close();
  return EXIT.ok;
}

/**
 * `cordon approve <approval-or-run>`: shows the exact plan the approval is for, asks, and records the decision
 * bound to that plan's hash. A running server picks it up within its tick.
 */
export async function approveCommand(
  ctx: CliContext,
  output: Output,
  id: string,
  options: { reject?: boolean; yes?: boolean; note?: string },
): Promise<number> {
  const store = ctx.openStore();
  try {
    const approval = await findApproval(store, id);
    if (!approval) {
      output.err(`cordon: no pending approval for ${id}`);
      return EXIT.notFound;
    }
    if (!output.json) {
      output.out(`approval ${approval.id} for playbook run ${approval.playbookRunId} (${approval.state})`);
      output.out(`why: ${approval.reasons.join("; ")}`);
      const plan = approval.plan as Plan | { kind: "continue"; question: string; playbook: string };
      output.out(
        plan.kind === "continue"
          ? `approving lets playbook ${plan.playbook} continue past: ${plan.question}`
          : renderPlan(plan),
      );
    }
    const verb = options.reject ? "Reject" : "Approve";
    if (
      !(await confirmOrAbort(output, options.yes ?? false, `${verb} plan ${approval.planHash.slice(0, 12)}?`))
    )
      return EXIT.aborted;
    const decided = await decideApproval(
      { store, connectors: ctx.connectors(), clock: ctx.clock },
      approval.id,
      {
        approve: !options.reject,
        planHash: approval.planHash,
        by: `cli:${ctx.actor}`,
        via: "cli",
        note: options.note ?? null,
      },
    );
    const { plan: _plan, ...rest } = decided;
    output.out(output.json ? JSON.stringify(rest, null, 2) : `${decided.state}: ${decided.id}`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** `cordon approvals`: requests waiting for a decision (or all), newest first. */
export async function approvalsListCommand(
  ctx: CliContext,
  output: Output,
  options: { all?: boolean },
): Promise<number> {
  const store = ctx.openStore();
  try {
    const approvals = (await store.automation.listApprovals(options.all ? {} : { state: "pending" })).map(
      ({ plan: _plan, ...a }) => a,
    );
    output.out(
      output.json
        ? JSON.stringify(approvals, null, 2)
        : approvals.length === 0
          ? options.all
            ? "no approvals"
            : "no approval is waiting"
          : table(
              ["approval", "run", "state", "expires", "decided by", "why"],
              approvals.map((a) => [
                a.id,
                a.playbookRunId,
                a.state,
                a.expiresAt,
                a.decidedBy ? `${a.decidedBy} (${a.decidedVia})` : "-",
                a.reasons.join("; ").slice(0, 80),
              ]),
            ),
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** API keys for `cordon serve`'s REST API: shown once at creation, stored only as SHA-256. */
export async function apiKeyCommand(
  ctx: CliContext,
  output: Output,
  action: "create" | "list" | "revoke",
  name?: string,
): Promise<number> {
  const store = ctx.openStore();
  try {
    if (action === "list") {
      const keys = await store.automation.listApiKeys();
      output.out(
        output.json
          ? JSON.stringify(keys, null, 2)
          : keys
              .map(
                (k) =>
                  `${k.name}\tcreated ${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? "never"}`}`,
              )
              .join("\n") || "no API keys",
      );
      return EXIT.ok;
    }
    if (!name || !/^[a-z][a-z0-9-]{0,39}$/.test(name)) {
      output.err("cordon: an API key needs a name: lowercase letters, digits and dashes");
      return EXIT.usage;
    }
    if (action === "revoke") {
      const revoked = await store.automation.revokeApiKey(name);
      output.out(revoked ? `revoked ${name}` : `no active key named ${name}`);
      return revoked ? EXIT.ok : EXIT.notFound;
    }
    const key = `cordon_${randomBytes(32).toString("base64url")}`;
    await store.automation.createApiKey(name, sha256Hex(key));
    output.out(output.json ? JSON.stringify({ name, key }) : key);
    if (!output.json)
      output.err(`API key ${name} created; it is shown once (send it as Authorization: Bearer <key>)`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
