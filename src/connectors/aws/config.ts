import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { CordonError } from "../../core/errors.ts";
import { SecretRef } from "../../core/secret-ref.ts";
import type { AwsIamConnectorConfig } from "./index.ts";

/** Model `userNameType`: 1–64 characters of `[\w+=,.@-]`. */
const UserName = z.string().regex(/^[\w+=,.@-]{1,64}$/, "an IAM user name (1–64 letters, digits or _+=,.@-)");

/** The mapping file: person's email → the IAM user names that are theirs. */
export const AwsMappingFile = z.record(z.email(), z.array(UserName).min(1));
export type AwsMappingFile = z.infer<typeof AwsMappingFile>;

/**
 * An AWS account's IAM in `cordon.yaml`. Credentials: `accessKeyId` + `secretAccessKey` (+ `sessionToken`)
 * references, or a shared-config `profile`, or neither: the AWS SDK's default chain (environment, shared
 * files, SSO, web identity, container and instance roles). `sessionToken` is an addition to the brief's fields,
 * for temporary credentials.
 */
export const AwsConnection = z
  .object({
    vendor: z.literal("aws"),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region like us-east-1")
      .optional()
      .describe("Signing region; IAM is global and signed for us-east-1 (the default) in the aws partition"),
    endpoint: z.url().optional().describe("IAM endpoint override (an emulator, a VPC endpoint)"),
    profile: z
      .string()
      .min(1)
      .optional()
      .describe("A profile of the shared AWS config and credentials files"),
    accessKeyId: SecretRef.optional().describe(
      "Access key id of an IAM identity allowed the iam: actions cordon uses",
    ),
    secretAccessKey: SecretRef.optional().describe("Its secret access key"),
    sessionToken: SecretRef.optional().describe("Session token, for temporary credentials"),
    mapping: z
      .object({
        tagKey: z
          .string()
          .min(1)
          .max(128)
          .nullable()
          .default("email")
          .describe("User tag whose value is the person's email (case-insensitive); null: no tag lookup"),
        file: z.string().min(1).optional().describe("YAML or JSON file: email → [IAM user names]"),
        users: AwsMappingFile.optional().describe("The same mapping written inline"),
      })
      .strict()
      .optional(),
    protectedUsers: z
      .array(UserName)
      .optional()
      .describe("IAM user names never contained unless forced (besides users tagged cordon:protected=true)"),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.accessKeyId === undefined) !== (c.secretAccessKey === undefined))
      ctx.addIssue({
        code: "custom",
        path: [c.accessKeyId === undefined ? "accessKeyId" : "secretAccessKey"],
        message: "accessKeyId and secretAccessKey go together",
      });
    if (c.sessionToken !== undefined && c.accessKeyId === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["sessionToken"],
        message: "sessionToken needs accessKeyId and secretAccessKey",
      });
    if (c.profile !== undefined && c.accessKeyId !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["profile"],
        message: "use either profile or access keys, not both",
      });
  });
export type AwsConnection = z.infer<typeof AwsConnection>;

/** Fields of {@link AwsConnection} holding `env:`/`file:` references. */
export const AWS_SECRET_FIELDS = ["accessKeyId", "secretAccessKey", "sessionToken"] as const;

/**
 * The connection the AWS SDK's own environment variables describe: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
 * (+ `AWS_SESSION_TOKEN`), or `AWS_PROFILE`; with `AWS_REGION` (or `AWS_DEFAULT_REGION`) and
 * `AWS_ENDPOINT_URL_IAM` (or `AWS_ENDPOINT_URL`). Secrets stay references to those variables.
 */
export function awsConnectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AwsConnection | undefined {
  const common = {
    vendor: "aws" as const,
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION ? { region: env.AWS_REGION || env.AWS_DEFAULT_REGION } : {}),
    ...(env.AWS_ENDPOINT_URL_IAM || env.AWS_ENDPOINT_URL
      ? { endpoint: env.AWS_ENDPOINT_URL_IAM || env.AWS_ENDPOINT_URL }
      : {}),
  };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      ...common,
      accessKeyId: "env:AWS_ACCESS_KEY_ID",
      secretAccessKey: "env:AWS_SECRET_ACCESS_KEY",
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: "env:AWS_SESSION_TOKEN" } : {}),
    };
  }
  if (env.AWS_PROFILE) return { ...common, profile: env.AWS_PROFILE };
  return undefined;
}

/** Reads and checks a mapping file (YAML or JSON), keys lower-cased. The error names the file, never its content. */
export function readAwsMappingFile(path: string): AwsMappingFile {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CordonError(
      { kind: "config", path },
      `cannot read the AWS mapping file ${path}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const parsed = AwsMappingFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CordonError(
      { kind: "config", path },
      `${path}: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return lowerKeys(parsed.data);
}

function lowerKeys(mapping: AwsMappingFile): AwsMappingFile {
  const out: AwsMappingFile = {};
  for (const [email, names] of Object.entries(mapping)) {
    const key = email.trim().toLowerCase();
    out[key] = [...new Set([...(out[key] ?? []), ...names])];
  }
  return out;
}

/**
 * The connector's config from a connection whose secret references are already resolved (the values, not
 * `env:`…). `mapping.file` is read here; a relative path is taken from `baseDir` (the config file's folder).
 */
export function awsConnectorConfig(
  name: string,
  connection: AwsConnection,
  baseDir: string = process.cwd(),
): AwsIamConnectorConfig {
  const fromFile = connection.mapping?.file
    ? readAwsMappingFile(resolve(baseDir, connection.mapping.file))
    : {};
  const inline = lowerKeys(connection.mapping?.users ?? {});
  const file: AwsMappingFile = { ...fromFile };
  for (const [email, names] of Object.entries(inline))
    file[email] = [...new Set([...(file[email] ?? []), ...names])];
  return {
    connection: name,
    region: connection.region,
    endpoint: connection.endpoint,
    profile: connection.profile,
    credentials:
      connection.accessKeyId && connection.secretAccessKey
        ? {
            accessKeyId: connection.accessKeyId,
            secretAccessKey: connection.secretAccessKey,
            ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
          }
        : undefined,
    mapping: { tagKey: connection.mapping?.tagKey === undefined ? "email" : connection.mapping.tagKey, file },
    protectedUserNames: connection.protectedUsers,
  };
}
