import { scimActiveAction } from "../scim-active.ts";

export const reactivateUser = scimActiveAction({
  id: "slack.reactivate_user",
  title: "Reactivate user (SCIM active=true)",
  active: true,
  inverse: "slack.deactivate_user",
  kind: "uncontain",
});
