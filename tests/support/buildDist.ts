// Pulumi's provider host loads this package's compiled JavaScript (dist/, through package.json `exports`),
// so the tests that drive it need an up-to-date build. A mocha global fixture (.mocharc.json) runs the
// build before any test, and only when a source is newer than the last build: a no-op costs milliseconds.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");

const sources = [
  "provider",
  "sdk",
  "simulator",
  "cli",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
];
const stamp = path.join(repoRoot, "node_modules", ".cache", "pulumi-openstack-storage", "build-stamp");

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

export function ensureDistBuilt(): void {
  const entryPoints = ["dist/sdk/index.js", "dist/provider/resources/index.js"];
  const built = entryPoints.every((file) => fs.existsSync(path.join(repoRoot, file)))
    ? (fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0)
    : 0;
  if (sources.every((entry) => newestMtime(path.join(repoRoot, entry)) < built)) return;
  const started = new Date();
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`building dist/ for the tests failed:\n${result.stdout}${result.stderr}`);
  }
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, "");
  // Stamp with the start time, so an edit made during the build triggers the next one.
  fs.utimesSync(stamp, started, started);
}

export function mochaGlobalSetup(): void {
  ensureDistBuilt();
}

// Mocha loads this file (.mocharc.json "require") before the spec files, and some spec files require dist/
// while they load, before any global fixture runs: so build here, at load time, too.
ensureDistBuilt();
