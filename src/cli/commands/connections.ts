import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, table } from "../output.ts";

/** Checks each connection's credential with one cheap read, and lists the scopes its actions need. */
export async function connectionsTestCommand(ctx: CliContext, output: Output): Promise<number> {
  const connectors = ctx.connectors();
  if (connectors.length === 0) {
    output.err(
      "no connections configured: add them to cordon.yaml or set OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN, SLACK_ADMIN_TOKEN",
    );
    return EXIT.config;
  }
  const results = await Promise.all(
    connectors.map(async (c) => ({
      connection: c.connection,
      vendor: c.vendor,
      ...(await c.check()),
      scopes: [...new Set([...c.lookupScopes, ...[...c.actions.values()].flatMap((a) => a.scopes)])].sort(),
    })),
  );
  if (output.json) output.out(JSON.stringify(results, null, 2));
  else
    output.out(
      table(
        ["connection", "vendor", "ok", "identity / problem", "scopes its actions need"],
        results.map((r) => [
          r.connection,
          r.vendor,
          r.ok ? "yes" : "NO",
          r.ok ? (r.identity ?? "") : r.problems.join("; "),
          r.scopes.join(" "),
        ]),
      ),
    );
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.vendorAuth;
}
