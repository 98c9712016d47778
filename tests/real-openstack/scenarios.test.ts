// The scenarios (tests/scenarios/*.ts) against the real Manila 15, Cinder 21 and Nova 26 that start.sh runs,
// and against the simulator set up like them; then the two runs' traces are compared, so that every
// difference between the simulator and the real services shows (known ones are explained in
// realDifferences.ts). `npm test` runs the simulator half alone (tests/scenarios/simulator.test.ts).
import { allScenarios } from "../scenarios";
import { describeAgreement } from "../scenarios/agreement";
import { describeScenarios } from "../scenarios/scenario";
import { simulatorTarget } from "../scenarios/simulatorTarget";
import { KNOWN_DIFFERENCES } from "./realDifferences";
import { realTarget } from "./support/target";

// Transitions about as long as the real services' (a fraction of a second), so that the simulator's waits see
// the same intermediate states.
const SIMULATOR = simulatorTarget(150);
describeScenarios("scenarios on the simulator", allScenarios, SIMULATOR);
describeScenarios("scenarios on the real services", allScenarios, realTarget);
describeAgreement(SIMULATOR, realTarget, allScenarios, KNOWN_DIFFERENCES);
