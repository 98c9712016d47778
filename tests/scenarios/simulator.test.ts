// The scenarios (tests/scenarios/*.ts) against the simulator, set up like the real Debian services. The same
// scenarios run against the real services in `npm run test:openstack` (tests/real-openstack/scenarios.test.ts).
import { allScenarios } from "./index";
import { describeScenarios } from "./scenario";
import { simulatorTarget } from "./simulatorTarget";

describeScenarios("scenarios on the simulator", allScenarios, simulatorTarget());
