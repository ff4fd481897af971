const AUTH = "https://www.googleapis.com/auth/";

export const SCOPE = {
  user: `${AUTH}admin.directory.user`,
  userReadonly: `${AUTH}admin.directory.user.readonly`,
  userSecurity: `${AUTH}admin.directory.user.security`,
  cloudPlatform: `${AUTH}cloud-platform`,
} as const;

/**
 * The scopes each emulated method accepts, any one of them sufficing: the `scopes` of each method in
 * ../shared/specs/google-workspace/admin.directory_v1.json (revision 20240709).
 */
export const METHOD_SCOPES = {
  "directory.users.get": [SCOPE.user, SCOPE.userReadonly],
  "directory.users.list": [SCOPE.user, SCOPE.userReadonly, SCOPE.cloudPlatform],
  "directory.users.update": [SCOPE.user],
  "directory.users.patch": [SCOPE.user],
  "directory.users.signOut": [SCOPE.userSecurity],
  "directory.tokens.list": [SCOPE.userSecurity],
  "directory.tokens.get": [SCOPE.userSecurity],
  "directory.tokens.delete": [SCOPE.userSecurity],
  "directory.asps.list": [SCOPE.userSecurity],
  "directory.asps.get": [SCOPE.userSecurity],
  "directory.asps.delete": [SCOPE.userSecurity],
} as const satisfies Record<string, readonly string[]>;

export type DirectoryMethod = keyof typeof METHOD_SCOPES;

/** What a seeded service account is delegated when its seed names no scopes: the user scopes cordon uses. */
export const DEFAULT_DELEGATED_SCOPES: readonly string[] = [
  SCOPE.user,
  SCOPE.userSecurity,
  SCOPE.userReadonly,
];
