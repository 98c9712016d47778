// The fault soak (`npm run soak [-- <cycles>]`; a 10-cycle variant runs in npm test): attach/detach cycles
// of VolumeAttachment and ServerShareAttachment through their providers while the simulator injects faults:
// 503 on 20 % of GETs, connection resets on 5 % and 429 on 5 % of all requests (Retry-After: 0 on four in
// five, 1 s on the fifth), and a burst of three busy 409s on Nova's mutations every few cycles.
// Afterwards, with the faults off, the simulator is asked what is left: no failure may have surfaced, no
// attachment may remain (Nova share mappings and block device mappings, Cinder attachments, Manila access
// rules Nova granted, volumes not back to available), and every server must be back in its original power
// state with no power-restore note left in its metadata.
import * as os from "os";
import { performance } from "perf_hooks";
import { RESTORE_NOTE_KEY } from "../provider/compute/serverGuard";
import { DEFAULT_RETRY } from "../provider/openstack";
import { unansweredPostSettings } from "../provider/resources/volumeAttachment";
import type { FaultRule } from "../simulator/core/faultInjection";
import { coldStart, create, remove, useSimulator } from "./support/ourProvider";
import { SimulatorProcess } from "./support/simulatorProcess";

const SERVICES = "^/(compute|volume|share)/";
const NOVA_MUTATIONS = "^/compute/v2\\.1/servers/[^/]+/(action|os-volume_attachments|shares)(/[^/]+)?$";
/** A busy 409 as Nova words it (task_state: the core's retryWhileBusy repeats those). */
const BUSY = "Cannot 'attach' instance (soak) while it is in task_state powering-off";

/** A fault rule with the share of its requests it must hit (`rate`), whatever the rules before it hit. */
type RatedRule = Omit<FaultRule, "probability"> & { rate: number };

/**
 * The simulator tries rules in order and the first that hits wins, so a rule's `probability` applies only
 * to the requests the rules before it let through. This turns the shares each rule must hit into those
 * probabilities: p = rate / (1 - the rates before). Every rule before must match all the requests the rule
 * matches (here: rules on every request first, then the GET-only one).
 */
export function firstMatchProbabilities(rules: RatedRule[]): FaultRule[] {
  let before = 0;
  return rules.map(({ rate, ...rule }) => {
    const probability = rate / (1 - before);
    before += rate;
    return { ...rule, probability };
  });
}

/** The stated fault rates, as shares of the requests (not of those the earlier rules let through). */
export const SOAK_RATES = {
  reset: 0.05,
  tooManyRequests: 0.05,
  slowRetryAfterShare: 0.2,
  getUnavailable: 0.2,
};

export const SOAK_FAULTS: FaultRule[] = firstMatchProbabilities([
  { path: SERVICES, action: "reset", rate: SOAK_RATES.reset },
  {
    path: SERVICES,
    action: "status",
    status: 429,
    retryAfter: 0,
    rate: SOAK_RATES.tooManyRequests * (1 - SOAK_RATES.slowRetryAfterShare),
  },
  {
    path: SERVICES,
    action: "status",
    status: 429,
    retryAfter: 1,
    rate: SOAK_RATES.tooManyRequests * SOAK_RATES.slowRetryAfterShare,
  },
  { method: "GET", path: SERVICES, action: "status", status: 503, rate: SOAK_RATES.getUnavailable },
]);
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
  /** Service requests (Keystone aside), those faults answered included; `gets` of them GETs. */
  requests: number;
  gets: number;
  /** Faults injected by kind: "503", "reset", "429" (Retry-After 0), "429 Retry-After 1", "409". */
  injected: Record<string, number>;
  bursts: number;
  failures: { lane: string; operation: string; message: string }[];
  leaked: string[];
  powerStates: { lane: string; expected: string; actual: string; note?: string }[];
  /** The machine's 1-minute load average when the cycles started and ended, and its CPUs. */
  load: { start: number; end: number; cpus: number };
}

export async function runSoak(options: {
  cycles: number;
  seed?: number;
  progress?: (line: string) => void;
  /**
   * The transport's backoff base while the soak runs (default: the client's own, 250 ms). The simulator's
   * faults do not depend on time, so a short one tests the same retries, only sooner (npm test's variant).
   */
  retryBaseDelayMs?: number;
}): Promise<SoakResult> {
  const sim = await SimulatorProcess.start({ transitions: { default: 10 } });
  // Nova's conductor acts within a transition here (10 ms), not within seconds as in a real cloud.
  const lookMs = unansweredPostSettings.lookMs;
  unansweredPostSettings.lookMs = 1000;
  const retryBaseDelayMs = DEFAULT_RETRY.baseDelayMs;
  DEFAULT_RETRY.baseDelayMs = options.retryBaseDelayMs ?? retryBaseDelayMs;
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
      gets: 0,
      injected: {},
      bursts: 0,
      failures: [],
      leaked: [],
      powerStates: [],
      load: { start: os.loadavg()[0], end: 0, cpus: os.cpus().length },
    };
    const since = Date.now();
    const { faults } = await sim.control("POST", "/faults", { faults: SOAK_FAULTS, seed: options.seed ?? 1 });
    const kindOf = new Map<string, string>(
      (faults as FaultRule[]).map((f) => [
        f.id!,
        f.action === "reset" ? "reset" : `${f.status}${f.retryAfter ? ` Retry-After ${f.retryAfter}` : ""}`,
      ]),
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
        result.bursts++;
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
    result.load.end = os.loadavg()[0];
    await sim.control("DELETE", "/faults");

    const requests = (await sim.requests(since)).filter((r) => r.service !== "identity");
    result.requests = requests.length;
    result.gets = requests.filter((r) => r.method === "GET").length;
    for (const r of requests.filter((r) => r.injected)) {
      const kind = kindOf.get(r.injected!) ?? r.injected!;
      result.injected[kind] = (result.injected[kind] ?? 0) + 1;
    }

    // What is left, as the simulator holds it, once the work the services still had queued is done (Manila
    // revokes an access rule one transition after Nova removed the share mapping).
    await sim.until(
      "no transition pending",
      () => sim.control("GET", "/health"),
      (health) => health.pendingTransitions === 0,
      10_000,
    );
    const { shareMappings } = await sim.control("GET", "/nova/share-mappings");
    const { bdms } = await sim.control("GET", "/nova/bdms");
    const { attachments } = await sim.control("GET", "/cinder/state");
    for (const m of shareMappings)
      result.leaked.push(`Nova share mapping ${m.shareId} on ${m.serverId} (${m.status})`);
    for (const b of bdms.filter((b: any) => !b.isRoot))
      result.leaked.push(`Nova block device mapping of volume ${b.volumeId} on ${b.serverId}`);
    for (const a of attachments)
      result.leaked.push(`Cinder attachment ${a.id} of volume ${a.volumeId} (${a.attachStatus ?? a.status})`);
    for (const shareId of [share1, share2]) {
      const { accessRules } = await sim.control("GET", `/manila/access-rules?shareId=${shareId}`);
      for (const r of accessRules)
        result.leaked.push(`Manila access rule ${r.id} on share ${shareId} (${r.state}) for ${r.accessTo}`);
    }
    const volume = await sim.volume(volumeId);
    if (volume.status !== "available") result.leaked.push(`volume ${volumeId} left ${volume.status}`);
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
    DEFAULT_RETRY.baseDelayMs = retryBaseDelayMs;
    await sim.close();
  }
}

const percent = (part: number, whole: number) => `${((100 * part) / Math.max(whole, 1)).toFixed(1)} %`;

/** The figures, one per line. */
export function soakReport(r: SoakResult): string {
  const wrongPower = r.powerStates.filter((p) => p.actual !== p.expected || p.note);
  const n = (kind: string) => r.injected[kind] ?? 0;
  const tooMany = n("429") + n("429 Retry-After 1");
  return [
    `fault soak: ${r.cycles} cycles, ${r.operations} operations, ${r.wallSeconds.toFixed(1)} s, ${r.requests} requests (Keystone aside, ${r.gets} of them GETs)`,
    `load average ${r.load.start.toFixed(1)} at start, ${r.load.end.toFixed(1)} at end, on ${r.load.cpus} CPUs`,
    `injected: 503 on ${percent(n("503"), r.gets)} of GETs (${n("503")}); connection reset on ${percent(n("reset"), r.requests)} ` +
      `(${n("reset")}) and 429 on ${percent(tooMany, r.requests)} (${tooMany}; ${n("429 Retry-After 1")} with Retry-After: 1, ` +
      `the others 0) of all requests; ${r.bursts} bursts of busy 409s on Nova's POSTs and DELETEs (${n("409")})`,
    `${r.failures.length} failures surfaced`,
    ...r.failures.slice(0, 10).map((f) => `  ${f.lane} ${f.operation}: ${f.message}`),
    `${r.leaked.length} attachments leaked`,
    ...r.leaked.slice(0, 10).map((l) => `  ${l}`),
    wrongPower.length === 0
      ? `every server back in its original power state (${r.powerStates.map((p) => p.actual).join(", ")}), no restore note left`
      : `${wrongPower.length} of ${r.powerStates.length} servers not in their original power state`,
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
