import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  port?: number;
  /** Always loopback unless the caller insists: emulators are test fixtures, not public services. */
  hostname?: string;
  /** PEM key and certificate to serve https (Graph and @azure/identity refuse plain http). */
  tls?: { key: string; cert: string };
}

/** Serves a fetch handler (a Hono app's `fetch`) on 127.0.0.1 and resolves once it is listening. */
export function serveFetch(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        port: options.port ?? 0,
        hostname,
        ...(options.tls ? { createServer: createHttpsServer, serverOptions: options.tls } : {}),
      },
      (info: AddressInfo) => {
        const scheme = options.tls ? "https" : "http";
        resolve({
          url: `${scheme}://${hostname}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => done());
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
