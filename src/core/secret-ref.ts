import { z } from "zod";

/**
 * A secret is never written in cordon.yaml itself: it is a reference resolved at run time.
 * `env:NAME` reads an environment variable, `file:PATH` reads a file (trailing newline trimmed).
 */
export const SecretRef = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/,
    "must be a reference like env:OKTA_API_TOKEN or file:/run/secrets/okta (never the secret itself)",
  )
  .describe("Secret reference: env:NAME or file:PATH");
