/** Shared by the benchmarks: emulators in their own processes, fault control, and the rate-limit floor. */
import { type ChildProcess, spawn } from "node:child_process";
import type { EmulatedVendor } from "../src/emulators/index.ts";
import type { AttemptEvent } from "../src/http/client.ts";

const BIN = new URL("../bin/cordon.js", import.meta.url).pathname;

/**
 * Each emulator runs in its own process (`cordon emulate`), as a vendor runs on its own servers: the emulators'
 * work must not compete with cordon's for this process's one JavaScript thread.
 */
export async function spawnEmulator(
  vendor: EmulatedVendor,
  seedPath: string,
  scale: number,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [BIN, "emulate", vendor, "--seed", seedPath, "--time-scale", String(scale), "--port", "0"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith(`${vendor} `));
      if (line) resolve(line.slice(vendor.length + 1).trim());
    });
    child.once("exit", (code) => reject(new Error(`emulator ${vendor} exited with ${code}`)));
  });
  return { url, child };
}

export async function control(url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/__cordon/faults`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: fault control answered ${response.status}`);
  return response.json();
}

/**
 * The least time the documented limits allow for the calls a run needed: the busiest bucket of any app decides.
 * The vendors' windows are fixed, so n calls at L per window need (⌈n/L⌉ − 1) whole windows at the very least.
 */
export function floorMs(
  attempts: AttemptEvent[],
  scale: number,
): { ms: number; bucket: string; calls: number } {
  const calls = new Map<string, { count: number; limit: AttemptEvent["limit"] }>();
  for (const a of attempts) {
    if (a.status === null || a.status >= 400) continue;
    const key = `${a.vendor}:${a.bucket}`;
    calls.set(key, { count: (calls.get(key)?.count ?? 0) + 1, limit: a.limit });
  }
  let worst = { ms: 0, bucket: "-", calls: 0 };
  for (const [key, { count, limit }] of calls) {
    const ms = (Math.ceil(count / limit.limit) - 1) * (limit.windowMs / scale);
    if (ms > worst.ms) worst = { ms, bucket: key, calls: count };
  }
  return worst;
}
