// VolumeAttachment through Pulumi's real dynamic-provider host, driven over gRPC as the engine drives it, with
// the real `__provider` of the SDK class and the simulator as the cloud: Configure with secret stack config,
// Check (failures with no API call, preview unknowns), Diff (device drift, unknowns in replacing inputs),
// Create (incl. init-failed and clear errors), Read (incl. gone), Update, Delete.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import { HostError, UNKNOWN, urnOf } from "../../support/providerHost";
import { HostedCloud, startHostedCloud } from "../../support/hostedCloud";

describe("VolumeAttachment through the Pulumi provider host", () => {
  let hc: HostedCloud;
  const urn = urnOf("VolumeAttachment", "attachment");

  before(async () => {
    hc = await startHostedCloud("VolumeAttachment");
  });
  after(() => hc?.close());
  beforeEach(() => hc.cloud.reset());

  const inputs = (extra: Record<string, unknown>) => ({ __provider: hc.provider, ...extra });

  describe("Check", () => {
    it("returns the inputs as given, and skips values unknown in a preview", async () => {
      const given = inputs({ serverId: randomUUID(), volumeId: randomUUID(), device: "/dev/vdc", tag: "db" });
      assert.deepEqual(await hc.host.check(urn, {}, given), { inputs: given, failures: [] });
      const preview = inputs({ serverId: UNKNOWN, volumeId: UNKNOWN, tag: UNKNOWN });
      assert.deepEqual((await hc.host.check(urn, {}, preview)).failures, []);
    });

    it("reports malformed inputs by property, with no API call", async () => {
      hc.cloud.clearRequests();
      const { failures } = await hc.host.check(
        urn,
        {},
        inputs({ serverId: "vm", volumeId: randomUUID(), device: "sdb", tag: "a,b", deleteOnTermination: 1 }),
      );
      assert.deepEqual(
        failures.map((f) => f.property),
        ["serverId", "device", "tag", "deleteOnTermination"],
      );
      assert.deepEqual(hc.cloud.requests(), []);
    });
  });

  describe("Diff", () => {
    const serverId = randomUUID();
    const volumeId = randomUUID();
    const olds = {
      serverId,
      volumeId,
      device: "/dev/vdc",
      attachedDevice: "/dev/vdb",
      attachmentId: randomUUID(),
    };

    it("sees no change when only the device Nova reports differs", async () => {
      assert.deepEqual(
        await hc.host.diff(
          urn,
          `${serverId}/${volumeId}`,
          olds,
          inputs({ serverId, volumeId, device: "/dev/vdc" }),
        ),
        {
          changes: "none",
          replaces: [],
          deleteBeforeReplace: false,
        },
      );
    });

    it("replaces, deleting first, when the server is unknown (being replaced)", async () => {
      assert.deepEqual(
        await hc.host.diff(urn, "x", olds, inputs({ serverId: UNKNOWN, volumeId, device: "/dev/vdc" })),
        {
          changes: "some",
          replaces: ["serverId"],
          deleteBeforeReplace: true,
        },
      );
    });

    it("changes deleteOnTermination in place", async () => {
      const news = inputs({ serverId, volumeId, device: "/dev/vdc", deleteOnTermination: true });
      assert.deepEqual(await hc.host.diff(urn, "x", olds, news), {
        changes: "some",
        replaces: [],
        deleteBeforeReplace: false,
      });
    });
  });

  describe("Create, Read, Update, Delete", () => {
    it("runs the whole life of an attachment", async () => {
      const serverId = await hc.cloud.createServer();
      const volumeId = await hc.cloud.createVolume();
      const given = inputs({ serverId, volumeId, device: "/dev/vdq", tag: "db", timeoutSeconds: 10 });
      const { id, properties } = await hc.host.create(urn, given);
      assert.equal(id, `${serverId}/${volumeId}`);
      assert.equal(properties.device, "/dev/vdq");
      assert.equal(properties.attachedDevice, "/dev/vdb");
      assert.equal(properties.currentTag, "db");
      assert.equal(properties.currentDeleteOnTermination, false);
      assert.ok(properties.attachmentId && properties.bdmUuid);
      assert.equal(hc.cloud.volume(volumeId).status, "in-use");

      const refreshed = await hc.host.read(urn, id, properties);
      assert.deepEqual(refreshed.properties, properties);
      assert.equal((await hc.host.diff(urn, id, refreshed.properties, given)).changes, "none");

      const news = { ...given, deleteOnTermination: true };
      const updated = await hc.host.update(urn, id, properties, news);
      assert.equal(updated.properties.currentDeleteOnTermination, true);

      await hc.host.delete(urn, id, updated.properties);
      assert.equal(hc.cloud.volume(volumeId).status, "available");
      assert.equal((await hc.host.read(urn, id, updated.properties)).id, "");
      await hc.host.delete(urn, id, updated.properties);
      assert.ok(!hc.host.stderr.includes(hc.password) && !hc.host.stdout.includes(hc.password));
    });

    it("passes a clear error through for a volume attached elsewhere, with no mutation", async () => {
      const serverId = await hc.cloud.createServer();
      const other = await hc.cloud.createServer();
      const volumeId = await hc.cloud.createVolume();
      await hc.host.create(urn, inputs({ serverId, volumeId }));
      hc.cloud.clearRequests();
      await assert.rejects(hc.host.create(urn, inputs({ serverId: other, volumeId })), (error: HostError) => {
        assert.match(error.message, /is not a multiattach volume, so it cannot be attached again/);
        assert.equal(error.initFailed, undefined);
        return true;
      });
      assert.deepEqual(hc.cloud.mutations(), []);
    });

    it("reports an attach that outlives its deadline as init-failed, so the engine records it", async () => {
      hc.cloud.sim.world.config.transitions["volume.attach"] = 500;
      const serverId = await hc.cloud.createServer();
      const volumeId = await hc.cloud.createVolume();
      await assert.rejects(
        hc.host.create(urn, inputs({ serverId, volumeId, timeoutSeconds: 0.2 })),
        (error: HostError) => {
          assert.equal(error.initFailed?.id, `${serverId}/${volumeId}`);
          assert.equal(error.initFailed?.properties.serverId, serverId);
          assert.match(error.initFailed!.reasons[0], /timed out/);
          return true;
        },
      );
    });
  });
});
