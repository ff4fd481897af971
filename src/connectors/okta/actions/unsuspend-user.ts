import { lifecycleAction } from "../lifecycle.ts";

/** Returns a SUSPENDED user to ACTIVE. */
export const unsuspendUser = lifecycleAction({
  id: "okta.unsuspend_user",
  title: "Unsuspend user",
  operation: "unsuspend",
  kind: "uncontain",
  inverse: "okta.suspend_user",
  alreadyIn: ["ACTIVE"],
  reached: ["ACTIVE"],
  affects: ["login"],
  risk: "low",
  docAnchor: "operation/unsuspendUser",
});
