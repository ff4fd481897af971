import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { VENDORS } from "../connectors/index.ts";
import { CordonError } from "../core/errors.ts";
import { type Connection, CordonConfig } from "./schema.ts";

export type Env = Record<string, string | undefined>;

export interface LoadedConfig {
  config: CordonConfig;
  /** Where it came from, for messages: a file path, or "environment". */
  source: string;
  /** Directory relative paths (store, file: secrets) are resolved against. */
  baseDir: string;
}

/**
 * Reads cordon.yaml (given, $CORDON_CONFIG, or ./cordon.yaml when present) and adds the connections that the
 * vendors' own SDK variables describe, unless the file already names one: OKTA_CLIENT_ORGURL + OKTA_CLIENT_TOKEN
 * (@okta/okta-sdk-nodejs), SLACK_ADMIN_TOKEN (+ SLACK_API_URL, SLACK_SCIM_URL).
 */
export function loadConfig(path: string | undefined, env: Env, cwd: string): LoadedConfig {
  const file =
    path ?? env.CORDON_CONFIG ?? (existsSync(resolve(cwd, "cordon.yaml")) ? "cordon.yaml" : undefined);
  let raw: unknown = {};
  let source = "environment";
  let baseDir = cwd;
  if (file) {
    const full = resolve(cwd, file);
    if (!existsSync(full))
      throw new CordonError({ kind: "config", path: file }, `config file not found: ${file}`);
    raw = parseYaml(readFileSync(full, "utf8"), file);
    source = file;
    baseDir = dirname(full);
  }
  const parsed = CordonConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(top level)";
    throw new CordonError(
      { kind: "config", path: where },
      `${source}: ${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  const config = parsed.data;
  for (const [name, connection] of Object.entries(connectionsFromEnv(env))) {
    if (!Object.values(config.connections).some((c) => c.vendor === connection.vendor))
      config.connections[name] = connection;
  }
  return { config, source, baseDir };
}

function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const at = first.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : "";
    throw new CordonError({ kind: "config", path: file }, `${file}${at}: ${first.message.split("\n")[0]}`);
  }
  return document.toJS();
}

function connectionsFromEnv(env: Env): Record<string, Connection> {
  const found: Record<string, Connection> = {};
  for (const vendor of VENDORS) {
    const connection = vendor.fromEnv(env);
    if (connection) found[vendor.vendor] = connection;
  }
  return found;
}

/** Resolves a secret reference; the error names the reference, never a value. */
export function resolveSecret(reference: string, env: Env, baseDir: string, what: string): string {
  if (reference.startsWith("env:")) {
    const name = reference.slice(4);
    const value = env[name];
    if (!value)
      throw new CordonError(
        { kind: "config", path: what },
        `${what}: environment variable ${name} is not set`,
      );
    return value;
  }
  const path = resolve(baseDir, reference.slice(5));
  if (!existsSync(path))
    throw new CordonError({ kind: "config", path: what }, `${what}: secret file ${path} does not exist`);
  const value = readFileSync(path, "utf8").trim();
  if (!value) throw new CordonError({ kind: "config", path: what }, `${what}: secret file ${path} is empty`);
  return value;
}
