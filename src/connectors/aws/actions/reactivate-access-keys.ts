import { z } from "zod";
import { defineAction } from "../../../core/action.ts";
import type { AwsIamClient } from "../client.ts";
import { AccessKeyId, API } from "./common.ts";

const Input = z
  .object({
    /** Exactly the keys to reactivate: the ones deactivate_access_keys found Active. Never "all keys". */
    accessKeyIds: z.array(AccessKeyId).max(100),
  })
  .strict();
type Input = z.infer<typeof Input>;

/**
 * Undo of `aws.deactivate_access_keys`: `UpdateAccessKey Status=Active` for the listed keys only, so a key that
 * was inactive before containment stays inactive. A listed key deleted since cannot come back; the output and the
 * verification name it.
 */
export const reactivateAccessKeys = defineAction<
  AwsIamClient,
  Input,
  undefined,
  { reactivated: string[]; missing: string[] }
>({
  id: "aws.reactivate_access_keys",
  title: "Reactivate the access keys containment deactivated",
  docUrl: `${API}/API_UpdateAccessKey.html`,
  kind: "uncontain",
  inverse: "aws.deactivate_access_keys",
  idempotent: true,
  affects: ["api_tokens"],
  scopes: ["iam:ListAccessKeys", "iam:UpdateAccessKey"],
  risk: "low",
  input: Input,
  async execute({ client, account, signal }, input) {
    const keys = new Map(
      (await client.listAccessKeys(account.id, signal)).map((k) => [k.accessKeyId, k.status]),
    );
    const missing = input.accessKeyIds.filter((id) => !keys.has(id));
    const inactive = input.accessKeyIds.filter((id) => keys.has(id) && keys.get(id) !== "Active");
    for (const id of inactive) await client.updateAccessKey(account.id, id, "Active", signal);
    return {
      outcome: inactive.length === 0 ? "already_in_state" : "applied",
      output: { reactivated: inactive, missing },
    };
  },
  async verify({ client, account, signal }, input) {
    const keys = new Map(
      (await client.listAccessKeys(account.id, signal)).map((k) => [k.accessKeyId, k.status]),
    );
    const missing = input.accessKeyIds.filter((id) => !keys.has(id));
    const notActive = input.accessKeyIds.filter((id) => keys.has(id) && keys.get(id) !== "Active");
    const active = input.accessKeyIds.length - missing.length - notActive.length;
    if (notActive.length > 0)
      return {
        state: "pending",
        observed: `${active} of ${input.accessKeyIds.length} keys active; not yet: ${notActive.join(", ")}`,
      };
    if (missing.length > 0)
      return {
        state: "partial",
        observed: `${active} keys active again; ${missing.join(", ")} no longer exist (deleted since containment)`,
      };
    return { state: "verified", observed: `${active} access keys active again` };
  },
});
