import { isKind } from "../../core/errors.ts";
import type { OktaClient, OktaUser } from "./client.ts";

/** The fields of Okta's `AppUser` cordon reads (spec `AppUser`); `credentials` is never read nor kept. */
export interface OktaAppUser {
  id: string;
  scope?: "USER" | "GROUP";
  status?: string;
  profile?: Record<string, unknown>;
  _embedded?: { user?: OktaUser };
}

/** `GET /api/v1/apps/{appId}/users/{userId}` (spec `getApplicationUser`, okta.apps.read); null when not assigned. */
export async function getAppUser(
  client: OktaClient,
  appId: string,
  userId: string,
  signal?: AbortSignal,
): Promise<OktaAppUser | null> {
  try {
    const response = await client.call(
      {
        method: "GET",
        path: ["/api/v1/apps/", { id: appId }, "/users/", { id: userId }],
        bucket: "other",
        idempotent: true,
        operation: "/api/v1/apps/{appId}/users/{userId}",
      },
      signal,
    );
    return response.body as OktaAppUser;
  } catch (error) {
    if (isKind(error, "not_found")) return null;
    throw error;
  }
}

/**
 * Every assignment of the app (spec `listApplicationUsers`, okta.apps.read), 500 a page (spec `queryAppLimit`
 * maximum), with `expand=user` so each carries its Okta `User` in `_embedded.user` (spec `queryAppUserExpand`).
 */
export function listAppUsers(
  client: OktaClient,
  appId: string,
  signal?: AbortSignal,
): AsyncGenerator<OktaAppUser> {
  return client.paginate<OktaAppUser>(
    {
      method: "GET",
      path: ["/api/v1/apps/", { id: appId }, "/users"],
      query: { limit: 500, expand: "user" },
      bucket: "other",
      idempotent: true,
      operation: "/api/v1/apps/{appId}/users",
    },
    signal,
  );
}

export const APP_USERS_DOC =
  "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationUsers/";
