import { escapeXml, xmlResponse } from "./xml.ts";

/**
 * An IAM error reply: `<ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>…
 * </Message></Error><RequestId>…</RequestId></ErrorResponse>` (contracts.md §3.7) with the model's HTTP status
 * (`aws.protocols#awsQueryError` trait: NoSuchEntity 404, LimitExceeded 409, EntityAlreadyExists 409,
 * MalformedPolicyDocument 400, PasswordPolicyViolation 400, ServiceFailure 500) or, for errors every action can
 * return, the status of https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html.
 * Handlers throw it; the dispatcher renders it.
 */
export class IamError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: "Sender" | "Receiver";
  readonly headers: Record<string, string>;

  constructor(code: string, status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.type = status >= 500 ? "Receiver" : "Sender";
    this.headers = headers;
  }
}

export function renderError(error: IamError, requestId: string): Response {
  const body =
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${error.type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return xmlResponse(body, error.status, requestId, error.headers);
}

/** The errors this emulator raises, with IAM's wording where it is known. */
export const IamErrors = {
  noSuchUser: (name: string) =>
    new IamError("NoSuchEntity", 404, `The user with name ${name} cannot be found.`),
  noSuchLoginProfile: (name: string) =>
    new IamError("NoSuchEntity", 404, `Login Profile for User ${name} cannot be found.`),
  noSuchUserPolicy: (name: string, user: string) =>
    new IamError("NoSuchEntity", 404, `The user policy with name ${name} cannot be found for user ${user}.`),
  noSuchAccessKey: (id: string) =>
    new IamError("NoSuchEntity", 404, `The Access Key with id ${id} cannot be found`),
  loginProfileExists: (name: string) =>
    new IamError("EntityAlreadyExists", 409, `Login Profile for user ${name} already exists.`),
  policyTooLarge: (user: string) =>
    new IamError("LimitExceeded", 409, `Maximum policy size of 2048 bytes exceeded for user ${user}`),
  malformedPolicy: (message: string) => new IamError("MalformedPolicyDocument", 400, message),
  passwordPolicy: () =>
    new IamError(
      "PasswordPolicyViolation",
      400,
      "Password should have a minimum length of 8 (the account's password policy)",
    ),
  validation: (message: string) => new IamError("ValidationError", 400, message),
  invalidAction: (action: string, version: string) =>
    new IamError("InvalidAction", 400, `Could not find operation ${action} for version ${version}`),
  missingAction: () => new IamError("MissingAction", 400, "The request must contain the parameter Action."),
  /** CommonErrors: MissingAuthenticationToken, 403. */
  missingAuthentication: () =>
    new IamError("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
  /** CommonErrors: IncompleteSignature, 400 (the brief said 403; IAM's API reference says 400). */
  incompleteSignature: (message: string) => new IamError("IncompleteSignature", 400, message),
  /** CommonErrors: InvalidClientTokenId, 403. */
  invalidClientTokenId: () =>
    new IamError("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
  expiredToken: () =>
    new IamError("ExpiredToken", 403, "The security token included in the request is expired"),
  signatureDoesNotMatch: (message?: string) =>
    new IamError(
      "SignatureDoesNotMatch",
      403,
      message ??
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
          "Access Key and signing method. Consult the service documentation for details.",
    ),
  accessDenied: (message: string) => new IamError("AccessDenied", 403, message),
  /**
   * IAM publishes no request rate; a throttled call is HTTP 400 `Throttling` "Rate exceeded" (contracts.md §3.7,
   * unverified there; it is what the AWS SDKs and CLI report from IAM). The emulator adds the exact wait.
   */
  throttling: (retryAfterMs: number) =>
    new IamError("Throttling", 400, "Rate exceeded", {
      "X-Cordon-Retry-After-Ms": String(Math.max(0, Math.round(retryAfterMs))),
    }),
  serviceFailure: () =>
    new IamError(
      "ServiceFailure",
      500,
      "The request processing has failed because of an unknown error, exception or failure.",
    ),
  serviceUnavailable: () =>
    new IamError(
      "ServiceUnavailable",
      503,
      "The request has failed due to a temporary failure of the server.",
    ),
};
