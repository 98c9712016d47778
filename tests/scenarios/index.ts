// Every scenario, in the order the suites run them.
import { blockStorageAttachmentScenarios } from "./blockStorageAttachment";
import type { Scenario } from "./scenario";
import { serverShareAttachmentScenarios } from "./serverShareAttachment";
import { shareServerScenarios } from "./shareServer";
import { volumeAttachmentScenarios } from "./volumeAttachment";

export const allScenarios: Scenario[] = [
  ...shareServerScenarios,
  ...blockStorageAttachmentScenarios,
  ...volumeAttachmentScenarios,
  ...serverShareAttachmentScenarios,
];
