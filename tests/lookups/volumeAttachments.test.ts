// getVolumeAttachments / getVolumeAttachment against the simulator's Nova: fields per microversion, empty
// results, attachments 2.89+ hides, argument and 404 errors, the Output forms, and credentials read from the
// program's stack config (no provider configure, no OS_* variables).
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import {
  getVolumeAttachment,
  getVolumeAttachmentOutput,
  getVolumeAttachments,
  getVolumeAttachmentsOutput,
} from "../../sdk";
import { LookupArgumentError } from "../../sdk/lookups/common";
import { rejection, outputValue, SimulatedCloud } from "../support/simulatedCloud";

describe("lookups: Nova volume attachments (simulator)", () => {
  let cloud: SimulatedCloud;

  before(async () => {
    cloud = await SimulatedCloud.start();
  });
  after(() => cloud.close());
  beforeEach(() => cloud.reset());

  const base = (serverId: string) => `/compute/v2.1/servers/${serverId}/os-volume_attachments`;

  async function attach(serverId: string, volumeId: string, body: Record<string, unknown> = {}, mv = "2.89") {
    const res = await cloud.client.call("admin", "POST", base(serverId), {
      mv,
      body: { volumeAttachment: { volumeId, ...body } },
    });
    assert.ok(res.status === 200 || res.status === 202, JSON.stringify(res.body));
    await cloud.client.until(
      async () => cloud.volume(volumeId).status,
      (s) => s === "in-use",
    );
  }

  it("lists a server's volumes with the fields of the newest microversion the cloud has", async () => {
    const serverId = await cloud.createServer();
    const [v1, v2] = [await cloud.createVolume(), await cloud.createVolume()];
    await attach(serverId, v1, { tag: "db", delete_on_termination: true });
    await attach(serverId, v2);
    const result = await getVolumeAttachments({ serverId });
    assert.equal(result.microversion, "2.101");
    assert.equal(result.serverId, serverId);
    const byVolume = Object.fromEntries(result.attachments.map((a) => [a.volumeId, a]));
    const bdm = (volumeId: string) =>
      cloud.sim.world.nova.volumes.bdmsOf(serverId).find((b) => b.volumeId === volumeId)!;
    assert.deepEqual(byVolume[v1], {
      serverId,
      volumeId: v1,
      device: "/dev/vdb",
      tag: "db",
      deleteOnTermination: true,
      attachmentId: bdm(v1).attachmentId,
      bdmUuid: bdm(v1).uuid,
    });
    assert.equal(byVolume[v2].device, "/dev/vdc");
    assert.equal("tag" in byVolume[v2], false);
  });

  it("reads older clouds at their own microversion, with only the fields they have", async () => {
    const serverId = await cloud.createServer();
    const volumeId = await cloud.createVolume();
    await attach(serverId, volumeId, {}, "2.1");
    cloud.setMaxMicroversion("compute", "2.78");
    const { attachments, microversion } = await getVolumeAttachments({ serverId });
    assert.equal(microversion, "2.78");
    assert.deepEqual(attachments, [{ serverId, volumeId, device: "/dev/vdb" }]);
    const one = await getVolumeAttachment({ serverId, volumeId });
    assert.deepEqual(one, { serverId, volumeId, device: "/dev/vdb", microversion: "2.78" });
  });

  it("answers an empty list for a server without volumes", async () => {
    const serverId = await cloud.createServer();
    assert.deepEqual((await getVolumeAttachments({ serverId })).attachments, []);
  });

  it("shows an attachment that 2.89+ hides while it has no Cinder attachment id", async () => {
    const serverId = await cloud.createServer();
    const volumeId = await cloud.createVolume();
    const transitions = cloud.sim.world.transitions;
    transitions.hold("volume.attach");
    await cloud.client.call("admin", "POST", base(serverId), {
      mv: "2.101",
      body: { volumeAttachment: { volumeId } },
    });
    transitions.step("volume.attach"); // the conductor's BDM, not yet its Cinder attachment
    assert.equal(cloud.sim.world.nova.volumes.bdmsOf(serverId).length, 1);
    assert.deepEqual((await getVolumeAttachments({ serverId })).attachments, [], "Nova's list hides it");
    const one = await getVolumeAttachment({ serverId, volumeId });
    assert.equal(one.device, "/dev/vdb");
    assert.equal(one.attachmentId, undefined);
    transitions.release("volume.attach");
  });

  it("fails with Nova's 404 for an unknown server, and for a volume that is not attached", async () => {
    const missing = randomUUID();
    let err = await rejection(getVolumeAttachments({ serverId: missing }));
    assert.match(
      err.message,
      new RegExp(`^getVolumeAttachments: listing the volumes attached to server ${missing}`),
    );
    assert.match(err.message, /404 itemNotFound/);
    const serverId = await cloud.createServer();
    const volumeId = randomUUID();
    err = await rejection(getVolumeAttachment({ serverId, volumeId }));
    assert.match(
      err.message,
      new RegExp(`404 itemNotFound: Instance ${serverId} is not attached to volume ${volumeId}`),
    );
  });

  it("checks its arguments before any API call", async () => {
    cloud.clearRequests();
    for (const [call, message] of [
      [() => getVolumeAttachments({} as any), /getVolumeAttachments: serverId is required/],
      [() => getVolumeAttachments({ serverId: "web-1" }), /serverId must be a UUID, got "web-1"/],
      [() => getVolumeAttachment({ serverId: randomUUID(), volumeId: 3 } as any), /volumeId must be/],
      [
        () => getVolumeAttachments({ serverId: randomUUID(), region: "" }),
        /region must be a non-empty string/,
      ],
    ] as [() => Promise<unknown>, RegExp][]) {
      const err = await rejection(call());
      assert.ok(err instanceof LookupArgumentError, String(err));
      assert.match(err.message, message);
    }
    assert.deepEqual(cloud.requests(), []);
  });

  it("works through its Output forms", async () => {
    const serverId = await cloud.createServer();
    const volumeId = await cloud.createVolume();
    await attach(serverId, volumeId);
    const list = await outputValue(getVolumeAttachmentsOutput({ serverId: pulumi.output(serverId) }));
    assert.deepEqual(
      list.attachments.map((a) => a.volumeId),
      [volumeId],
    );
    const one = await outputValue(
      getVolumeAttachmentOutput({ serverId, volumeId: Promise.resolve(volumeId) }),
    );
    assert.equal(one.device, "/dev/vdb");
  });

  it("takes its credentials from the program's stack config when no OS_* variable is set", async () => {
    const serverId = await cloud.createServer();
    await cloud.asProgram("admin", async () => {
      assert.deepEqual((await getVolumeAttachments({ serverId })).attachments, []);
    });
    assert.ok(cloud.requests({ method: "POST", path: /auth\/tokens$/ }).length > 0);
  });
});
