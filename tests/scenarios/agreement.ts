// After the same scenarios ran on two targets (the simulator and the real services), their traces must agree:
// the same requests with the same statuses, the same outputs and errors. A difference fails the test unless it
// is a known one, explained below with where it is written down.
import { strict as assert } from "assert";
import { Scenario, TargetFactory, recordedTraces, scenarioName } from "./scenario";
import { diffLines, normaliseTrace } from "./traces";

/** A difference that is not a simulator bug, with the reason (and where it is written down). */
export type KnownDifference =
  /** The values of this output key (at any depth) are not compared. */
  | { key: string; reason: string }
  /** Diff lines ("- " first target only, "+ " second target only) matching this are explained. */
  | { line: RegExp; reason: string };

export function describeAgreement(
  first: TargetFactory,
  second: TargetFactory,
  scenarios: Scenario[],
  known: KnownDifference[],
): void {
  describe(`${first.name} and ${second.name} agree`, function () {
    const both = scenarios.filter(
      (s) => s.notOn?.(first.capabilities) === undefined && s.notOn?.(second.capabilities) === undefined,
    );
    for (const scenario of both) {
      const name = scenarioName(scenario.kind, scenario.title);
      it(name, function () {
        const runs = [first, second].map((t) => recordedTraces.get(t.name)?.get(name));
        assert.ok(runs[0] && runs[1], `the scenario did not run on both ${first.name} and ${second.name}`);
        const masked = Object.fromEntries(known.flatMap((k) => ("key" in k ? [[k.key, k.reason]] : [])));
        const [a, b] = runs.map((run) => normaliseTrace(run!.trace, run!.names, masked));
        const explained = (line: string) => known.some((k) => "line" in k && k.line.test(line));
        const diff = diffLines(a, b);
        const unexplained = diff.filter((line) => !line.startsWith("  ") && !explained(line));
        assert.deepEqual(
          unexplained,
          [],
          `the traces differ (- ${first.name} only, + ${second.name} only):\n${diff.join("\n")}`,
        );
      });
    }
  });
}
