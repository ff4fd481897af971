import { type AwsIamConnectorConfig, createAwsIamConnector } from "../../src/connectors/aws/index.ts";
import {
  type AwsIamEmulator,
  type AwsIamEmulatorOptions,
  createAwsIamEmulator,
} from "../../src/emulators/aws/index.ts";
import { type Harness, harness } from "./harness.ts";

/** The administrator every AWS test signs as (the seed must contain it; see {@link adminUser}). */
export const ADMIN = {
  userName: "cordon-admin",
  accessKeyId: "AKIACORDONADMIN00001",
  secretAccessKey: "cordonAdminSecretKey0000000000000000000001",
} as const;

/** The seed entry of {@link ADMIN}: an IAM user with one active signing key and every permission. */
export function adminUser() {
  return {
    userName: ADMIN.userName,
    accessKeys: [{ accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey }],
  };
}

/** The IAM emulator on 127.0.0.1 and a real AWS connector pointed at it, signing as {@link ADMIN}. */
export function awsHarness(
  options: AwsIamEmulatorOptions = {},
  connector: Partial<Omit<AwsIamConnectorConfig, "connection" | "endpoint">> = {},
): Promise<Harness<AwsIamEmulator>> {
  return harness(
    createAwsIamEmulator(options),
    (url, deps) =>
      createAwsIamConnector(
        {
          connection: "aws",
          endpoint: url,
          region: "us-east-1",
          credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
          ...connector,
        },
        deps,
      ),
    options.timeScale,
  );
}
