import { accessAction } from "../access.ts";

/**
 * "Restore access of an existing user to products listed in Atlassian Administration. Retract the suspend user
 * action." (`POST /admin/v1/orgs/{orgId}/directory/users/{accountId}/restore-access`). Groups were kept while
 * suspended, so the user gets back exactly the access they had.
 */
export const restoreAccess = accessAction({
  id: "atlassian.restore_access",
  title: "Restore access to the organization's products",
  change: "restore-access",
  kind: "uncontain",
  inverse: "atlassian.suspend_access",
  target: "active",
  risk: "low",
  docAnchor: "api-v1-orgs-orgid-directory-users-accountid-restore-access-post",
});
