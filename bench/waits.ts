// Items 1 and 2 of the benchmark: for VolumeAttachment and ServerShareAttachment create and delete, at
// 0.5 s and 2 s per transition, each wait's overshoot (transition complete -> first poll that saw it), the
// whole operation's wall time over the sum of its transitions, and the requests it made (the token request aside).
import {
  WaitSpec,
  max,
  measureOperation,
  median,
  overshootTarget,
  OperationMeasure,
} from "./support/operationWindow";
import { create, hasProvider, remove, useSimulator } from "./support/ourProvider";
import { SimulatorProcess } from "./support/simulatorProcess";

const SERVERS = "/compute/v2\\.1/servers";
const get = (path: string) => ({ method: "GET", path: new RegExp(path) });
const post = (path: string) => ({ method: "POST", path: new RegExp(path) });
const del = (path: string) => ({ method: "DELETE", path: new RegExp(path) });

/** The server's power waits (the server guard's stop before, and start after, a share change). */
function powerWait(name: "stop" | "start", serverId: string): WaitSpec {
  return {
    name,
    trigger: post(`^${SERVERS}/${serverId}/action$`),
    ends: { kind: `server.${name}`, objectId: serverId, to: name === "stop" ? "stopped" : "active" },
    observedBy: get(`^${SERVERS}/${serverId}$`),
  };
}

/** Nova's attach/detach of a volume, followed on Cinder's attachments of the volume. */
export function volumeWaits(serverId: string, volumeId: string) {
  const attachments = get("/attachments(/detail)?$");
  return {
    create: [
      {
        name: "attach",
        trigger: post(`^${SERVERS}/${serverId}/os-volume_attachments$`),
        ends: { kind: "volume.attach", objectId: volumeId, to: "in-use" },
        observedBy: attachments,
      },
    ],
    delete: [
      {
        name: "detach",
        trigger: del(`^${SERVERS}/${serverId}/os-volume_attachments/${volumeId}$`),
        ends: { kind: "volume.detach", objectId: volumeId },
        observedBy: attachments,
      },
    ],
  } satisfies Record<string, WaitSpec[]>;
}

/** A share on a running server: stop, attach (or detach), start. */
function shareWaits(serverId: string, shareId: string) {
  const mapping = get(`^${SERVERS}/${serverId}/shares/${shareId}$`);
  return {
    create: [
      powerWait("stop", serverId),
      {
        name: "attach",
        trigger: post(`^${SERVERS}/${serverId}/shares$`),
        ends: { kind: "share.attach", to: "inactive" },
        observedBy: mapping,
      },
      powerWait("start", serverId),
    ],
    delete: [
      powerWait("stop", serverId),
      {
        name: "detach",
        trigger: del(`^${SERVERS}/${serverId}/shares/${shareId}$`),
        ends: { kind: "share.detach", to: "deleted" },
        observedBy: mapping,
      },
      powerWait("start", serverId),
    ],
  } satisfies Record<string, WaitSpec[]>;
}

export interface OperationResult {
  resource: string;
  operation: "create" | "delete";
  transitionMs: number;
  runs: OperationMeasure[];
}

/** One row per resource, operation and transition time; `skipped` names resources this checkout lacks. */
export interface WaitsResult {
  operations: OperationResult[];
  skipped: string[];
}

export async function runWaits(options: {
  transitionsMs: number[];
  iterations: number;
}): Promise<WaitsResult> {
  const result: WaitsResult = { operations: [], skipped: [] };
  const kinds = ["VolumeAttachment", "ServerShareAttachment"].filter((kind) => {
    if (!hasProvider(kind)) result.skipped.push(kind);
    return hasProvider(kind);
  });
  if (kinds.length === 0) return result;
  const sim = await SimulatorProcess.start({ transitions: { default: 20 } });
  try {
    useSimulator(sim);
    const [volumeServer, shareServer] = await Promise.all([
      sim.createServer("bench-volume"),
      sim.createServer("bench-share"),
    ]);
    const [volumeId, shareId] = await Promise.all([sim.createVolume("bench"), sim.createShare("bench")]);
    for (const transitionMs of options.transitionsMs) {
      await sim.patchConfig({ transitions: { default: transitionMs } });
      for (const kind of kinds) {
        const [serverId, inputs, waits] =
          kind === "VolumeAttachment"
            ? [volumeServer, { serverId: volumeServer, volumeId }, volumeWaits(volumeServer, volumeId)]
            : [shareServer, { serverId: shareServer, shareId }, shareWaits(shareServer, shareId)];
        const created: OperationResult = { resource: kind, operation: "create", transitionMs, runs: [] };
        const deleted: OperationResult = { resource: kind, operation: "delete", transitionMs, runs: [] };
        for (let i = 0; i < options.iterations; i++) {
          let made: { id: string; outs?: Record<string, unknown> } | undefined;
          created.runs.push(
            await measureOperation(sim, waits.create, async () => (made = await create(kind, inputs))),
          );
          deleted.runs.push(
            await measureOperation(sim, waits.delete, () => remove(kind, made!.id, made!.outs!)),
          );
          const server = await sim.server(serverId);
          if (server.status !== "ACTIVE")
            throw new Error(`${kind}: server ${serverId} left ${server.status}`);
        }
        result.operations.push(created, deleted);
      }
    }
  } finally {
    await sim.close();
  }
  return result;
}

/** Summary figures of one row. */
export function summarise(op: OperationResult) {
  const waitNames = op.runs[0].waits.map((w) => w.name);
  const sums = op.runs.map((r) => r.waits.reduce((total, w) => total + w.transitionMs, 0));
  const waits = waitNames.map((name, index) => {
    const of = op.runs.map((r) => r.waits[index]);
    const overshoots = of.map((w) => w.overshootMs);
    const target = Math.min(...of.map((w) => overshootTarget(w.transitionMs)));
    return {
      name,
      transitionMs: median(of.map((w) => w.transitionMs)),
      overshootMedianMs: median(overshoots),
      overshootMaxMs: max(overshoots),
      targetMs: target,
      met: max(overshoots) <= target,
    };
  });
  return {
    wallMedianMs: median(op.runs.map((r) => r.wallMs)),
    transitionsMedianMs: median(sums),
    wallOverTransitions: median(op.runs.map((r, i) => r.wallMs / sums[i])),
    requestsMedian: median(op.runs.map((r) => r.requests)),
    requestsMax: max(op.runs.map((r) => r.requests)),
    waits,
  };
}
