import { riskAction } from "../risk.ts";
import { GRAPH_DOCS } from "../shared.ts";

/** Dismisses the user's risk (state dismissed, level none); a user with no open risk is already in state. */
export const dismissRisk = riskAction({
  id: "entra.dismiss_risk",
  title: "Dismiss user risk (Identity Protection)",
  operation: "dismiss",
  docUrl: GRAPH_DOCS.dismissRisk,
  kind: "uncontain",
  inverse: "entra.confirm_compromised",
  alreadyIn: ["none", "dismissed", "remediated", "confirmedSafe"],
  reached: "dismissed",
});
