import type { CordonErrorKind } from "../core/errors.ts";

/** Exit codes scripts can branch on (documented in README "Exit codes"). */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  refusedByPolicy: 4,
  partial: 5,
  failed: 6,
  config: 7,
  vendorAuth: 8,
  aborted: 9,
  ledgerBroken: 10,
} as const;

export function exitCodeFor(kind: CordonErrorKind): number {
  switch (kind) {
    case "invalid_input":
      return EXIT.usage;
    case "not_found":
      return EXIT.notFound;
    case "policy":
      return EXIT.refusedByPolicy;
    case "config":
      return EXIT.config;
    case "auth":
    case "forbidden":
      return EXIT.vendorAuth;
    case "internal":
      return EXIT.internal;
    default:
      return EXIT.failed;
  }
}
