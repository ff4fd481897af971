import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import { CordonError } from "../../../core/errors.ts";
import type { AwsIamClient } from "../client.ts";
import {
  LONGEST_TEMPORARY_CREDENTIAL_MS,
  REVOKE_SESSIONS_POLICY,
  revokedBefore,
  sameDocument,
} from "../policies.ts";
import { API } from "./common.ts";

const Input = z
  .object({
    /** What `cordon-revoke-sessions` was before containment; null: cordon added it, so undo removes it. */
    previousDocument: z.string().min(1).max(131_072).nullable(),
    /**
     * Removing the policy earlier than 36 hours after its revocation time lets temporary credentials issued
     * before it work again, stolen ones included. Only a human who accepts that sets this.
     */
    reviveOlderSessions: z.boolean().default(false),
  })
  .strict();
type Input = z.infer<typeof Input>;

/**
 * Undo of `aws.revoke_sessions`: puts `cordon-revoke-sessions` back as it was: removed (`DeleteUserPolicy`) when
 * cordon added it, its earlier document restored when one existed. It refuses to touch a policy of that name that
 * is no longer cordon's document, and, unless `reviveOlderSessions`, to lift a revocation while credentials it
 * denies may still be live (36 hours, the longest GetSessionToken/GetFederationToken lifetime): revoked sessions
 * stay revoked, and the contained user's new sessions are not affected by the policy anyway.
 */
export const restoreSessionsPolicy = defineAction<
  AwsIamClient,
  Input,
  undefined,
  { removed: boolean; restored: boolean }
>({
  id: "aws.restore_sessions_policy",
  title: "Remove cordon's revoke-sessions policy (or restore the earlier one)",
  docUrl: `${API}/API_DeleteUserPolicy.html`,
  kind: "uncontain",
  inverse: "aws.revoke_sessions",
  idempotent: true,
  affects: ["web_sessions", "api_tokens"],
  scopes: ["iam:GetUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy"],
  risk: "medium",
  input: Input,
  async execute({ client, account, clock, signal }, input) {
    const current = await client.getUserPolicy(account.id, REVOKE_SESSIONS_POLICY, signal);
    const previous = input.previousDocument;
    if (current === null && previous === null)
      return { outcome: "already_in_state", output: { removed: false, restored: false } };
    if (current !== null && previous !== null && sameDocument(current, previous))
      return { outcome: "already_in_state", output: { removed: false, restored: false } };
    const cutoff = current === null ? null : revokedBefore(current);
    if (current !== null && cutoff === null)
      throw new CordonError(
        { kind: "conflict", vendor: "aws" },
        `aws: inline policy ${REVOKE_SESSIONS_POLICY} of ${account.id} is no longer the document cordon wrote; leaving it as it is`,
      );
    const previousCutoff = previous === null ? null : revokedBefore(previous);
    const liftsRevocation = cutoff !== null && (previousCutoff === null || previousCutoff < cutoff);
    if (liftsRevocation && !input.reviveOlderSessions) {
      const safeFrom = cutoff + LONGEST_TEMPORARY_CREDENTIAL_MS;
      if (clock.now() < safeFrom)
        throw new CordonError(
          { kind: "policy", rule: "aws-revoked-sessions-stay-revoked" },
          `aws: kept ${REVOKE_SESSIONS_POLICY} on ${account.id}: temporary credentials issued before ${new Date(cutoff).toISOString()} may live until ${new Date(safeFrom).toISOString()}, and removing the policy now would let them (stolen ones included) work again; undo again after that time, or with reviveOlderSessions`,
        );
    }
    if (previous === null) {
      await client.deleteUserPolicy(account.id, REVOKE_SESSIONS_POLICY, signal);
      return { outcome: "applied", output: { removed: true, restored: false } };
    }
    await client.putUserPolicy(account.id, REVOKE_SESSIONS_POLICY, previous, signal);
    return { outcome: "applied", output: { removed: false, restored: true } };
  },
  async verify({ client, account, signal }, input) {
    const current = await client.getUserPolicy(account.id, REVOKE_SESSIONS_POLICY, signal);
    if (input.previousDocument === null)
      return current === null
        ? { state: "verified", observed: `no inline policy ${REVOKE_SESSIONS_POLICY}` }
        : { state: "pending", observed: `inline policy ${REVOKE_SESSIONS_POLICY} still present` };
    return current !== null && sameDocument(current, input.previousDocument)
      ? {
          state: "verified",
          observed: `inline policy ${REVOKE_SESSIONS_POLICY} is back to its earlier document`,
        }
      : {
          state: "pending",
          observed: `inline policy ${REVOKE_SESSIONS_POLICY} differs from its earlier document`,
        };
  },
});
