import { IamErrors } from "./errors.ts";
import { paginate } from "./pagination.ts";
import { type OperationSpec, type ParsedParams, required, Shapes } from "./params.ts";
import type { AccessKeyRecord, AwsIamState, Caller, UserRecord } from "./state.ts";
import { compareNames } from "./state.ts";
import { element, escapeXml, field, isoDate, members } from "./xml.ts";

export interface OperationContext {
  state: AwsIamState;
  params: ParsedParams;
  caller: Caller;
  /** The most items one page may hold whatever `MaxItems` asks ("IAM might return fewer results"). */
  pageCap?: number;
}

export interface Operation {
  members: OperationSpec;
  /** The resource ARN the call acts on, for authorization and AccessDenied messages. */
  resource(ctx: OperationContext): string;
  /** The `<XResult>` content, or undefined for operations whose output is `smithy.api#Unit`. */
  handle(ctx: OperationContext): string | undefined;
}

function userArnFor(ctx: OperationContext, name: string): string {
  const user = ctx.state.user(name);
  return user ? ctx.state.userArn(user) : `arn:aws:iam::${ctx.state.accountId}:user/${name}`;
}

/** The user named by `UserName`, or the caller when it is omitted (as IAM documents for these operations). */
function targetName(ctx: OperationContext): string {
  const name = ctx.params.get("UserName");
  if (name !== undefined) return name;
  if (ctx.caller.kind !== "user")
    throw IamErrors.validation("Must specify userName when calling with non-User credentials");
  return ctx.caller.user.userName;
}

function requireUser(ctx: OperationContext, name: string): UserRecord {
  const user = ctx.state.user(name);
  if (!user) throw IamErrors.noSuchUser(name);
  return user;
}

function targetResource(ctx: OperationContext): string {
  const name = ctx.params.get("UserName");
  if (name === undefined && ctx.caller.kind === "user") return ctx.state.userArn(ctx.caller.user);
  return userArnFor(ctx, name ?? "");
}

function tagsXml(tags: Array<{ Key: string; Value: string }>): string {
  return members(
    "Tags",
    tags.map((t) => field("Key", t.Key) + field("Value", t.Value)),
  );
}

/** Model `User`: Path, UserName, UserId, Arn, CreateDate, PasswordLastUsed, Tags. */
function userXml(state: AwsIamState, user: UserRecord, withTags: boolean): string {
  return (
    field("Path", user.path) +
    field("UserName", user.userName) +
    field("UserId", user.userId) +
    field("Arn", state.userArn(user)) +
    field("CreateDate", isoDate(user.created)) +
    field("PasswordLastUsed", user.passwordLastUsed === null ? undefined : isoDate(user.passwordLastUsed)) +
    (withTags && user.tags.length > 0 ? tagsXml(user.tags) : "")
  );
}

/**
 * Model `UserDetail`: Path, UserName, UserId, Arn, CreateDate, UserPolicyList (`PolicyDetail`: name and document,
 * URL-encoded as for GetUserPolicy), GroupList, AttachedManagedPolicies, Tags (PermissionsBoundary never set here).
 */
function userDetailXml(state: AwsIamState, user: UserRecord): string {
  const policies = [...user.inlinePolicies].sort(([a], [b]) => compareNames(a, b));
  return (
    field("Path", user.path) +
    field("UserName", user.userName) +
    field("UserId", user.userId) +
    field("Arn", state.userArn(user)) +
    field("CreateDate", isoDate(user.created)) +
    members(
      "UserPolicyList",
      policies.map(
        ([name, document]) =>
          field("PolicyName", name) + field("PolicyDocument", encodeURIComponent(document)),
      ),
    ) +
    members("GroupList", []) +
    members("AttachedManagedPolicies", []) +
    (user.tags.length > 0 ? tagsXml(user.tags) : "")
  );
}

function pageXml(listName: string, items: string[], page: { isTruncated: boolean; marker?: string }): string {
  return members(listName, items) + field("IsTruncated", page.isTruncated) + field("Marker", page.marker);
}

function loginProfileOf(ctx: OperationContext, name: string) {
  const user = requireUser(ctx, name);
  if (!user.loginProfile) throw IamErrors.noSuchLoginProfile(user.userName);
  return { user, profile: user.loginProfile };
}

/**
 * Default password policy when the account sets none: at least 8 characters
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
 */
function checkPassword(password: string): void {
  if (password.length < 8) throw IamErrors.passwordPolicy();
}

interface PolicyStatementShape {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

/** The grammar checks IAM applies to an identity policy (MalformedPolicyDocument, 400). */
function checkPolicyDocument(document: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw IamErrors.malformedPolicy("Syntax errors in policy.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw IamErrors.malformedPolicy("Syntax errors in policy.");
  const { Version, Statement } = parsed as { Version?: unknown; Statement?: unknown };
  if (Version !== undefined && Version !== "2012-10-17" && Version !== "2008-10-17")
    throw IamErrors.malformedPolicy("The policy failed legacy parsing");
  if (Statement === undefined) throw IamErrors.malformedPolicy("Missing required field Statement");
  const statements = Array.isArray(Statement) ? Statement : [Statement];
  for (const s of statements as PolicyStatementShape[]) {
    if (typeof s !== "object" || s === null) throw IamErrors.malformedPolicy("Syntax errors in policy.");
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
      throw IamErrors.malformedPolicy(`Invalid effect: ${String(s.Effect)}`);
    if (s.Action === undefined && s.NotAction === undefined)
      throw IamErrors.malformedPolicy("Policy statement must contain actions.");
    if (s.Resource === undefined && s.NotResource === undefined)
      throw IamErrors.malformedPolicy("Policy statement must contain resources.");
  }
}

/**
 * The IAM operations cordon needs, by `Action`. Each cites its API reference page; members and errors follow the
 * model. Where the emulator and the AWS docs disagree, the emulator is wrong.
 */
export const OPERATIONS: Record<string, Operation> = {
  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html — without UserName: the caller (a role session gets ValidationError). */
  GetUser: {
    members: { UserName: Shapes.existingUserNameType },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      return element("User", userXml(ctx.state, user, true));
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html — paged; "does not return … Tags". */
  ListUsers: {
    members: { PathPrefix: Shapes.pathPrefixType, Marker: Shapes.markerType, MaxItems: Shapes.maxItemsType },
    resource: (ctx) => `arn:aws:iam::${ctx.state.accountId}:user/`,
    handle(ctx) {
      const prefix = ctx.params.get("PathPrefix") ?? "/";
      const users = ctx.state.listUsers().filter((u) => u.path.startsWith(prefix));
      const page = paginate(
        users,
        (u) => u.userName.toLowerCase(),
        ctx.params.get("Marker"),
        ctx.params.integer("MaxItems"),
        ctx.pageCap,
      );
      return pageXml(
        "Users",
        page.items.map((u) => userXml(ctx.state, u, false)),
        page,
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserTags.html — paged. */
  ListUserTags: {
    members: {
      UserName: required(Shapes.existingUserNameType),
      Marker: Shapes.markerType,
      MaxItems: Shapes.maxItemsType,
    },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const indexed = user.tags.map((tag, index) => ({ tag, key: String(index).padStart(4, "0") }));
      const page = paginate(
        indexed,
        (t) => t.key,
        ctx.params.get("Marker"),
        ctx.params.integer("MaxItems"),
        ctx.pageCap,
      );
      return pageXml(
        "Tags",
        page.items.map(({ tag }) => field("Key", tag.Key) + field("Value", tag.Value)),
        page,
      );
    },
  },

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html — paged; `Filter`
   * (model `entityListType`) picks the entity kinds, none: all. The emulator models users only: its groups, roles
   * and managed policies are always empty lists, and a user's `GroupList` and `AttachedManagedPolicies` too.
   * Unlike ListUsers, every `UserDetail` carries the user's tags and inline policies (documents URL-encoded).
   */
  GetAccountAuthorizationDetails: {
    members: {
      Filter: Shapes.entityListType,
      MaxItems: Shapes.maxItemsType,
      Marker: Shapes.markerType,
    },
    // The action has no resource type (Service Authorization Reference): it is authorized on `*`.
    resource: () => "*",
    handle(ctx) {
      const filter = ctx.params.list("Filter");
      const users = !filter || filter.length === 0 || filter.includes("User") ? ctx.state.listUsers() : [];
      const page = paginate(
        users,
        (u) => u.userName.toLowerCase(),
        ctx.params.get("Marker"),
        ctx.params.integer("MaxItems"),
        ctx.pageCap,
      );
      return (
        members(
          "UserDetailList",
          page.items.map((u) => userDetailXml(ctx.state, u)),
        ) +
        members("GroupDetailList", []) +
        members("RoleDetailList", []) +
        members("Policies", []) +
        field("IsTruncated", page.isTruncated) +
        field("Marker", page.marker)
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html — paged; without UserName: the caller's keys. */
  ListAccessKeys: {
    members: {
      UserName: Shapes.existingUserNameType,
      Marker: Shapes.markerType,
      MaxItems: Shapes.maxItemsType,
    },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const keys = ctx.state.accessKeysOf(user);
      const page = paginate(
        keys,
        (k) => `${String(k.created).padStart(16, "0")}:${k.accessKeyId}`,
        ctx.params.get("Marker"),
        ctx.params.integer("MaxItems"),
        ctx.pageCap,
      );
      return pageXml(
        "AccessKeyMetadata",
        page.items.map(
          (k) =>
            field("UserName", k.userName) +
            field("AccessKeyId", k.accessKeyId) +
            field("Status", k.status) +
            field("CreateDate", isoDate(k.created)),
        ),
        page,
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html — Status Active|Inactive; the key must belong to the user. */
  UpdateAccessKey: {
    members: {
      UserName: Shapes.existingUserNameType,
      AccessKeyId: required(Shapes.accessKeyIdType),
      Status: required(Shapes.statusType),
    },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const id = ctx.params.get("AccessKeyId") ?? "";
      const key: AccessKeyRecord | undefined = ctx.state.accessKey(id);
      if (!key || key.userName.toLowerCase() !== user.userName.toLowerCase())
        throw IamErrors.noSuchAccessKey(id);
      key.status = ctx.params.get("Status") === "Active" ? "Active" : "Inactive";
      return undefined;
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html — ServiceName/Region "N/A" for a key never used. */
  GetAccessKeyLastUsed: {
    members: { AccessKeyId: required(Shapes.accessKeyIdType) },
    resource: (ctx) => {
      const key = ctx.state.accessKey(ctx.params.get("AccessKeyId") ?? "");
      return key ? userArnFor(ctx, key.userName) : `arn:aws:iam::${ctx.state.accountId}:user/`;
    },
    handle(ctx) {
      const id = ctx.params.get("AccessKeyId") ?? "";
      const key = ctx.state.accessKey(id);
      if (!key) throw IamErrors.noSuchAccessKey(id);
      const used = key.lastUsed;
      return (
        field("UserName", key.userName) +
        element(
          "AccessKeyLastUsed",
          field("LastUsedDate", used === null ? undefined : isoDate(used)) +
            field("ServiceName", used === null ? "N/A" : "iam") +
            field("Region", used === null ? "N/A" : "us-east-1"),
        )
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetLoginProfile.html — NoSuchEntity when the user has no console password. */
  GetLoginProfile: {
    members: { UserName: Shapes.userNameType },
    resource: targetResource,
    handle(ctx) {
      const { user, profile } = loginProfileOf(ctx, targetName(ctx));
      return element(
        "LoginProfile",
        field("UserName", user.userName) +
          field("CreateDate", isoDate(profile.created)) +
          field("PasswordResetRequired", profile.passwordResetRequired),
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html — EntityAlreadyExists 409 when one exists. */
  CreateLoginProfile: {
    members: {
      UserName: Shapes.userNameType,
      Password: Shapes.passwordType,
      PasswordResetRequired: Shapes.booleanType,
    },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      if (user.loginProfile) throw IamErrors.loginProfileExists(user.userName);
      const password = ctx.params.get("Password");
      if (password === undefined)
        throw IamErrors.validation("A password is required to create a login profile for an IAM user");
      checkPassword(password);
      const created = ctx.state.now();
      const passwordResetRequired = ctx.params.boolean("PasswordResetRequired") ?? false;
      user.loginProfile = { created, password, passwordResetRequired };
      return element(
        "LoginProfile",
        field("UserName", user.userName) +
          field("CreateDate", isoDate(created)) +
          field("PasswordResetRequired", passwordResetRequired),
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html — Password and/or PasswordResetRequired. */
  UpdateLoginProfile: {
    members: {
      UserName: required(Shapes.userNameType),
      Password: Shapes.passwordType,
      PasswordResetRequired: Shapes.booleanType,
    },
    resource: targetResource,
    handle(ctx) {
      const { profile } = loginProfileOf(ctx, targetName(ctx));
      const password = ctx.params.get("Password");
      if (password !== undefined) {
        checkPassword(password);
        profile.password = password;
      }
      const reset = ctx.params.boolean("PasswordResetRequired");
      if (reset !== undefined) profile.passwordResetRequired = reset;
      return undefined;
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html — served for completeness; cordon never calls it. */
  DeleteLoginProfile: {
    members: { UserName: Shapes.userNameType },
    resource: targetResource,
    handle(ctx) {
      const { user } = loginProfileOf(ctx, targetName(ctx));
      user.loginProfile = null;
      return undefined;
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html — replaces a policy of the same name; 2,048-character aggregate quota. */
  PutUserPolicy: {
    members: {
      UserName: required(Shapes.existingUserNameType),
      PolicyName: required(Shapes.policyNameType),
      PolicyDocument: required(Shapes.policyDocumentType),
    },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const name = ctx.params.get("PolicyName") ?? "";
      const document = ctx.params.get("PolicyDocument") ?? "";
      checkPolicyDocument(document);
      // IAM quotas: "Aggregate inline policy size for an IAM user: 2,048 characters", whitespace not counted
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
      if (ctx.state.inlinePolicySize(user, { name, document }) > 2048)
        throw IamErrors.policyTooLarge(user.userName);
      user.inlinePolicies.set(name, document);
      return undefined;
    },
  },

  /**
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUserPolicy.html — "The policy document returned in this structure is URL-encoded compliant with
   * RFC 3986": clients decode it.
   */
  GetUserPolicy: {
    members: { UserName: required(Shapes.existingUserNameType), PolicyName: required(Shapes.policyNameType) },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const name = ctx.params.get("PolicyName") ?? "";
      const document = user.inlinePolicies.get(name);
      if (document === undefined) throw IamErrors.noSuchUserPolicy(name, user.userName);
      return (
        field("UserName", user.userName) +
        field("PolicyName", name) +
        field("PolicyDocument", encodeURIComponent(document))
      );
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPolicy.html */
  DeleteUserPolicy: {
    members: { UserName: required(Shapes.existingUserNameType), PolicyName: required(Shapes.policyNameType) },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const name = ctx.params.get("PolicyName") ?? "";
      if (!user.inlinePolicies.delete(name)) throw IamErrors.noSuchUserPolicy(name, user.userName);
      return undefined;
    },
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUserPolicies.html — names only, paged. */
  ListUserPolicies: {
    members: {
      UserName: required(Shapes.existingUserNameType),
      Marker: Shapes.markerType,
      MaxItems: Shapes.maxItemsType,
    },
    resource: targetResource,
    handle(ctx) {
      const user = requireUser(ctx, targetName(ctx));
      const names = [...user.inlinePolicies.keys()].sort(compareNames);
      const page = paginate(
        names,
        (n) => n.toLowerCase(),
        ctx.params.get("Marker"),
        ctx.params.integer("MaxItems"),
        ctx.pageCap,
      );
      return pageXml("PolicyNames", page.items.map(escapeXml), page);
    },
  },
};
