import { readFileSync } from "node:fs";
import { getCACertificates, setDefaultCACertificates } from "node:tls";

const here = new URL("./tls/", import.meta.url);

/**
 * The emulators' loopback test certificate (see tls/README.md): serve https with `serveFetch(fetch, { tls })`,
 * and trust `TEST_CA_PATH` in the client (NODE_EXTRA_CA_CERTS, or an https Agent's `ca`).
 */
export const TEST_CA_PATH = new URL("ca.pem", here).pathname;

export function testTls(): { key: string; cert: string } {
  return {
    key: readFileSync(new URL("server.key", here), "utf8"),
    cert: readFileSync(new URL("server.pem", here), "utf8"),
  };
}

/**
 * Adds the test CA to this process's trusted roots (Node ≥ 24.5), so a rehearsal in one process (`cordon demo`)
 * can reach https emulators without NODE_EXTRA_CA_CERTS. Process-wide by nature: only the CLI's rehearsal
 * commands call it, never the library.
 */
export function trustTestCa(): void {
  const ca = readFileSync(TEST_CA_PATH, "utf8");
  const current = getCACertificates("default");
  if (!current.includes(ca)) setDefaultCACertificates([...current, ca]);
}
