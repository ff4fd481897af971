import { readFileSync } from "node:fs";

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
