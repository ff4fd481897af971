import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../../config/json-schema.ts";
import { resolveConnections } from "../../config/resolve.ts";
import { loadServedPlaybooks, resolveHooks } from "../../server/serve.ts";
import type { CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";

/** Validates cordon.yaml and that every secret reference resolves, without printing any secret. */
export function configCheckCommand(ctx: CliContext, output: Output): number {
  const connections = resolveConnections(ctx.loaded, process.env);
  // What cordon serve would refuse at start: hook secrets that do not resolve, playbooks that do not load or name
  // connections that are not configured.
  const { server, playbooks: entries } = ctx.loaded.config;
  if (server) resolveHooks(ctx.loaded, server, process.env);
  const playbooks = loadServedPlaybooks(
    entries,
    ctx.loaded.baseDir,
    connections.map((c) => c.name),
  ).map((p) => p.name);
  const summary = {
    source: ctx.loaded.source,
    store: ctx.storePath,
    connections: connections.map((c) => ({ name: c.name, vendor: c.vendor })),
    policy: ctx.policy,
    playbooks,
  };
  output.out(
    output.json
      ? JSON.stringify(summary, null, 2)
      : `config ok (${summary.source}): ${connections.length} connection(s): ${connections.map((c) => `${c.name} (${c.vendor})`).join(", ") || "none"}; ${playbooks.length} playbook(s)${playbooks.length ? `: ${playbooks.join(", ")}` : ""}; store ${summary.store}`,
  );
  return EXIT.ok;
}

export function configSchemaCommand(output: Output, out?: string): number {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else output.out(text);
  return EXIT.ok;
}
