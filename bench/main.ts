// `npm run bench [-- --quick] [-- --only waits,peer,drift,rps]`: every figure of bench/README.md, printed as
// tables and written to bench/results.json (git-ignored). Never part of npm test: it takes minutes and its
// figures depend on the machine. Targets are checked and reported here, never asserted in tests.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Table from "cli-table3";
import { DriftResult, runDriftAtScale } from "./drift";
import { PeerResult, runPeerComparison, summarisePeer } from "./peer";
import { measureSimulatorRps, RpsRow } from "./simulator-rps";
import { runWaits, summarise, WaitsResult } from "./waits";

const SECTIONS = ["waits", "peer", "drift", "rps"] as const;
type Section = (typeof SECTIONS)[number];

export const TARGETS = {
  overshoot: "≤ max(150 ms, 15 % of the wait's transition)",
  volumeAttachmentCreateRequestsAt2s: 15,
  driftRequestsPerResource: 1.1,
  driftPeakRssMb: 150,
};

/** cli-table3 without colours: the tables are read in logs and pasted into the README. */
const plainTable = (head: string[]) => new Table({ head, style: { head: [], border: [] } });
const ms = (value: number) => `${Math.round(value)} ms`;
const s = (value: number) => `${(value / 1000).toFixed(2)} s`;
const ok = (met: boolean) => (met ? "met" : "MISSED");

function parseArgs(argv: string[]) {
  const quick = argv.includes("--quick");
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? "").split(",") : [...SECTIONS];
  for (const name of only) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`--only: unknown section "${name}" (sections: ${SECTIONS.join(", ")})`);
  }
  return { quick, only: new Set(only as Section[]) };
}

function printWaits(result: WaitsResult): void {
  const table = plainTable([
    "resource",
    "op",
    "per transition",
    "wait",
    "transition",
    "overshoot median / max",
    "target",
    "",
    "wall / Σ transitions",
    "requests",
  ]);
  for (const op of result.operations) {
    const sum = summarise(op);
    sum.waits.forEach((w, i) =>
      table.push([
        i === 0 ? op.resource : "",
        i === 0 ? op.operation : "",
        i === 0 ? ms(op.transitionMs) : "",
        w.name,
        ms(w.transitionMs),
        `${ms(w.overshootMedianMs)} / ${ms(w.overshootMaxMs)}`,
        ms(w.targetMs),
        ok(w.met),
        i === 0
          ? `${s(sum.wallMedianMs)} / ${s(sum.transitionsMedianMs)} = ${sum.wallOverTransitions.toFixed(2)}`
          : "",
        i === 0 ? `${sum.requestsMedian} (max ${sum.requestsMax})` : "",
      ]),
    );
  }
  console.log(
    "\n1-2. Waits: overshoot per wait, wall time over transitions, requests per operation (the token request aside)",
  );
  console.log(table.toString());
  const vaCreate2s = result.operations.find(
    (o) => o.resource === "VolumeAttachment" && o.operation === "create" && o.transitionMs === 2000,
  );
  if (vaCreate2s) {
    const requests = summarise(vaCreate2s).requestsMedian;
    console.log(
      `VolumeAttachment create at 2 s transitions: ${requests} requests (target ≤ ${TARGETS.volumeAttachmentCreateRequestsAt2s}: ${ok(requests <= TARGETS.volumeAttachmentCreateRequestsAt2s)})`,
    );
  }
  for (const kind of result.skipped) console.log(`${kind}: not measured (no provider on this branch)`);
}

function printPeer(result: PeerResult): void {
  console.log(
    `\n3. Side by side with openstacksdk ${result.sdkVersion ?? ""} (wait_for_status, interval ${result.intervalSeconds} s, its default); compute API capped at ${result.computeMax} for both`,
  );
  if (result.skipped) return void console.log(`not run: ${result.skipped}`);
  const table = plainTable([
    "per transition",
    "op",
    "ours: wall",
    "peer: wall",
    "wall ours/peer",
    "ours: requests",
    "peer: requests",
    "requests ours/peer",
    "overshoot ours / peer",
  ]);
  for (const row of result.rows) {
    const p = summarisePeer(row);
    table.push([
      ms(row.transitionMs),
      row.operation,
      s(p.ours.wallMs),
      s(p.peer.wallMs),
      p.wallRatio.toFixed(2),
      p.ours.requests,
      p.peer.requests,
      p.requestRatio.toFixed(2),
      `${ms(p.ours.overshootMs)} / ${ms(p.peer.overshootMs)}`,
    ]);
  }
  console.log(table.toString());
}

function printDrift(result: DriftResult): void {
  console.log("\n4. Refresh at scale: the drift command over the attachments of a stack export");
  if (result.skipped) return void console.log(`not run: ${result.skipped}`);
  const total = Object.values(result.resources).reduce((a, b) => a + b, 0);
  const table = plainTable([
    "resources",
    "wall",
    "requests / resource",
    "",
    "peak RSS",
    "",
    "exit",
    "in sync",
  ]);
  table.push([
    `${total} (${Object.entries(result.resources)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")})`,
    `${result.wallSeconds.toFixed(1)} s`,
    `${result.requestsPerResource.toFixed(2)} (${result.requests})`,
    ok(result.requestsPerResource <= TARGETS.driftRequestsPerResource),
    `${result.peakRssMb.toFixed(0)} MB`,
    ok(result.peakRssMb <= TARGETS.driftPeakRssMb),
    result.exitCode,
    result.inSync ?? "?",
  ]);
  console.log(table.toString());
}

function printRps(rows: RpsRow[]): void {
  console.log("\n5. Simulator throughput (wrk, 8 connections), for reference");
  const table = plainTable(["call", "microversion", "req/s", "p99"]);
  for (const r of rows) table.push([r.call, r.microversion, r.requestsPerSecond.toFixed(0), r.p99]);
  console.log(table.toString());
}

async function main() {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const transitionsMs = quick ? [500] : [500, 2000];
  const iterations = quick ? 2 : 3;
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadAverageAtStart: os.loadavg()[0], node: process.version },
    targets: TARGETS,
    quick,
  };
  const note = (line: string) => console.error(line);
  if (only.has("waits")) {
    note("waits...");
    const waits = await runWaits({ transitionsMs, iterations });
    printWaits(waits);
    results.waits = {
      skipped: waits.skipped,
      operations: waits.operations.map((op) => ({ ...op, summary: summarise(op) })),
    };
  }
  if (only.has("peer")) {
    note("peer...");
    const peer = await runPeerComparison({ transitionsMs, iterations });
    printPeer(peer);
    results.peer = { ...peer, rows: peer.rows.map((row) => ({ ...row, summary: summarisePeer(row) })) };
  }
  if (only.has("drift")) {
    const drift = await runDriftAtScale({
      volumeAttachments: quick ? 40 : 400,
      blockStorageAttachments: quick ? 30 : 300,
      shareAttachments: quick ? 30 : 300,
      progress: note,
    });
    printDrift(drift);
    results.drift = drift;
  }
  if (only.has("rps")) {
    note("simulator throughput...");
    const rows = await measureSimulatorRps(quick ? 2 : 5);
    printRps(rows);
    results.simulatorThroughput = rows;
  }
  (results.machine as Record<string, unknown>).loadAverageAtEnd = os.loadavg()[0];
  const file = path.join(__dirname, "results.json");
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(
    `\nload average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs; figures in ${path.relative(process.cwd(), file)}`,
  );
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exit(1);
});
