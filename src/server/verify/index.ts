export { GENERIC_TOLERANCE_SEC, signGenericWebhook, verifyGenericWebhook } from "./hmac.ts";
export { oktaVerificationResponse, verifyOktaAuthorization } from "./okta.ts";
export type { VerifyResult } from "./result.ts";
export { SLACK_TOLERANCE_SEC, signSlackRequest, verifySlackSignature } from "./slack.ts";
