import { CordonError } from "../../core/errors.ts";
import {
  EMULATED_VENDORS,
  type EmulatedVendor,
  readSeedFile,
  startEmulators,
} from "../../emulators/index.ts";
import { TEST_CA_PATH } from "../../emulators/kit/tls.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";

/** Serves emulators on 127.0.0.1 until SIGTERM/SIGINT; prints `<vendor> <baseUrl>` per emulator. */
export async function emulateCommand(
  output: Output,
  vendors: string[],
  options: { seed?: string; port: number; timeScale: number },
): Promise<number> {
  const unknown = vendors.filter((v) => !(EMULATED_VENDORS as readonly string[]).includes(v));
  if (unknown.length > 0)
    throw new CordonError(
      { kind: "invalid_input", field: "vendor" },
      `no emulator for ${unknown.join(", ")}; available: ${EMULATED_VENDORS.join(", ")}`,
    );
  const chosen = (vendors.length ? vendors : [...EMULATED_VENDORS]) as EmulatedVendor[];
  const seed = options.seed ? readSeedFile(options.seed) : undefined;
  const running = await startEmulators(chosen, { seed, port: options.port, timeScale: options.timeScale });
  if (running.some((r) => r.server.url.startsWith("https:"))) {
    output.err(
      `https emulators use a loopback test certificate: trust it with NODE_EXTRA_CA_CERTS=${TEST_CA_PATH}`,
    );
  }
  for (const r of running)
    output.out(
      output.json
        ? JSON.stringify({ vendor: r.vendor, baseUrl: r.server.url })
        : `${r.vendor} ${r.server.url}`,
    );
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await Promise.all(running.map((r) => r.server.close()));
  return EXIT.ok;
}
