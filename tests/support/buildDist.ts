// Pulumi's provider host loads this package's compiled JavaScript (dist/, through package.json `exports`),
// so the tests that drive it need an up-to-date build. Loading this file (.mocharc.json requires it, and
// the test helpers import it) runs the build, only when a source is newer than the last build: a no-op
// costs milliseconds.
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
// tsc rewrites every output on each build, so the oldest of these tells when dist/ was last built.
const entryPoints = ["dist/sdk/index.js", "dist/provider/resources/index.js"];

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

export function ensureDistBuilt(): void {
  const built = Math.min(
    ...entryPoints.map(
      (file) => fs.statSync(path.join(repoRoot, file), { throwIfNoEntry: false })?.mtimeMs ?? 0,
    ),
  );
  if (sources.every((entry) => newestMtime(path.join(repoRoot, entry)) < built)) return;
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`building dist/ for the tests failed:\n${result.stdout}${result.stderr}`);
  }
}

// Mocha loads this file (.mocharc.json "require") before the spec files, and some spec files require dist/
// while they load, before any global fixture would run: so build here, at load time.
ensureDistBuilt();
