import { z } from "zod";
import { CordonError } from "../../core/errors.ts";
import { SecretRef } from "../../core/secret-ref.ts";
import { GITHUB_DEFAULT_API_URL } from "./client.ts";

const Login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "a GitHub login or organization name");

/** A GitHub organization in `cordon.yaml`. */
export const GithubConnection = z
  .object({
    vendor: z.literal("github"),
    org: Login.describe("The organization's login, e.g. acme-corp"),
    token: SecretRef.describe(
      "Token of an organization owner; classic personal access token scopes admin:org (read:org is enough for lookups)",
    ),
    apiUrl: z
      .url()
      .default(GITHUB_DEFAULT_API_URL)
      .describe("REST API base: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server"),
    logins: z
      .record(z.email(), Login)
      .optional()
      .describe(
        "Email → GitHub login, for orgs without organization-level SAML or accounts it does not link; SAML identities are used first",
      ),
  })
  .strict();
export type GithubConnection = z.infer<typeof GithubConnection>;

/**
 * A connection described by the environment GitHub's tools use: `GITHUB_TOKEN` (the token, referenced as
 * `env:GITHUB_TOKEN`, never copied), `GITHUB_ORG`, and `GITHUB_API_URL` (set by GitHub Actions to the API base of
 * the instance it runs on; default `https://api.github.com`). Null when the token or the org is missing.
 */
export function githubConnectionFromEnv(env: Record<string, string | undefined>): GithubConnection | null {
  const org = env.GITHUB_ORG?.trim();
  if (!env.GITHUB_TOKEN?.trim() || !org) return null;
  const parsed = GithubConnection.safeParse({
    vendor: "github",
    org,
    token: "env:GITHUB_TOKEN",
    apiUrl: env.GITHUB_API_URL?.trim() || GITHUB_DEFAULT_API_URL,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path[0] === "apiUrl" ? "GITHUB_API_URL" : "GITHUB_ORG";
    throw new CordonError({ kind: "config", path: variable }, `${variable}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
