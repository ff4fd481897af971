import { suspensionAction } from "../suspension.ts";

/** Lets the user sign in again (`suspended: false`). */
export const unsuspendUser = suspensionAction({
  id: "google.unsuspend_user",
  title: "Unsuspend user",
  suspended: false,
  inverse: "google.suspend_user",
  kind: "uncontain",
});
