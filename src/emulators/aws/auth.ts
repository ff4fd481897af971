import { IamErrors } from "./errors.ts";
import {
  formatAmzDate,
  MAX_SKEW_MS,
  parseAmzDate,
  parseAuthorization,
  type SignableRequest,
  signatureMatches,
} from "./sigv4.ts";
import type { AwsIamState, Caller } from "./state.ts";

/**
 * Authenticates a request the way IAM does: a SigV4 `Authorization` header
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html) whose scope is
 * `<date>/<region>/iam/aws4_request`, within 15 minutes of the server's clock, signed with the secret of an
 * existing, active access key (or of unexpired temporary credentials presented with their
 * `X-Amz-Security-Token`). Error codes and statuses: IAM CommonErrors (MissingAuthenticationToken 403,
 * IncompleteSignature 400, InvalidClientTokenId 403, ExpiredToken 403) and SignatureDoesNotMatch 403; the
 * messages are the ones AWS returns. An inactive access key is refused like an unknown one
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html: "an inactive key cannot be used").
 */
export function authenticate(state: AwsIamState, request: SignableRequest, region: string): Caller {
  const header = request.headers.get("authorization");
  if (!header) throw IamErrors.missingAuthentication();
  const auth = parseAuthorization(header);
  if ("missing" in auth)
    throw IamErrors.incompleteSignature(
      `${auth.missing.map((m) => `Authorization header requires '${m}' parameter.`).join(" ")} Authorization=${header.split(" ")[0]}`,
    );
  const amzDate = request.headers.get("x-amz-date");
  const sent = amzDate ? parseAmzDate(amzDate) : null;
  if (!amzDate || sent === null)
    throw IamErrors.incompleteSignature(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  if (!auth.signedHeaders.includes("host"))
    throw IamErrors.incompleteSignature(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  if (auth.date !== amzDate.slice(0, 8))
    throw IamErrors.signatureDoesNotMatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  if (auth.service !== "iam")
    throw IamErrors.signatureDoesNotMatch(`Credential should be scoped to correct service: 'iam'. `);
  if (auth.region !== region)
    throw IamErrors.signatureDoesNotMatch(
      `Credential should be scoped to a valid region, not '${auth.region}'. `,
    );
  if (auth.terminal !== "aws4_request")
    throw IamErrors.signatureDoesNotMatch(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminal}'. `,
    );
  const now = state.now();
  if (sent < now - MAX_SKEW_MS)
    throw IamErrors.signatureDoesNotMatch(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  if (sent > now + MAX_SKEW_MS)
    throw IamErrors.signatureDoesNotMatch(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    );

  const token = request.headers.get("x-amz-security-token");
  const key = state.accessKey(auth.accessKeyId);
  if (key) {
    if (key.status !== "Active" || token) throw IamErrors.invalidClientTokenId();
    const user = state.user(key.userName);
    if (!user) throw IamErrors.invalidClientTokenId();
    if (!signatureMatches({ request, auth, secretAccessKey: key.secretAccessKey }))
      throw IamErrors.signatureDoesNotMatch();
    key.lastUsed = now;
    return { kind: "user", user, accessKeyId: key.accessKeyId };
  }
  const session = state.session(auth.accessKeyId);
  if (!session || token !== session.sessionToken) throw IamErrors.invalidClientTokenId();
  if (session.expiresAt <= now) throw IamErrors.expiredToken();
  if (!signatureMatches({ request, auth, secretAccessKey: session.secretAccessKey }))
    throw IamErrors.signatureDoesNotMatch();
  if (session.roleName !== undefined)
    return { kind: "role", roleName: session.roleName, session, tokenIssueTime: session.issuedAt };
  const user = session.userName === undefined ? undefined : state.user(session.userName);
  if (!user) throw IamErrors.invalidClientTokenId();
  return { kind: "user", user, accessKeyId: session.accessKeyId, tokenIssueTime: session.issuedAt };
}
