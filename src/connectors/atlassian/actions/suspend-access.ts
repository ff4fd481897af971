import { accessAction } from "../access.ts";

/**
 * Suspends the user's access to every product of the organization, reversibly: "Suspend user access to products
 * listed in Atlassian Administration … Maintain respective users in Groups for easy restoration"
 * (`POST /admin/v1/orgs/{orgId}/directory/users/{accountId}/suspend-access`). It does not end open sessions or
 * revoke API tokens; the `lock` profile pairs it with `atlassian.revoke_api_tokens`.
 */
export const suspendAccess = accessAction({
  id: "atlassian.suspend_access",
  title: "Suspend access to the organization's products",
  change: "suspend-access",
  kind: "contain",
  inverse: "atlassian.restore_access",
  target: "suspended",
  risk: "medium",
  docAnchor: "api-v1-orgs-orgid-directory-users-accountid-suspend-access-post",
});
