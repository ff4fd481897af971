import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, table } from "../output.ts";

/**
 * Checks each connection's credential with one cheap read, and prints the least-privilege scopes per action, so
 * an admin grants exactly what the profiles use (a top complaint about SOAR playbooks is not knowing which).
 */
export async function connectionsTestCommand(ctx: CliContext, output: Output): Promise<number> {
  const connectors = ctx.connectors();
  if (connectors.length === 0) {
    output.err(
      "no connections configured: add them to cordon.yaml or set the vendors' SDK variables (see README)",
    );
    return EXIT.config;
  }
  const results = await Promise.all(
    connectors.map(async (c) => ({
      connection: c.connection,
      vendor: c.vendor,
      ...(await c.check()),
      lookupScopes: c.lookupScopes,
      actions: [...c.actions.values()].map((a) => ({ id: a.id, kind: a.kind, scopes: a.scopes })),
    })),
  );
  if (output.json) {
    output.out(JSON.stringify(results, null, 2));
  } else {
    output.out(
      table(
        ["connection", "vendor", "ok", "identity / problem"],
        results.map((r) => [
          r.connection,
          r.vendor,
          r.ok ? "yes" : "NO",
          r.ok ? (r.identity ?? "") : r.problems.join("; "),
        ]),
      ),
    );
    const rows = results.flatMap((r) => [
      [r.connection, "(account lookup)", r.lookupScopes.join(" ")],
      ...r.actions.map((a) => [r.connection, a.id, a.scopes.join(" ")]),
    ]);
    output.out(`\nLeast privilege, per action:\n${table(["connection", "action", "needs"], rows)}`);
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.vendorAuth;
}
