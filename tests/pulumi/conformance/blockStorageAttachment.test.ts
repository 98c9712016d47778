// BlockStorageAttachment through Pulumi's real dynamic-provider host, driven over gRPC as the engine drives
// it, with the real `__provider` of the SDK class and the simulator as the cloud: Configure with secret stack
// config, Check (failures with no API call, preview unknowns), Diff (unknowns in replacing inputs), Create
// (incl. init-failed), Read (incl. gone), Update, Delete; the connection info never in the host's log.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import { HostError, UNKNOWN, urnOf } from "../../support/providerHost";
import { HostedCloud, startHostedCloud } from "../../support/hostedCloud";

const CONNECTOR = { initiator: "iqn.1993-08.org.debian:01:host", host: "conformance-host", multipath: false };
const INSTANCE = "0f8c1f4e-5a6b-4c3d-9e2f-1a0b9c8d7e6f";

describe("BlockStorageAttachment through the Pulumi provider host", () => {
  let hc: HostedCloud;
  const urn = urnOf("BlockStorageAttachment", "attachment");

  before(async () => {
    hc = await startHostedCloud("BlockStorageAttachment");
  });
  after(() => hc?.close());
  beforeEach(() => hc.cloud.reset());

  const inputs = (extra: Record<string, unknown>) => ({ __provider: hc.provider, ...extra });

  /** Neither the password nor any CHAP secret in what the host logged. */
  function assertHostLogClean(...secrets: string[]): void {
    for (const secret of [hc.password, ...secrets])
      assert.ok(!hc.host.stderr.includes(secret), "secret in host log");
  }

  describe("Check", () => {
    it("returns the inputs as given", async () => {
      const given = inputs({ volumeId: randomUUID(), connector: CONNECTOR, mode: "ro" });
      assert.deepEqual(await hc.host.check(urn, {}, given), { inputs: given, failures: [] });
    });

    it("reports malformed inputs by property, with no API call", async () => {
      hc.cloud.clearRequests();
      const { failures } = await hc.host.check(
        urn,
        {},
        inputs({ volumeId: "v", instanceId: "i", mode: "wo", complete: true, timeoutSeconds: "60" }),
      );
      assert.deepEqual(
        failures.map((f) => f.property),
        ["volumeId", "instanceId", "mode", "timeoutSeconds", "complete"],
      );
      assert.match(failures.find((f) => f.property === "complete")!.reason, /needs a connector/);
      assert.deepEqual(hc.cloud.requests(), []);
    });

    it("skips values unknown in a preview", async () => {
      const { failures } = await hc.host.check(
        urn,
        {},
        inputs({ volumeId: UNKNOWN, connector: UNKNOWN, complete: true }),
      );
      assert.deepEqual(failures, []);
    });
  });

  describe("Diff", () => {
    const volumeId = randomUUID();
    const olds = {
      volumeId,
      instanceId: INSTANCE,
      connector: CONNECTOR,
      status: "attached",
      connectionInfo: {},
    };

    it("replaces, deleting first, when a replacing input is unknown", async () => {
      assert.deepEqual(
        await hc.host.diff(urn, "a", olds, inputs({ volumeId, instanceId: UNKNOWN, connector: CONNECTOR })),
        {
          changes: "some",
          replaces: ["instanceId"],
          deleteBeforeReplace: true,
        },
      );
    });

    it("updates a new connector in place, and sees nothing when nothing changed", async () => {
      const moved = inputs({ volumeId, instanceId: INSTANCE, connector: { ...CONNECTOR, host: "other" } });
      assert.deepEqual(await hc.host.diff(urn, "a", olds, moved), {
        changes: "some",
        replaces: [],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(
        (await hc.host.diff(urn, "a", olds, inputs({ volumeId, instanceId: INSTANCE, connector: CONNECTOR })))
          .changes,
        "none",
      );
    });
  });

  describe("Create, Read, Update, Delete", () => {
    it("runs the whole life of an attachment", async () => {
      const volumeId = await hc.cloud.createVolume();
      const chap = hc.cloud.volume(volumeId).export.chapPassword;
      const given = inputs({ volumeId, instanceId: INSTANCE, connector: CONNECTOR, timeoutSeconds: 10 });
      const { id, properties } = await hc.host.create(urn, given);
      assert.equal(properties.__provider, hc.provider);
      assert.equal(properties.status, "attached");
      assert.equal(properties.attachMode, "null");
      assert.equal((properties.connectionInfo as Record<string, unknown>).auth_password, chap);
      assert.equal(hc.cloud.volume(volumeId).status, "in-use");

      const refreshed = await hc.host.read(urn, id, properties);
      assert.equal(refreshed.id, id);
      assert.deepEqual(refreshed.properties, properties);

      const moved = { ...given, connector: { ...CONNECTOR, host: "conformance-host-2" } };
      const updated = await hc.host.update(urn, id, properties, moved);
      assert.equal(updated.properties.status, "attached");
      assert.deepEqual(updated.properties.connector, moved.connector);
      assert.equal(hc.cloud.sim.world.cinder.attachments.get(id)?.attachedHost, "conformance-host-2");

      await hc.host.delete(urn, id, updated.properties);
      assert.equal(hc.cloud.volume(volumeId).status, "available");
      assert.equal((await hc.host.read(urn, id, updated.properties)).id, "", "gone after the delete");
      await hc.host.delete(urn, id, updated.properties); // already gone: success
      assertHostLogClean(chap);
    });

    it("reports a create that failed after the POST as init-failed, without the connection info", async () => {
      const volumeId = await hc.cloud.createVolume();
      hc.cloud.sim.world.faults.add({
        action: "status",
        status: 500,
        method: "POST",
        path: "/attachments/[^/]+/action$",
      });
      await assert.rejects(
        hc.host.create(urn, inputs({ volumeId, connector: CONNECTOR })),
        (error: HostError) => {
          assert.ok(error.initFailed, "init failed");
          assert.ok(hc.cloud.sim.world.cinder.attachments.has(error.initFailed.id));
          assert.equal(error.initFailed.properties.volumeId, volumeId);
          assert.equal("connectionInfo" in error.initFailed.properties, false);
          assert.match(error.initFailed.reasons[0], /500/);
          return true;
        },
      );
      assertHostLogClean(hc.cloud.volume(volumeId).export.chapPassword);
    });

    it("fails before any mutation for a volume that is not attachable, with a clear message", async () => {
      const volumeId = await hc.cloud.createVolume();
      await hc.host.create(urn, inputs({ volumeId, instanceId: INSTANCE, connector: CONNECTOR }));
      hc.cloud.clearRequests();
      await assert.rejects(
        hc.host.create(urn, inputs({ volumeId, instanceId: randomUUID(), connector: CONNECTOR })),
        (error: HostError) => {
          assert.match(error.message, /is "in-use" \(attached to .*\) and is not a multiattach volume/);
          assert.equal(error.initFailed, undefined);
          return true;
        },
      );
      assert.deepEqual(hc.cloud.mutations(), []);
    });

    it("keeps a connection secret echoed by a broken service out of errors and the host log", async () => {
      const volumeId = await hc.cloud.createVolume();
      const { id, properties } = await hc.host.create(urn, inputs({ volumeId, connector: CONNECTOR }));
      const chap = hc.cloud.volume(volumeId).export.chapPassword;
      hc.cloud.sim.world.faults.add({
        action: "status",
        status: 500,
        method: "GET",
        path: `/attachments/${id}$`,
        message: `backend says auth_password=${chap}`,
        count: 1,
      });
      await assert.rejects(hc.host.read(urn, id, properties), (error: HostError) => {
        assert.ok(!error.message.includes(chap));
        assert.match(error.message, /auth_password=\*\*\*/);
        return true;
      });
      assertHostLogClean(chap);
    });
  });
});
