import {
  type AccessKeyMetadata,
  DeleteUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  type LoginProfile,
  PutUserPolicyCommand,
  type Tag,
  UpdateAccessKeyCommand,
  UpdateLoginProfileCommand,
  type User,
  type UserDetail,
} from "@aws-sdk/client-iam";
import { CordonError, isCordonError, isKind } from "../../core/errors.ts";
import { RetryBudget } from "../../http/retry.ts";
import type { ConnectorDeps } from "../shared/deps.ts";
import { awsIamPolicy } from "./errors.ts";
import { CordonIamRequestHandler } from "./transport.ts";

export interface AwsIamClientConfig {
  /** The connection's name: the governor's tenant key, never a secret. */
  connection: string;
  /** Signing region; IAM is global, signed for `us-east-1` in the aws partition. Default `us-east-1`. */
  region?: string;
  /** An endpoint override (the emulator, a VPC endpoint). Absent: the SDK's (it reads `AWS_ENDPOINT_URL_IAM`). */
  endpoint?: string;
  /** Static credentials. Absent: `profile`, else the SDK's default chain (env, shared files, SSO, IMDS…). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
}

/** The IAM user fields cordon keeps (model `User`). */
export interface IamUser {
  userName: string;
  userId: string;
  arn: string;
  path: string;
}

export interface IamAccessKey {
  accessKeyId: string;
  status: string;
}

function toUser(user: User | UserDetail): IamUser {
  return {
    userName: user.UserName ?? "",
    userId: user.UserId ?? "",
    arn: user.Arn ?? "",
    path: user.Path ?? "/",
  };
}

/** How many items one list call asks for (model `maxItemsType` allows 1–1000). */
const PAGE_SIZE = 1000;

/**
 * A thin typed client over `@aws-sdk/client-iam`, whose every request goes through cordon's HTTP layer
 * (`CordonIamRequestHandler`). The SDK signs (SigV4), finds credentials and resolves the endpoint; cordon paces,
 * retries (SDK `maxAttempts: 1`), times out and classifies. Every method turns IAM's answer into plain data or a
 * `CordonError`; `null` stands for IAM's NoSuchEntity where "absent" is an answer, not a failure.
 */
export class AwsIamClient {
  readonly #sdk: IAMClient;

  constructor(config: AwsIamClientConfig, deps: ConnectorDeps) {
    const requestHandler = new CordonIamRequestHandler({
      policy: awsIamPolicy,
      tenant: config.connection,
      governor: deps.governor,
      budget: new RetryBudget(),
      clock: deps.clock,
      fetch: deps.fetch,
      deadlineMs: deps.deadlineMs,
      onAttempt: deps.onAttempt,
    });
    this.#sdk = new IAMClient({
      region: config.region ?? "us-east-1",
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      ...(config.profile ? { profile: config.profile } : {}),
      maxAttempts: 1,
      requestHandler,
    });
  }

  /** Runs one SDK call; everything it throws leaves as a CordonError naming the operation. */
  async #call<T>(operation: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isCordonError(error)) {
        // The SDK's retry layer stamps `$metadata` on whatever passes through it; it is not cordon's.
        delete (error as { $metadata?: unknown }).$metadata;
        throw error;
      }
      if (signal?.aborted) throw signal.reason;
      const name = (error as { name?: string } | null)?.name ?? "Error";
      if (name === "CredentialsProviderError")
        throw new CordonError(
          { kind: "auth", vendor: "aws" },
          `aws ${operation}: no AWS credentials found (configured keys, profile, or the SDK's default chain)`,
          { cause: error },
        );
      throw new CordonError({ kind: "internal" }, `aws ${operation}: the AWS SDK failed (${name})`, {
        cause: error,
      });
    }
  }

  /** Every page of a Marker-paged list (model `smithy.api#paginated`), refusing a marker that repeats. */
  async #all<T>(
    operation: string,
    page: (
      marker: string | undefined,
    ) => Promise<{ items: T[] | undefined; truncated?: boolean; marker?: string }>,
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (;;) {
      const result = await page(marker);
      items.push(...(result.items ?? []));
      if (!result.truncated || !result.marker) return items;
      if (seen.has(result.marker))
        throw new CordonError(
          { kind: "vendor", vendor: "aws", status: 200 },
          `aws ${operation}: IAM repeated a pagination marker; refusing to loop`,
        );
      seen.add(result.marker);
      marker = result.marker;
    }
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html — no name: the caller. */
  async getUser(
    userName: string | undefined,
    signal?: AbortSignal,
  ): Promise<(IamUser & { tags: Tag[] }) | null> {
    try {
      const out = await this.#call(
        "GetUser",
        () =>
          this.#sdk.send(new GetUserCommand(userName ? { UserName: userName } : {}), { abortSignal: signal }),
        signal,
      );
      return out.User ? { ...toUser(out.User), tags: out.User.Tags ?? [] } : null;
    } catch (error) {
      if (isKind(error, "not_found")) return null;
      throw error;
    }
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html — all pages. */
  listUsers(signal?: AbortSignal): Promise<IamUser[]> {
    return this.#all("ListUsers", async (marker) => {
      const out = await this.#call(
        "ListUsers",
        () =>
          this.#sdk.send(new ListUsersCommand({ Marker: marker, MaxItems: PAGE_SIZE }), {
            abortSignal: signal,
          }),
        signal,
      );
      return { items: out.Users?.map(toUser), truncated: out.IsTruncated, marker: out.Marker };
    });
  }

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html with
   * `Filter=User`, all pages: every IAM user with its tags, 1,000 a call (ListUsers "does not return tags").
   */
  usersWithTags(signal?: AbortSignal): Promise<Array<IamUser & { tags: Tag[] }>> {
    return this.#all("GetAccountAuthorizationDetails", async (marker) => {
      const out = await this.#call(
        "GetAccountAuthorizationDetails",
        () =>
          this.#sdk.send(
            new GetAccountAuthorizationDetailsCommand({
              Filter: ["User"],
              Marker: marker,
              MaxItems: PAGE_SIZE,
            }),
            { abortSignal: signal },
          ),
        signal,
      );
      return {
        items: out.UserDetailList?.map((u) => ({ ...toUser(u), tags: u.Tags ?? [] })),
        truncated: out.IsTruncated,
        marker: out.Marker,
      };
    });
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserTags.html — all pages. */
  listUserTags(userName: string, signal?: AbortSignal): Promise<Tag[]> {
    return this.#all("ListUserTags", async (marker) => {
      const out = await this.#call(
        "ListUserTags",
        () =>
          this.#sdk.send(
            new ListUserTagsCommand({ UserName: userName, Marker: marker, MaxItems: PAGE_SIZE }),
            {
              abortSignal: signal,
            },
          ),
        signal,
      );
      return { items: out.Tags, truncated: out.IsTruncated, marker: out.Marker };
    });
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html — all pages. */
  async listAccessKeys(userName: string, signal?: AbortSignal): Promise<IamAccessKey[]> {
    const keys = await this.#all<AccessKeyMetadata>("ListAccessKeys", async (marker) => {
      const out = await this.#call(
        "ListAccessKeys",
        () =>
          this.#sdk.send(
            new ListAccessKeysCommand({ UserName: userName, Marker: marker, MaxItems: PAGE_SIZE }),
            {
              abortSignal: signal,
            },
          ),
        signal,
      );
      return { items: out.AccessKeyMetadata, truncated: out.IsTruncated, marker: out.Marker };
    });
    return keys.map((k) => ({ accessKeyId: k.AccessKeyId ?? "", status: k.Status ?? "" }));
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html */
  async updateAccessKey(
    userName: string,
    accessKeyId: string,
    status: "Active" | "Inactive",
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#call(
      "UpdateAccessKey",
      () =>
        this.#sdk.send(
          new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status }),
          {
            abortSignal: signal,
          },
        ),
      signal,
    );
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetLoginProfile.html — null: no console password. */
  async getLoginProfile(userName: string, signal?: AbortSignal): Promise<LoginProfile | null> {
    try {
      const out = await this.#call(
        "GetLoginProfile",
        () => this.#sdk.send(new GetLoginProfileCommand({ UserName: userName }), { abortSignal: signal }),
        signal,
      );
      return out.LoginProfile ?? null;
    } catch (error) {
      if (isKind(error, "not_found") && (await this.#userExists(userName, signal))) return null;
      throw error;
    }
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html — the reset flag only. */
  async setPasswordResetRequired(userName: string, required: boolean, signal?: AbortSignal): Promise<void> {
    await this.#call(
      "UpdateLoginProfile",
      () =>
        this.#sdk.send(
          new UpdateLoginProfileCommand({ UserName: userName, PasswordResetRequired: required }),
          {
            abortSignal: signal,
          },
        ),
      signal,
    );
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html */
  async putUserPolicy(
    userName: string,
    policyName: string,
    document: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#call(
      "PutUserPolicy",
      () =>
        this.#sdk.send(
          new PutUserPolicyCommand({ UserName: userName, PolicyName: policyName, PolicyDocument: document }),
          { abortSignal: signal },
        ),
      signal,
    );
  }

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUserPolicy.html — the document decoded (IAM returns
   * it "URL-encoded compliant with RFC 3986"); null when the user has no policy of that name.
   */
  async getUserPolicy(userName: string, policyName: string, signal?: AbortSignal): Promise<string | null> {
    try {
      const out = await this.#call(
        "GetUserPolicy",
        () =>
          this.#sdk.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }), {
            abortSignal: signal,
          }),
        signal,
      );
      return out.PolicyDocument === undefined ? null : decodeURIComponent(out.PolicyDocument);
    } catch (error) {
      if (isKind(error, "not_found") && (await this.#userExists(userName, signal))) return null;
      throw error;
    }
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPolicy.html — only ever cordon's own. */
  async deleteUserPolicy(userName: string, policyName: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#call(
        "DeleteUserPolicy",
        () =>
          this.#sdk.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: policyName }), {
            abortSignal: signal,
          }),
        signal,
      );
    } catch (error) {
      // A retry after a 5xx whose first attempt did delete it finds nothing: gone is what was asked.
      if (isKind(error, "not_found") && (await this.getUserPolicy(userName, policyName, signal)) === null)
        return;
      throw error;
    }
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserPolicies.html — all pages. */
  listUserPolicies(userName: string, signal?: AbortSignal): Promise<string[]> {
    return this.#all("ListUserPolicies", async (marker) => {
      const out = await this.#call(
        "ListUserPolicies",
        () =>
          this.#sdk.send(
            new ListUserPoliciesCommand({ UserName: userName, Marker: marker, MaxItems: PAGE_SIZE }),
            {
              abortSignal: signal,
            },
          ),
        signal,
      );
      return { items: out.PolicyNames, truncated: out.IsTruncated, marker: out.Marker };
    });
  }

  /** NoSuchEntity is the same code for "no such user" and "no such policy": tell them apart. */
  async #userExists(userName: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.getUser(userName, signal)) !== null;
  }
}
