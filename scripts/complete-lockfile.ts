/**
 * The npm registry reachable on cordon's build machines lacks Biome's native binaries for other platforms, so
 * `npm install` writes a lockfile without their entries, and `npm ci` then refuses it ("Missing … from lock file").
 * This adds the entries the public registry would have written: version and platform only. npm skips them on
 * any machine whose platform does not match, so nothing is ever fetched for them here.
 * Run after changing dependencies: `node scripts/complete-lockfile.ts` (docs/decisions/0007-lockfile.md).
 */
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8")) as { packages: Record<string, Record<string, unknown>> };

const PLATFORMS: Record<string, { os: string[]; cpu: string[]; libc?: string[] }> = {
  "android-arm64": { os: ["android"], cpu: ["arm64"] },
  "android-x64": { os: ["android"], cpu: ["x64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "linux-arm64": { os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
  "linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "linux-x64": { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  "linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "win32-arm64": { os: ["win32"], cpu: ["arm64"] },
  "win32-x64": { os: ["win32"], cpu: ["x64"] },
};

let added = 0;
for (const entry of Object.values(lock.packages)) {
  const optional = (entry.optionalDependencies ?? {}) as Record<string, string>;
  for (const [name, version] of Object.entries(optional)) {
    const target = `node_modules/${name}`;
    const platform = name.match(/^@biomejs\/cli-(.+)$/)?.[1];
    if (lock.packages[target] || !platform || !PLATFORMS[platform]) continue;
    lock.packages[target] = {
      version,
      dev: entry.dev,
      license: "MIT OR Apache-2.0",
      optional: true,
      ...PLATFORMS[platform],
    };
    added += 1;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries`);
