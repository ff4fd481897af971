import { z } from "zod";

export const NoInput = z.object({}).strict();
export type NoInput = z.infer<typeof NoInput>;

/** Model `accessKeyIdType`: 16–128 word characters. Access key ids are identifiers, not secrets. */
export const AccessKeyId = z
  .string()
  .regex(/^\w{16,128}$/, "an IAM access key id (16–128 letters and digits)");

export const API = "https://docs.aws.amazon.com/IAM/latest/APIReference";
