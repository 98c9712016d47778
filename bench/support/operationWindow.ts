// What one measured operation did, read from the simulator's own logs: the requests that arrived while it
// ran, and for each wait inside it the transition that ended the wait and the poll that noticed it.
import { performance } from "perf_hooks";
import type { RequestRecord, SimulatorProcess, TransitionRecord } from "./simulatorProcess";

/** Epoch milliseconds with sub-millisecond precision (the simulator stamps its logs the same way). */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/** A request pattern: method and a regular expression on the path (no query string). */
export interface RequestPattern {
  method: string;
  path: RegExp;
}

/**
 * One wait inside an operation: the request that started the server-side work (`trigger`), the transition
 * whose completion ends the wait (`ends`: its kind, optionally its object and the state it reached), and the
 * requests that can see the new state (`observedBy`: the wait's poll).
 */
export interface WaitSpec {
  name: string;
  trigger: RequestPattern;
  ends: { kind: string; objectId?: string; to?: string };
  observedBy: RequestPattern;
}

export interface WaitMeasure {
  name: string;
  /** From the trigger's arrival to the transition's completion: the time the cloud needed. */
  transitionMs: number;
  /** From the completion to the arrival of the first poll after it (which saw the new state). */
  overshootMs: number;
}

export interface OperationMeasure {
  wallMs: number;
  /** Every request but the token requests (a Keystone version document counts). */
  requests: number;
  /** Those requests by "METHOD route". */
  byRoute: Record<string, number>;
  waits: WaitMeasure[];
}

/** Keystone's POST /v3/auth/tokens: the one request each operation's figures leave aside. */
export const isTokenRequest = (r: RequestRecord) =>
  r.service === "identity" && r.method === "POST" && /\/auth\/tokens$/.test(r.path);

const matches = (r: RequestRecord, p: RequestPattern) => r.method === p.method && p.path.test(r.path);

/** Measures `run` against `sim`: call it with nothing else talking to the simulator. */
export async function measureOperation(
  sim: SimulatorProcess,
  waits: WaitSpec[],
  run: () => Promise<unknown>,
): Promise<OperationMeasure> {
  const start = preciseNow();
  await run();
  const end = preciseNow();
  return analyse(sim, start, end, waits);
}

/** The same, for an operation that ran elsewhere (the peer) between `start` and `end`. */
export async function analyse(
  sim: SimulatorProcess,
  start: number,
  end: number,
  waits: WaitSpec[],
): Promise<OperationMeasure> {
  // A poll that noticed the last transition may arrive a moment before `end` is stamped: read to `end`.
  const requests = (await sim.requests(start, end)).filter((r) => !isTokenRequest(r));
  const transitions = await sim.transitions(start, end);
  const byRoute: Record<string, number> = {};
  for (const r of requests) byRoute[`${r.method} ${r.route}`] = (byRoute[`${r.method} ${r.route}`] ?? 0) + 1;
  return {
    wallMs: end - start,
    requests: requests.length,
    byRoute,
    waits: waits.map((spec) => measureWait(spec, requests, transitions)),
  };
}

function measureWait(
  spec: WaitSpec,
  requests: RequestRecord[],
  transitions: TransitionRecord[],
): WaitMeasure {
  const fail = (what: string) => {
    throw new Error(`wait "${spec.name}": ${what}`);
  };
  const ending = transitions
    .filter(
      (t) =>
        t.kind === spec.ends.kind &&
        (spec.ends.objectId === undefined || t.objectId === spec.ends.objectId) &&
        (spec.ends.to === undefined || t.to === spec.ends.to),
    )
    .at(-1);
  if (!ending)
    return fail(`no ${spec.ends.kind} transition${spec.ends.to ? ` to ${spec.ends.to}` : ""} logged`);
  const trigger = requests.filter((r) => matches(r, spec.trigger) && r.at <= ending.completedAt).at(-1);
  if (!trigger) return fail(`no ${spec.trigger.method} ${spec.trigger.path} before the transition`);
  const noticed = requests.find((r) => matches(r, spec.observedBy) && r.at >= ending.completedAt);
  if (!noticed) return fail(`no ${spec.observedBy.method} ${spec.observedBy.path} after the transition`);
  return {
    name: spec.name,
    transitionMs: ending.completedAt - trigger.at,
    overshootMs: noticed.at - ending.completedAt,
  };
}

// ------------------------------------------------------------------------------------ figures

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const max = (values: number[]) => Math.max(...values);

/** The overshoot target of a wait: max(150 ms, 15 % of its transition). */
export const overshootTarget = (transitionMs: number) => Math.max(150, 0.15 * transitionMs);
