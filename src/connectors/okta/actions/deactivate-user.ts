import { lifecycleAction } from "../lifecycle.ts";

/**
 * Deactivates (DEPROVISIONED): stronger than suspend, and Okta ends the user's sessions. `sendEmail=false` so an
 * attacker who holds the mailbox learns nothing.
 */
export const deactivateUser = lifecycleAction({
  id: "okta.deactivate_user",
  title: "Deactivate user",
  operation: "deactivate",
  query: { sendEmail: false },
  kind: "contain",
  inverse: "okta.reactivate_user",
  alreadyIn: ["DEPROVISIONED"],
  reached: ["DEPROVISIONED"],
  affects: ["login", "web_sessions"],
  risk: "high",
  docAnchor: "operation/deactivateUser",
});
