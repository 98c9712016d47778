// VolumeAttachment against the simulator's Nova and Cinder, calling the implementation directly: check and
// diff offline (device drift), the attach at 2.89 and 2.101 (async, silent failures), what each microversion
// reports, clouds too old for tag / deleteOnTermination / updates, busy servers, multiattach, adoption,
// out-of-band changes, the shelved-offloaded guard, replacing the server, interrupted creates.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import { connect } from "../../provider/openstack";
import { UNKNOWN } from "../../provider/resources/common";
import { InitFailedError } from "../../provider/resources/common";
import {
  VolumeAttachmentInputs,
  VolumeAttachmentOutputs,
  unansweredPostSettings,
  volumeAttachment as impl,
} from "../../provider/resources/volumeAttachment";
import { rejection, SimulatedCloud } from "../support/simulatedCloud";

describe("VolumeAttachment (simulator)", () => {
  let cloud: SimulatedCloud;

  before(async () => {
    cloud = await SimulatedCloud.start();
  });
  after(() => cloud.close());
  beforeEach(() => cloud.reset());

  const create = async (inputs: VolumeAttachmentInputs) => {
    const { id, outs } = await impl.create(inputs);
    return { id, outs: outs as VolumeAttachmentOutputs };
  };
  const novaBase = (serverId: string) => `/compute/v2.1/servers/${serverId}/os-volume_attachments`;
  const posts = () => cloud.requests({ method: "POST", path: /os-volume_attachments$/ });
  const bdmsOf = (serverId: string) => cloud.sim.world.nova.volumes.bdmsOf(serverId);
  const attachedServers = (volumeId: string) =>
    cloud.sim.world.cinder
      .attachmentsOf(volumeId)
      .filter((a) => a.attachStatus === "attached")
      .map((a) => a.instanceUuid);

  /**
   * A rolled-back attach's error: not init-failed (nothing to record), naming the failed step and the
   * command that shows the POST's instance action, with the volume available and no mapping left.
   */
  function assertAttachFailed(err: Error, serverId: string, volumeId: string): void {
    assert.ok(!(err instanceof InitFailedError), `nothing exists to be recorded: ${err.message}`);
    const [action] = cloud.sim.world.nova.actions.of(serverId);
    assert.equal(action.action, "attach_volume");
    assert.match(err.message, new RegExp(`attaching volume ${volumeId} on server ${serverId}`));
    assert.match(err.message, /the attach failed after Nova accepted it: the volume is "available"/);
    assert.match(err.message, /step compute_attach_volume failed: .*simulated attach failure/);
    assert.ok(
      err.message.includes(`openstack server event show ${serverId} ${action.requestId}`),
      err.message,
    );
    assert.equal(cloud.volume(volumeId).status, "available");
    assert.deepEqual(bdmsOf(serverId), []);
  }

  /** A server and a volume, ready to attach. */
  async function pair(options: { multiattach?: boolean; user?: "admin" | "demo" } = {}) {
    const serverId = await cloud.createServer(options.user);
    const volumeId = await cloud.createVolume({ multiattach: options.multiattach, user: options.user });
    return { serverId, volumeId };
  }

  describe("check (no API call)", () => {
    it("names each malformed input and makes no request", async () => {
      cloud.clearRequests();
      const { failures } = await impl.check(
        {} as any,
        {
          serverId: "web-1",
          volumeId: randomUUID(),
          device: "vdb",
          tag: "a/b",
          deleteOnTermination: "yes",
          timeoutSeconds: 0,
          region: 7,
          deleteOnTerminaton: true,
        } as any,
      );
      const byProperty = Object.fromEntries((failures ?? []).map((f) => [f.property, f.reason]));
      assert.deepEqual(Object.keys(byProperty).sort(), [
        "deleteOnTermination",
        "deleteOnTerminaton",
        "device",
        "region",
        "serverId",
        "tag",
        "timeoutSeconds",
      ]);
      assert.match(byProperty.serverId, /UUID of a Nova server, got "web-1"/);
      assert.match(byProperty.device, /device path such as \/dev\/vdb/);
      assert.match(byProperty.tag, /1-60 characters without "\/" or ","/);
      assert.match(byProperty.deleteOnTerminaton, /has no input "deleteOnTerminaton"/);
      const long = await impl.check({} as any, {
        serverId: randomUUID(),
        volumeId: randomUUID(),
        tag: "x".repeat(61),
      });
      assert.deepEqual(
        long.failures?.map((f) => f.property),
        ["tag"],
      );
      const missing = await impl.check({} as any, {} as any);
      assert.deepEqual(
        missing.failures?.map((f) => f.property),
        ["serverId", "volumeId"],
      );
      assert.deepEqual(cloud.requests(), []);
    });

    it("lets unknown values of a preview pass", async () => {
      const { failures } = await impl.check(
        {} as any,
        {
          serverId: UNKNOWN,
          volumeId: UNKNOWN,
          device: UNKNOWN,
          tag: UNKNOWN,
          deleteOnTermination: UNKNOWN,
        } as any,
      );
      assert.deepEqual(failures, []);
    });
  });

  describe("diff", () => {
    const serverId = randomUUID();
    const volumeId = randomUUID();
    const olds = {
      serverId,
      volumeId,
      device: "/dev/vdz",
      attachedDevice: "/dev/vdb",
      currentTag: "db",
      currentDeleteOnTermination: false,
      attachmentId: randomUUID(),
      bdmUuid: randomUUID(),
    } as any;

    it("never replaces for the device Nova chose (the device drift problem)", async () => {
      const same = await impl.diff(`${serverId}/${volumeId}`, olds, {
        serverId,
        volumeId,
        device: "/dev/vdz",
      });
      assert.equal(same.changes, false);
      assert.deepEqual(same.replaces, []);
      const noDevice = { ...olds, device: undefined };
      const unset = await impl.diff(`${serverId}/${volumeId}`, noDevice, { serverId, volumeId });
      assert.equal(unset.changes, false);
    });

    it("changes deleteOnTermination and the timeout in place", async () => {
      const result = await impl.diff("x", olds, {
        serverId,
        volumeId,
        device: "/dev/vdz",
        deleteOnTermination: true,
        timeoutSeconds: 60,
      });
      assert.equal(result.changes, true);
      assert.deepEqual(result.replaces, []);
    });

    it("replaces a new server (or an unknown one) with the same volume, deleting first", async () => {
      for (const next of [randomUUID(), UNKNOWN]) {
        const result = await impl.diff("x", olds, { serverId: next, volumeId, device: "/dev/vdz" });
        assert.deepEqual(result.replaces, ["serverId"]);
        assert.equal(result.deleteBeforeReplace, true);
      }
    });

    it("replaces for a new tag or device, and for another volume without deleting first", async () => {
      const tag = await impl.diff("x", olds, { serverId, volumeId, device: "/dev/vdz", tag: "logs" });
      assert.deepEqual(tag.replaces, ["tag"]);
      assert.equal(tag.deleteBeforeReplace, true);
      const other = await impl.diff("x", olds, { serverId, volumeId: randomUUID(), device: "/dev/vdz" });
      assert.deepEqual(other.replaces, ["volumeId"]);
      assert.equal(other.deleteBeforeReplace, false);
    });
  });

  describe("attach, read, update, detach", () => {
    it("at 2.89: reports what Nova chose under output names of its own, and follows the volume", async () => {
      cloud.setMaxMicroversion("compute", "2.89");
      const { serverId, volumeId } = await pair();
      const inputs = { serverId, volumeId, device: "/dev/vdz", tag: "db", timeoutSeconds: 30 };
      const { id, outs } = await create(inputs);
      assert.equal(id, `${serverId}/${volumeId}`);
      assert.equal(cloud.volume(volumeId).status, "in-use");
      assert.deepEqual(attachedServers(volumeId), [serverId]);
      assert.equal(outs.device, "/dev/vdz", "the input, exactly as given");
      assert.equal(outs.attachedDevice, "/dev/vdb", "what Nova reports");
      assert.equal(outs.currentTag, "db");
      assert.equal(outs.currentDeleteOnTermination, false);
      assert.equal("deleteOnTermination" in outs, false, "no default under an input's name");
      assert.equal(outs.attachmentId, cloud.sim.world.cinder.attachmentsOf(volumeId)[0].id);
      assert.equal(outs.bdmUuid, bdmsOf(serverId)[0].uuid);

      const read = await impl.read(id, outs);
      assert.deepEqual(read, { id, props: outs });
      const diff = await impl.diff(id, read.props as VolumeAttachmentOutputs, inputs);
      assert.equal(diff.changes, false);

      cloud.clearRequests();
      const updated = (await impl.update!(id, outs, { ...inputs, deleteOnTermination: true })).outs!;
      assert.equal(updated.currentDeleteOnTermination, true);
      assert.equal(updated.deleteOnTermination, true);
      assert.deepEqual(
        cloud.mutations().map((r) => r.method),
        ["PUT"],
      );
      assert.equal(bdmsOf(serverId)[0].deleteOnTermination, true);

      await impl.delete(id, updated);
      assert.equal(cloud.volume(volumeId).status, "available");
      assert.deepEqual(bdmsOf(serverId), []);
      assert.deepEqual(await impl.read(id, updated), {});
    });

    it("takes new credentials (cloud, region) in place when they point where the attachment is", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      assert.deepEqual((await impl.diff(id, outs, { serverId, volumeId, region: "RegionOne" })).replaces, []);
      cloud.clearRequests();
      const same = (await impl.update!(id, outs, { serverId, volumeId, region: "RegionOne" })).outs!;
      assert.equal(same.region, "RegionOne");
      assert.deepEqual(cloud.mutations(), []);
      const err = await rejection(impl.update!(id, outs, { serverId, volumeId, region: "RegionTwo" }));
      assert.match(err.message, /no public endpoint for (compute|block-storage).* in region RegionTwo/);
      assert.deepEqual(cloud.mutations(), []);
    });

    it("at 2.101: waits for the asynchronous attach, which answers without a body", async () => {
      cloud.setMaxMicroversion("compute", "2.104");
      // Long enough for several polls while Nova has its block device mapping but Cinder no attachment yet.
      cloud.sim.world.config.transitions["volume.attach"] = 400;
      const { serverId, volumeId } = await pair();
      cloud.clearRequests();
      const { outs } = await create({ serverId, volumeId, deleteOnTermination: true });
      assert.deepEqual(
        posts().map((r) => r.status),
        [202],
      );
      assert.equal(cloud.volume(volumeId).status, "in-use");
      assert.equal(outs.attachedDevice, "/dev/vdb");
      assert.equal(outs.currentDeleteOnTermination, true);
      assert.ok(outs.attachmentId && outs.bdmUuid);
    });

    it("reports each microversion's fields, and only those", async () => {
      const expected: Record<string, string[]> = {
        "2.48": ["attachedDevice"],
        "2.70": ["attachedDevice"],
        "2.79": ["attachedDevice", "currentDeleteOnTermination"],
        "2.89": ["attachedDevice", "currentDeleteOnTermination", "attachmentId", "bdmUuid"],
        "2.101": ["attachedDevice", "currentDeleteOnTermination", "attachmentId", "bdmUuid"],
      };
      for (const [max, fields] of Object.entries(expected)) {
        cloud.setMaxMicroversion("compute", max);
        const { serverId, volumeId } = await pair();
        const { outs } = await create({ serverId, volumeId });
        const reported = [
          "attachedDevice",
          "currentTag",
          "currentDeleteOnTermination",
          "attachmentId",
          "bdmUuid",
        ];
        assert.deepEqual(
          reported.filter((key) => key in outs),
          fields,
          `at ${max}`,
        );
      }
      cloud.setMaxMicroversion("compute", "2.70");
      const { serverId, volumeId } = await pair();
      assert.equal((await create({ serverId, volumeId, tag: "t1" })).outs.currentTag, "t1");
    });

    // The deadlines below are far under mocha's 20 s: a failure that goes unnoticed shows as an assertion
    // (a timeout recorded as init-failed), never as a mocha timeout.
    it("makes a silent failure at 2.101 (the volume falls back to available) a clear error", async () => {
      const { serverId, volumeId } = await pair();
      await cloud.patchServer(serverId, { volumeAttachOutcome: "fail" });
      const err = await rejection(create({ serverId, volumeId, timeoutSeconds: 5 }));
      assertAttachFailed(err, serverId, volumeId);
    });

    it("catches a 2.101 failure that rolled back before the first poll, from the POST's instance action", async () => {
      const { serverId, volumeId } = await pair();
      await cloud.patchServer(serverId, { volumeAttachOutcome: "fail" });
      // Nova's four steps take 1 ms each; every read that could show the attach (Cinder's attachments, the
      // instance action) is answered 300 ms late, by which time the attach has long been rolled back.
      cloud.sim.world.config.transitions["volume.attach"] = 1;
      const delayMs = 300;
      cloud.sim.world.faults.add({ action: "delay", method: "GET", path: "/attachments$", delayMs });
      cloud.sim.world.faults.add({ action: "delay", method: "GET", path: "/os-instance-actions/", delayMs });
      cloud.clearRequests();
      const err = await rejection(create({ serverId, volumeId, timeoutSeconds: 5 }));
      assertAttachFailed(err, serverId, volumeId);
      // The scenario really happened: the rollback completed before the first read after the POST was served.
      const post = posts()[0];
      const firstRead = cloud
        .requests({ method: "GET" })
        .find((r) => r.at > post.at && /\/attachments$|os-instance-actions/.test(r.path))!;
      const rollback = cloud.sim.world.transitions.log.find(
        (t) => t.kind === "volume.attach" && t.objectId === volumeId && t.to === "available",
      )!;
      assert.ok(
        rollback.completedAt < firstRead.at + delayMs,
        "rolled back before the first poll was served",
      );
    });

    it("where instance actions are forbidden (403), asks once and follows Nova and Cinder instead", async () => {
      cloud.sim.world.config.services.nova = { policyDenied: ["os_compute_api:os-instance-actions:show"] };
      try {
        cloud.useUser("demo");
        const ok = await pair({ user: "demo" });
        cloud.clearRequests();
        const { outs } = await create({ ...ok, timeoutSeconds: 5 });
        assert.ok(outs.attachmentId, "attached");
        const actionReads = () => cloud.requests({ path: /os-instance-actions/ }).map((r) => r.status);
        assert.deepEqual(actionReads(), [403]);

        // A failure the fallback sees under way (steps long enough for its polls) is still a clear error.
        cloud.sim.world.config.transitions["volume.attach"] = 300;
        const failing = await pair({ user: "demo" });
        await cloud.patchServer(failing.serverId, { volumeAttachOutcome: "fail" });
        cloud.clearRequests();
        const err = await rejection(create({ ...failing, timeoutSeconds: 5 }));
        assert.ok(!(err instanceof InitFailedError), err.message);
        assert.match(err.message, /the attach failed after Nova accepted it: the volume is "available"/);
        assert.deepEqual(actionReads(), [403]);
      } finally {
        cloud.sim.world.config.services.nova = {};
      }
    });

    it("where Nova answers the instance action with another 404 (no such API), asks once and falls back", async () => {
      const { serverId, volumeId } = await pair();
      cloud.sim.world.faults.add({
        action: "status",
        status: 404,
        method: "GET",
        path: "/os-instance-actions/",
      });
      cloud.clearRequests();
      const { outs } = await create({ serverId, volumeId, timeoutSeconds: 5 });
      assert.ok(outs.attachmentId, "attached");
      assert.deepEqual(
        cloud.requests({ path: /os-instance-actions/ }).map((r) => r.status),
        [404],
      );
    });

    it("also catches the failure at 2.89, where the POST answered before the compute failed", async () => {
      cloud.setMaxMicroversion("compute", "2.89");
      const { serverId, volumeId } = await pair();
      await cloud.patchServer(serverId, { volumeAttachOutcome: "fail" });
      const err = await rejection(create({ serverId, volumeId, timeoutSeconds: 20 }));
      assert.match(err.message, /attach failed after Nova accepted it/);
      assert.deepEqual(
        posts().map((r) => r.status),
        [200],
      );
    });

    it("records an attach that outlives its deadline (init failed), and deletes it later", async () => {
      const { serverId, volumeId } = await pair();
      const transitions = cloud.sim.world.transitions;
      transitions.hold("volume.attach"); // Nova's conductor has not acted when the deadline comes
      try {
        const err = await rejection(create({ serverId, volumeId, timeoutSeconds: 0.3 }));
        assert.ok(err instanceof InitFailedError);
        assert.equal(err.id, `${serverId}/${volumeId}`);
        assert.match(err.message, /timed out after .* waiting for volume .* to be attached/);
        // Later, Nova has made the block device mapping but not reserved the volume yet: the DELETE's
        // "Unable to detach" (the volume is available) is waited out like an attach under way.
        transitions.step("volume.attach");
        assert.equal(bdmsOf(serverId).length, 1);
        cloud.clearRequests();
        const deleted = impl.delete(err.id, {
          ...(err.properties as VolumeAttachmentOutputs),
          timeoutSeconds: 10,
        });
        const deletes = () =>
          cloud.requests({ method: "DELETE", path: /os-volume_attachments/ }).map((r) => r.status);
        const repeated = cloud.client.until(
          async () => deletes().filter((status) => status === 400).length,
          (n) => n >= 2,
        );
        await Promise.race([repeated, deleted]); // a delete that gives up at the first 400 rejects here
        assert.deepEqual(deletes().slice(0, 2), [400, 400], "asked again while the volume is not reserved");
        transitions.release("volume.attach");
        await deleted;
        assert.equal(deletes()[deletes().length - 1], 202);
      } finally {
        transitions.release();
      }
      assert.equal(cloud.volume(volumeId).status, "available");
      assert.deepEqual(bdmsOf(serverId), []);
    });
  });

  describe("clouds too old: clear errors before any mutation", () => {
    it("refuses a tag below 2.49 and deleteOnTermination below 2.79, never dropping them", async () => {
      const { serverId, volumeId } = await pair();
      cloud.setMaxMicroversion("compute", "2.48");
      cloud.clearRequests();
      let err = await rejection(create({ serverId, volumeId, tag: "db" }));
      assert.match(
        err.message,
        /compute API tops at 2\.48; microversion 2\.49 is needed for a volume attachment tag \(tag\)/,
      );
      cloud.setMaxMicroversion("compute", "2.78");
      err = await rejection(create({ serverId, volumeId, deleteOnTermination: true }));
      assert.match(err.message, /tops at 2\.78; microversion 2\.79 is needed for deleteOnTermination/);
      assert.deepEqual(cloud.mutations(), []);
      // false is what Nova does anyway before 2.79: accepted, and not sent.
      const { outs } = await create({ serverId, volumeId, deleteOnTermination: false });
      assert.equal(outs.deleteOnTermination, false);
      assert.equal("currentDeleteOnTermination" in outs, false);
    });

    it("refuses to change deleteOnTermination in place below 2.85", async () => {
      cloud.setMaxMicroversion("compute", "2.84");
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId, deleteOnTermination: false });
      cloud.clearRequests();
      const err = await rejection(impl.update!(id, outs, { serverId, volumeId, deleteOnTermination: true }));
      assert.match(
        err.message,
        /tops at 2\.84; microversion 2\.85 is needed for changing deleteOnTermination in place/,
      );
      assert.deepEqual(cloud.mutations(), []);
      assert.equal(bdmsOf(serverId)[0].deleteOnTermination, false);
    });

    it("refuses a multiattach volume below 2.60", async () => {
      cloud.setMaxMicroversion("compute", "2.59");
      const { serverId, volumeId } = await pair({ multiattach: true });
      cloud.clearRequests();
      const err = await rejection(create({ serverId, volumeId }));
      assert.match(err.message, /microversion 2\.60 is needed for attaching a multiattach volume/);
      assert.deepEqual(cloud.mutations(), []);
    });
  });

  describe("busy and refusing servers", () => {
    it("retries while the server is busy (409 task_state) and succeeds once it is free", async () => {
      const { serverId, volumeId } = await pair();
      await cloud.patchServer(serverId, { taskState: "powering-off" });
      setTimeout(() => void cloud.patchServer(serverId, { taskState: null }), 700);
      cloud.clearRequests();
      const { outs } = await create({ serverId, volumeId, timeoutSeconds: 20 });
      assert.equal(outs.attachedDevice, "/dev/vdb");
      const statuses = posts().map((r) => r.status);
      assert.ok(statuses.length >= 3, `retried: ${statuses}`);
      assert.deepEqual(statuses.slice(0, -1), Array(statuses.length - 1).fill(409));
      assert.equal(statuses[statuses.length - 1], 202, "accepted at 2.101");
    });

    it("gives up at the deadline with Nova's busy message, having retried", async () => {
      const { serverId, volumeId } = await pair();
      await cloud.patchServer(serverId, { taskState: "rebooting" });
      cloud.clearRequests();
      const started = Date.now();
      const err = await rejection(create({ serverId, volumeId, timeoutSeconds: 1 }));
      assert.match(err.message, /409 conflictingRequest: Cannot 'attach_volume' instance .* task_state/);
      assert.ok(Date.now() - started >= 1000);
      assert.ok(posts().length >= 3, `retries: ${posts().length}`);
      assert.ok(posts().every((r) => r.status === 409));
      assert.equal(cloud.volume(volumeId).status, "available");
    });

    it("fails at once, without retrying, for a locked server, a wrong vm_state and a device in use", async () => {
      const locked = await pair({ user: "demo" });
      await cloud.patchServer(locked.serverId, { locked: true });
      cloud.useUser("demo");
      cloud.clearRequests();
      let err = await rejection(create({ ...locked, timeoutSeconds: 20 }));
      assert.match(err.message, /409 conflictingRequest: Instance .* is locked/);
      assert.equal(posts().length, 1);

      cloud.useUser("admin");
      const suspended = await pair();
      await cloud.patchServer(suspended.serverId, { vmState: "suspended" });
      cloud.clearRequests();
      err = await rejection(create({ ...suspended, timeoutSeconds: 20 }));
      assert.match(err.message, /while it is in vm_state .*suspended/);
      assert.equal(posts().length, 1);

      const device = await pair();
      cloud.sim.world.faults.add({
        action: "status",
        status: 409,
        method: "POST",
        path: "os-volume_attachments$",
        message: "The supplied device path (/dev/vdb) is in use.",
      });
      cloud.clearRequests();
      err = await rejection(create({ ...device, device: "/dev/vdb", timeoutSeconds: 20 }));
      assert.match(err.message, /The supplied device path \(\/dev\/vdb\) is in use/);
      assert.equal(posts().length, 1);
    });
  });

  describe("volumes in use", () => {
    it("explains a volume that is not multiattach and attached elsewhere, before any POST", async () => {
      const { serverId, volumeId } = await pair();
      const other = await cloud.createServer();
      await create({ serverId, volumeId });
      cloud.clearRequests();
      const err = await rejection(create({ serverId: other, volumeId }));
      assert.match(
        err.message,
        new RegExp(`is "in-use" \\(attached to ${serverId}\\) and is not a multiattach volume`),
      );
      assert.deepEqual(posts(), []);
    });

    it("attaches a multiattach volume to two servers and detaches each on its own", async () => {
      const { serverId: a, volumeId } = await pair({ multiattach: true });
      const b = await cloud.createServer();
      const first = await create({ serverId: a, volumeId });
      const second = await create({ serverId: b, volumeId });
      assert.deepEqual(attachedServers(volumeId).sort(), [a, b].sort());
      assert.notEqual(first.outs.attachmentId, second.outs.attachmentId);
      await impl.delete(first.id, first.outs);
      assert.deepEqual(attachedServers(volumeId), [b]);
      assert.equal(cloud.volume(volumeId).status, "in-use");
      assert.deepEqual(await impl.read(first.id, first.outs), {});
      assert.equal((await impl.read(second.id, second.outs)).id, second.id);
      await impl.delete(second.id, second.outs);
      assert.equal(cloud.volume(volumeId).status, "available");
    });
  });

  describe("changes made elsewhere", () => {
    it("sees a detach made out of band as gone, and deleting it then succeeds", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      const res = await cloud.client.call("admin", "DELETE", `${novaBase(serverId)}/${volumeId}`, {
        mv: "2.1",
      });
      assert.equal(res.status, 202);
      await cloud.client.until(
        async () => cloud.volume(volumeId).status,
        (s) => s === "available",
      );
      assert.deepEqual(await impl.read(id, outs), {});
      await impl.delete(id, outs);
    });

    it("deletes successfully when the server itself is gone", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      await cloud.client.call("admin", "DELETE", `/compute/v2.1/servers/${serverId}`, { mv: "2.1" });
      await cloud.client.until(
        async () => cloud.sim.world.nova.servers.has(serverId),
        (exists) => !exists,
      );
      await impl.delete(id, outs);
      assert.deepEqual(await impl.read(id, outs), {});
    });

    it("at 2.89+, is not gone while Nova hides an attachment that has no Cinder attachment id yet", async () => {
      cloud.sim.world.config.transitions["volume.attach"] = 300;
      const { serverId, volumeId } = await pair();
      const res = await cloud.client.call("admin", "POST", novaBase(serverId), {
        mv: "2.101",
        body: { volumeAttachment: { volumeId } },
      });
      assert.equal(res.status, 202);
      await cloud.client.until(
        async () => bdmsOf(serverId)[0],
        (bdm) => bdm !== undefined,
      );
      const hidden = await cloud.client.call("admin", "GET", `${novaBase(serverId)}/${volumeId}`, {
        mv: "2.101",
      });
      assert.equal(hidden.status, 404, "Nova hides it at 2.89+");
      const scope = await connect().scope("compute");
      const read = await impl.read(`${serverId}/${volumeId}`, { serverId, volumeId, scope });
      assert.equal(read.id, `${serverId}/${volumeId}`, "not gone");
      assert.equal((read.props as VolumeAttachmentOutputs).attachedDevice, "/dev/vdb");
      assert.equal("attachmentId" in (read.props as object), false);
    });

    it("takes over (adopts) an attachment that already exists, without a second POST", async () => {
      const { serverId, volumeId } = await pair();
      const res = await cloud.client.call("admin", "POST", novaBase(serverId), {
        mv: "2.89",
        body: { volumeAttachment: { volumeId, tag: "data", delete_on_termination: true } },
      });
      assert.equal(res.status, 200);
      cloud.clearRequests();
      const { id, outs } = await create({ serverId, volumeId, tag: "data" });
      assert.equal(id, `${serverId}/${volumeId}`);
      assert.deepEqual(posts(), []);
      assert.equal(outs.currentTag, "data");
      assert.equal(outs.currentDeleteOnTermination, false, "brought in line with the input (default false)");
      assert.equal(bdmsOf(serverId).length, 1);
    });

    it("refuses to adopt an attachment whose tag differs", async () => {
      const { serverId, volumeId } = await pair();
      await cloud.client.call("admin", "POST", novaBase(serverId), {
        mv: "2.89",
        body: { volumeAttachment: { volumeId, tag: "data" } },
      });
      const err = await rejection(create({ serverId, volumeId, tag: "logs" }));
      assert.match(err.message, /already has this volume attached with tag "data", not "logs"/);
    });

    describe("a POST that gets no answer", () => {
      const lookMs = unansweredPostSettings.lookMs;
      beforeEach(() => (unansweredPostSettings.lookMs = 1000));
      afterEach(() => (unansweredPostSettings.lookMs = lookMs));

      it("that never reached Nova: its effects are looked for, then it is sent again", async () => {
        const { serverId, volumeId } = await pair();
        cloud.sim.world.faults.add({
          action: "reset",
          method: "POST",
          path: "os-volume_attachments$",
          count: 1,
        });
        cloud.clearRequests();
        const { outs } = await create({ serverId, volumeId });
        assert.equal(outs.attachedDevice, "/dev/vdb");
        assert.deepEqual(
          posts().map((r) => r.status),
          [0, 202],
        );
        assert.equal(bdmsOf(serverId).length, 1);
      });

      it("that Nova did receive: its effects are seen, and it is not sent again", async () => {
        const { serverId, volumeId } = await pair();
        cloud.sim.world.faults.add({
          action: "reset",
          method: "POST",
          path: "os-volume_attachments$",
          count: 1,
        });
        cloud.clearRequests();
        const attaching = create({ serverId, volumeId });
        // As if Nova had received it: the same attach arrives once the provider's POST lost its answer.
        await cloud.client.until(
          async () => posts().length,
          (n) => n === 1,
        );
        await cloud.client.call("admin", "POST", `/compute/v2.1/servers/${serverId}/os-volume_attachments`, {
          mv: "2.101",
          body: { volumeAttachment: { volumeId } },
        });
        const { outs } = await attaching;
        assert.equal(outs.attachedDevice, "/dev/vdb");
        assert.deepEqual(
          posts().map((r) => r.status),
          [0, 202],
        );
        assert.equal(bdmsOf(serverId).length, 1);
      });

      it("four times: a clear error, and the next run attaches", async () => {
        const { serverId, volumeId } = await pair();
        unansweredPostSettings.lookMs = 100;
        cloud.sim.world.faults.add({
          action: "reset",
          method: "POST",
          path: "os-volume_attachments$",
          count: 4,
        });
        const err = await rejection(create({ serverId, volumeId }));
        assert.match(err.message, /nothing shows that Nova received the attach/);
        const { outs } = await create({ serverId, volumeId });
        assert.equal(outs.attachedDevice, "/dev/vdb");
      });
    });
  });

  describe("detach safeguards", () => {
    it("follows a detach on the volume alone while it is detaching: Nova and Cinder are read at the end", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      const volumeReads = () => cloud.requests({ method: "GET", path: new RegExp(`/volumes/${volumeId}$`) });
      cloud.clearRequests();
      cloud.sim.world.transitions.hold("volume.detach"); // detaching until four polls have seen it
      const deleted = impl.delete(id, outs);
      try {
        await cloud.client.until(
          async () => volumeReads().length,
          (n) => n >= 4,
          10_000,
        );
      } finally {
        cloud.sim.world.transitions.release("volume.detach");
      }
      await deleted;
      assert.equal(cloud.volume(volumeId).status, "available");
      const novaReads = cloud.requests({
        method: "GET",
        path: new RegExp(`${novaBase(serverId)}/${volumeId}$`),
      });
      const cinderReads = cloud.requests({ method: "GET", path: /\/attachments(\/detail)?$/ });
      assert.deepEqual([novaReads.length, cinderReads.length], [1, 1], "one look at each once it is over");
    });

    it("makes a detach Nova gave up (the volume in-use and attached again) a clear error", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      // Nova answers the DELETE and then does nothing: the volume stays in-use, still attached.
      const path = `${novaBase(serverId)}/${volumeId}$`;
      await cloud.client.control("POST", "/faults", {
        method: "DELETE",
        path,
        action: "status",
        status: 202,
        count: 1,
      });
      const err = await rejection(impl.delete(id, { ...outs, timeoutSeconds: 20 }));
      assert.match(err.message, /Nova gave the detach up: the volume is "in-use" and still attached/);
      assert.deepEqual(attachedServers(volumeId), [serverId]);
    });

    it("retries a detach while the server is busy", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      await cloud.patchServer(serverId, { taskState: "powering-on" });
      setTimeout(() => void cloud.patchServer(serverId, { taskState: null }), 600);
      cloud.clearRequests();
      await impl.delete(id, { ...outs, timeoutSeconds: 20 });
      const deletes = cloud
        .requests({ method: "DELETE", path: /os-volume_attachments/ })
        .map((r) => r.status);
      assert.ok(
        deletes.length >= 2 && deletes[0] === 409 && deletes[deletes.length - 1] === 202,
        `${deletes}`,
      );
      assert.equal(cloud.volume(volumeId).status, "available");
    });

    it("clears delete_on_termination before detaching from a shelved-offloaded server: the volume survives", async () => {
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId, deleteOnTermination: true });
      await cloud.patchServer(serverId, { vmState: "shelved_offloaded" });
      cloud.clearRequests();
      await impl.delete(id, outs);
      assert.deepEqual(
        cloud.mutations().map((r) => `${r.method} ${r.status}`),
        ["PUT 202", "DELETE 202"],
      );
      assert.equal(cloud.volume(volumeId).status, "available");
    });

    it("refuses that detach on a cloud that cannot even show the flag (below 2.79)", async () => {
      cloud.setMaxMicroversion("compute", "2.78");
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId });
      await cloud.patchServer(serverId, { vmState: "shelved_offloaded" });
      cloud.clearRequests();
      const err = await rejection(impl.delete(id, outs));
      assert.match(err.message, /compute API \(2\.78\) cannot show the flag, so the detach is refused/);
      assert.deepEqual(cloud.mutations(), []);
    });

    it("refuses that detach on a cloud that cannot clear the flag (below 2.85)", async () => {
      cloud.setMaxMicroversion("compute", "2.84");
      const { serverId, volumeId } = await pair();
      const { id, outs } = await create({ serverId, volumeId, deleteOnTermination: true });
      await cloud.patchServer(serverId, { vmState: "shelved_offloaded" });
      cloud.clearRequests();
      const err = await rejection(impl.delete(id, outs));
      assert.match(err.message, /SHELVED_OFFLOADED, where Nova deletes the volume on detach/);
      assert.match(err.message, /cannot clear it \(2\.85 needed\)/);
      assert.deepEqual(cloud.mutations(), []);
      assert.equal(cloud.volume(volumeId).status, "in-use");
    });

    it("replaces the server with the same volume by deleting first (creating first would be refused)", async () => {
      const { serverId, volumeId } = await pair();
      const old = await create({ serverId, volumeId });
      const replacement = await cloud.createServer();
      const news = { serverId: replacement, volumeId };
      const diff = await impl.diff(old.id, old.outs, news);
      assert.deepEqual(diff.replaces, ["serverId"]);
      assert.equal(diff.deleteBeforeReplace, true);
      // Create-before-delete would fail: the volume is still attached to the old server.
      await rejection(create(news));
      // What the engine does with deleteBeforeReplace:
      await impl.delete(old.id, old.outs);
      const next = await create(news);
      assert.deepEqual(attachedServers(volumeId), [replacement]);
      assert.equal(next.id, `${replacement}/${volumeId}`);
    });
  });
});
