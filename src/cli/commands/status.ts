import { normaliseEmail } from "../../core/account.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { type Output, table } from "../output.ts";

/** Accounts of one person across every connection, their state, and open containment holds. */
export async function statusCommand(ctx: CliContext, output: Output, email: string): Promise<number> {
  const subject = { email: normaliseEmail(email), aliases: [] };
  const store = ctx.openStore();
  try {
    const holds = await store.listOpenHolds({ email: subject.email });
    const apps = await Promise.all(
      ctx.connectors().map(async (connector) => {
        try {
          return {
            connection: connector.connection,
            accounts: await connector.findAccounts(subject),
            error: null,
          };
        } catch (error) {
          return { connection: connector.connection, accounts: [], error: (error as Error).message };
        }
      }),
    );
    if (output.json) {
      output.out(JSON.stringify({ subject: subject.email, apps, holds }, null, 2));
    } else {
      const rows = apps.flatMap((app) =>
        app.error
          ? [[app.connection, "-", "-", `error: ${app.error}`, "-"]]
          : app.accounts.length === 0
            ? [[app.connection, "-", "-", "no account", "-"]]
            : app.accounts.map((a) => {
                const hold = holds.find((h) => h.connection === a.connection && h.accountId === a.id);
                return [
                  a.connection,
                  a.id,
                  a.matchedBy,
                  a.status +
                    (a.protectedReasons.length ? ` (protected: ${a.protectedReasons.join(", ")})` : ""),
                  hold ? `held by ${hold.runId}` : "-",
                ];
              }),
      );
      output.out(table(["app", "id", "matched by", "status", "containment"], rows));
    }
    const found = apps.some((a) => a.accounts.length > 0);
    if (apps.some((a) => a.error)) return EXIT.partial;
    return found ? EXIT.ok : EXIT.notFound;
  } finally {
    await store.close();
  }
}
