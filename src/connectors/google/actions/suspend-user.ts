import { suspensionAction } from "../suspension.ts";

/** Blocks sign-in reversibly (`suspended: true`); undone by google.unsuspend_user. */
export const suspendUser = suspensionAction({
  id: "google.suspend_user",
  title: "Suspend user",
  suspended: true,
  inverse: "google.unsuspend_user",
  kind: "contain",
});
