import { z } from "zod";

/** `U…`/`W…` user ids, as the Web API spec's `defs_user_id` pattern (slack_web_openapi_v2.json). */
export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** `C…`/`G…` conversation ids, as the spec's `defs_channel` pattern. */
export const CHANNEL_ID = /^[CG][A-Z0-9]{8,}$/;
/** `T…` workspace ids (`defs_team`) and `E…` enterprise ids (`defs_enterprise_id`). */
export const TEAM_ID = /^T[A-Z0-9]{8,}$/;
export const ENTERPRISE_ID = /^E[A-Z0-9]{8,}$/;
/** Shapes Slack gives its tokens: user (`xoxp`), bot (`xoxb`), app (`xoxa`), enterprise (`xoxe`). */
export const TOKEN_SHAPE = /^xox[abpe]-[A-Za-z0-9-]+$/;

const SeedUser = z.strictObject({
  id: z.string().regex(USER_ID).optional(),
  email: z.email(),
  /** The Slack handle (`name` in the Web API, `userName` in SCIM). Default: the email's local part. */
  name: z.string().min(1).optional(),
  realName: z.string().optional(),
  isOwner: z.boolean().optional(),
  isPrimaryOwner: z.boolean().optional(),
  isAdmin: z.boolean().optional(),
  isBot: z.boolean().optional(),
  deleted: z.boolean().optional(),
  /** Sessions the user starts with, in the first workspace. */
  sessions: z
    .strictObject({ web: z.number().int().min(0).optional(), mobile: z.number().int().min(0).optional() })
    .optional(),
});

/**
 * What one emulated Enterprise Grid org starts with. No defaults are applied here (the state applies them), so
 * the input and output types are the same.
 */
export const SlackSeed = z
  .strictObject({
    /** Valid tokens, all owned by `adminUser`. Absent: any token shaped like Slack's is accepted. */
    tokens: z.array(z.string().regex(TOKEN_SHAPE)).optional(),
    /** Email of the tokens' owner (what `auth.test` reports). Default: the first admin or owner. */
    adminUser: z.email().optional(),
    /** Emulator extension: the org's id, name and domain (default `Cordon Test Org`, `cordon-test`). */
    enterprise: z
      .strictObject({
        id: z.string().regex(ENTERPRISE_ID).optional(),
        name: z.string().min(1).optional(),
        domain: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .optional(),
      })
      .optional(),
    /** Emulator extension: the org's workspaces (default one). Every user belongs to every workspace. */
    workspaces: z
      .array(
        z.strictObject({
          id: z.string().regex(TEAM_ID).optional(),
          name: z.string().min(1),
          domain: z
            .string()
            .regex(/^[a-z0-9-]+$/)
            .optional(),
        }),
      )
      .min(1)
      .optional(),
    channels: z
      .array(z.strictObject({ id: z.string().regex(CHANNEL_ID).optional(), name: z.string().min(1) }))
      .optional(),
    users: z.array(SeedUser).optional(),
  })
  .superRefine((seed, ctx) => {
    const emails = new Set<string>();
    const ids = new Set<string>();
    for (const [index, user] of (seed.users ?? []).entries()) {
      const email = user.email.toLowerCase();
      if (emails.has(email))
        ctx.addIssue({ code: "custom", path: ["users", index, "email"], message: "duplicate email" });
      emails.add(email);
      if (user.id && ids.has(user.id))
        ctx.addIssue({ code: "custom", path: ["users", index, "id"], message: "duplicate id" });
      if (user.id) ids.add(user.id);
    }
    if (seed.adminUser && seed.users && !emails.has(seed.adminUser.toLowerCase())) {
      ctx.addIssue({
        code: "custom",
        path: ["adminUser"],
        message: "adminUser is not one of the seeded users",
      });
    }
  });
export type SlackSeed = z.infer<typeof SlackSeed>;
export type SlackSeedUser = z.infer<typeof SeedUser>;
