// A scenario: one resource's life on a target, driven like the engine drives it. Written once, run against
// the simulator (tests/scenarios/simulator.test.ts, in `npm test`) and the real services
// (tests/real-openstack/scenarios.test.ts, in `npm run test:openstack`).
import { strict as assert } from "assert";
import type { ResourceKind } from "../../provider/resources";
import { Engine, type TraceEntry } from "./engine";
import type { Capabilities, ScenarioTarget } from "./target";
import type { TraceNames } from "./traces";

export interface Scenario {
  kind: ResourceKind;
  title: string;
  /** Why the scenario cannot run on a target with these capabilities; undefined when it can. */
  notOn?(capabilities: Capabilities): string | undefined;
  run(target: ScenarioTarget, engine: Engine): Promise<void>;
}

/** The deadline (`timeoutSeconds`) scenarios give the provider: the real services take seconds per wait. */
export const SCENARIO_TIMEOUT_SECONDS = 120;

/** The traces of the scenarios run so far: target name -> "kind: title" -> trace and the target's names. */
export const recordedTraces = new Map<string, Map<string, { trace: TraceEntry[]; names: TraceNames }>>();

/** How a suite gets its target: capabilities known up front (they decide which scenarios run), then a start. */
export interface TargetFactory {
  name: string;
  capabilities: Capabilities;
  start(): Promise<ScenarioTarget>;
}

/**
 * Registers every scenario the target can run as a mocha test, grouped by kind. The target is started once;
 * after each scenario, what it left (resources in state, then prerequisites) is removed. A scenario the target
 * cannot run is named, with the reason, in its group's title: never silently dropped.
 */
export function describeScenarios(title: string, scenarios: Scenario[], factory: TargetFactory): void {
  describe(title, function () {
    // Longer than any deadline a scenario gives, so a wait that runs out fails with its own message.
    this.timeout(SCENARIO_TIMEOUT_SECONDS * 1000 + 60_000);
    let target: ScenarioTarget | undefined;
    let current: { scenario: Scenario; engine: Engine } | undefined;

    before(async function () {
      target = await factory.start();
    });
    afterEach(async function () {
      const engine = current?.engine;
      if (current && target) {
        const traces = recordedTraces.get(factory.name) ?? new Map();
        recordedTraces.set(factory.name, traces);
        const { kind, title } = current.scenario;
        traces.set(scenarioName(kind, title), { trace: current.engine.trace, names: target.traceNames });
      }
      current = undefined;
      // Resources first (they hold prerequisites), then prerequisites, even when the first step fails.
      const results = await Promise.allSettled([engine?.cleanup()]);
      results.push(...(await Promise.allSettled([target?.cleanup()])));
      for (const r of results) if (r.status === "rejected") throw r.reason;
    });
    after(async function () {
      await target?.close();
    });

    for (const kind of [...new Set(scenarios.map((s) => s.kind))]) {
      const ofKind = scenarios.filter((s) => s.kind === kind);
      const left = ofKind
        .map((s) => [s.title, s.notOn?.(factory.capabilities)])
        .filter(([, reason]) => reason !== undefined)
        .map(([t, reason]) => `"${t}": ${reason}`);
      describe(left.length ? `${kind} (not on ${factory.name}: ${left.join("; ")})` : kind, function () {
        for (const scenario of ofKind.filter((s) => s.notOn?.(factory.capabilities) === undefined)) {
          it(scenario.title, async function () {
            current = { scenario, engine: new Engine(target!.stackConfig) };
            await scenario.run(target!, current.engine);
          });
        }
      });
    }
  });
}

/** The key of a scenario in `recordedTraces`. */
export function scenarioName(kind: string, title: string): string {
  return `${kind}: ${title}`;
}

/** Asserts that the outputs repeat the inputs verbatim (design.md: outputs repeat the inputs exactly). */
export function assertRepeatsInputs(outputs: object | undefined, inputs: object): void {
  assert.ok(outputs, "no outputs");
  for (const [key, value] of Object.entries(inputs)) {
    assert.deepEqual((outputs as Record<string, unknown>)[key], value, `output ${key} repeats the input`);
  }
}

/** The promise's rejection (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail("expected a failure"),
    (err: Error) => err,
  );
}

/** A copy without the named keys (e.g. volatile timestamps), for comparing two readings. */
export function without<T extends object>(value: T | undefined, ...keys: string[]): Partial<T> {
  const copy: Record<string, unknown> = { ...(value ?? {}) };
  for (const key of keys) delete copy[key];
  return copy as Partial<T>;
}
