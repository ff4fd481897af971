import { scimActiveAction } from "../scim-active.ts";

/** Deactivates org-wide; Slack also ends the user's sessions. Owners cannot be deactivated (Slack refuses). */
export const deactivateUser = scimActiveAction({
  id: "slack.deactivate_user",
  title: "Deactivate user (SCIM active=false)",
  active: false,
  inverse: "slack.reactivate_user",
  kind: "contain",
});
