import {
  AzureAuthorityHosts,
  ClientCertificateCredential,
  ClientSecretCredential,
  type TokenCredential,
} from "@azure/identity";
import type { Clock } from "../../core/clock.ts";
import { CordonError } from "../../core/errors.ts";
import { ENTRA_DEFAULT_AUTHORITY_HOST } from "./config.ts";

/** The `.default` scope of Microsoft Graph: the app's admin-consented application permissions. */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** Microsoft's own login hosts: instance discovery applies to them; to anything else it is disabled. */
const MICROSOFT_HOSTS = new Set(
  [
    ...Object.values(AzureAuthorityHosts),
    "https://login.microsoft.com",
    "https://login.windows.net",
    "https://login.partner.microsoftonline.cn",
  ].map((h) => new URL(h).host),
);

export function isMicrosoftAuthority(authorityHost: string): boolean {
  return MICROSOFT_HOSTS.has(new URL(authorityHost).host);
}

export interface CredentialConfig {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificatePath?: string;
  authorityHost?: string;
}

/** Access tokens for Graph, obtained through @azure/identity and cached until shortly before they expire. */
export interface TokenSource {
  /** A valid bearer token (cached, refreshed ahead of expiry). */
  token(signal?: AbortSignal): Promise<string>;
  /** Forget the cached token (after Graph refused it). */
  invalidate(): void;
}

/** Refresh this long before expiry when Entra gives no `refresh_in` hint. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * @azure/identity does the hard parts (MSAL, client assertions signed with the certificate, OIDC discovery), over its
 * own https transport: cordon's HttpClient only carries Graph calls. Instance discovery (a call to
 * login.microsoftonline.com) is disabled when the authority is not Microsoft's, so an emulator or a private
 * authority works offline. The authority is always passed explicitly, so AZURE_AUTHORITY_HOST in the process
 * environment cannot silently change a configured connection.
 */
export function createTokenSource(config: CredentialConfig, clock: Clock): TokenSource {
  const authorityHost = config.authorityHost ?? ENTRA_DEFAULT_AUTHORITY_HOST;
  const options = {
    authorityHost,
    disableInstanceDiscovery: !isMicrosoftAuthority(authorityHost),
  };
  let credential: TokenCredential | undefined;
  const credentialOf = (): TokenCredential => {
    if (credential) return credential;
    if (config.clientSecret !== undefined && config.certificatePath !== undefined)
      throw new CordonError({ kind: "config" }, "entra: give a client secret or a certificate, not both");
    if (config.clientSecret !== undefined)
      credential = new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, options);
    else if (config.certificatePath !== undefined)
      credential = new ClientCertificateCredential(
        config.tenantId,
        config.clientId,
        { certificatePath: config.certificatePath },
        options,
      );
    else
      throw new CordonError(
        { kind: "config" },
        "entra: no credential (a client secret or a certificate path)",
      );
    return credential;
  };

  let cached: { token: string; refreshAt: number; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function acquire(signal?: AbortSignal): Promise<string> {
    try {
      const token = await credentialOf().getToken(GRAPH_SCOPE, { abortSignal: signal });
      if (!token) throw new CordonError({ kind: "auth", vendor: "entra" }, "entra token: no token returned");
      cached = {
        token: token.token,
        expiresAt: token.expiresOnTimestamp,
        refreshAt: token.refreshAfterTimestamp ?? token.expiresOnTimestamp - REFRESH_MARGIN_MS,
      };
      return token.token;
    } catch (error) {
      // A token that is still valid beats a failed refresh.
      if (cached && clock.now() < cached.expiresAt - 30_000) return cached.token;
      throw tokenError(error, authorityHost);
    }
  }

  return {
    token(signal) {
      if (cached && clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
      inflight ??= acquire(signal).finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

interface MsalServerError {
  name?: string;
  errorCode?: string;
  errorNo?: string | number;
  status?: number;
}

/**
 * Maps @azure/identity failures to cordon's kinds without echoing the SDK's text (it can quote request details):
 * the token endpoint's refusal (MSAL `ServerError`, e.g. invalid_client AADSTS7000215 for a wrong secret) is `auth`
 * with the AADSTS code; a throttled or failing endpoint is `transient`; an unreachable authority or an unknown
 * tenant (both surface as CredentialUnavailableError, indistinguishable) is `transient` with both causes named.
 */
export function tokenError(error: unknown, authorityHost: string): CordonError {
  if (error instanceof CordonError) return error;
  const e = error as { name?: string; cause?: MsalServerError; message?: string };
  const server = e.cause?.name === "ServerError" ? e.cause : undefined;
  if (server) {
    const code = server.errorNo ? `AADSTS${server.errorNo}` : server.errorCode;
    const status = server.status ?? 400;
    if (status === 429 || status >= 500)
      return new CordonError(
        { kind: "transient", vendor: "entra", status, vendorCode: code },
        `entra token: the token endpoint failed with ${status} (${code})`,
        { cause: error },
      );
    return new CordonError(
      { kind: "auth", vendor: "entra", vendorCode: code },
      `entra token: the app's credential was refused (${server.errorCode ?? "error"} ${code ?? ""})`.trim(),
      { cause: error },
    );
  }
  if (e.name === "AbortError")
    return new CordonError({ kind: "transient", vendor: "entra" }, "entra token: aborted");
  return new CordonError(
    { kind: "transient", vendor: "entra" },
    `entra token: no token from ${new URL(authorityHost).host} (authority unreachable, or the tenant id is unknown there)`,
    { cause: error },
  );
}

/** The claims of a Graph access token (unverified decode, for `check()` only: Graph validates tokens, not cordon). */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
