// ServerShareAttachment needs compute 2.97 (Nova 2024.1+). On an older compute API it must fail before it
// changes anything (no stop of the server, no metadata, no POST), saying what the cloud lacks.
import { strict as assert } from "assert";
import { compareMicroversions } from "../../provider/openstack";
import type {
  ServerShareAttachmentInputs,
  ServerShareAttachmentOutputs,
} from "../../provider/resources/serverShareAttachment";
import { Scenario, rejection } from "./scenario";

const KIND = "ServerShareAttachment";
const SHARES_MIN = "2.97";

export const serverShareAttachmentScenarios: Scenario[] = [
  {
    kind: KIND,
    title: "on a compute API older than 2.97: fails early and clearly, changes nothing",
    notOn: (c) =>
      compareMicroversions(c.maxMicroversions.compute, SHARES_MIN) >= 0
        ? `its compute API has ${SHARES_MIN} (${c.maxMicroversions.compute})`
        : undefined,
    async run(target, engine) {
      const serverId = await target.server();
      const net = await target.shareNetwork();
      const { shareId } = await target.share(net);
      const inputs = { serverId, shareId };
      const att = engine.resource<ServerShareAttachmentInputs, ServerShareAttachmentOutputs>(KIND);
      assert.deepEqual(await att.check(inputs), inputs, "check makes no API call and passes");

      engine.clearRequests();
      const err = await rejection(att.create(inputs));
      const max = target.capabilities.maxMicroversions.compute;
      assert.match(err.message, new RegExp(`compute API tops at ${max.replace(".", "\\.")}`));
      assert.match(err.message, /microversion 2\.97 is needed for server share attachments/);
      assert.deepEqual(engine.mutations(), [], "no request that changes anything");
      assert.ok(
        engine.requests.every((r) => !/\/shares/.test(r.path) || r.service !== "compute"),
        `no call of the share API Nova does not have: ${JSON.stringify(engine.requests)}`,
      );
      assert.equal(att.id, undefined, "nothing recorded in the state");
    },
  },
];
