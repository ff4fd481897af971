/**
 * The store's last line of defence against secrets: everything it writes (ledger payloads, plans, step inputs,
 * snapshots, outputs, verifications, errors, reasons) passes through a redactor first. Connectors redact from
 * their schemas before data gets here; this catches what slips through.
 */

export const REDACTED = "[REDACTED]";

/**
 * Keys whose values are secrets wherever they appear, at any depth. `password` also covers `tempPassword` and
 * `resetPasswordUrl`, `token` covers `activationToken` and `session_token`; they are listed anyway so the list
 * reads as the contract.
 */
export const SECRET_KEY =
  /token|secret|password|passwd|passphrase|authorization|api[_-]?key|private[_-]?key|cookie|session[_-]?token|resetPasswordUrl|tempPassword|activationUrl|activationToken/i;

/**
 * A collection of token *records* (`tokens`, `apiTokens`, `refresh_tokens`) as an array: the audit needs to say
 * which tokens were revoked, so the array is walked instead of replaced. Its text and number items are still
 * redacted; its object items keep their ids and names, and their own secret keys are redacted as anywhere else.
 */
export const TOKEN_COLLECTION_KEY = /tokens$/i;

/**
 * Keys naming a secret's *identifier*, not the secret (`tokenId`, `token_id`, `apiTokenIds`): an API token's id
 * is what an audit must show and what a playbook needs to revoke it. Their values are still walked, so a
 * credential-shaped string under such a key is redacted by {@link SECRET_VALUE_PATTERNS}.
 */
export const IDENTIFIER_KEY = /(?:[_-]ids?|Ids?)$/;

/**
 * Credentials recognisable by their shape, replaced inside any string whatever its key (a pasted header in a
 * free-text reason, a token in a URL an error message quotes). Each entry is [pattern, replacement].
 */
export const SECRET_VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Authorization header values: Okta `SSWS <token>`, OAuth `Bearer <token>`.
  [/\b(SSWS|Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // HTTP Basic credentials (base64 of user:password). 16+ characters so prose like "Basic info" is left alone.
  [/\bBasic\s+[A-Za-z0-9+/]{16,}={0,2}/g, `Basic ${REDACTED}`],
  // Slack tokens (xoxb-, xoxp-, xoxa-, xoxe-, xoxs-…) and app-level tokens.
  [/\bxox[a-z]-[A-Za-z0-9-]{6,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{6,}/g, REDACTED],
  // GitHub tokens.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, REDACTED],
  // JSON Web Tokens (header.payload.signature, both JSON parts start with `{"` → `eyJ`).
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Secret-bearing URL query parameters (`?token=…`, `&client_secret=…`, `&sig=…`, `&code=…`).
  [
    /([?&#](?:[A-Za-z_]*token|[A-Za-z_]*secret|password|sig|signature|code|api[_-]?key|key)=)[^&#\s"']+/gi,
    `$1${REDACTED}`,
  ],
];

/**
 * The default redactor. Returns a copy of `value` in which:
 * - the value of every key matching {@link SECRET_KEY} is replaced by `"[REDACTED]"`, at any depth, whatever
 *   its type (string, number, object, array), except `true`/`false`/`null`, which cannot carry a secret and
 *   are kept so flags such as `revokeTokens: true` stay readable, and arrays under a key matching
 *   {@link TOKEN_COLLECTION_KEY}, which are walked item by item;
 * - credentials recognisable by shape ({@link SECRET_VALUE_PATTERNS}) are replaced inside every string.
 * The input is never modified. Cycles become `"[Circular]"`.
 */
export function redactSecrets(value: unknown): unknown {
  return walk(value, new WeakSet());
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, seen));
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (!SECRET_KEY.test(key) || IDENTIFIER_KEY.test(key) || isHarmless(member))
        out[key] = walk(member, seen);
      else if (Array.isArray(member) && TOKEN_COLLECTION_KEY.test(key))
        out[key] = walkTokenCollection(member, seen);
      else out[key] = REDACTED;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function walkTokenCollection(items: unknown[], seen: WeakSet<object>): unknown[] {
  return items.map((item) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? walk(item, seen)
      : isHarmless(item)
        ? item
        : REDACTED,
  );
}

function isHarmless(value: unknown): boolean {
  return value === null || value === undefined || typeof value === "boolean";
}

function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
