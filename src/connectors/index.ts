import type { AnyActionDefinition } from "../core/action.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError } from "../core/errors.ts";
import { AtlassianConnection, atlassianConnectionFromEnv } from "./atlassian/config.ts";
import { atlassianActions, createAtlassianConnector } from "./atlassian/index.ts";
import { AWS_SECRET_FIELDS, AwsConnection, awsConnectionFromEnv, awsConnectorConfig } from "./aws/config.ts";
import { awsActions, createAwsIamConnector } from "./aws/index.ts";
import { EntraConnection, entraConnectionFromEnv } from "./entra/config.ts";
import { createEntraConnector, entraActions } from "./entra/index.ts";
import { GithubConnection, githubConnectionFromEnv } from "./github/config.ts";
import { createGithubConnector, githubActions } from "./github/index.ts";
import { GoogleConnection, googleConnectionFromEnv } from "./google/config.ts";
import { createGoogleConnector, googleActions } from "./google/index.ts";
import { OktaConnection, oktaConnectionFromEnv } from "./okta/config.ts";
import { createOktaConnector, oktaActions } from "./okta/index.ts";
import type { ConnectorDeps } from "./shared/deps.ts";
import { SlackConnection, slackConnectionFromEnv } from "./slack/config.ts";
import { createSlackConnector, slackActions } from "./slack/index.ts";
import { TeamsConnection, teamsConnectionFromEnv } from "./teams/config.ts";
import { createTeamsConnector, teamsActions } from "./teams/index.ts";
import { registerVendor, type VendorRegistration } from "./vendor.ts";

export type { ConnectorDeps } from "./shared/deps.ts";
export type { VendorRegistration } from "./vendor.ts";

/**
 * Every vendor cordon can contain in or notify through (Teams: notifications only). Adding one: its folder, its
 * emulator, and one entry here.
 */
export const VENDORS = [
  registerVendor({
    vendor: "okta",
    schema: OktaConnection,
    secretFields: ["token"],
    fromEnv: oktaConnectionFromEnv,
    create: (name, c, deps) =>
      createOktaConnector({ connection: name, orgUrl: c.orgUrl, token: c.token }, deps),
    actions: oktaActions,
  }),
  registerVendor({
    vendor: "slack",
    schema: SlackConnection,
    secretFields: ["token"],
    fromEnv: slackConnectionFromEnv,
    create: (name, c, deps) =>
      createSlackConnector({ connection: name, token: c.token, apiUrl: c.apiUrl, scimUrl: c.scimUrl }, deps),
    actions: slackActions,
  }),
  registerVendor({
    vendor: "atlassian",
    schema: AtlassianConnection,
    secretFields: ["apiKey"],
    fromEnv: atlassianConnectionFromEnv,
    create: (name, c, deps) =>
      createAtlassianConnector(
        { connection: name, orgId: c.orgId, apiKey: c.apiKey, apiUrl: c.apiUrl },
        deps,
      ),
    actions: atlassianActions,
  }),
  registerVendor({
    vendor: "google",
    schema: GoogleConnection,
    // The reference resolves to the service-account key's JSON text.
    secretFields: ["credentials"],
    fromEnv: googleConnectionFromEnv,
    create: (name, c, deps) =>
      createGoogleConnector(
        {
          connection: name,
          credentialsJson: c.credentials,
          adminSubject: c.adminSubject,
          directoryUrl: c.directoryUrl,
        },
        deps,
      ),
    actions: googleActions,
  }),
  registerVendor({
    vendor: "github",
    schema: GithubConnection,
    secretFields: ["token"],
    fromEnv: (env) => githubConnectionFromEnv(env) ?? undefined,
    create: (name, c, deps) =>
      createGithubConnector(
        { connection: name, org: c.org, token: c.token, apiUrl: c.apiUrl, logins: c.logins },
        deps,
      ),
    actions: githubActions,
  }),
  registerVendor({
    vendor: "entra",
    schema: EntraConnection,
    secretFields: ["clientSecret"],
    fromEnv: entraConnectionFromEnv,
    create: (name, c, deps) =>
      createEntraConnector(
        {
          connection: name,
          tenantId: c.tenantId,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
          certificatePath: c.certificatePath,
          authorityHost: c.authorityHost,
          graphUrl: c.graphUrl,
        },
        deps,
      ),
    actions: entraActions,
  }),
  registerVendor({
    vendor: "aws",
    schema: AwsConnection,
    secretFields: AWS_SECRET_FIELDS,
    fromEnv: awsConnectionFromEnv,
    create: (name, c, deps) => createAwsIamConnector(awsConnectorConfig(name, c), deps),
    actions: awsActions,
  }),
  registerVendor({
    vendor: "teams",
    schema: TeamsConnection,
    // The webhook URL is the credential (its signature lets anyone post to the channel).
    secretFields: ["webhookUrl"],
    fromEnv: teamsConnectionFromEnv,
    create: (name, c, deps) => createTeamsConnector({ connection: name, webhookUrl: c.webhookUrl }, deps),
    actions: teamsActions,
  }),
] as const;

/** Every action of every vendor: the registry the lint test and the docs walk. */
export const allActions: readonly AnyActionDefinition[] = VENDORS.flatMap((v) => v.actions);

/** A connection with its secrets already resolved; never logged. */
export type ResolvedConnection = { name: string; vendor: string } & Record<string, unknown>;

export function vendorOf(vendor: string): VendorRegistration {
  const registration = VENDORS.find((v) => v.vendor === vendor);
  if (!registration) throw new CordonError({ kind: "config" }, `unknown vendor ${vendor}`);
  return registration as unknown as VendorRegistration;
}

export function createConnector(connection: ResolvedConnection, deps: ConnectorDeps): Connector {
  const { name, ...config } = connection;
  return vendorOf(connection.vendor).create(name, config as { vendor: string }, deps);
}
