// The fault soak (`npm run soak [-- <cycles>]`; a 10-cycle variant runs in npm test): attach/detach cycles
// of VolumeAttachment and ServerShareAttachment through their providers while the simulator injects faults:
// 503 on 20 % of GETs, connection resets on 5 % and 429 (Retry-After: 0) on 5 % of all requests, and a burst
// of three busy 409s on Nova's mutations every few cycles. Afterwards, with the faults off, the simulator is
// asked what is left: no failure may have surfaced, no attachment may remain (Nova share mappings and block
// device mappings, Cinder attachments), and every server must be back in its original power state with no
// power-restore note left in its metadata.
import { performance } from "perf_hooks";
import { RESTORE_NOTE_KEY } from "../provider/compute/serverGuard";
import { unansweredPostSettings } from "../provider/resources/volumeAttachment";
import type { FaultRule } from "../simulator/core/faultInjection";
import { coldStart, create, remove, useSimulator } from "./support/ourProvider";
import { SimulatorProcess } from "./support/simulatorProcess";

const SERVICES = "^/(compute|volume|share)/";
const NOVA_MUTATIONS = "^/compute/v2\\.1/servers/[^/]+/(action|os-volume_attachments|shares)(/[^/]+)?$";
/** A busy 409 as Nova words it (task_state: the core's retryWhileBusy repeats those). */
const BUSY = "Cannot 'attach' instance (soak) while it is in task_state powering-off";

export const SOAK_FAULTS: FaultRule[] = [
  { path: SERVICES, action: "status", status: 429, retryAfter: 0, probability: 0.05 },
  { path: SERVICES, action: "reset", probability: 0.05 },
  { method: "GET", path: SERVICES, action: "status", status: 503, probability: 0.2 },
];
/** A 409 burst: the next three Nova mutations of each method are refused as busy. */
const burst = (): FaultRule[] =>
  ["POST", "DELETE"].map((method) => ({
    method,
    path: NOVA_MUTATIONS,
    action: "status" as const,
    status: 409,
    message: BUSY,
    count: 3,
  }));
const BURST_EVERY = 4;

interface Lane {
  name: string;
  kind: "VolumeAttachment" | "ServerShareAttachment";
  serverId: string;
  inputs: Record<string, unknown>;
  /** The power state the server must be in after every cycle. */
  status: "ACTIVE" | "SHUTOFF";
}

export interface SoakResult {
  cycles: number;
  operations: number;
  wallSeconds: number;
  requests: number;
  injected: Record<string, number>;
  failures: { lane: string; operation: string; message: string }[];
  leaked: string[];
  powerStates: { lane: string; expected: string; actual: string; note?: string }[];
}

export async function runSoak(options: {
  cycles: number;
  seed?: number;
  progress?: (line: string) => void;
}): Promise<SoakResult> {
  const sim = await SimulatorProcess.start({ transitions: { default: 10 } });
  // Nova's conductor acts within a transition here (10 ms), not within seconds as in a real cloud.
  const lookMs = unansweredPostSettings.lookMs;
  unansweredPostSettings.lookMs = 1000;
  try {
    useSimulator(sim);
    const [serverA, serverB, serverC] = await Promise.all([
      sim.createServer("soak-volume"),
      sim.createServer("soak-share-running"),
      sim.createServer("soak-share-stopped", { stopped: true }),
    ]);
    const [volumeId, share1, share2] = await Promise.all([
      sim.createVolume("soak"),
      sim.createShare("soak-1"),
      sim.createShare("soak-2"),
    ]);
    const lanes: Lane[] = [
      {
        name: "VolumeAttachment",
        kind: "VolumeAttachment",
        serverId: serverA,
        inputs: { serverId: serverA, volumeId },
        status: "ACTIVE",
      },
      {
        name: "ServerShareAttachment (running server)",
        kind: "ServerShareAttachment",
        serverId: serverB,
        inputs: { serverId: serverB, shareId: share1 },
        status: "ACTIVE",
      },
      {
        name: "ServerShareAttachment (stopped server)",
        kind: "ServerShareAttachment",
        serverId: serverC,
        inputs: { serverId: serverC, shareId: share2 },
        status: "SHUTOFF",
      },
    ];

    const result: SoakResult = {
      cycles: options.cycles,
      operations: 0,
      wallSeconds: 0,
      requests: 0,
      injected: {},
      failures: [],
      leaked: [],
      powerStates: [],
    };
    const since = Date.now();
    const { faults } = await sim.control("POST", "/faults", { faults: SOAK_FAULTS, seed: options.seed ?? 1 });
    const kindOf = new Map<string, string>(
      (faults as FaultRule[]).map((f) => [f.id!, f.action === "reset" ? "reset" : String(f.status)]),
    );
    const started = performance.now();

    const cycle = async (lane: Lane) => {
      let made: { id: string; outs?: Record<string, unknown> } | undefined;
      const attempt = async (operation: string, run: () => Promise<void>) => {
        result.operations++;
        try {
          await run();
        } catch (error) {
          result.failures.push({ lane: lane.name, operation, message: (error as Error).message });
        }
      };
      await attempt("create", async () => void (made = await create(lane.kind, lane.inputs)));
      if (made) await attempt("delete", () => remove(lane.kind, made!.id, made!.outs!));
    };
    for (let i = 1; i <= options.cycles; i++) {
      coldStart(); // each cycle is a new `pulumi up`: a fresh token and version discovery, under faults too
      if (i % BURST_EVERY === 0) {
        for (const rule of (await sim.control("POST", "/faults", { faults: burst() })).faults) {
          kindOf.set(rule.id, "409");
        }
      }
      await Promise.all(lanes.map(cycle));
      if (i % 10 === 0 || i === options.cycles) {
        options.progress?.(`cycle ${i}/${options.cycles}: ${result.failures.length} failure(s) so far`);
      }
    }
    result.wallSeconds = (performance.now() - started) / 1000;
    await sim.control("DELETE", "/faults");

    const requests = (await sim.requests(since)).filter((r) => r.service !== "identity");
    result.requests = requests.length;
    for (const r of requests.filter((r) => r.injected)) {
      const kind = kindOf.get(r.injected!) ?? r.injected!;
      result.injected[kind] = (result.injected[kind] ?? 0) + 1;
    }

    // What is left, as the simulator holds it.
    const { shareMappings } = await sim.control("GET", "/nova/share-mappings");
    const { bdms } = await sim.control("GET", "/nova/bdms");
    const { attachments } = await sim.control("GET", "/cinder/state");
    for (const m of shareMappings)
      result.leaked.push(`Nova share mapping ${m.shareId} on ${m.serverId} (${m.status})`);
    for (const b of bdms.filter((b: any) => !b.isRoot))
      result.leaked.push(`Nova block device mapping of volume ${b.volumeId} on ${b.serverId}`);
    for (const a of attachments)
      result.leaked.push(`Cinder attachment ${a.id} of volume ${a.volumeId} (${a.attachStatus ?? a.status})`);
    for (const lane of lanes) {
      const server = await sim.server(lane.serverId);
      const note = server.metadata?.[RESTORE_NOTE_KEY];
      result.powerStates.push({
        lane: lane.name,
        expected: lane.status,
        actual: server.status,
        ...(note ? { note } : {}),
      });
    }
    return result;
  } finally {
    unansweredPostSettings.lookMs = lookMs;
    await sim.close();
  }
}

/** The figures, one per line. */
export function soakReport(r: SoakResult): string {
  const wrongPower = r.powerStates.filter((p) => p.actual !== p.expected || p.note);
  const injected = Object.entries(r.injected)
    .sort()
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(", ");
  return [
    `fault soak: ${r.cycles} cycles, ${r.operations} operations, ${r.wallSeconds.toFixed(1)} s, ${r.requests} requests (Keystone aside)`,
    `injected: ${injected || "none"}`,
    `failures surfaced: ${r.failures.length}`,
    ...r.failures.slice(0, 10).map((f) => `  ${f.lane} ${f.operation}: ${f.message}`),
    `attachments leaked: ${r.leaked.length}`,
    ...r.leaked.slice(0, 10).map((l) => `  ${l}`),
    `servers not in their original power state: ${wrongPower.length}`,
    ...wrongPower.map(
      (p) =>
        `  ${p.lane}: ${p.actual} (expected ${p.expected})${p.note ? `, restore note left: ${p.note}` : ""}`,
    ),
  ].join("\n");
}

if (require.main === module) {
  const cycles = Number(process.argv[2] ?? 200);
  runSoak({ cycles, progress: (line) => console.error(line) }).then(
    (result) => {
      console.log(soakReport(result));
      const clean =
        result.failures.length === 0 &&
        result.leaked.length === 0 &&
        result.powerStates.every((p) => p.actual === p.expected && !p.note);
      process.exitCode = clean ? 0 : 1;
    },
    (error) => {
      console.error(`soak: ${error.stack ?? error}`);
      process.exitCode = 1;
    },
  );
}
