import type { MethodHandler } from "./common.ts";

/**
 * auth.test (https://docs.slack.dev/reference/methods/auth.test; spec success schema requires ok, url, team,
 * user, team_id, user_id). Every emulator token is an org-level token of an Enterprise Grid admin, the kind the
 * admin.* methods need; for those Slack reports the enterprise id as `team_id` (noted in slackapi/java-slack-sdk
 * SCIM2ClientImpl: "the team_id in an auth.test API response is an enterprise_id value") and sets
 * `is_enterprise_install`.
 */
export const authTest: MethodHandler = ({ state, caller }) => ({
  ok: true,
  url: `https://${state.enterprise.domain}.enterprise.slack.com/`,
  team: state.enterprise.name,
  user: caller.name,
  team_id: state.enterprise.id,
  user_id: caller.id,
  enterprise_id: state.enterprise.id,
  is_enterprise_install: true,
});
