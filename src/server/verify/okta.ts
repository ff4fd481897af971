import { constantTimeEqual, readHeader, refused, VERIFIED, type VerifyResult } from "./result.ts";

/**
 * Okta event hooks authenticate with a shared secret, not a signature: the hook's `authScheme` (type `HEADER`)
 * names a header key, `Authorization` by default, and a value Okta sends verbatim with every delivery and with the
 * one-time verification request (https://developer.okta.com/docs/concepts/event-hooks/, "Your service
 * implementation" and "One-time verification request"). Compared in constant time; `headerName` follows the key
 * configured on the hook.
 */
export function verifyOktaAuthorization(
  headers: Headers,
  expectedSecret: string,
  headerName = "authorization",
): VerifyResult {
  // An empty configured secret would accept an empty header: refuse rather than fail open.
  if (expectedSecret === "") return refused(401, "no shared secret is configured for this hook");
  const presented = readHeader(headers, headerName);
  if (presented === null || presented === "") return refused(401, `missing ${headerName} header`);
  return constantTimeEqual(presented, expectedSecret)
    ? VERIFIED
    : refused(401, `the ${headerName} header does not match the hook's shared secret`);
}

/** Okta's challenges are short random strings; anything far longer is not Okta and is not echoed back. */
const MAX_CHALLENGE_LENGTH = 1024;

/**
 * The answer to Okta's one-time verification request: `GET` with `X-Okta-Verification-Challenge: <value>`, to which
 * the endpoint must reply 200 `{"verification":"<value>"}` within 3 seconds
 * (https://developer.okta.com/docs/concepts/event-hooks/, "One-time verification request"). Null when the header
 * is absent or implausible. Callers check the shared secret first: the challenge itself proves nothing.
 */
export function oktaVerificationResponse(headers: Headers): { verification: string } | null {
  const challenge = readHeader(headers, "x-okta-verification-challenge");
  if (challenge === null || challenge === "" || challenge.length > MAX_CHALLENGE_LENGTH) return null;
  return { verification: challenge };
}
