import type { GraphGroup } from "./client.ts";

/**
 * Why Graph will not let cordon change this membership, or null when it will (group-post-members,
 * group-delete-members; "Working with groups in Microsoft Graph"):
 * - synced from on-premises Active Directory: change it there;
 * - dynamic membership: the membership rule decides;
 * - mail-enabled security groups and distribution lists: managed in Exchange Online, not Graph;
 * - role-assignable groups: need RoleManagement.ReadWrite.Directory, which cordon does not ask for (such a group
 *   grants admin roles; its members are protected accounts anyway).
 * A group returned "with limited information" (no group-read permission) has no metadata and is attempted.
 */
export function keptReason(group: GraphGroup): string | null {
  if (group.onPremisesSyncEnabled === true) return "synced from on-premises AD";
  if (group.groupTypes?.includes("DynamicMembership")) return "dynamic membership rule";
  if (group.mailEnabled === true && !group.groupTypes?.includes("Unified"))
    return "mail-enabled security group or distribution list (Exchange)";
  if (group.isAssignableToRole === true)
    return "role-assignable group (needs RoleManagement.ReadWrite.Directory)";
  return null;
}

export interface KeptGroup {
  id: string;
  displayName: string;
  reason: string;
}

export function describeKept(kept: KeptGroup[]): string {
  return kept.map((k) => `${k.displayName} (${k.reason})`).join(", ");
}
