/**
 * The only two things cordon ever writes into IAM's policies, and the only policies it ever deletes: inline user
 * policies whose names start with `cordon-` and whose statements carry cordon's `Sid`, so undo can tell its own
 * document from one somebody changed since.
 */

/** Denies every action to temporary credentials issued before a time (the role console's "AWSRevokeOlderSessions"). */
export const REVOKE_SESSIONS_POLICY = "cordon-revoke-sessions";
const REVOKE_SID = "CordonRevokeOlderSessions";

/** Denies every action, whatever the credential: the user can do nothing, iam:ChangePassword included. */
export const DENY_ALL_POLICY = "cordon-deny-all";
const DENY_ALL_SID = "CordonDenyAll";

/**
 * The longest life of temporary credentials an IAM user can hold: GetSessionToken and GetFederationToken allow
 * up to 129,600 s (36 hours; https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
 * Console sessions last at most 12 hours. Credentials a revoke-sessions policy denies are all expired after this.
 */
export const LONGEST_TEMPORARY_CREDENTIAL_MS = 36 * 3_600_000;

/**
 * Clock allowance added to the revocation time: a credential issued up to this long after cordon's "now" is
 * revoked too, so a few seconds of skew between cordon's clock and AWS's cannot spare one the attacker obtained
 * just before containment. It also takes in new sessions of the contained user for those seconds.
 */
export const REVOCATION_SKEW_ALLOWANCE_MS = 5_000;

/** The cutoff for a revocation at `now`: the allowance added, rounded up to a whole second, ISO 8601 UTC. */
export function revocationCutoff(now: number): string {
  const ms = Math.ceil((now + REVOCATION_SKEW_ALLOWANCE_MS) / 1000) * 1000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * AWS's documented way to revoke temporary credentials: deny everything when `aws:TokenIssueTime` is before the
 * revocation (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
 */
export function revokeSessionsDocument(cutoffIso: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: REVOKE_SID,
        Effect: "Deny",
        Action: ["*"],
        Resource: ["*"],
        Condition: { DateLessThan: { "aws:TokenIssueTime": cutoffIso } },
      },
    ],
  });
}

export function denyAllDocument(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: DENY_ALL_SID, Effect: "Deny", Action: ["*"], Resource: ["*"] }],
  });
}

interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

function onlyStatement(document: string): Statement | null {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const list = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    if (list.length !== 1 || typeof list[0] !== "object" || list[0] === null) return null;
    return list[0] as Statement;
  } catch {
    return null;
  }
}

function deniesEverything(statement: Statement): boolean {
  const all = (value: unknown) =>
    value === "*" || (Array.isArray(value) && value.length === 1 && value[0] === "*");
  return statement.Effect === "Deny" && all(statement.Action) && all(statement.Resource);
}

/** The revocation time of cordon's revoke-sessions document, or null when the document is not cordon's. */
export function revokedBefore(document: string): number | null {
  const statement = onlyStatement(document);
  if (!statement || statement.Sid !== REVOKE_SID || !deniesEverything(statement)) return null;
  const condition = statement.Condition as { DateLessThan?: Record<string, unknown> } | undefined;
  const keys = Object.keys(condition ?? {});
  const cutoff = condition?.DateLessThan?.["aws:TokenIssueTime"];
  if (keys.length !== 1 || typeof cutoff !== "string") return null;
  const ms = Date.parse(cutoff);
  return Number.isFinite(ms) ? ms : null;
}

/** True when the document is cordon's unconditional deny-all. */
export function isCordonDenyAll(document: string): boolean {
  const statement = onlyStatement(document);
  return (
    statement !== null &&
    statement.Sid === DENY_ALL_SID &&
    deniesEverything(statement) &&
    !statement.Condition
  );
}

/** Two policy documents say the same thing (IAM may hand a document back with other whitespace). */
export function sameDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}
