// Item 3 of the benchmark: a real peer side by side, in the same run, against the same simulator.
// openstacksdk (Debian's python3-openstacksdk) attaches and detaches a volume with its own waits
// (peer/openstacksdk_volume_attachment.py); our VolumeAttachment does the same. Both start cold per
// operation. The simulator's compute API is capped at 2.100 here so that both clients make Nova do the
// same work (2.101 makes the reservation asynchronous: two more transitions, which only we would wait for).
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { analyse, measureOperation, median, OperationMeasure, WaitSpec } from "./support/operationWindow";
import { create, hasProvider, remove, useSimulator } from "./support/ourProvider";
import { SimulatorProcess } from "./support/simulatorProcess";
import { volumeWaits } from "./waits";

const PYTHON = "/usr/bin/python3"; // not the pyenv python: it cannot import Debian's openstack modules
const SCRIPT = path.join(__dirname, "peer", "openstacksdk_volume_attachment.py");
export const PEER_COMPUTE_MAX = "2.100";
/** openstacksdk's wait_for_status default interval (block_storage/v3/_proxy.py). */
export const SDK_DEFAULT_INTERVAL_S = 2;

export interface PeerRow {
  transitionMs: number;
  operation: "create" | "delete";
  ours: OperationMeasure[];
  peer: OperationMeasure[];
}

export interface PeerResult {
  sdkVersion?: string;
  intervalSeconds: number;
  computeMax: string;
  rows: PeerRow[];
  /** Why the section did not run, when it did not. */
  skipped?: string;
}

async function sdkVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(PYTHON, [
    "-c",
    "import openstack.version as v; print(v.__version__)",
  ]);
  return stdout.trim();
}

/** The peer's waits: the same transitions, noticed by its GET of the volume. */
function peerWaits(serverId: string, volumeId: string): Record<"create" | "delete", WaitSpec[]> {
  const ours = volumeWaits(serverId, volumeId);
  const volume = { method: "GET", path: new RegExp(`/volumes/${volumeId}$`) };
  return {
    create: ours.create.map((w) => ({ ...w, observedBy: volume })),
    delete: ours.delete.map((w) => ({ ...w, observedBy: volume })),
  };
}

async function runPeer(
  sim: SimulatorProcess,
  serverId: string,
  volumeId: string,
  iterations: number,
): Promise<{ operation: "create" | "delete"; start: number; end: number }[]> {
  const env = { ...process.env, ...sim.env("admin") };
  for (const key of ["OS_CLOUD", "OS_CLIENT_CONFIG_FILE"]) delete env[key];
  const { stdout } = await promisify(execFile)(
    PYTHON,
    [SCRIPT, "--server", serverId, "--volume", volumeId, "--iterations", String(iterations)],
    { env, maxBuffer: 1 << 20 },
  ).catch((error) => {
    throw new Error(`openstacksdk peer failed: ${error.stdout ?? ""}${error.stderr ?? error.message}`);
  });
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .map((r) => ({ operation: r.operation, start: r.start * 1000, end: r.end * 1000 }));
}

export async function runPeerComparison(options: {
  transitionsMs: number[];
  iterations: number;
}): Promise<PeerResult> {
  const result: PeerResult = {
    intervalSeconds: SDK_DEFAULT_INTERVAL_S,
    computeMax: PEER_COMPUTE_MAX,
    rows: [],
  };
  if (!hasProvider("VolumeAttachment"))
    return { ...result, skipped: "VolumeAttachment is not on this branch" };
  try {
    result.sdkVersion = await sdkVersion();
  } catch {
    return {
      ...result,
      skipped: "openstacksdk not found: apt-get install -y --no-install-recommends python3-openstacksdk",
    };
  }
  const sim = await SimulatorProcess.start({
    transitions: { default: 20 },
    microversions: { compute: { max: PEER_COMPUTE_MAX } },
  });
  try {
    useSimulator(sim);
    const serverId = await sim.createServer("bench-peer");
    const volumeId = await sim.createVolume("bench-peer");
    const ourWaits = volumeWaits(serverId, volumeId);
    const theirWaits = peerWaits(serverId, volumeId);
    const inputs = { serverId, volumeId };
    for (const transitionMs of options.transitionsMs) {
      await sim.patchConfig({ transitions: { default: transitionMs } });
      const rows: Record<"create" | "delete", PeerRow> = {
        create: { transitionMs, operation: "create", ours: [], peer: [] },
        delete: { transitionMs, operation: "delete", ours: [], peer: [] },
      };
      for (let i = 0; i < options.iterations; i++) {
        let made: { id: string; outs?: Record<string, unknown> } | undefined;
        rows.create.ours.push(
          await measureOperation(
            sim,
            ourWaits.create,
            async () => (made = await create("VolumeAttachment", inputs)),
          ),
        );
        rows.delete.ours.push(
          await measureOperation(sim, ourWaits.delete, () =>
            remove("VolumeAttachment", made!.id, made!.outs!),
          ),
        );
      }
      for (const run of await runPeer(sim, serverId, volumeId, options.iterations)) {
        rows[run.operation].peer.push(await analyse(sim, run.start, run.end, theirWaits[run.operation]));
      }
      result.rows.push(rows.create, rows.delete);
    }
  } finally {
    await sim.close();
  }
  return result;
}

/** Medians of a row and the ratios ours/peer. */
export function summarisePeer(row: PeerRow) {
  const side = (runs: OperationMeasure[]) => ({
    wallMs: median(runs.map((r) => r.wallMs)),
    requests: median(runs.map((r) => r.requests)),
    overshootMs: median(runs.map((r) => r.waits[0].overshootMs)),
  });
  const ours = side(row.ours);
  const peer = side(row.peer);
  return { ours, peer, wallRatio: ours.wallMs / peer.wallMs, requestRatio: ours.requests / peer.requests };
}
