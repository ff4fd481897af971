/**
 * Built-in playbook templates: YAML files beside this module, shipped as they are so `cordon playbook
 * show-template <name>` prints exactly what a user copies (comments included).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CordonError } from "../../core/errors.ts";
import { loadPlaybookText } from "../load.ts";
import type { Playbook } from "../schema.ts";

export interface BuiltInTemplate {
  name: string;
  /** Absolute path of the YAML file. */
  file: string;
  description: string;
}

function entry(name: string, description: string): BuiltInTemplate {
  return { name, file: fileURLToPath(new URL(`./${name}.yaml`, import.meta.url)), description };
}

/** Every built-in template; each file's `description` says the same (a test checks). */
export const BUILT_IN_TEMPLATES: readonly BuiltInTemplate[] = Object.freeze([
  entry(
    "suspicious-activity-reported",
    "A user reported suspicious activity from an Okta email: end their sessions, reset their password, log it " +
      "and tell the security channel.",
  ),
  entry(
    "session-token-stolen",
    "A session is used from a new network or device mid-session (roaming / context change): end the user's " +
      "sessions and tokens everywhere and tell the security channel.",
  ),
  entry(
    "api-token-suspicious",
    "A SIEM flags an Okta API token as misused: revoke it and tell the security (or manager's) channel.",
  ),
  entry(
    "account-compromised",
    "An account is known to be taken over: lock it in every connected app and tell Slack and Teams.",
  ),
  entry(
    "mfa-push-fatigue",
    "A user denied an Okta Verify push: end their Okta sessions, reset their factors and tell the security channel.",
  ),
]);

export interface LoadedTemplate extends BuiltInTemplate {
  /** The YAML as shipped, comments included. */
  text: string;
  playbook: Playbook;
}

/** Reads and loads one built-in template; an unknown name is `invalid_input`, a broken template `internal`. */
export function loadBuiltInTemplate(name: string): LoadedTemplate {
  const template = BUILT_IN_TEMPLATES.find((t) => t.name === name);
  if (!template) {
    throw new CordonError(
      { kind: "invalid_input", field: "template" },
      `no built-in template "${name}" (there are ${BUILT_IN_TEMPLATES.map((t) => t.name).join(", ")})`,
    );
  }
  const text = readFileSync(template.file, "utf8");
  const loaded = loadPlaybookText(text, template.file);
  if (!loaded.ok) {
    // Shipped templates are tested; reaching this means the package is damaged or was edited in place.
    const first = loaded.errors[0];
    throw new CordonError(
      { kind: "internal" },
      `built-in template ${name} does not load: ${first ? `${first.line}:${first.column}: ${first.message}` : "?"}`,
    );
  }
  return { ...template, text, playbook: loaded.playbook };
}
