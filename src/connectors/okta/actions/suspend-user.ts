import { lifecycleAction } from "../lifecycle.ts";

/** Blocks sign-in reversibly; only an ACTIVE user can be suspended. */
export const suspendUser = lifecycleAction({
  id: "okta.suspend_user",
  title: "Suspend user",
  operation: "suspend",
  kind: "contain",
  inverse: "okta.unsuspend_user",
  alreadyIn: ["SUSPENDED"],
  reached: ["SUSPENDED"],
  affects: ["login"],
  risk: "medium",
  docAnchor: "operation/suspendUser",
});
