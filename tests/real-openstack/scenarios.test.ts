// The scenarios (tests/scenarios/*.ts) against the real Manila 15, Cinder 21 and Nova 26 that start.sh runs.
// The same scenarios run against the simulator in `npm test` (tests/scenarios/simulator.test.ts).
import { allScenarios } from "../scenarios";
import { describeScenarios } from "../scenarios/scenario";
import { realTarget } from "./support/target";

describeScenarios("scenarios on the real services", allScenarios, realTarget);
