// BlockStorageAttachment against the simulator's Cinder, calling the implementation directly: check and diff
// offline, the reserve → connect → complete → delete flow, mode, clouds too old, recovery of an interrupted
// create, init-failed errors, out-of-band deletes, Nova's attachments, and the secrecy of connection info.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import {
  BlockStorageAttachmentInputs,
  BlockStorageAttachmentOutputs,
  blockStorageAttachment as impl,
} from "../../provider/resources/blockStorageAttachment";
import { UNKNOWN } from "../../provider/resources/common";
import { InitFailedError } from "../../provider/resources/common";
import { rejection, SimulatedCloud } from "../support/simulatedCloud";

const CONNECTOR = {
  initiator: "iqn.1993-08.org.debian:01:cad181614cec",
  ip: "192.0.2.20",
  platform: "x86_64",
  host: "storage-host-1",
  os_type: "linux",
  multipath: false,
  mountpoint: "/dev/vdb",
};
const INSTANCE = "462dcc2d-130d-4654-8db1-da0df2da6a0d";

describe("BlockStorageAttachment (simulator)", () => {
  let cloud: SimulatedCloud;

  before(async () => {
    cloud = await SimulatedCloud.start();
  });
  after(() => cloud.close());
  beforeEach(() => cloud.reset());

  const create = async (inputs: BlockStorageAttachmentInputs) => {
    const { id, outs } = await impl.create(inputs);
    return { id, outs: outs as BlockStorageAttachmentOutputs };
  };

  describe("check (no API call)", () => {
    it("names each malformed input and makes no request", async () => {
      cloud.clearRequests();
      const { failures } = await impl.check(
        {} as any,
        {
          volumeId: "not-a-uuid",
          instanceId: 42,
          connector: {},
          mode: "rx",
          complete: "yes",
          timeoutSeconds: -1,
          cloud: "",
          devcie: "/dev/vdb",
        } as any,
      );
      const byProperty = Object.fromEntries((failures ?? []).map((f) => [f.property, f.reason]));
      assert.match(byProperty.volumeId, /UUID of a Cinder volume.*not-a-uuid/);
      assert.match(byProperty.instanceId, /UUID/);
      assert.match(byProperty.connector, /at least one property/);
      assert.match(byProperty.mode, /"rw", "ro"/);
      assert.match(byProperty.complete, /true or false/);
      assert.match(byProperty.timeoutSeconds, /positive number/);
      assert.match(byProperty.cloud, /non-empty string/);
      assert.match(byProperty.devcie, /has no input "devcie"/);
      assert.deepEqual(cloud.requests(), []);
    });

    it("requires volumeId and refuses complete without a connector", async () => {
      const { failures } = await impl.check({} as any, { complete: true } as any);
      assert.deepEqual(
        failures?.map((f) => f.property),
        ["volumeId", "complete"],
      );
      assert.match(failures![1].reason, /needs a connector/);
    });

    it("lets unknown values of a preview pass", async () => {
      const { failures } = await impl.check(
        {} as any,
        {
          volumeId: UNKNOWN,
          instanceId: UNKNOWN,
          connector: { initiator: UNKNOWN },
          mode: UNKNOWN,
          complete: UNKNOWN,
        } as any,
      );
      assert.deepEqual(failures, []);
      const withUnknownConnector = await impl.check(
        {} as any,
        {
          volumeId: randomUUID(),
          connector: UNKNOWN,
          complete: true,
        } as any,
      );
      assert.deepEqual(withUnknownConnector.failures, []);
    });
  });

  describe("diff", () => {
    const volumeId = randomUUID();
    const olds = {
      volumeId,
      instanceId: INSTANCE,
      connector: CONNECTOR,
      status: "attached",
      attachMode: "rw",
      connectionInfo: { x: 1 },
    } as any;

    it("sees no change when the inputs are the same, whatever Cinder reports", async () => {
      const result = await impl.diff("a", olds, {
        volumeId,
        instanceId: INSTANCE,
        connector: { ...CONNECTOR },
      });
      assert.equal(result.changes, false);
      assert.deepEqual(result.replaces, []);
    });

    it("updates a new connector and the timeout in place", async () => {
      const result = await impl.diff("a", olds, {
        volumeId,
        instanceId: INSTANCE,
        connector: { ...CONNECTOR, host: "storage-host-2" },
        timeoutSeconds: 30,
      });
      assert.equal(result.changes, true);
      assert.deepEqual(result.replaces, []);
    });

    it("replaces for a new instance, deleting first because the volume stays", async () => {
      const result = await impl.diff("a", olds, { volumeId, instanceId: randomUUID(), connector: CONNECTOR });
      assert.deepEqual(result.replaces, ["instanceId"]);
      assert.equal(result.deleteBeforeReplace, true);
    });

    it("replaces for another volume without deleting first", async () => {
      const result = await impl.diff("a", olds, {
        volumeId: randomUUID(),
        instanceId: INSTANCE,
        connector: CONNECTOR,
      });
      assert.deepEqual(result.replaces, ["volumeId"]);
      assert.equal(result.deleteBeforeReplace, false);
    });

    it("replaces when a replace-forcing input is unknown", async () => {
      const result = await impl.diff("a", olds, { volumeId, instanceId: UNKNOWN, connector: CONNECTOR });
      assert.deepEqual(result.replaces, ["instanceId"]);
      assert.equal(result.deleteBeforeReplace, true);
    });

    it("replaces when the connector is removed or the completion turned off", async () => {
      const removed = await impl.diff("a", olds, { volumeId, instanceId: INSTANCE });
      assert.deepEqual(removed.replaces, ["connector", "complete"]);
      const notComplete = await impl.diff("a", olds, {
        volumeId,
        instanceId: INSTANCE,
        connector: CONNECTOR,
        complete: false,
      });
      assert.deepEqual(notComplete.replaces, ["complete"]);
    });
  });

  describe("lifecycle", () => {
    it("reserves, connects, completes and deletes, following the volume's status", async () => {
      const volumeId = await cloud.createVolume();
      const reserved = await create({ volumeId, instanceId: INSTANCE });
      assert.equal(reserved.outs.status, "reserved");
      assert.equal(reserved.outs.attachMode, "null");
      assert.deepEqual(reserved.outs.connectionInfo, {});
      assert.deepEqual(reserved.outs.scope.projectId, cloud.client.projectOf("admin"));
      assert.equal(cloud.volume(volumeId).status, "reserved");
      // outputs repeat the inputs exactly, without defaults
      assert.equal("complete" in reserved.outs, false);
      assert.equal("connector" in reserved.outs, false);

      const connectedInputs = { volumeId, instanceId: INSTANCE, connector: CONNECTOR, complete: false };
      const connected = (await impl.update!(reserved.id, reserved.outs, connectedInputs)).outs!;
      assert.equal(connected.status, "attaching");
      assert.equal(connected.connectionInfo.driver_volume_type, "iscsi");
      assert.equal(cloud.volume(volumeId).status, "attaching");

      const completedInputs = { ...connectedInputs, complete: true };
      const completed = (await impl.update!(reserved.id, connected, completedInputs)).outs!;
      assert.equal(completed.status, "attached");
      assert.equal(completed.attachMode, "rw");
      assert.equal(cloud.volume(volumeId).status, "in-use");

      const read = await impl.read(reserved.id, completed);
      assert.equal(read.id, reserved.id);
      assert.equal((read.props as BlockStorageAttachmentOutputs).status, "attached");
      assert.equal((read.props as any).complete, true);

      await impl.delete(reserved.id, completed);
      assert.equal(cloud.volume(volumeId).status, "available");
      assert.deepEqual(await impl.read(reserved.id, completed), {});
    });

    it("connects and completes in one create when a connector is given, and attaches read-only with mode ro", async () => {
      const volumeId = await cloud.createVolume();
      const { outs } = await create({ volumeId, connector: CONNECTOR, mode: "ro" });
      assert.equal(outs.status, "attached");
      assert.equal(outs.attachMode, "ro");
      assert.equal(cloud.volume(volumeId).status, "in-use");
      // POST with the connector, then os-complete: no PUT
      assert.equal(cloud.requests({ method: "PUT" }).length, 0);
    });

    it("re-connects with a new connector in place and completes again", async () => {
      const volumeId = await cloud.createVolume();
      const first = await create({ volumeId, instanceId: INSTANCE, connector: CONNECTOR });
      cloud.clearRequests();
      const news = { volumeId, instanceId: INSTANCE, connector: { ...CONNECTOR, host: "storage-host-2" } };
      const outs = (await impl.update!(first.id, first.outs, news)).outs!;
      assert.equal(outs.status, "attached");
      assert.deepEqual(outs.connector, news.connector);
      assert.deepEqual(
        cloud.mutations().map((r) => r.method),
        ["PUT", "POST"],
      );
      assert.equal(cloud.sim.world.cinder.attachments.get(first.id)?.attachedHost, "storage-host-2");
    });

    it("takes new credentials (cloud, region) in place when they point where the attachment is", async () => {
      const volumeId = await cloud.createVolume();
      const { id, outs } = await create({ volumeId, connector: CONNECTOR });
      const diff = await impl.diff(id, outs, { volumeId, connector: CONNECTOR, region: "RegionOne" });
      assert.deepEqual(diff.replaces, []);
      cloud.clearRequests();
      const same = (await impl.update!(id, outs, { volumeId, connector: CONNECTOR, region: "RegionOne" }))
        .outs!;
      assert.equal(same.region, "RegionOne");
      assert.deepEqual(cloud.mutations(), []);
      const err = await rejection(
        impl.update!(id, outs, { volumeId, connector: CONNECTOR, region: "RegionTwo" }),
      );
      assert.match(err.message, /no public endpoint for (compute|block-storage).* in region RegionTwo/);
      assert.deepEqual(cloud.mutations(), []);
    });

    it("treats an attachment deleted out of band as gone, and deleting it again as done", async () => {
      const volumeId = await cloud.createVolume();
      const { id, outs } = await create({ volumeId, connector: CONNECTOR });
      const res = await cloud.client.call(
        "admin",
        "DELETE",
        `/volume/v3/${cloud.client.projectOf("admin")}/attachments/${id}`,
        {
          mv: "3.44",
        },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(await impl.read(id, outs), {});
      await impl.delete(id, outs);
    });

    it("refuses to call a 404 gone when the credentials point at another project", async () => {
      const volumeId = await cloud.createVolume();
      const { id, outs } = await create({ volumeId, connector: CONNECTOR });
      cloud.useUser("demo");
      const err = await rejection(impl.read(id, outs));
      assert.match(err.message, /was created in project .*point elsewhere/);
      await rejection(impl.delete(id, outs));
      assert.ok(cloud.sim.world.cinder.attachments.has(id));
    });
  });

  describe("clear errors before any mutation", () => {
    it("refuses mode on a cloud below 3.54 and complete below 3.44", async () => {
      const volumeId = await cloud.createVolume();
      cloud.setMaxMicroversion("volume", "3.53");
      cloud.clearRequests();
      let err = await rejection(create({ volumeId, connector: CONNECTOR, mode: "ro" }));
      assert.match(err.message, /tops at 3\.53; microversion 3\.54 is needed for the attach mode \(mode\)/);
      cloud.setMaxMicroversion("volume", "3.43");
      err = await rejection(create({ volumeId, connector: CONNECTOR }));
      assert.match(err.message, /tops at 3\.43; microversion 3\.44 is needed for completing an attachment/);
      assert.deepEqual(cloud.mutations(), []);
      assert.equal(cloud.volume(volumeId).status, "available");
    });

    it("explains a volume that is not multiattach and already attached", async () => {
      const volumeId = await cloud.createVolume();
      await create({ volumeId, instanceId: INSTANCE, connector: CONNECTOR });
      cloud.clearRequests();
      const err = await rejection(create({ volumeId, instanceId: randomUUID(), connector: CONNECTOR }));
      assert.match(
        err.message,
        new RegExp(
          `volume ${volumeId} is "in-use" \\(attached to ${INSTANCE}\\) and is not a multiattach volume`,
        ),
      );
      assert.deepEqual(cloud.mutations(), []);
    });

    it("waits for a volume that is still being created", async () => {
      cloud.sim.world.config.transitions["volume.create"] = 150;
      try {
        const res = await cloud.client.call(
          "admin",
          "POST",
          `/volume/v3/${cloud.client.projectOf("admin")}/volumes`,
          {
            body: { volume: { size: 1 } },
          },
        );
        const volumeId = res.body.volume.id;
        assert.equal(cloud.volume(volumeId).status, "creating");
        const { outs } = await create({ volumeId, connector: CONNECTOR });
        assert.equal(outs.status, "attached");
      } finally {
        delete cloud.sim.world.config.transitions["volume.create"];
      }
    });

    it("reports a volume that does not exist with Cinder's message", async () => {
      const missing = randomUUID();
      const err = await rejection(create({ volumeId: missing }));
      assert.match(err.message, new RegExp(`404 itemNotFound: Volume ${missing} could not be found`));
      assert.deepEqual(cloud.mutations(), []);
    });
  });

  describe("interrupted creates", () => {
    it("finds the attachment an interrupted create made for the same instance instead of posting again", async () => {
      const volumeId = await cloud.createVolume();
      const earlier = await cloud.client.call(
        "admin",
        "POST",
        `/volume/v3/${cloud.client.projectOf("admin")}/attachments`,
        {
          mv: "3.44",
          body: { attachment: { volume_uuid: volumeId, instance_uuid: INSTANCE } },
        },
      );
      cloud.clearRequests();
      const { id, outs } = await create({ volumeId, instanceId: INSTANCE, connector: CONNECTOR });
      assert.equal(id, earlier.body.attachment.id);
      assert.equal(outs.status, "attached");
      assert.equal(cloud.requests({ method: "POST", path: /\/attachments$/ }).length, 0);
      assert.equal(cloud.sim.world.cinder.attachmentsOf(volumeId).length, 1);
    });

    it("cannot recognise an earlier attempt without an instance id (documented): the volume is taken", async () => {
      const volumeId = await cloud.createVolume();
      await cloud.client.call("admin", "POST", `/volume/v3/${cloud.client.projectOf("admin")}/attachments`, {
        mv: "3.44",
        body: { attachment: { volume_uuid: volumeId } },
      });
      const err = await rejection(create({ volumeId, connector: CONNECTOR }));
      assert.match(err.message, /is "reserved" and is not a multiattach volume/);
    });

    it("reports a create that failed after the POST with the attachment's id and outputs (init failed)", async () => {
      const volumeId = await cloud.createVolume();
      cloud.sim.world.faults.add({
        action: "status",
        status: 500,
        method: "POST",
        path: "/attachments/[^/]+/action$",
      });
      const err = await rejection(create({ volumeId, instanceId: INSTANCE, connector: CONNECTOR }));
      assert.ok(err instanceof InitFailedError);
      assert.ok(cloud.sim.world.cinder.attachments.has(err.id));
      assert.equal((err.properties as any).volumeId, volumeId);
      assert.equal((err.properties as any).status, "reserved");
      assert.equal("connectionInfo" in err.properties, false);
      assert.match(err.reasons[0], /500/);
    });
  });

  describe("attachments Nova uses", () => {
    it("turns Cinder's ConflictNovaUsingAttachment into a message that points at VolumeAttachment", async () => {
      const serverId = await cloud.createServer();
      const volumeId = await cloud.createVolume();
      const attach = await cloud.client.call(
        "admin",
        "POST",
        `/compute/v2.1/servers/${serverId}/os-volume_attachments`,
        {
          mv: "2.89",
          body: { volumeAttachment: { volumeId } },
        },
      );
      assert.equal(attach.status, 200);
      await cloud.client.until(
        async () => cloud.volume(volumeId).status,
        (status) => status === "in-use",
      );
      // Declared for the same volume and instance, the resource takes Nova's attachment over...
      const { id, outs } = await create({ volumeId, instanceId: serverId });
      assert.equal(id, cloud.sim.world.nova.volumeAttachmentIdFor(serverId, volumeId));
      // ...but Cinder refuses to delete an attachment Nova still uses.
      const err = await rejection(impl.delete(id, outs));
      assert.match(err.message, new RegExp(`Nova still uses this attachment for server ${serverId}`));
      assert.match(err.message, /409 ConflictNovaUsingAttachment, request id req-/);
      assert.match(err.message, /manage this attachment with a VolumeAttachment resource/);
      assert.ok(cloud.sim.world.cinder.attachments.has(id));
      assert.equal(cloud.volume(volumeId).status, "in-use");
    });
  });

  describe("connection info is secret", () => {
    it("never reaches logs, errors or any other output", async () => {
      cloud.captureLog();
      const volumeId = await cloud.createVolume();
      const { chapPassword, chapUsername } = cloud.volume(volumeId).export;
      const secrets = [chapPassword, chapUsername];
      const { id, outs } = await create({ volumeId, instanceId: INSTANCE, connector: CONNECTOR });
      assert.equal(
        outs.connectionInfo.auth_password,
        chapPassword,
        "the secret output holds the credentials",
      );

      // a broken service that echoes connection info in its error message
      cloud.sim.world.faults.add({
        action: "status",
        status: 500,
        method: "GET",
        path: `/attachments/${id}$`,
        message: `driver said auth_password=${chapPassword} user=${chapUsername}`,
        count: 1,
      });
      const err = await rejection(impl.read(id, outs));
      const read = await impl.read(id, outs);
      const texts = [
        err.message,
        String(err.stack),
        ...cloud.logLines,
        JSON.stringify({ ...outs, connectionInfo: undefined }),
        JSON.stringify({ ...read.props, connectionInfo: undefined }),
      ];
      for (const text of texts)
        for (const secret of secrets) assert.ok(!text.includes(secret), `leaked: ${text}`);
      assert.match(err.message, /auth_password=\*\*\* user=\*\*\*/);
      assert.ok(cloud.logLines.length > 0, "the core logged its requests");
    });
  });
});
