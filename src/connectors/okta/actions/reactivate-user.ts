import { lifecycleAction } from "../lifecycle.ts";

/**
 * Undoes a deactivation. Okta's `reactivate` operation is for PROVISIONED users only; a DEPROVISIONED user comes
 * back through `activate` (spec: "can only be performed on users with a STAGED or DEPROVISIONED status"), with
 * `sendEmail=false`. Okta may bring the user back as PROVISIONED (needs to set a password): the verification
 * reports the status it sees.
 */
export const reactivateUser = lifecycleAction({
  id: "okta.reactivate_user",
  title: "Reactivate a deactivated user",
  operation: "activate",
  query: { sendEmail: false },
  kind: "uncontain",
  inverse: "okta.deactivate_user",
  alreadyIn: ["ACTIVE", "PROVISIONED"],
  reached: ["ACTIVE", "PROVISIONED"],
  affects: ["login"],
  risk: "medium",
  docAnchor: "operation/activateUser",
});
