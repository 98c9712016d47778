// examples/full-stack under Pulumi's mocks: the @pulumi/openstack resources stand in on the simulator, ours run
// through their real providers against it.
import { strict as assert } from "assert";
import { startSimulator, RunningSimulator } from "../../simulator/core/app";
import { runExample, ExampleRun } from "../support/examples";

const project = "openstack-storage-full-stack";
const TYPE = "pulumi-nodejs:dynamic/openstack-storage:";
const config = {
  imageName: "debian-12",
  flavorName: "m1.virtiofs",
  networkId: "5f1c7a52-7a4e-4a59-9d5f-0b9c8f2a1e11",
  subnetId: "9a0b6c1d-2e3f-4a5b-8c7d-6e5f4a3b2c1d",
};

describe("examples/full-stack (program test under mocks, against the simulator)", function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let run: ExampleRun | undefined;

  before(async () => {
    sim = await startSimulator({ transitions: { default: 5 } });
  });

  afterEach(async () => {
    await run?.destroy();
    run = undefined;
  });

  after(() => sim?.close());

  it("attaches the share and the volume to the server, and exports what the guest needs", async () => {
    run = await runExample("full-stack", sim, project, config);
    const { resources, outputs } = run;
    const byName = (name: string) => resources.find((r) => r.name === name)!;
    const server = byName("app-server");
    const files = byName("app-files");
    const data = byName("app-data");

    const share = byName("app-files-on-server");
    assert.equal(share.type, `${TYPE}ServerShareAttachment`);
    assert.equal(share.id, `${server.id}/${files.id}`);
    assert.deepEqual(
      { serverId: share.state.serverId, shareId: share.state.shareId, tag: share.state.tag },
      { serverId: server.id, shareId: files.id, tag: "app-files" },
    );
    assert.deepEqual(share.dependencies.sort(), [server.urn, files.urn].sort());

    const volume = byName("app-data-on-server");
    assert.equal(volume.type, `${TYPE}VolumeAttachment`);
    assert.equal(volume.id, `${server.id}/${data.id}`);
    assert.equal(volume.state.deleteOnTermination, false);
    assert.deepEqual(volume.dependencies.sort(), [server.urn, data.urn].sort());

    // The share network comes before the share that uses it.
    assert.deepEqual(files.dependencies, [byName("app-share-network").urn]);
    assert.equal(
      resources.find((r) => r.name === "scratch-on-backup-host"),
      undefined,
    );

    // What the cloud reports, as the program exports it.
    assert.equal(outputs.serverId, server.id);
    assert.equal(outputs.filesMountTag, "app-files");
    assert.equal(outputs.filesAttachmentStatus, "active", "the server was started again after the attach");
    assert.match(String(outputs.dataDevice), /^\/dev\/vd[b-z]$/);
    assert.equal(outputs.dataAttachmentId, volume.state.attachmentId);
    assert.equal(outputs.scratchAttachmentStatus, undefined);

    // The attach stopped the running server and started it again, and said so.
    assert.ok(
      resources.logs.some((line) => /stopping server/.test(line)),
      resources.logs.join("\n"),
    );
    assert.equal(sim.world.nova.servers.get(server.id!)?.vmState, "active");
  });

  it("with a backup host configured: a scratch volume attached through Cinder, its connection info secret", async () => {
    run = await runExample("full-stack", sim, project, {
      ...config,
      backupHostInitiator: "iqn.1993-08.org.debian:01:backup",
      backupHostIp: "192.0.2.50",
    });
    const scratch = run.resources.find((r) => r.name === "scratch-on-backup-host")!;
    const volume = run.resources.find((r) => r.name === "backup-scratch")!;
    assert.equal(scratch.type, `${TYPE}BlockStorageAttachment`);
    assert.equal(scratch.state.volumeId, volume.id);
    assert.deepEqual(scratch.dependencies, [volume.urn]);
    assert.equal(scratch.state.connector.initiator, "iqn.1993-08.org.debian:01:backup");
    assert.equal(run.outputs.scratchAttachmentStatus, "attached");
    const info = run.outputs.scratchConnectionInfo as Record<string, any>;
    assert.equal(info.driver_volume_type, "iscsi");
  });
});
