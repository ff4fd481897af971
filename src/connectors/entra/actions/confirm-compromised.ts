import { riskAction } from "../risk.ts";
import { GRAPH_DOCS } from "../shared.ts";

/**
 * Marks the user compromised: risk level high, state confirmedCompromised. Undone by entra.dismiss_risk, which
 * leaves the user `dismissed` (risk none): Graph cannot put back an earlier `atRisk` level, only clear it.
 */
export const confirmCompromised = riskAction({
  id: "entra.confirm_compromised",
  title: "Confirm user compromised (Identity Protection user risk high)",
  operation: "confirmCompromised",
  docUrl: GRAPH_DOCS.confirmCompromised,
  kind: "contain",
  inverse: "entra.dismiss_risk",
  alreadyIn: ["confirmedCompromised"],
  reached: "confirmedCompromised",
});
