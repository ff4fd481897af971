/**
 * cordon as a library: the same operations as the CLI, typed.
 * @packageDocumentation
 */

export { allActions, createConnector, type ResolvedConnection, VENDORS } from "./connectors/index.ts";
export { createOktaConnector, OktaClient } from "./connectors/okta/index.ts";
export { createSlackConnector, SlackClient } from "./connectors/slack/index.ts";
export type { Account, Subject } from "./core/account.ts";
export type { ActionDefinition, AnyActionDefinition, Effect, VerifyResult } from "./core/action.ts";
export { type Clock, systemClock } from "./core/clock.ts";
export type { ActionCall, ConnectionCheck, Connector, ContainmentProfile } from "./core/connector.ts";
export {
  CordonError,
  type CordonErrorDetail,
  type CordonErrorKind,
  isCordonError,
  isKind,
} from "./core/errors.ts";
export type { CordonEvent, EventSource } from "./core/event.ts";
export { type Plan, type PlanItem, planIsIntact } from "./core/plan.ts";
export type { EntitledPerson, ReconcileCapabilities, TargetAccount } from "./core/reconcile.ts";
export { createEmulator, startEmulators } from "./emulators/index.ts";
export { applyPlan } from "./engine/contain.ts";
export { buildPlan, type PlanRequest } from "./engine/plan.ts";
export { type ContainmentPolicy, DEFAULT_POLICY } from "./engine/policy.ts";
export { type RunResult, resumeRun, type StepResult } from "./engine/run.ts";
export { applyUndo, planUndo, type UndoPlan } from "./engine/uncontain.ts";
export { RateGovernor } from "./http/governor.ts";
export { connectOkta, connectSlack, findAccount, runAction } from "./library.ts";
export { loadPlaybookFile, loadPlaybookText, type PlaybookError } from "./playbooks/load.ts";
export { type PlaybookEnvironment, runPlaybook } from "./playbooks/runner.ts";
export type { Playbook, Step } from "./playbooks/schema.ts";
export { BUILT_IN_TEMPLATES, loadBuiltInTemplate } from "./playbooks/templates/index.ts";
export {
  applyReconcilePlan,
  connectorSource,
  fileSource,
  loadAccessRules,
  parseAccessRules,
  reconcile,
} from "./reconcile/index.ts";
export { type RunningServer, type ServeOptions, startServer } from "./server/serve.ts";
export {
  signGenericWebhook,
  signSlackRequest,
  verifyGenericWebhook,
  verifyOktaAuthorization,
  verifySlackSignature,
} from "./server/verify/index.ts";
export { openSqliteStore } from "./store/index.ts";
export type { Store } from "./store/types.ts";
