// CinderModel without HTTP: the calls Nova's simulator makes (nova/volume/cinder.py at 3.44) and the
// state machine of FACTS §5.6.
import { strict as assert } from "assert";
import { defaultConfig, mergeConfig } from "../../simulator/core/config";
import { ApiFault } from "../../simulator/core/faults";
import { SEED, type Principal } from "../../simulator/core/identity";
import { World } from "../../simulator/core/world";
import { asService, MULTIATTACH_VOLUME_TYPE_ID, type Volume } from "../../simulator/cinder/model";

const INSTANCE = "6f1d2a7e-6b6f-4c1b-9d55-1f5c7d3a0b01";
const OTHER_INSTANCE = "7a2e3b8f-7c70-4d2c-8e66-2a6d8e4b1c02";
const CONNECTOR = { initiator: "iqn.1993-08.org.debian:01:test", host: "compute-1", mountpoint: "/dev/vdb" };

function principalOf(name: "admin" | "demo", roles?: string[]): Principal {
  const user = SEED.users.find((u) => u.name === name)!;
  const project = SEED.projects.find((p) => p.id === user.projectId)!;
  const r = roles ?? user.roles;
  return {
    userId: user.id,
    userName: user.name,
    projectId: project.id,
    projectName: project.name,
    roles: r,
    isAdmin: r.includes("admin"),
  };
}

const demo = principalOf("demo");
const admin = principalOf("admin");
const reader = principalOf("demo", ["reader"]);

/** Runs `fn` and returns the ApiFault it throws. */
function faultOf(fn: () => unknown): ApiFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiFault) return error;
    throw error;
  }
  assert.fail("expected an ApiFault");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("CinderModel", () => {
  let world: World;
  const available = async (owner = demo, extra: { volumeType?: string } = {}): Promise<Volume> => {
    const v = world.cinder.createVolume(owner, { size: 1, name: "v", ...extra });
    await sleep(10);
    assert.equal(v.status, "available");
    return v;
  };

  beforeEach(() => {
    world = new World(mergeConfig(defaultConfig(), { transitions: { default: 2 } }));
  });
  afterEach(() => world.transitions.cancelAll());

  it("creates a volume asynchronously (creating -> available) and logs the transition", async () => {
    const v = world.cinder.createVolume(demo, { size: 2, name: "data" });
    assert.equal(v.status, "creating");
    await sleep(10);
    assert.equal(v.status, "available");
    const t = world.transitions.log.find((x) => x.objectId === v.id)!;
    assert.deepEqual([t.kind, t.to], ["volume.create", "available"]);
  });

  it("ends a volume create in error when the backend fails", async () => {
    world.cinder.injectBackendFailure("create_volume");
    const v = world.cinder.createVolume(demo, { size: 1 });
    await sleep(10);
    assert.equal(v.status, "error");
    assert.equal(faultOf(() => world.cinder.createAttachment(demo, { volumeId: v.id })).status, 400);
  });

  it("runs Nova's attach flow: reserve, update with connector, complete", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    assert.deepEqual([a.attachStatus, v.status, a.attachMode], ["reserved", "reserved", "null"]);
    assert.deepEqual(a.connectionInfo, {});

    world.cinder.updateAttachment(demo, a.id, CONNECTOR);
    assert.deepEqual([a.attachStatus, v.status, a.attachMode], ["attaching", "attaching", "rw"]);
    assert.equal(a.connectionInfo.driver_volume_type, "iscsi");
    assert.equal(a.connectionInfo.attachment_id, a.id);
    assert.equal(a.connectionInfo.auth_method, "CHAP");
    assert.ok(String(a.connectionInfo.auth_password).length >= 12);
    assert.equal(a.mountpoint, "/dev/vdb");

    world.cinder.completeAttachment(demo, a.id);
    assert.deepEqual([a.attachStatus, v.status, v.attachStatus], ["attached", "in-use", "attached"]);
  });

  it("runs Nova's detach flow: begin_detaching, then delete as a service -> available", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, {
      volumeId: v.id,
      instanceUuid: INSTANCE,
      connector: CONNECTOR,
    });
    world.cinder.completeAttachment(demo, a.id);
    world.cinder.beginDetaching(demo, v.id);
    assert.equal(v.status, "detaching");
    world.cinder.rollDetaching(demo, v.id);
    assert.equal(v.status, "in-use");
    world.cinder.beginDetaching(demo, v.id);
    world.nova.volumeAttachmentIdFor = () => a.id; // Nova still reports the attachment.
    const refused = faultOf(() => world.cinder.deleteAttachment(demo, a.id));
    assert.equal(refused.status, 409);
    assert.equal(
      refused.message,
      `ConflictNovaUsingAttachment: Detach volume from instance ${INSTANCE} using the Compute API`,
    );
    assert.deepEqual(world.cinder.deleteAttachment(asService(demo), a.id), []);
    assert.deepEqual([v.status, v.attachStatus], ["available", "detached"]);
    assert.equal(world.cinder.attachments.size, 0);
  });

  it("lets a user delete an attachment Nova does not report (other id, or no connection_info)", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, {
      volumeId: v.id,
      instanceUuid: INSTANCE,
      connector: CONNECTOR,
    });
    world.nova.volumeAttachmentIdFor = () => "another-attachment";
    world.cinder.deleteAttachment(demo, a.id);
    const b = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    world.nova.volumeAttachmentIdFor = () => b.id;
    world.cinder.deleteAttachment(demo, b.id);
    assert.equal(v.status, "available");
  });

  it("rejects os-begin_detaching unless in-use and attached", async () => {
    const v = await available();
    const f = faultOf(() => world.cinder.beginDetaching(demo, v.id));
    assert.equal(f.status, 400);
    assert.match(f.message, /Volume status must be 'in-use' and attach_status must be 'attached'/);
  });

  it("refuses a second reservation of a non-multiattach volume, except for the same instance", async () => {
    const v = await available();
    world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    const f = faultOf(() =>
      world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: OTHER_INSTANCE }),
    );
    assert.equal(f.status, 400);
    assert.equal(
      f.message,
      `Invalid volume: Volume ${v.id} status must be available or downloading to reserve, but the current status is reserved.`,
    );
    // Live migration: the same instance may reserve again.
    world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    assert.equal(world.cinder.attachmentsOf(v.id).length, 2);
  });

  it("allows several attachments of a multiattach volume and recomputes the status on delete", async () => {
    const v = await available(demo, { volumeType: "multiattach" });
    assert.equal(v.multiattach, true);
    assert.equal(v.volumeTypeId, MULTIATTACH_VOLUME_TYPE_ID);
    const a = world.cinder.createAttachment(demo, {
      volumeId: v.id,
      instanceUuid: INSTANCE,
      connector: CONNECTOR,
    });
    world.cinder.completeAttachment(demo, a.id);
    const b = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: OTHER_INSTANCE });
    assert.equal(v.status, "reserved");
    world.cinder.updateAttachment(demo, b.id, { ...CONNECTOR, host: "compute-2" });
    // attached wins over attaching when the attaching one goes away...
    world.cinder.deleteAttachment(asService(demo), b.id);
    assert.equal(v.status, "in-use");
    // ...and attaching wins over reserved.
    const r = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: OTHER_INSTANCE });
    const c = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: OTHER_INSTANCE });
    world.cinder.updateAttachment(demo, c.id, CONNECTOR);
    world.cinder.deleteAttachment(asService(demo), a.id);
    assert.equal(v.status, "attaching");
    world.cinder.deleteAttachment(asService(demo), c.id);
    assert.equal(r.attachStatus, "reserved");
    assert.deepEqual([v.status, v.attachStatus], ["reserved", "reserved"]);
  });

  it("detects duplicate connectors on a non-multiattach volume (409)", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, {
      volumeId: v.id,
      instanceUuid: INSTANCE,
      connector: CONNECTOR,
    });
    world.cinder.completeAttachment(demo, a.id);
    // In-use with an attachment for the same instance: the reservation is allowed (live migration).
    const b = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    const f = faultOf(() => world.cinder.updateAttachment(demo, b.id, CONNECTOR));
    assert.equal(f.status, 409);
    assert.equal(f.message, `Resource conflict: duplicate connectors detected on volume ${v.id}`);
  });

  it("applies the 3.54 mode over the connector's and keeps 'null' otherwise", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE, mode: "ro" });
    world.cinder.updateAttachment(demo, a.id, { ...CONNECTOR, mode: "rw" });
    assert.equal(a.attachMode, "ro");
    assert.equal(a.connector!.mode, "ro");
    world.cinder.deleteAttachment(asService(demo), a.id);
    const b = world.cinder.createAttachment(demo, {
      volumeId: v.id,
      instanceUuid: INSTANCE,
      connector: CONNECTOR,
    });
    assert.equal(b.attachMode, "null");
    assert.equal(b.attachStatus, "attaching");
  });

  it("rejects an invalid connector: 400 on update, 500 on create", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    const put = faultOf(() => world.cinder.updateAttachment(demo, a.id, { host: "h" }));
    assert.deepEqual(
      [put.status, put.message],
      [400, "Invalid input received: Connector doesn't have required information: initiator"],
    );
    world.cinder.deleteAttachment(demo, a.id);
    const post = faultOf(() =>
      world.cinder.createAttachment(demo, {
        volumeId: v.id,
        instanceUuid: INSTANCE,
        connector: { host: "h" },
      }),
    );
    assert.equal(post.status, 500);
    assert.match(post.message, /^Unable to create attachment for volume \(Invalid input received: /);
  });

  it("refuses updates on a volume in an error state (409) and creates on one (400)", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    world.cinder.resetVolumeStatus(admin, v.id, { status: "error" });
    assert.equal(faultOf(() => world.cinder.updateAttachment(demo, a.id, CONNECTOR)).status, 409);
    assert.equal(faultOf(() => world.cinder.createAttachment(demo, { volumeId: v.id })).status, 400);
  });

  it("scopes volumes and attachments to the project, and applies the member policy", async () => {
    const v = await available();
    const mine = await available(admin);
    assert.equal(faultOf(() => world.cinder.getVolume(demo, mine.id)).status, 404);
    assert.equal(world.cinder.getVolume(admin, v.id), v);
    const a = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    assert.equal(
      faultOf(() => world.cinder.getAttachment(principalOf("admin", ["member"]), a.id)).status,
      404,
    );
    const f = faultOf(() => world.cinder.completeAttachment(reader, a.id));
    assert.deepEqual(
      [f.status, f.message],
      [403, "Policy doesn't allow volume:attachment_complete to be performed."],
    );
    assert.equal(faultOf(() => world.cinder.createAttachment(reader, { volumeId: v.id })).status, 403);
    assert.deepEqual(
      world.cinder.listAttachments(admin, { allTenants: true }).map((x) => x.id),
      [a.id],
    );
    assert.deepEqual(world.cinder.listAttachments(admin), []);
  });

  it("deletes a volume only when available or in error, asynchronously", async () => {
    const v = await available();
    const a = world.cinder.createAttachment(demo, { volumeId: v.id, instanceUuid: INSTANCE });
    const f = faultOf(() => world.cinder.deleteVolume(demo, v.id));
    assert.equal(f.status, 400);
    assert.match(f.message, /^Invalid volume: Volume status must be available or error or error_restoring/);
    world.cinder.deleteAttachment(demo, a.id);
    world.cinder.deleteVolume(demo, v.id);
    assert.equal(v.status, "deleting");
    await sleep(10);
    assert.equal(faultOf(() => world.cinder.getVolume(demo, v.id)).status, 404);
  });

  it("os-reserve / os-unreserve move available <-> attaching", async () => {
    const v = await available();
    world.cinder.reserveVolume(demo, v.id);
    assert.equal(v.status, "attaching");
    assert.equal(faultOf(() => world.cinder.reserveVolume(demo, v.id)).status, 400);
    world.cinder.unreserveVolume(demo, v.id);
    assert.equal(v.status, "available");
  });
});
