// BlockStorageAttachment on Cinder: reserve, connect in place, complete, delete; read-only and one-step
// attachments; Cinder's ConflictNovaUsingAttachment guard (only where requests are not all service requests).
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import type {
  BlockStorageAttachmentInputs,
  BlockStorageAttachmentOutputs,
} from "../../provider/resources/blockStorageAttachment";
import { Engine } from "./engine";
import { Scenario, assertRepeatsInputs, rejection, SCENARIO_TIMEOUT_SECONDS } from "./scenario";

const KIND = "BlockStorageAttachment";
/** An os-brick connector as a compute host sends it (addresses from TEST-NET). */
const CONNECTOR = {
  initiator: "iqn.1993-08.org.debian:01:scenario",
  ip: "192.0.2.20",
  platform: "x86_64",
  host: "scenario-host",
  os_type: "linux",
  multipath: false,
  mountpoint: "/dev/vdb",
};

function attachment(engine: Engine) {
  return engine.resource<BlockStorageAttachmentInputs, BlockStorageAttachmentOutputs>(KIND);
}

export const blockStorageAttachmentScenarios: Scenario[] = [
  {
    kind: KIND,
    title: "reserve, read, connect in place (update with a connector, completes), read, delete",
    async run(target, engine) {
      const volumeId = await target.volume();
      const reserve = { volumeId, instanceId: randomUUID(), timeoutSeconds: SCENARIO_TIMEOUT_SECONDS };
      const att = attachment(engine);
      const reserved = await att.create(reserve);
      assertRepeatsInputs(reserved, reserve);
      assert.equal(reserved.status, "reserved");
      assert.deepEqual(reserved.connectionInfo, {});
      assert.equal(await target.volumeStatus(volumeId), "reserved");
      assert.equal((await att.read())?.status, "reserved");

      const connect = { ...reserve, connector: CONNECTOR };
      const { diff, outputs } = await att.update(connect);
      assert.deepEqual(diff.replaces, [], "a connector is added in place");
      assertRepeatsInputs(outputs, connect);
      assert.equal(outputs.status, "attached", "a connector without complete: false completes");
      assert.equal(outputs.attachMode, "rw", "reserve then connect: the connector's mode, rw by default");
      assert.equal(typeof outputs.connectionInfo.driver_volume_type, "string");
      assert.equal(await target.volumeStatus(volumeId), "in-use");
      const read = await att.read();
      assert.equal(read?.status, "attached");
      assert.equal(read?.attachMode, "rw");

      await att.delete();
      assert.equal(await target.volumeStatus(volumeId), "available");
      assert.equal(await att.read(), undefined, "a refresh finds it gone");
    },
  },
  {
    kind: KIND,
    title: "connect read-only in one step without completing, then complete in place, delete",
    async run(target, engine) {
      const volumeId = await target.volume();
      const inputs = {
        volumeId,
        instanceId: randomUUID(),
        connector: CONNECTOR,
        mode: "ro" as const,
        complete: false,
        timeoutSeconds: SCENARIO_TIMEOUT_SECONDS,
      };
      const att = attachment(engine);
      const outs = await att.create(inputs);
      assertRepeatsInputs(outs, inputs);
      assert.equal(outs.status, "attaching");
      assert.equal(outs.attachMode, "ro");
      assert.equal(await target.volumeStatus(volumeId), "attaching");

      const { diff, outputs } = await att.update({ ...inputs, complete: true });
      assert.deepEqual(diff.replaces, []);
      assert.equal(outputs.status, "attached");
      assert.equal(outputs.attachMode, "ro");
      assert.equal(await target.volumeStatus(volumeId), "in-use");

      await att.delete();
      assert.equal(await target.volumeStatus(volumeId), "available");
    },
  },
  {
    kind: KIND,
    title: 'connect in one step without a mode: Cinder reports attach mode "null" for good',
    async run(target, engine) {
      const volumeId = await target.volume();
      const inputs = { volumeId, instanceId: randomUUID(), connector: CONNECTOR };
      const att = attachment(engine);
      const outs = await att.create(inputs);
      assert.equal(outs.status, "attached");
      assert.equal(outs.attachMode, "null");
      assert.equal((await att.read())?.attachMode, "null");
      await att.delete();
      assert.equal(await target.volumeStatus(volumeId), "available");
    },
  },
  {
    kind: KIND,
    title: "an attachment Nova uses: delete refused with a pointer to VolumeAttachment, nothing removed",
    notOn: (c) =>
      c.hasServiceRoleShim
        ? "every cinder-api request counts as a service's there, so Cinder never refuses (without the shim it answers 500)"
        : undefined,
    async run(target, engine) {
      const serverId = await target.server();
      const volumeId = await target.volume();
      const att = attachment(engine);
      await att.create({ volumeId, instanceId: serverId, connector: CONNECTOR });
      const release = await target.novaUsesAttachment!(serverId, volumeId, att.id!);
      const err = await rejection(att.delete());
      assert.match(err.message, new RegExp(`Nova still uses this attachment for server ${serverId}`));
      assert.match(err.message, /VolumeAttachment resource/);
      assert.equal((await att.read())?.status, "attached", "the attachment is still there");
      assert.equal(await target.volumeStatus(volumeId), "in-use");

      await release();
      await att.delete();
      assert.equal(await target.volumeStatus(volumeId), "available");
    },
  },
];
