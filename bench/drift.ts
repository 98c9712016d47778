// Item 4 of the benchmark: refresh at scale. 1,000 attachments are made through our providers (400
// VolumeAttachment on 16 servers, 300 BlockStorageAttachment, 300 ServerShareAttachment on 12 stopped
// servers), written to a stack export as the engine records them, and the drift command (the built
// dist/cli/main.js, its own process, under /usr/bin/time -v) reads them all back: wall time, requests per
// resource (the token request aside), and the drift process's peak RSS.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import pLimit from "p-limit";
import { promisify } from "util";
import { repoRoot } from "../tests/support/buildDist";
import { sdkProviderTexts } from "../tests/support/serializedProvider";
import { StateOf, stackExportOf } from "../tests/support/stackExport";
import { isTokenRequest, preciseNow } from "./support/operationWindow";
import { create, hasProvider, useSimulator } from "./support/ourProvider";
import { SimulatorProcess } from "./support/simulatorProcess";

const CLI = path.join(repoRoot, "dist", "cli", "main.js");
const VOLUMES_PER_SERVER = 25; // vdb..vdz: libvirt's 26 disks with the image's root disk

export interface DriftResult {
  resources: Record<string, number>;
  wallSeconds: number;
  requests: number;
  requestsPerResource: number;
  /** Requests by route, to see which kind costs what. */
  byRoute: Record<string, number>;
  peakRssMb: number;
  exitCode: number;
  inSync?: number;
  concurrency: number;
  skipped?: string;
}

export async function runDriftAtScale(options: {
  volumeAttachments: number;
  blockStorageAttachments: number;
  shareAttachments: number;
  progress?: (line: string) => void;
}): Promise<DriftResult> {
  const result: DriftResult = {
    resources: {},
    wallSeconds: 0,
    requests: 0,
    requestsPerResource: 0,
    byRoute: {},
    peakRssMb: 0,
    exitCode: -1,
    concurrency: 16,
  };
  const missing = ["VolumeAttachment", "BlockStorageAttachment", "ServerShareAttachment"].filter(
    (kind) => !hasProvider(kind),
  );
  if (!fs.existsSync(CLI)) return { ...result, skipped: "the drift command is not on this branch" };
  if (missing.length) return { ...result, skipped: `${missing.join(", ")} not on this branch` };

  const sim = await SimulatorProcess.start({ transitions: { default: 1 } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-drift-"));
  try {
    useSimulator(sim);
    const texts = await sdkProviderTexts();
    const limit = pLimit(16);
    const states: StateOf[] = [];
    const record = async (kind: string, name: string, inputs: Record<string, unknown>) => {
      const { id, outs } = await create(kind, inputs);
      const withProvider = { ...inputs, __provider: texts[kind] };
      states.push({
        kind,
        name,
        id,
        inputs: withProvider,
        outputs: { ...outs, __provider: texts[kind] },
        additionalSecretOutputs: kind === "BlockStorageAttachment" ? ["connectionInfo"] : undefined,
      });
    };

    options.progress?.("drift: creating the objects");
    const volumeServers = await Promise.all(
      Array.from({ length: Math.ceil(options.volumeAttachments / VOLUMES_PER_SERVER) }, (_, i) =>
        limit(() => sim.createServer(`drift-volumes-${i}`)),
      ),
    );
    const shareServers = await Promise.all(
      Array.from({ length: Math.ceil(options.shareAttachments / 25) }, (_, i) =>
        limit(() => sim.createServer(`drift-shares-${i}`, { stopped: true })),
      ),
    );
    const volumes = await Promise.all(
      Array.from({ length: options.volumeAttachments + options.blockStorageAttachments }, (_, i) =>
        limit(() => sim.createVolume(`drift-${i}`)),
      ),
    );
    const shares = await Promise.all(
      Array.from({ length: options.shareAttachments }, (_, i) => limit(() => sim.createShare(`drift-${i}`))),
    );
    options.progress?.("drift: attaching them through our providers");
    await Promise.all([
      ...volumes.slice(0, options.volumeAttachments).map((volumeId, i) =>
        limit(() =>
          record("VolumeAttachment", `va-${i}`, {
            serverId: volumeServers[Math.floor(i / VOLUMES_PER_SERVER)],
            volumeId,
          }),
        ),
      ),
      ...volumes
        .slice(options.volumeAttachments)
        .map((volumeId, i) => limit(() => record("BlockStorageAttachment", `bsa-${i}`, { volumeId }))),
      ...shares.map((shareId, i) =>
        limit(() =>
          record("ServerShareAttachment", `ssa-${i}`, {
            serverId: shareServers[Math.floor(i / 25)],
            shareId,
          }),
        ),
      ),
    ]);
    for (const s of states) result.resources[s.kind] = (result.resources[s.kind] ?? 0) + 1;

    const file = path.join(dir, "stack.json");
    fs.writeFileSync(file, JSON.stringify(stackExportOf(states)));
    options.progress?.(`drift: reading ${states.length} resources back`);
    const env = { ...process.env, ...sim.env("admin") };
    const start = preciseNow();
    const run = await promisify(execFile)(
      "/usr/bin/time",
      ["-v", process.execPath, CLI, "drift", file, "--json", "--concurrency", String(result.concurrency)],
      { env, maxBuffer: 64 << 20 },
    ).then(
      (r) => ({ ...r, code: 0 }),
      (e) => ({ stdout: e.stdout as string, stderr: e.stderr as string, code: e.code as number }),
    );
    const end = preciseNow();
    result.exitCode = run.code;
    result.wallSeconds = (end - start) / 1000;
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
    if (!rss) throw new Error(`no RSS from /usr/bin/time:\n${run.stderr.slice(-2000)}`);
    result.peakRssMb = Number(rss[1]) / 1024;
    try {
      const report = JSON.parse(run.stdout);
      result.inSync = report.summary?.inSync ?? report.summary?.counts?.inSync;
    } catch {
      throw new Error(`drift printed no JSON (exit ${run.code}):\n${run.stderr.slice(-2000)}`);
    }
    const requests = (await sim.requests(start, end)).filter((r) => !isTokenRequest(r));
    result.requests = requests.length;
    result.requestsPerResource = requests.length / states.length;
    for (const r of requests)
      result.byRoute[`${r.method} ${r.route}`] = (result.byRoute[`${r.method} ${r.route}`] ?? 0) + 1;
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
}
