import type { Hono } from "hono";
import { z } from "zod";
import { CONTROL_PREFIX } from "../kit/control.ts";
import { authorize } from "./authorize.ts";
import type { AwsIamState } from "./state.ts";

const SessionBody = z.strictObject({
  issuedAt: z.iso.datetime({ offset: true }).optional(),
  /** GetSessionToken: 900–129,600 seconds, default 43,200 (12 hours). */
  durationSeconds: z.number().int().min(900).max(129_600).optional(),
});

const SignInBody = z.strictObject({ userName: z.string().min(1), password: z.string() });

async function jsonBody(raw: string): Promise<unknown> {
  if (raw.trim() === "") return {};
  return JSON.parse(raw);
}

/**
 * Emulator-only endpoints (no auth, never throttled or faulted; AWS has nothing like them). They create what only
 * the user's own sign-in creates on a real account, so a rehearsal can show what containment changed:
 *
 * - `POST /__cordon/aws/users/{userName}/sessions` body `{issuedAt?, durationSeconds?}` → 201 GetSessionToken-like
 *   `{AccessKeyId, SecretAccessKey, SessionToken, IssuedAt, Expiration}`. Like GetSessionToken, it needs one of
 *   the user's access keys to be Active (409 otherwise).
 * - `POST /__cordon/aws/console-signin` body `{userName, password}` → 200 `{signedIn: true, mustChangePassword,
 *   canAct}` or 403 `{signedIn: false, reason}`. A console password marked "reset required" cannot be used unless
 *   the user may call `iam:ChangePassword`, which the console's forced-change page needs; `canAct` says whether
 *   the user's policies let the new console session call anything (checked with `iam:GetUser`).
 */
export function mountAwsControl(app: Hono, state: AwsIamState): void {
  app.post(`${CONTROL_PREFIX}/aws/users/:userName/sessions`, async (c) => {
    const user = state.user(c.req.param("userName"));
    if (!user) return c.json({ error: `no user ${c.req.param("userName")}` }, 404);
    let body: unknown;
    try {
      body = await jsonBody(await c.req.text());
    } catch {
      return c.json({ error: "the body is not JSON" }, 400);
    }
    const parsed = SessionBody.safeParse(body);
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error.issues }, 400);
    if (!state.accessKeysOf(user).some((k) => k.status === "Active"))
      return c.json({ error: `${user.userName} has no active access key to call GetSessionToken with` }, 409);
    const session = state.addSession({
      userName: user.userName,
      issuedAt: parsed.data.issuedAt ? Date.parse(parsed.data.issuedAt) : undefined,
      durationMs: (parsed.data.durationSeconds ?? 43_200) * 1000,
    });
    return c.json(
      {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        IssuedAt: new Date(session.issuedAt).toISOString(),
        Expiration: new Date(session.expiresAt).toISOString(),
      },
      201,
    );
  });

  app.post(`${CONTROL_PREFIX}/aws/console-signin`, async (c) => {
    let body: unknown;
    try {
      body = await jsonBody(await c.req.text());
    } catch {
      return c.json({ error: "the body is not JSON" }, 400);
    }
    const parsed = SignInBody.safeParse(body);
    if (!parsed.success) return c.json({ error: "invalid body", issues: parsed.error.issues }, 400);
    const user = state.user(parsed.data.userName);
    if (!user) return c.json({ error: `no user ${parsed.data.userName}` }, 404);
    const profile = user.loginProfile;
    if (!profile) return c.json({ signedIn: false, reason: "the user has no console password" }, 403);
    if (profile.password !== parsed.data.password)
      return c.json({ signedIn: false, reason: "wrong password" }, 403);
    const caller = { kind: "user" as const, user, tokenIssueTime: state.now() };
    const arn = state.userArn(user);
    if (profile.passwordResetRequired && authorize(state, caller, "ChangePassword", arn)) {
      return c.json(
        {
          signedIn: false,
          reason: "the password must be changed at sign-in, and iam:ChangePassword is denied to this user",
        },
        403,
      );
    }
    user.passwordLastUsed = state.now();
    return c.json({
      signedIn: true,
      mustChangePassword: profile.passwordResetRequired,
      canAct: authorize(state, caller, "GetUser", arn) === null,
    });
  });
}
