import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import type { Clock } from "../core/clock.ts";
import { CordonError } from "../core/errors.ts";
import { AtlassianSeed, createAtlassianEmulator } from "./atlassian/index.ts";
import { AwsIamSeed, createAwsIamEmulator } from "./aws/index.ts";
import { createEntraEmulator, EntraSeed } from "./entra/index.ts";
import { createGithubEmulator, GithubSeed } from "./github/index.ts";
import { createGoogleEmulator, GoogleSeed } from "./google/index.ts";
import type { Emulator, EmulatorBaseOptions } from "./kit/emulator.ts";
import { type RunningServer, serveFetch } from "./kit/serve.ts";
import { testTls } from "./kit/tls.ts";
import { createOktaEmulator, OktaSeed } from "./okta/index.ts";
import { createSlackEmulator, SlackSeed } from "./slack/index.ts";
import { createTeamsEmulator, TeamsSeed } from "./teams/index.ts";

type Options = EmulatorBaseOptions & { clock?: Clock };

/**
 * Every emulator: its seed section and factory. `tls`: served over https with the loopback test certificate,
 * for vendors whose SDKs refuse plain http.
 */
const EMULATORS = {
  okta: {
    seed: OktaSeed,
    create: (o: Options, seed?: OktaSeed) => createOktaEmulator({ ...o, seed }),
    tls: false,
  },
  slack: {
    seed: SlackSeed,
    create: (o: Options, seed?: SlackSeed) => createSlackEmulator({ ...o, seed }),
    tls: false,
  },
  google: {
    seed: GoogleSeed,
    create: (o: Options, seed?: GoogleSeed) => createGoogleEmulator({ ...o, seed }),
    tls: false,
  },
  atlassian: {
    seed: AtlassianSeed,
    create: (o: Options, seed?: AtlassianSeed) => createAtlassianEmulator({ ...o, seed }),
    tls: false,
  },
  github: {
    seed: GithubSeed,
    create: (o: Options, seed?: GithubSeed) => createGithubEmulator({ ...o, seed }),
    tls: false,
  },
  // @azure/identity and the Graph client refuse plain http.
  entra: {
    seed: EntraSeed,
    create: (o: Options, seed?: EntraSeed) => createEntraEmulator({ ...o, seed }),
    tls: true,
  },
  aws: {
    seed: AwsIamSeed,
    create: (o: Options, seed?: AwsIamSeed) => createAwsIamEmulator({ ...o, seed }),
    tls: false,
  },
  teams: {
    seed: TeamsSeed,
    create: (o: Options, seed?: TeamsSeed) => createTeamsEmulator({ ...o, seed }),
    tls: false,
  },
} as const;

export type EmulatedVendor = keyof typeof EMULATORS;
export const EMULATED_VENDORS = Object.keys(EMULATORS) as EmulatedVendor[];

/** A seed file: one section per vendor, each in that emulator's own seed format. */
export const SeedFile = z
  .object({
    okta: OktaSeed.optional(),
    slack: SlackSeed.optional(),
    google: GoogleSeed.optional(),
    atlassian: AtlassianSeed.optional(),
    github: GithubSeed.optional(),
    entra: EntraSeed.optional(),
    aws: AwsIamSeed.optional(),
    teams: TeamsSeed.optional(),
  })
  .strict();
export type SeedFile = z.infer<typeof SeedFile>;
/** A seed as written (defaults not yet applied). */
export type SeedFileInput = z.input<typeof SeedFile>;

export function readSeedFile(path: string): SeedFile {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CordonError(
      { kind: "invalid_input", field: "seed" },
      `cannot read seed file ${path}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const parsed = SeedFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CordonError(
      { kind: "invalid_input", field: "seed" },
      `${path}: ${issue?.path.join(".") || "(top level)"}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

export interface EmulatorSetOptions {
  seed?: SeedFile;
  timeScale?: number;
  clock?: Clock;
  faultSeed?: number;
}

export function createEmulator(vendor: EmulatedVendor, options: EmulatorSetOptions): Emulator {
  const common = { timeScale: options.timeScale, clock: options.clock, faultSeed: options.faultSeed };
  const entry = EMULATORS[vendor] as { create: (o: Options, seed?: unknown) => Emulator };
  return entry.create(common, options.seed?.[vendor]);
}

export interface RunningEmulator {
  vendor: EmulatedVendor;
  emulator: Emulator;
  server: RunningServer;
}

/** Starts the named emulators on 127.0.0.1: at `port`, `port+1`… or on free ports when `port` is 0. */
export async function startEmulators(
  vendors: readonly EmulatedVendor[],
  options: EmulatorSetOptions & { port?: number },
): Promise<RunningEmulator[]> {
  const running: RunningEmulator[] = [];
  try {
    for (const [index, vendor] of vendors.entries()) {
      const emulator = createEmulator(vendor, options);
      const port = options.port ? options.port + index : 0;
      const tls = EMULATORS[vendor].tls ? testTls() : undefined;
      running.push({ vendor, emulator, server: await serveFetch(emulator.app.fetch, { port, tls }) });
    }
  } catch (error) {
    await Promise.all(running.map((r) => r.server.close()));
    throw error;
  }
  return running;
}
