import { z } from "zod";

import { VENDORS } from "../connectors/index.ts";
import { SecretRef } from "../core/secret-ref.ts";

export { SecretRef };

const Name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "lowercase letters, digits and dashes, starting with a letter");

/** One connection in `cordon.yaml`: the vendors' own schemas (src/connectors/<vendor>/config.ts), told apart by `vendor`. */
export type Connection = { vendor: string } & Record<string, unknown>;
const vendorSchemas = VENDORS.map((v) => v.schema) as unknown as [
  z.ZodObject<{ vendor: z.ZodLiteral<string> }>,
];
export const Connection = z.discriminatedUnion("vendor", vendorSchemas) as unknown as z.ZodType<Connection>;

export const Policy = z
  .object({
    protectedEmails: z
      .array(z.email())
      .default([])
      .describe("Break-glass and other accounts never contained unless forced"),
    protectedRoles: z
      .array(z.enum(["primary_owner", "owner", "admin", "bot", "protected", "caller"]))
      .default(["primary_owner", "owner", "admin", "bot", "protected", "caller"])
      .describe("Vendor roles that make an account protected"),
    maxAccountsPerRun: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(25)
      .describe("A run touching more accounts stops before acting"),
  })
  .strict();

export const CordonConfig = z
  .object({
    $schema: z.string().optional(),
    store: z
      .object({ path: z.string().min(1).default(".cordon/cordon.db") })
      .strict()
      .default({ path: ".cordon/cordon.db" }),
    connections: z.record(Name, Connection).default({}),
    policy: Policy.default({
      protectedEmails: [],
      protectedRoles: ["primary_owner", "owner", "admin", "bot", "protected", "caller"],
      maxAccountsPerRun: 25,
    }),
  })
  .strict();
export type CordonConfig = z.infer<typeof CordonConfig>;
