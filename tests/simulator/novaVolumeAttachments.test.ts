// os-volume_attachments on the simulator at every microversion (FACTS §3): shapes against the upstream
// samples, preconditions and errors, and the Cinder volume states Nova drives.
import { strict as assert } from "assert";
import type { RunningSimulator } from "../../simulator/core/app";
import { SEED, type Principal } from "../../simulator/core/identity";
import { loadSample, shapeDiff } from "../support/shape";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";

const IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b";
const SAMPLES = "nova/os-volume_attachments";

describe("simulator: Nova volume attachments", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  const api = (method: string, path: string, mv: string, body?: unknown, user: "admin" | "demo" = "demo") =>
    client.call(user, method, path, { mv, body });
  const S = "/compute/v2.1/servers";
  const VA = (serverId: string, volumeId = "") =>
    `${S}/${serverId}/os-volume_attachments${volumeId ? `/${volumeId}` : ""}`;

  before(async () => {
    ({ sim, client } = await startTestSimulator());
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 10 };
    sim.world.config.services.nova = {};
  });

  function principal(user: "admin" | "demo"): Principal {
    const identity = sim.world.identity;
    const u = SEED.users.find((x) => x.name === user)!;
    return identity.principalOf(identity.users.get(u.id)!, identity.findProject({ id: u.projectId })!);
  }
  const volumeStatus = (id: string) => sim.world.cinder.volumes.get(id)?.status;

  /** An available Cinder volume of `user` (multiattach through the "multiattach" volume type). */
  async function volume(user: "admin" | "demo" = "demo", multiattach = false): Promise<string> {
    const v = sim.world.cinder.createVolume(principal(user), {
      size: 1,
      volumeType: multiattach ? "multiattach" : undefined,
    });
    await client.until(
      async () => volumeStatus(v.id),
      (s) => s === "available",
    );
    return v.id;
  }
  async function server(
    user: "admin" | "demo" = "demo",
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const res = await api(
      "POST",
      S,
      "2.97",
      { server: { name: "vm", flavorRef: "1", imageRef: IMAGE, networks: "none", ...extra } },
      user,
    );
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await client.until(
      () => api("GET", `${S}/${res.body.server.id}`, "2.97", undefined, "admin"),
      (r) => r.body.server.status === "ACTIVE",
    );
    return res.body.server.id;
  }
  const attach = (
    serverId: string,
    body: Record<string, unknown>,
    mv: string,
    user: "admin" | "demo" = "demo",
  ) => api("POST", VA(serverId), mv, { volumeAttachment: body }, user);
  const inUse = (volumeId: string) =>
    client.until(
      async () => volumeStatus(volumeId),
      (s) => s === "in-use",
    );

  describe("attach and detach", () => {
    it("reserved at once (2.1-2.100), attaching after volume.attach, then in-use; detach: detaching, then available", async () => {
      const vm = await server();
      const vol = await volume();
      sim.world.transitions.hold("volume.attach");
      const res = await attach(vm, { volumeId: vol, device: "/dev/sdz" }, "2.1");
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        volumeAttachment: { id: vol, serverId: vm, volumeId: vol, device: "/dev/vdb" },
      });
      assert.equal(volumeStatus(vol), "reserved");
      sim.world.transitions.step("volume.attach");
      assert.equal(volumeStatus(vol), "attaching");
      sim.world.transitions.release("volume.attach");
      await inUse(vol);
      const cinderView = sim.world.cinder.attachmentsOf(vol)[0];
      assert.equal(cinderView.instanceUuid, vm);
      assert.equal(sim.world.nova.volumeAttachmentIdFor(vm, vol), cinderView.id);
      // Cinder's ConflictNovaUsingAttachment guard asks Nova and refuses a user's direct delete.
      assert.throws(
        () => sim.world.cinder.deleteAttachment(principal("demo"), cinderView.id),
        /ConflictNovaUsingAttachment/,
      );

      sim.world.transitions.hold("volume.detach");
      const del = await api("DELETE", VA(vm, vol), "2.1");
      assert.equal(del.status, 202);
      assert.equal(del.body, undefined);
      assert.equal(volumeStatus(vol), "detaching");
      sim.world.transitions.release("volume.detach");
      await client.until(
        async () => volumeStatus(vol),
        (s) => s === "available",
      );
      assert.deepEqual((await api("GET", VA(vm), "2.1")).body, { volumeAttachments: [] });
      assert.equal(sim.world.nova.volumeAttachmentIdFor(vm, vol), undefined);
    });

    it("2.101: 202 with no body; the BDM appears later, without attachment_id at first (hidden at 2.89+, 404 on show)", async () => {
      const vm = await server();
      const vol = await volume();
      sim.world.transitions.hold("volume.attach");
      const res = await attach(vm, { volumeId: vol, tag: "foo", delete_on_termination: true }, "2.101");
      assert.equal(res.status, 202);
      assert.equal(res.body, undefined);
      assert.deepEqual((await api("GET", VA(vm), "2.101")).body.volumeAttachments, [], "nothing yet");
      assert.equal(volumeStatus(vol), "available");
      // After one period the conductor created the BDM; its Cinder attachment comes one period later.
      sim.world.transitions.step("volume.attach");
      assert.equal((await api("GET", VA(vm), "2.88")).body.volumeAttachments.length, 1);
      assert.equal(volumeStatus(vol), "available", "the Cinder attachment does not exist yet");
      assert.deepEqual((await api("GET", VA(vm), "2.89")).body.volumeAttachments, []);
      const hidden = await api("GET", VA(vm, vol), "2.89");
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.itemNotFound.message, `Instance ${vm} is not attached to volume ${vol}`);
      assert.equal((await api("GET", VA(vm, vol), "2.88")).status, 200);
      sim.world.transitions.release("volume.attach");
      await inUse(vol);
      const list = await api("GET", VA(vm), "2.101");
      // The sample's first item has tag null; ours is "foo".
      const tag = ["$.volumeAttachments[].tag"];
      assert.deepEqual(
        shapeDiff(loadSample(`${SAMPLES}/v2.101/list-volume-attachments-resp.json`), list.body, tag),
        [],
      );
      const show = await api("GET", VA(vm, vol), "2.101");
      assert.deepEqual(
        shapeDiff(loadSample(`${SAMPLES}/v2.101/volume-attachment-detail-resp.json`), show.body),
        [],
      );
      assert.deepEqual(
        [show.body.volumeAttachment.tag, show.body.volumeAttachment.delete_on_termination],
        ["foo", true],
      );
    });

    it("a failing compute attach rolls back silently: the volume falls back to available and the BDM disappears", async () => {
      const vm = await server();
      const vol = await volume();
      await client.control("PATCH", `/nova/servers/${vm}`, { volumeAttachOutcome: "fail" });
      assert.equal((await attach(vm, { volumeId: vol }, "2.101")).status, 202);
      await client.until(async () => {
        const log = (await client.control("GET", "/transitions")).body.transitions;
        return log.some((t: any) => t.kind === "volume.attach" && t.to === "available");
      }, Boolean);
      assert.equal(volumeStatus(vol), "available");
      assert.deepEqual((await api("GET", VA(vm), "2.88")).body.volumeAttachments, []);
      assert.equal(sim.world.cinder.attachmentsOf(vol).length, 0);
    });

    it("multiattach: a second server from 2.60 only; a volume already attached is refused with 400", async () => {
      const a = await server();
      const b = await server();
      const single = await volume();
      await attach(a, { volumeId: single }, "2.59");
      let res = await attach(b, { volumeId: single }, "2.59");
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        `Invalid volume: volume ${single} is already attached to instances: ${a}`,
      );
      const multi = await volume("demo", true);
      res = await attach(a, { volumeId: multi }, "2.59");
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        "Multiattach volumes are only supported starting with compute API version 2.60.",
      );
      assert.equal(volumeStatus(multi), "available");
      assert.equal((await attach(a, { volumeId: multi }, "2.60")).status, 200);
      await inUse(multi);
      assert.equal((await attach(b, { volumeId: multi }, "2.60")).status, 200);
      res = await attach(a, { volumeId: multi }, "2.60");
      assert.equal(res.status, 400);
      assert.equal(res.body.badRequest.message, `Invalid volume: volume ${multi} already attached`);
    });

    it("server delete detaches every volume and deletes those marked delete_on_termination", async () => {
      const vm = await server();
      const keep = await volume();
      const drop = await volume();
      await attach(vm, { volumeId: keep }, "2.79");
      await attach(vm, { volumeId: drop, delete_on_termination: true }, "2.79");
      await inUse(keep);
      await inUse(drop);
      await api("DELETE", `${S}/${vm}`, "2.79");
      await client.until(
        async () => [volumeStatus(keep), volumeStatus(drop)],
        ([k, d]) => k === "available" && d === undefined,
      );
    });

    it("boots from a volume (root BDM, in-use) that cannot be detached, and from an image into a new volume", async () => {
      const root = await volume();
      const vm = await server("demo", {
        imageRef: undefined,
        block_device_mapping_v2: [
          { boot_index: 0, uuid: root, source_type: "volume", destination_type: "volume" },
        ],
      });
      assert.equal(volumeStatus(root), "in-use");
      const list = await api("GET", VA(vm), "2.89");
      assert.equal(list.body.volumeAttachments[0].device, "/dev/vda");
      const res = await api("DELETE", VA(vm, root), "2.89");
      assert.equal(res.status, 400);
      assert.equal(res.body.badRequest.message, "Cannot detach a root device volume");
      const fromImage = await server("demo", {
        block_device_mapping_v2: [
          {
            boot_index: 0,
            uuid: IMAGE,
            source_type: "image",
            destination_type: "volume",
            volume_size: 2,
            delete_on_termination: true,
          },
        ],
      });
      const [bdm] = (await api("GET", VA(fromImage), "2.89")).body.volumeAttachments;
      assert.equal(volumeStatus(bdm.volumeId), "in-use");
      const shown = (await api("GET", `${S}/${fromImage}`, "2.89")).body.server;
      assert.deepEqual(shown["os-extended-volumes:volumes_attached"], [
        { id: bdm.volumeId, delete_on_termination: true },
      ]);
      assert.equal(shown.image, "");
    });
  });

  describe("preconditions and errors (FACTS §3.5, §3.6)", () => {
    it("POST: 404 server (another project's), 409 locked, 409 vm_state/task_state/launched_at, 404 volume", async () => {
      const theirs = await server("admin");
      const vol = await volume();
      assert.equal((await attach(theirs, { volumeId: vol }, "2.89")).status, 404);
      const vm = await server();
      await api("POST", `${S}/${vm}/action`, "2.89", { lock: null });
      let res = await attach(vm, { volumeId: vol }, "2.89");
      assert.equal(res.status, 409);
      assert.equal(res.body.conflictingRequest.message, `Instance ${vm} is locked`);
      await api("POST", `${S}/${vm}/action`, "2.89", { unlock: null });
      for (const [state, message] of [
        [{ vmState: "error" }, `Cannot 'attach_volume' instance ${vm} while it is in vm_state error`],
        [
          { vmState: "active", taskState: "powering-off" },
          `Cannot 'attach_volume' instance ${vm} while it is in task_state powering-off`,
        ],
        [
          { taskState: null, launchedAt: null },
          `Cannot 'attach_volume' instance ${vm} while it is in launched_at None`,
        ],
      ] as const) {
        await client.control("PATCH", `/nova/servers/${vm}`, state);
        res = await attach(vm, { volumeId: vol }, "2.89");
        assert.equal(res.status, 409, JSON.stringify(state));
        assert.equal(res.body.conflictingRequest.message, message);
      }
      await client.control("PATCH", `/nova/servers/${vm}`, { launchedAt: new Date().toISOString() });
      const unknown = "a07f71dc-8151-4e7d-a0cc-cd24a3f11113";
      res = await attach(vm, { volumeId: unknown }, "2.89");
      assert.equal(res.status, 404);
      assert.equal(res.body.itemNotFound.message, `Volume ${unknown} could not be found.`);
      assert.equal(
        (await attach(vm, { volumeId: vol }, "2.89", "admin")).status,
        200,
        "admins may attach to a member's server",
      );
    });

    it("POST: 400 for fields the microversion does not know, a bad device, tag or flag", async () => {
      const vm = await server();
      const vol = await volume();
      const cases: [Record<string, unknown>, string][] = [
        [{ volumeId: vol, tag: "foo" }, "2.48"],
        [{ volumeId: vol, delete_on_termination: true }, "2.78"],
        [{ volumeId: vol, device: "sdb" }, "2.1"],
        [{ volumeId: vol, tag: "a/b" }, "2.49"],
        [{ volumeId: vol, tag: "x".repeat(61) }, "2.49"],
        [{ volumeId: vol, delete_on_termination: "maybe" }, "2.79"],
        [{ volumeId: "not-a-uuid" }, "2.1"],
        [{}, "2.1"],
      ];
      for (const [body, mv] of cases)
        assert.equal((await attach(vm, body, mv)).status, 400, `${mv} ${JSON.stringify(body)}`);
      assert.equal((await api("POST", VA(vm), "2.1", {})).status, 400);
      assert.equal(volumeStatus(vol), "available");
    });

    it("POST echoes delete_on_termination as sent (a string stays a string)", async () => {
      const vm = await server();
      const res = await attach(vm, { volumeId: await volume(), delete_on_termination: "yes" }, "2.79");
      assert.equal(res.body.volumeAttachment.delete_on_termination, "yes");
      const listed = (await api("GET", VA(vm), "2.79")).body.volumeAttachments[0];
      assert.equal(listed.delete_on_termination, true);
    });

    it("shelved-offloaded: 409 below 2.20; from 2.20 attached inline (in-use, device null); tag or multiattach 400; detach deletes a delete_on_termination volume", async () => {
      const vm = await server();
      const vol = await volume();
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "shelved_offloaded" });
      let res = await attach(vm, { volumeId: vol }, "2.19");
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'attach_volume' instance ${vm} while it is in vm_state shelved_offloaded`,
      );
      res = await attach(vm, { volumeId: vol, tag: "t" }, "2.79");
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        "Tagged volume attachment is not supported for shelved-offloaded instances.",
      );
      res = await attach(vm, { volumeId: await volume("demo", true) }, "2.79");
      assert.equal(
        res.body.badRequest.message,
        "Attaching multiattach volumes is not supported for shelved-offloaded instances.",
      );
      res = await attach(vm, { volumeId: vol, delete_on_termination: true }, "2.79");
      assert.equal(res.status, 200);
      assert.equal(res.body.volumeAttachment.device, null);
      assert.equal(volumeStatus(vol), "in-use", "in-use at once, without a connector");
      const listed = (await api("GET", VA(vm), "2.79")).body.volumeAttachments[0];
      assert.ok(!("device" in listed), "the device key is omitted when the BDM has none");
      assert.equal((await api("DELETE", VA(vm, vol), "2.19")).status, 409);
      assert.equal((await api("DELETE", VA(vm, vol), "2.79")).status, 202);
      assert.deepEqual((await api("GET", VA(vm), "2.79")).body.volumeAttachments, [], "inline: gone at once");
      await client.until(
        async () => volumeStatus(vol),
        (s) => s === undefined,
      );
    });

    it("DELETE: 404 volume, 404 not attached, 409 locked or busy, 400 when Cinder refuses begin_detaching", async () => {
      const vm = await server();
      const vol = await volume();
      const unknown = "a07f71dc-8151-4e7d-a0cc-cd24a3f11113";
      let res = await api("DELETE", VA(vm, unknown), "2.89");
      assert.equal(res.body.itemNotFound.message, `Volume ${unknown} could not be found.`);
      res = await api("DELETE", VA(vm, vol), "2.89");
      assert.equal(res.status, 404);
      assert.equal(res.body.itemNotFound.message, `Instance ${vm} is not attached to volume ${vol}`);
      sim.world.transitions.hold("volume.attach");
      await attach(vm, { volumeId: vol }, "2.89");
      res = await api("DELETE", VA(vm, vol), "2.89");
      assert.equal(res.status, 400, "still reserved");
      assert.match(res.body.badRequest.message, /^Invalid volume: Unable to detach volume\./);
      sim.world.transitions.release("volume.attach");
      await inUse(vol);
      await client.control("PATCH", `/nova/servers/${vm}`, { locked: true });
      assert.equal((await api("DELETE", VA(vm, vol), "2.89")).status, 409);
      await client.control("PATCH", `/nova/servers/${vm}`, { locked: false, taskState: "powering-on" });
      res = await api("DELETE", VA(vm, vol), "2.89");
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'detach_volume' instance ${vm} while it is in task_state powering-on`,
      );
    });

    it("list: limit and offset before the 2.89 filter; unknown query parameters 400 from 2.75", async () => {
      const vm = await server();
      for (let i = 0; i < 3; i++) await attach(vm, { volumeId: await volume() }, "2.89");
      assert.equal((await api("GET", `${VA(vm)}?limit=2`, "2.89")).body.volumeAttachments.length, 2);
      assert.equal((await api("GET", `${VA(vm)}?limit=2&offset=2`, "2.89")).body.volumeAttachments.length, 1);
      assert.equal((await api("GET", `${VA(vm)}?limit=-1`, "2.89")).status, 400);
      assert.equal((await api("GET", `${VA(vm)}?foo=1`, "2.74")).status, 200);
      assert.equal((await api("GET", `${VA(vm)}?foo=1`, "2.75")).status, 400);
    });
  });

  describe("PUT (FACTS §3.7)", () => {
    it("2.85+: updates delete_on_termination in place; other fields are immutable (400); 404 without a BDM", async () => {
      const vm = await server();
      const vol = await volume();
      await attach(vm, { volumeId: vol, tag: "foo" }, "2.85");
      const sample = loadSample(`${SAMPLES}/v2.85/update-volume-attachment-delete-flag-req.json`) as any;
      sample.volumeAttachment.volumeId = vol;
      let res = await api("PUT", VA(vm, vol), "2.85", sample);
      assert.equal(res.status, 202);
      assert.equal(res.body, undefined);
      assert.equal((await api("GET", VA(vm, vol), "2.85")).body.volumeAttachment.delete_on_termination, true);
      const full = loadSample(`${SAMPLES}/v2.89/update-volume-attachment-delete-flag-req.json`) as any;
      Object.assign(full.volumeAttachment, {
        volumeId: vol,
        id: vol,
        serverId: vm,
        device: "/dev/vdb",
        tag: "foo",
        delete_on_termination: false,
      });
      assert.equal((await api("PUT", VA(vm, vol), "2.89", full)).status, 202);
      for (const [field, value] of [
        ["device", "/dev/vdc"],
        ["tag", "bar"],
        ["serverId", "7ebed2ce-85b3-40b5-84ae-8cc725c37ed2"],
        ["id", "7ebed2ce-85b3-40b5-84ae-8cc725c37ed2"],
      ]) {
        res = await api("PUT", VA(vm, vol), "2.89", { volumeAttachment: { volumeId: vol, [field]: value } });
        assert.equal(res.status, 400, field);
        assert.equal(res.body.badRequest.message, `The ${field} property is not mutable`);
      }
      const other = await volume();
      res = await api("PUT", VA(vm, other), "2.89", {
        volumeAttachment: { volumeId: other, delete_on_termination: true },
      });
      assert.equal(res.status, 404);
    });

    it("swap (below 2.85, or another volumeId): 403 for members; 409 when the volume is not migrating", async () => {
      const vm = await server();
      const vol = await volume();
      const other = await volume();
      await attach(vm, { volumeId: vol }, "2.84");
      for (const mv of ["2.1", "2.49", "2.70", "2.79", "2.84"]) {
        const sample = loadSample(
          `${SAMPLES}/${mv === "2.1" ? "" : `v${mv === "2.84" ? "2.79" : mv}/`}update-volume-req.json`,
        ) as any;
        sample.volumeAttachment.volumeId = other;
        const res = await api("PUT", VA(vm, vol), mv, sample);
        assert.equal(res.status, 403, mv);
        assert.equal(
          res.body.forbidden.message,
          "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.",
        );
      }
      let res = await api("PUT", VA(vm, vol), "2.85", { volumeAttachment: { volumeId: other } });
      assert.equal(res.status, 403, "2.85 with another volumeId is a swap");
      // Naming the attached volume itself too: the migration check comes first (Nova 26, profile
      // debian-bookworm, checked the new volume first: below).
      await inUse(vol);
      for (const volumeId of [other, vol]) {
        res = await api("PUT", VA(vm, vol), "2.84", { volumeAttachment: { volumeId } }, "admin");
        assert.equal(res.status, 409);
        assert.equal(
          res.body.conflictingRequest.message,
          `volume ${vol} is not migrating; this API should only be called by Cinder`,
        );
      }
      assert.equal(
        (
          await api("PUT", VA(vm, vol), "2.84", {
            volumeAttachment: { volumeId: other, delete_on_termination: true },
          })
        ).status,
        400,
      );
    });
  });

  describe("schema messages (recorded on Nova 26)", () => {
    it("a tag of null, an unknown boolean string; the accepted boolean strings", async () => {
      const vm = await server();
      const vol = await volume();
      const bad = await attach(vm, { volumeId: vol, delete_on_termination: "maybe" }, "2.93");
      assert.equal(bad.status, 400);
      assert.equal(
        bad.body.badRequest.message,
        "Invalid input for field/attribute delete_on_termination. Value: maybe. 'maybe' is not one of [True, " +
          "'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', " +
          "'0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']",
      );
      assert.equal((await attach(vm, { volumeId: vol, delete_on_termination: "y" }, "2.93")).status, 400);
      assert.equal((await attach(vm, { volumeId: vol, delete_on_termination: "Yes" }, "2.93")).status, 200);
      await inUse(vol);
      const res = await api("PUT", VA(vm, vol), "2.93", { volumeAttachment: { volumeId: vol, tag: null } });
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        "Invalid input for field/attribute tag. Value: None. None is not of type 'string'",
      );
      const slash = await attach(vm, { volumeId: await volume(), tag: "a/b" }, "2.93");
      assert.equal(
        slash.body.badRequest.message,
        "Invalid input for field/attribute tag. Value: a/b. 'a/b' does not match '^[^,/]*$'",
      );
    });
  });

  describe("Nova 26 (profile debian-bookworm)", () => {
    it("a swap naming the attached volume itself is a 400 before the migration check, as recorded", async () => {
      sim.world.config.profile = "debian-bookworm";
      try {
        const vm = await server();
        const vol = await volume();
        await attach(vm, { volumeId: vol }, "2.84");
        await inUse(vol);
        const res = await api("PUT", VA(vm, vol), "2.84", { volumeAttachment: { volumeId: vol } }, "admin");
        assert.equal(res.status, 400);
        assert.equal(
          res.body.badRequest.message,
          "Invalid volume: New volume must be detached in order to swap.",
        );
      } finally {
        sim.world.config.profile = "newest";
      }
    });
  });

  describe("upstream samples (shape)", () => {
    // Per sample folder: the microversion it documents and its request body.
    const versions: [string, string][] = [
      ["", "2.1"],
      ["v2.49/", "2.49"],
      ["v2.70/", "2.70"],
      ["v2.79/", "2.79"],
      ["v2.85/", "2.85"],
      ["v2.89/", "2.89"],
    ];
    for (const [dir, mv] of versions) {
      it(`${dir || "base "}attach, list and show at ${mv}`, async () => {
        const vm = await server();
        const request = loadSample(`${SAMPLES}/${dir}attach-volume-to-server-req.json`) as any;
        request.volumeAttachment.volumeId = await volume();
        const created = await api("POST", VA(vm), mv, request);
        assert.equal(created.status, 200);
        assert.deepEqual(
          shapeDiff(loadSample(`${SAMPLES}/${dir}attach-volume-to-server-resp.json`), created.body),
          [],
        );
        // A second attachment without tag (null from 2.70), as in the list samples.
        await attach(vm, { volumeId: await volume() }, mv);
        await inUse(request.volumeAttachment.volumeId);
        const list = await api("GET", VA(vm), mv);
        assert.equal(list.body.volumeAttachments.length, 2);
        const allow =
          mv === "2.70" || mv === "2.79" || mv === "2.85" || mv === "2.89"
            ? ["$.volumeAttachments[].tag"]
            : [];
        // The list samples' first item has tag null; ours have a string tag and null: both allowed.
        assert.deepEqual(
          shapeDiff(loadSample(`${SAMPLES}/${dir}list-volume-attachments-resp.json`), list.body, allow),
          [],
        );
        for (const item of list.body.volumeAttachments) if (allow.length) assert.ok("tag" in item);
        const show = await api("GET", VA(vm, request.volumeAttachment.volumeId), mv);
        assert.deepEqual(
          shapeDiff(loadSample(`${SAMPLES}/${dir}volume-attachment-detail-resp.json`), show.body),
          [],
        );
      });
    }

    it("v2.101 attach request (202, no body)", async () => {
      const vm = await server();
      const request = loadSample(`${SAMPLES}/v2.101/attach-volume-to-server-req.json`) as any;
      request.volumeAttachment.volumeId = await volume();
      const res = await api("POST", VA(vm), "2.101", request);
      assert.equal(res.status, 202);
      assert.equal(res.body, undefined);
      await inUse(request.volumeAttachment.volumeId);
      const update = loadSample(`${SAMPLES}/v2.101/update-volume-attachment-delete-flag-req.json`) as any;
      Object.assign(update.volumeAttachment, {
        volumeId: request.volumeAttachment.volumeId,
        id: request.volumeAttachment.volumeId,
        serverId: vm,
        device: "/dev/vdb",
      });
      assert.equal(
        (await api("PUT", VA(vm, request.volumeAttachment.volumeId), "2.101", update)).status,
        202,
      );
    });
  });
});
