import { defineAction } from "../../../core/action.ts";
import type { AwsIamClient } from "../client.ts";
import {
  REVOKE_SESSIONS_POLICY,
  revocationCutoff,
  revokedBefore,
  revokeSessionsDocument,
} from "../policies.ts";
import { API, NoInput } from "./common.ts";

export interface RevokeSessionsSnapshot {
  /** The inline policy `cordon-revoke-sessions` as it was before, or null when the user had none. */
  previousDocument: string | null;
}

/**
 * Revokes the user's temporary credentials (GetSessionToken, GetFederationToken) issued before now: an inline
 * policy `cordon-revoke-sessions` that denies `*` on `*` when `aws:TokenIssueTime` is before the revocation time,
 * AWS's documented way to "revoke" credentials that cannot be revoked
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html).
 * `aws:TokenIssueTime` exists only on temporary credentials, so long-term access keys are untouched: that is
 * `aws.deactivate_access_keys`. Always applied: sessions issued since an earlier revocation are revoked too.
 * Verified by reading the policy back; IAM says policy changes can take a few minutes to take effect everywhere.
 */
export const revokeSessions = defineAction<
  AwsIamClient,
  NoInput,
  RevokeSessionsSnapshot,
  { revokedBefore: string }
>({
  id: "aws.revoke_sessions",
  title: "Revoke the user's temporary credentials issued before now",
  docUrl: `${API}/API_PutUserPolicy.html`,
  kind: "contain",
  inverse: "aws.restore_sessions_policy",
  idempotent: true,
  affects: ["web_sessions", "api_tokens"],
  scopes: ["iam:GetUserPolicy", "iam:PutUserPolicy"],
  risk: "low",
  input: NoInput,
  async snapshot({ client, account, signal }) {
    return { previousDocument: await client.getUserPolicy(account.id, REVOKE_SESSIONS_POLICY, signal) };
  },
  async execute({ client, account, clock, signal }) {
    const cutoff = revocationCutoff(clock.now());
    await client.putUserPolicy(account.id, REVOKE_SESSIONS_POLICY, revokeSessionsDocument(cutoff), signal);
    return { outcome: "applied", output: { revokedBefore: cutoff } };
  },
  restoreInput: (snapshot) => ({ previousDocument: snapshot.previousDocument }),
  async verify({ client, account, signal }) {
    const document = await client.getUserPolicy(account.id, REVOKE_SESSIONS_POLICY, signal);
    const cutoff = document === null ? null : revokedBefore(document);
    if (cutoff === null)
      return {
        state: "pending",
        observed: `inline policy ${REVOKE_SESSIONS_POLICY} not (yet) readable as cordon's`,
      };
    return {
      state: "verified",
      observed: `inline policy ${REVOKE_SESSIONS_POLICY} denies every action to temporary credentials issued before ${new Date(cutoff).toISOString()}`,
    };
  },
});
