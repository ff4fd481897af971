import {
  constants,
  createHmac,
  timingSafeEqual,
  verify as verifySignature,
  X509Certificate,
} from "node:crypto";

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and decodes a compact JWS; null when it is not one. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    if (typeof header !== "object" || header === null || typeof payload !== "object" || payload === null)
      return null;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, "base64url"),
    };
  } catch {
    return null;
  }
}

/**
 * The emulator's access tokens are JWTs signed with HS256 and a per-instance key. Entra signs with RS256 keys
 * from its JWKS; Graph clients never validate Graph tokens (they are opaque to clients), so the shape and the
 * claims are what matter here.
 */
export function signHs256(payload: Record<string, unknown>, key: Buffer): string {
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "HS256", kid: "cordon-emulator" }));
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac("sha256", key).update(`${header}.${body}`).digest();
  return `${header}.${body}.${base64url(signature)}`;
}

export function verifyHs256(jwt: DecodedJwt, key: Buffer): boolean {
  if (jwt.header.alg !== "HS256") return false;
  const expected = createHmac("sha256", key).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

/**
 * Verifies a client assertion's signature with a certificate's public key. MSAL signs with PS256 (x5t#S256 in the
 * header) and older clients with RS256 (x5t); both are accepted, as Entra does.
 */
export function verifyWithCertificate(jwt: DecodedJwt, pem: string): boolean {
  const key = new X509Certificate(pem).publicKey;
  const input = Buffer.from(jwt.signingInput);
  if (jwt.header.alg === "RS256") return verifySignature("sha256", input, key, jwt.signature);
  if (jwt.header.alg === "PS256")
    return verifySignature(
      "sha256",
      input,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      jwt.signature,
    );
  return false;
}
