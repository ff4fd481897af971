import { createOktaConnector } from "./connectors/okta/index.ts";
import type { ConnectorDeps } from "./connectors/shared/deps.ts";
import { createSlackConnector } from "./connectors/slack/index.ts";
import type { Account } from "./core/account.ts";
import { normaliseEmail } from "./core/account.ts";
import type { VerifyResult } from "./core/action.ts";
import { type Clock, systemClock } from "./core/clock.ts";
import type { Connector } from "./core/connector.ts";
import { CordonError } from "./core/errors.ts";
import { RateGovernor } from "./http/governor.ts";

/** Shared pacing for connectors made with these helpers; pass your own `deps` to share one across a process. */
function defaultDeps(clock: Clock = systemClock()): ConnectorDeps {
  return { clock, governor: new RateGovernor({ clock }) };
}

/** An Okta connection: `connectOkta({ orgUrl: "https://acme.okta.com", token })`. */
export function connectOkta(
  options: { orgUrl: string; token: string; name?: string },
  deps: ConnectorDeps = defaultDeps(),
): Connector {
  return createOktaConnector(
    { connection: options.name ?? "okta", orgUrl: options.orgUrl, token: options.token },
    deps,
  );
}

/** A Slack Enterprise Grid connection with an org admin user token. */
export function connectSlack(
  options: { token: string; apiUrl?: string; scimUrl?: string; name?: string },
  deps: ConnectorDeps = defaultDeps(),
): Connector {
  return createSlackConnector(
    {
      connection: options.name ?? "slack",
      token: options.token,
      apiUrl: options.apiUrl,
      scimUrl: options.scimUrl,
    },
    deps,
  );
}

/**
 * The one account with this email in the connection, or null. More than one match is an error, never a guess.
 * (Seed 000's `find_user_id_by_email`, done by search rather than by assuming login = email.)
 */
export async function findAccount(
  connector: Connector,
  email: string,
  signal?: AbortSignal,
): Promise<Account | null> {
  const accounts = await connector.findAccounts({ email: normaliseEmail(email), aliases: [] }, signal);
  if (accounts.length > 1) {
    throw new CordonError(
      { kind: "conflict", vendor: connector.vendor },
      `${accounts.length} ${connector.connection} accounts match ${email}: ${accounts.map((a) => a.id).join(", ")}`,
    );
  }
  return accounts[0] ?? null;
}

export interface ActionRun {
  outcome: "applied" | "already_in_state";
  snapshot: unknown;
  output: unknown;
  verification?: VerifyResult;
}

/**
 * Runs one action on one account: validate input, snapshot, execute, verify once (no ledger: use the engine's
 * `applyPlan` for recorded runs). E.g. seed 000's `terminate_user_sessions`:
 * `await runAction(okta, "okta.clear_sessions", alice)`.
 */
export async function runAction(
  connector: Connector,
  actionId: string,
  account: Account,
  input: Record<string, unknown> = {},
  options: { clock?: Clock; signal?: AbortSignal } = {},
): Promise<ActionRun> {
  const action = connector.actions.get(actionId);
  if (!action)
    throw new CordonError(
      { kind: "invalid_input", field: "actionId" },
      `${connector.vendor} has no action ${actionId}`,
    );
  const parsed = action.input.safeParse(input);
  if (!parsed.success)
    throw new CordonError(
      { kind: "invalid_input", field: actionId },
      `invalid input for ${actionId}: ${parsed.error.issues[0]?.message}`,
    );
  const ctx = {
    client: connector.client,
    account,
    clock: options.clock ?? systemClock(),
    signal: options.signal ?? new AbortController().signal,
  };
  const snapshot = action.snapshot ? await action.snapshot(ctx, parsed.data) : undefined;
  const result = await action.execute(ctx, parsed.data, snapshot);
  const verification =
    result.outcome === "applied" && action.verify
      ? await action.verify(ctx, parsed.data, result.output)
      : undefined;
  return { outcome: result.outcome, snapshot, output: result.output, verification };
}
