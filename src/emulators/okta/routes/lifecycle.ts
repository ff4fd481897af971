import type { Hono } from "hono";
import { type OktaContext, type OktaEnv, orgUrl } from "../env.ts";
import { OktaErrors } from "../errors.ts";
import { recordUserEvent } from "../events.ts";
import { parseBoolean } from "../params.ts";
import { renderUser } from "../render.ts";
import type { UserRecord, UserStatus } from "../state.ts";

type Operation = (c: OktaContext, user: UserRecord) => Response;

/** Lifecycle calls without a documented body answer 200 with `{}` (legacy Users API: "Returns an empty object"). */
const empty = (c: OktaContext) => c.json({});

/** A boolean query flag, or the 400 for a malformed one (error code unverified). */
function flag(c: OktaContext, name: string, defaultValue: boolean): boolean | Response {
  const value = parseBoolean(c.req.query(name), defaultValue);
  return value ?? OktaErrors.validation(c, name, [`${name}: must be true or false`]);
}

/** `{activationUrl, activationToken}` (spec `UserActivationToken`; Identity Engine link format). */
function activationToken(c: OktaContext) {
  const token = c.var.state.ids.next("XE", 20);
  return { activationUrl: `${orgUrl(c)}/tokens/${token}/verify`, activationToken: token };
}

/**
 * Spec `suspendUser`: "Perform this operation only on users with an ACTIVE status". Legacy Users API: "Passing an
 * id that is not in the ACTIVE state returns a 400 Bad Request status code with error code E0000001". The
 * summary/cause text is **unverified**.
 */
const suspend: Operation = (c, user) => {
  if (user.status !== "ACTIVE") {
    return OktaErrors.validation(c, "Cannot suspend a user that is not active", [
      "Cannot suspend a user that is not active",
    ]);
  }
  c.var.state.setStatus(user, "SUSPENDED");
  recordUserEvent(c, "user.lifecycle.suspend", user);
  return empty(c);
};

/** Spec `unsuspendUser`: only from SUSPENDED; legacy doc: otherwise 400 E0000001 (summary text **unverified**). */
const unsuspend: Operation = (c, user) => {
  if (user.status !== "SUSPENDED") {
    return OktaErrors.validation(c, "Cannot unsuspend a user that is not suspended", [
      "Cannot unsuspend a user that is not suspended",
    ]);
  }
  c.var.state.setStatus(user, "ACTIVE");
  recordUserEvent(c, "user.lifecycle.unsuspend", user);
  return empty(c);
};

/**
 * Spec `deactivateUser` (200, `sendEmail` default false): any status but DEPROVISIONED → DEPROVISIONED. The user
 * is deprovisioned and signed out, so their sessions go. An already deactivated user gets 404 E0000007: the spec
 * lists no 400, and Palo Alto's XSOAR Okta IAM integration treats E0000007 as "user is already disabled".
 */
const deactivate: Operation = (c, user) => {
  const sendEmail = flag(c, "sendEmail", false);
  if (sendEmail instanceof Response) return sendEmail;
  if (user.status === "DEPROVISIONED") return OktaErrors.notFound(c, c.req.param("id") ?? user.id);
  c.var.state.setStatus(user, "DEPROVISIONED");
  c.var.state.clearSessions(user.id);
  recordUserEvent(c, "user.lifecycle.deactivate", user);
  return empty(c);
};

/**
 * Spec `activateUser` (`sendEmail` default true): only STAGED or DEPROVISIONED. With a password the user becomes
 * ACTIVE, without one PROVISIONED (legacy Users API creation table). Otherwise 403 E0000016 (error-codes doc).
 * Returns `UserActivationToken` when sendEmail=false, `{}` when the email is sent.
 */
const activate: Operation = (c, user) => {
  const sendEmail = flag(c, "sendEmail", true);
  if (sendEmail instanceof Response) return sendEmail;
  if (user.status !== "STAGED" && user.status !== "DEPROVISIONED") return OktaErrors.alreadyActive(c);
  c.var.state.setStatus(user, user.hasPassword ? "ACTIVE" : "PROVISIONED");
  recordUserEvent(c, "user.lifecycle.activate", user);
  return sendEmail ? empty(c) : c.json(activationToken(c));
};

/**
 * Spec `reactivateUser` (`sendEmail` default false): only PROVISIONED or RECOVERY; "restarts the activation
 * workflow", so the user is PROVISIONED afterwards. Other statuses: 403 E0000038 (code **unverified**).
 */
const reactivate: Operation = (c, user) => {
  const sendEmail = flag(c, "sendEmail", false);
  if (sendEmail instanceof Response) return sendEmail;
  if (user.status !== "PROVISIONED" && user.status !== "RECOVERY") return OktaErrors.notAllowedInStatus(c);
  c.var.state.setStatus(user, "PROVISIONED");
  recordUserEvent(c, "user.lifecycle.reactivate", user);
  return sendEmail ? empty(c) : c.json(activationToken(c));
};

/** Statuses whose password can be reset or expired; others get 403 E0000038 (**unverified**). */
const CREDENTIAL_STATUSES = new Set<UserStatus>(["ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"]);

/**
 * Spec `resetPassword`: `sendEmail` is `required: true` (missing → 400 E0000028, the spec's
 * `ErrorMissingRequiredParameter`); `revokeSessions` default false. "This operation transitions the user to the
 * RECOVERY status". Returns `{resetPasswordUrl}` when sendEmail=false (example
 * `ResetPwdWithoutSendingEmailResponse`), `{}` otherwise.
 */
const resetPassword: Operation = (c, user) => {
  if (c.req.query("sendEmail") === undefined) return OktaErrors.missingParameter(c);
  const sendEmail = flag(c, "sendEmail", false);
  if (sendEmail instanceof Response) return sendEmail;
  const revokeSessions = flag(c, "revokeSessions", false);
  if (revokeSessions instanceof Response) return revokeSessions;
  if (!CREDENTIAL_STATUSES.has(user.status) && user.status !== "PROVISIONED")
    return OktaErrors.notAllowedInStatus(c);
  c.var.state.setStatus(user, "RECOVERY");
  recordUserEvent(c, "user.account.reset_password", user);
  if (revokeSessions) {
    c.var.state.clearSessions(user.id);
    recordUserEvent(c, "user.session.clear", user);
  }
  if (sendEmail) return empty(c);
  return c.json({ resetPasswordUrl: `${orgUrl(c)}/reset_password/${c.var.state.ids.next("XE", 20)}` });
};

/** Spec `expirePassword`: 200 `User` with status PASSWORD_EXPIRED (example `ExpirePwdResponse`). */
const expirePassword: Operation = (c, user) => {
  if (!CREDENTIAL_STATUSES.has(user.status)) return OktaErrors.notAllowedInStatus(c);
  c.var.state.setStatus(user, "PASSWORD_EXPIRED");
  return c.json(renderUser(user, orgUrl(c)));
};

/** Spec `expirePasswordWithTempPassword`: PASSWORD_EXPIRED, `revokeSessions` default false, 200 `{tempPassword}`. */
const expirePasswordWithTempPassword: Operation = (c, user) => {
  const revokeSessions = flag(c, "revokeSessions", false);
  if (revokeSessions instanceof Response) return revokeSessions;
  if (!CREDENTIAL_STATUSES.has(user.status)) return OktaErrors.notAllowedInStatus(c);
  c.var.state.setStatus(user, "PASSWORD_EXPIRED");
  user.hasPassword = true;
  user.passwordChanged = c.var.state.now();
  if (revokeSessions) c.var.state.clearSessions(user.id);
  return c.json({ tempPassword: c.var.state.ids.next("Tp", 10) });
};

/** Spec `resetFactors`: all factor enrollments removed, status unchanged, 200 `{}`. */
const resetFactors: Operation = (c, user) => {
  c.var.state.resetFactors(user.id);
  recordUserEvent(c, "user.mfa.factor.reset_all", user);
  return empty(c);
};

/**
 * Spec `unlockUser`: LOCKED_OUT → ACTIVE; an ACTIVE user (blocked from unknown devices) stays ACTIVE. Others:
 * 403 E0000032 "Unlock is not allowed for this user." (error-codes doc).
 */
const unlock: Operation = (c, user) => {
  if (user.status === "LOCKED_OUT") c.var.state.setStatus(user, "ACTIVE");
  else if (user.status !== "ACTIVE") return OktaErrors.unlockNotAllowed(c);
  return empty(c);
};

const OPERATIONS: Record<string, Operation> = {
  suspend,
  unsuspend,
  deactivate,
  activate,
  reactivate,
  reset_password: resetPassword,
  expire_password: expirePassword,
  expire_password_with_temp_password: expirePasswordWithTempPassword,
  reset_factors: resetFactors,
  unlock,
};

/**
 * `DELETE /api/v1/users/{userId}/sessions` (spec `revokeUserSessions`, 204). `oauthTokens` (default false) also
 * revokes the OIDC/OAuth refresh and access tokens issued to the user; consent grants stay. `forgetDevices`
 * (default true) has no state here.
 */
function revokeSessions(c: OktaContext): Response {
  const userId = c.req.param("userId") ?? "";
  const user = c.var.state.userById(userId);
  if (!user) return OktaErrors.notFound(c, userId);
  const oauthTokens = flag(c, "oauthTokens", false);
  if (oauthTokens instanceof Response) return oauthTokens;
  const forgetDevices = flag(c, "forgetDevices", true);
  if (forgetDevices instanceof Response) return forgetDevices;
  c.var.state.clearSessions(user.id);
  recordUserEvent(c, "user.session.clear", user);
  if (oauthTokens) c.var.state.revokeOAuthTokens(user.id);
  return c.body(null, 204);
}

/** The lifecycle operations served under `/api/v1/users/{id}/lifecycle/`. */
export const LIFECYCLE_OPERATIONS = Object.keys(OPERATIONS);

export function mountLifecycleRoutes(app: Hono<OktaEnv>): void {
  for (const [name, operation] of Object.entries(OPERATIONS)) {
    // Spec `pathId`: lifecycle paths take an id, a login or a login shortname.
    app.post(`/api/v1/users/:id/lifecycle/${name}`, (c) => {
      const param = c.req.param("id");
      const user = c.var.state.findUser(param);
      return user ? operation(c, user) : OktaErrors.notFound(c, param);
    });
  }
  app.delete("/api/v1/users/:userId/sessions", revokeSessions);
}
