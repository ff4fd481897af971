import { defineAction } from "../../../core/action.ts";
import type { AwsIamClient } from "../client.ts";
import { API, NoInput } from "./common.ts";

export interface AccessKeysSnapshot {
  /** The keys that were Active before containment: exactly the ones undo reactivates. */
  accessKeyIds: string[];
  /** Keys that were already Inactive, for the record; undo leaves them inactive. */
  inactiveAccessKeyIds: string[];
}

/**
 * `UpdateAccessKey Status=Inactive` for every active access key of the user (all pages of ListAccessKeys).
 * Long-term keys are what an attacker keeps using, and what mints new temporary credentials; an inactive key is
 * refused by AWS but kept, so undo can reactivate exactly the keys that were active (the seed deleted users and
 * never touched keys, seeds.md §1.2 and §1.5). Nothing is deleted.
 */
export const deactivateAccessKeys = defineAction<
  AwsIamClient,
  NoInput,
  AccessKeysSnapshot,
  { deactivated: string[] }
>({
  id: "aws.deactivate_access_keys",
  title: "Deactivate the user's access keys",
  docUrl: `${API}/API_UpdateAccessKey.html`,
  kind: "contain",
  inverse: "aws.reactivate_access_keys",
  idempotent: true,
  affects: ["api_tokens"],
  scopes: ["iam:ListAccessKeys", "iam:UpdateAccessKey"],
  risk: "medium",
  input: NoInput,
  async snapshot({ client, account, signal }) {
    const keys = await client.listAccessKeys(account.id, signal);
    return {
      accessKeyIds: keys.filter((k) => k.status === "Active").map((k) => k.accessKeyId),
      inactiveAccessKeyIds: keys.filter((k) => k.status !== "Active").map((k) => k.accessKeyId),
    };
  },
  async execute({ client, account, signal }, _input, snapshot) {
    const active =
      snapshot?.accessKeyIds ??
      (await client.listAccessKeys(account.id, signal))
        .filter((k) => k.status === "Active")
        .map((k) => k.accessKeyId);
    if (active.length === 0) return { outcome: "already_in_state", output: { deactivated: [] } };
    for (const id of active) await client.updateAccessKey(account.id, id, "Inactive", signal);
    return { outcome: "applied", output: { deactivated: active } };
  },
  restoreInput: (snapshot) => ({ accessKeyIds: [...snapshot.accessKeyIds] }),
  async verify({ client, account, signal }) {
    const keys = await client.listAccessKeys(account.id, signal);
    const active = keys.filter((k) => k.status === "Active").map((k) => k.accessKeyId);
    if (active.length === 0)
      return { state: "verified", observed: `${keys.length} access keys, none active` };
    return {
      state: "pending",
      observed: `${active.length} of ${keys.length} access keys still active: ${active.join(", ")}`,
    };
  },
});
