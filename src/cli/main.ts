import { Command, InvalidArgumentError, Option } from "commander";
import type { ContainmentProfile } from "../core/connector.ts";
import { isCordonError } from "../core/errors.ts";
import {
  auditExportCommand,
  auditListCommand,
  auditShowCommand,
  auditVerifyCommand,
  playbookRunsCommand,
  playbookTableCommand,
} from "./commands/audit.ts";
import { configCheckCommand, configSchemaCommand } from "./commands/config.ts";
import { connectionsTestCommand } from "./commands/connections.ts";
import { applyCommand, type ContainOptions, containCommand, planCommand } from "./commands/contain.ts";
import { demoCommand } from "./commands/demo.ts";
import { emulateCommand } from "./commands/emulate.ts";
import {
  playbookSchemaCommand,
  playbookShowTemplateCommand,
  playbookTemplatesCommand,
  playbookValidateCommand,
} from "./commands/playbook.ts";
import { playbookRunCommand } from "./commands/playbook-run.ts";
import { type ReconcileCliOptions, reconcileCommand } from "./commands/reconcile.ts";
import { apiKeyCommand, approvalsListCommand, approveCommand, serveCommand } from "./commands/serve.ts";
import { statusCommand } from "./commands/status.ts";
import { uncontainCommand } from "./commands/uncontain.ts";
import { type CliContext, createContext, type GlobalOptions } from "./context.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { type Output, processOutput } from "./output.ts";

const EXIT_HELP = `
Exit codes:
  0 done (every step applied or already in state, and verified)   1 internal error
  2 usage or invalid input     3 not found (no account, no run)     4 refused by policy (protected, cap)
  5 partial (some steps failed or unverified)   6 failed            7 configuration error
  8 vendor refused the credential              9 aborted at the confirmation prompt
  10 the ledger failed verification`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError("expected a positive number");
  return n;
}

/** Runs the CLI and returns the exit code; `bin/cordon.js` exits with it. */
export async function runCli(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  let output: Output = processOutput(argv.includes("--json"));
  const program = new Command("cordon")
    .description("Contain a compromised identity across every SaaS app it touches, and undo it exactly.")
    .option(
      "-c, --config <file>",
      "cordon.yaml to use (default: $CORDON_CONFIG or ./cordon.yaml; connections may also come from the vendors' SDK environment variables)",
    )
    .option("--store <file>", "SQLite ledger file (default: store.path from the config, .cordon/cordon.db)")
    .option("--json", "machine-readable output on stdout")
    .addHelpText("after", EXIT_HELP)
    .showHelpAfterError()
    .exitOverride();

  const context = (): CliContext => createContext(program.opts<GlobalOptions>());
  const run = (task: () => Promise<number> | number) => async () => {
    code = await task();
  };
  const profileOption = new Option(
    "--profile <profile>",
    "lock: end sessions and tokens, then suspend/deactivate; sessions: only end sessions and tokens",
  )
    .choices(["lock", "sessions"])
    .default("lock");
  const containOptions = (command: Command) =>
    command
      .option("--from <file>", "read more emails from a file, one per line")
      .option("--in <connections>", "only these connections, comma-separated (e.g. okta,slack)")
      .option(
        "--alias <email...>",
        "other addresses of the person (one subject only); aliases the apps know are found on their own",
      )
      .addOption(profileOption)
      .option("--reason <text>", "why: recorded in the plan and the ledger")
      .option("--force", "contain protected accounts too (needs --reason)")
      .option("--max-accounts <n>", "raise policy.maxAccountsPerRun for this run", positiveInt);

  containOptions(
    program
      .command("contain")
      .argument("[emails...]", "the people to contain")
      .description("find the people in every app, show the plan, confirm, contain, verify and record"),
  )
    .option("--dry-run", "show the plan and stop; nothing changes")
    .option("-y, --yes", "do not ask for confirmation")
    .action((emails: string[], options: ContainOptions) =>
      run(() =>
        containCommand(context(), output, emails, {
          ...options,
          profile: options.profile as ContainmentProfile,
        }),
      )(),
    );

  containOptions(
    program
      .command("plan")
      .argument("[emails...]")
      .description("make a sealed, hashed plan without changing anything (apply it with `cordon apply`)"),
  )
    .option("-o, --out <file>", "write the plan to this file")
    .action((emails: string[], options: ContainOptions) =>
      run(() =>
        planCommand(context(), output, emails, {
          ...options,
          profile: options.profile as ContainmentProfile,
        }),
      )(),
    );

  program
    .command("apply")
    .argument("<plan>", "a plan file from `cordon plan --out`")
    .description("apply a plan exactly as made; refused if it was edited (hash mismatch)")
    .option("-y, --yes", "do not ask for confirmation")
    .action((file: string, options: { yes?: boolean }) =>
      run(() => applyCommand(context(), output, file, options.yes ?? false))(),
    );

  program
    .command("uncontain")
    .argument("<run-id>", "the containment run to undo")
    .description("restore exactly what a containment changed; says what cannot be undone")
    .option("--dry-run", "show what would be restored")
    .option("-y, --yes", "do not ask for confirmation")
    .action((runId: string, options: { yes?: boolean; dryRun?: boolean }) =>
      run(() => uncontainCommand(context(), output, runId, options))(),
    );

  program
    .command("reconcile")
    .description(
      "deactivate who lost entitlement to an app, reactivate only whom cordon deactivated; the plan by default, fails closed on any empty or partial read",
    )
    .option("--target <connection>", "only this target from cordon.yaml reconcile.targets")
    .option("--apply", "act on the plan (default: show it)")
    .option(
      "--first-run-apply",
      "act even on a target cordon has never reconciled (default: the first run only reports)",
    )
    .option("--max-changes <n>", "stop before acting above this many changes", positiveInt)
    .option(
      "--max-share <fraction>",
      "stop before acting above this share of the target's accounts (0–1)",
      Number,
    )
    .action((options: ReconcileCliOptions) => run(() => reconcileCommand(context(), output, options))());

  program
    .command("status")
    .argument("<email>")
    .description("the person's accounts across apps, their state, and open containment holds")
    .action((email: string) => run(() => statusCommand(context(), output, email))());

  program
    .command("connections")
    .description("check connections")
    .command("test")
    .description("check each connection's credential and list the scopes its actions need")
    .action(() => run(() => connectionsTestCommand(context(), output))());

  const audit = program.command("audit").description("the tamper-evident ledger");
  audit
    .command("list")
    .option("--limit <n>", "how many runs", positiveInt, 50)
    .description("recent runs")
    .action((options: { limit: number }) => run(() => auditListCommand(context(), output, options.limit))());
  audit
    .command("show")
    .argument("<run-id>")
    .description("a run's steps and ledger records (containment, undo, reconcile or playbook run)")
    .action((runId: string) => run(() => auditShowCommand(context(), output, runId))());
  audit
    .command("verify")
    .description("recompute every hash and link of the ledger")
    .action(() => run(() => auditVerifyCommand(context(), output))());
  audit
    .command("export")
    .option("--format <format>", "jsonl", "jsonl")
    .description("every ledger record, one JSON object per line")
    .action((options: { format: string }) =>
      run(() => auditExportCommand(context(), output, options.format))(),
    );

  program
    .command("emulate")
    .argument("[vendors...]", "okta, slack, entra, google, atlassian, github, aws, teams (default: all)")
    .description(
      "serve vendor emulators on 127.0.0.1 until SIGTERM; prints `<vendor> <baseUrl>` per emulator",
    )
    .option("--seed <file>", "YAML/JSON seed with okta: and slack: sections")
    .option("--port <n>", "first port (0: free ports)", positiveInt, 0)
    .option("--time-scale <factor>", "compress every rate-limit window by this factor", positiveNumber, 1)
    .action((vendors: string[], options: { seed?: string; port: number; timeScale: number }) =>
      run(() => emulateCommand(output, vendors, options))(),
    );

  program
    .command("demo")
    .description(
      "contain and uncontain a user on emulated Okta and Slack: no account, token or database needed",
    )
    .option("--keep", "keep the demo ledger file")
    .option(
      "--all",
      "every app cordon supports (Okta, Slack, Entra ID, Google Workspace, Atlassian, GitHub, AWS IAM)",
    )
    .action((options: { keep?: boolean; all?: boolean }) => run(() => demoCommand(output, options))());

  program
    .command("serve")
    .description(
      "the event server: Okta event hooks, System Log polling, generic webhooks, Slack approvals, schedules, the REST API, /healthz and /metrics; resumes interrupted runs at start",
    )
    .option("--host <address>", "listen address (default: server.host, 127.0.0.1)")
    .option("--port <n>", "port (default: server.port, 8787; 0 picks a free one)", positiveInt)
    .option(
      "--playbook <file...>",
      "run these playbooks (files or builtin:<name>) instead of cordon.yaml playbooks",
    )
    .addOption(
      new Option(
        "--time-scale <factor>",
        "compress rate-limit windows to match emulators run with the same --time-scale (benchmarks only)",
      )
        .argParser(positiveNumber)
        .hideHelp(),
    )
    .action((options: { host?: string; port?: number; playbook?: string[]; timeScale?: number }) =>
      run(() => serveCommand(context(), output, options))(),
    );

  program
    .command("approve")
    .argument("<id>", "an approval id (apr_…) or the playbook run waiting for it (pbr_…)")
    .description("show the plan an approval is for and approve (or --reject) exactly that plan")
    .option("--reject", "reject instead: the step is not applied")
    .option("--note <text>", "recorded with the decision")
    .option("-y, --yes", "do not ask for confirmation")
    .action((id: string, options: { reject?: boolean; yes?: boolean; note?: string }) =>
      run(() => approveCommand(context(), output, id, options))(),
    );

  program
    .command("approvals")
    .description("approval requests waiting for a decision (cordon approve <id> decides one)")
    .option("--all", "decided and expired ones too")
    .action((options: { all?: boolean }) => run(() => approvalsListCommand(context(), output, options))());

  const apiKey = program.command("apikey").description("API keys for the REST API of cordon serve");
  apiKey
    .command("create")
    .argument("<name>")
    .description("create a key; it is printed once and stored only as its SHA-256")
    .action((name: string) => run(() => apiKeyCommand(context(), output, "create", name))());
  apiKey
    .command("list")
    .description("keys, when created and last used")
    .action(() => run(() => apiKeyCommand(context(), output, "list"))());
  apiKey
    .command("revoke")
    .argument("<name>")
    .action((name: string) => run(() => apiKeyCommand(context(), output, "revoke", name))());

  const playbook = program.command("playbook").description("response playbooks (YAML)");
  playbook
    .command("validate")
    .argument("<files...>")
    .description("check playbooks: schema, templates, action ids and inputs; errors as file:line:column")
    .action((files: string[]) => run(() => playbookValidateCommand(files, output))());
  playbook
    .command("templates")
    .description("list the built-in templates")
    .action(() => run(() => playbookTemplatesCommand(output))());
  playbook
    .command("show")
    .argument("<template>")
    .description("print a built-in template's YAML (to copy and edit)")
    .action((name: string) => run(() => playbookShowTemplateCommand(name, output))());
  playbook
    .command("schema")
    .option("-o, --out <file>", "write to a file")
    .description("print the JSON Schema of playbook files")
    .action((options: { out?: string }) => run(() => playbookSchemaCommand(output, options.out))());
  playbook
    .command("runs")
    .description("recent playbook runs (details: cordon audit show <run>)")
    .option("--limit <n>", "how many", positiveInt, 50)
    .addOption(
      new Option("--state <state>", "only runs in this state").choices([
        "queued",
        "running",
        "waiting",
        "completed",
        "failed",
      ]),
    )
    .action((options: { limit: number; state?: string }) =>
      run(() => playbookRunsCommand(context(), output, options))(),
    );
  playbook
    .command("table")
    .argument("<name>", "a table playbooks write with `record` (e.g. SuspiciousActivityReportedLog)")
    .option("--limit <n>", "how many rows", positiveInt, 50)
    .description("the rows playbooks recorded in a table, newest first")
    .action((name: string, options: { limit: number }) =>
      run(() => playbookTableCommand(context(), output, name, options.limit))(),
    );
  playbook
    .command("run")
    .argument("<file>", "a playbook file, or builtin:<name>")
    .requiredOption(
      "--event <file>",
      "the event: an Okta hook delivery or LogEvent, or {type, subject, data}",
    )
    .option("--rehearse", "run against emulators with a throwaway ledger and print what production would do")
    .option("-y, --yes", "do not ask for confirmation (a real run)")
    .description("run one playbook for one event, now")
    .action((file: string, options: { event: string; rehearse?: boolean; yes?: boolean }) =>
      run(() => playbookRunCommand(context, output, file, options))(),
    );

  const config = program.command("config").description("configuration");
  config
    .command("check")
    .description("validate cordon.yaml and resolve every secret reference")
    .action(() => run(() => configCheckCommand(context(), output))());
  config
    .command("schema")
    .option("-o, --out <file>", "write to a file")
    .description("print the JSON Schema of cordon.yaml")
    .action((options: { out?: string }) => run(() => configSchemaCommand(output, options.out))());

  try {
    await program.parseAsync(argv, { from: "user" });
    output = processOutput(Boolean(program.opts<{ json?: boolean }>().json));
  } catch (error) {
    return handleError(error, output);
  }
  return code;
}

function handleError(error: unknown, output: Output): number {
  const commanderCode = (error as { code?: string }).code;
  if (
    commanderCode === "commander.helpDisplayed" ||
    commanderCode === "commander.version" ||
    commanderCode === "commander.help"
  )
    return EXIT.ok;
  if (typeof commanderCode === "string" && commanderCode.startsWith("commander.")) return EXIT.usage;
  if (isCordonError(error)) {
    if (output.json) output.out(JSON.stringify({ error: error.toJSON() }));
    else output.err(`cordon: ${error.message}`);
    return exitCodeFor(error.kind);
  }
  output.err(`cordon: internal error: ${(error as Error)?.message ?? String(error)}`);
  return EXIT.internal;
}
