// getBlockStorageAttachments / getBlockStorageAttachment against the simulator's Cinder: marker paging across
// several pages with sort, the total limit, filters, empty results, the secret connection info, and the
// errors (arguments, unknown attachment, cloud too old, allTenants without the admin role).
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import {
  getBlockStorageAttachment,
  getBlockStorageAttachmentOutput,
  getBlockStorageAttachments,
  getBlockStorageAttachmentsOutput,
} from "../../sdk";
import { LookupArgumentError } from "../../sdk/lookups/common";
import { rejection, outputValue, SimulatedCloud } from "../support/simulatedCloud";
import type { User } from "../support/simulatorClient";

const CONNECTOR = { initiator: "iqn.1993-08.org.debian:01:lookup", host: "lookup-host" };
const INSTANCE = "6f1c3a52-8f0e-4d5b-9d3c-2a7e1b0c4d11";

describe("lookups: Cinder attachments (simulator)", () => {
  let cloud: SimulatedCloud;
  /** Attachment ids in creation order (admin project), and the demo project's one. */
  let created: string[];
  let demoAttachment: string;
  let volumes: string[];

  async function attach(user: User, volumeId: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await cloud.client.call(
      user,
      "POST",
      `/volume/v3/${cloud.client.projectOf(user)}/attachments`,
      {
        mv: "3.44",
        body: { attachment: { volume_uuid: volumeId, ...body } },
      },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.attachment.id;
  }

  before(async () => {
    cloud = await SimulatedCloud.start();
    volumes = [];
    created = [];
    // Seven attachments: four reserved for INSTANCE, three connected and completed (one multiattach volume
    // holds three of them).
    const multi = await cloud.createVolume({ multiattach: true });
    for (let i = 0; i < 4; i++) {
      const volumeId = await cloud.createVolume();
      volumes.push(volumeId);
      created.push(await attach("admin", volumeId, { instance_uuid: INSTANCE }));
    }
    for (let i = 0; i < 3; i++) {
      const id = await attach("admin", multi, { instance_uuid: randomUUID(), connector: CONNECTOR });
      await cloud.client.call(
        "admin",
        "POST",
        `/volume/v3/${cloud.client.projectOf("admin")}/attachments/${id}/action`,
        {
          mv: "3.44",
          body: { "os-complete": null },
        },
      );
      created.push(id);
    }
    volumes.push(multi);
    demoAttachment = await attach("demo", await cloud.createVolume({ user: "demo" }));
  });
  after(() => cloud.close());
  beforeEach(() => {
    cloud.useUser("admin");
    cloud.clearRequests();
  });

  const listCalls = () => cloud.requests({ method: "GET", path: /\/attachments(\/detail)?$/ });

  it("follows marker pages until an empty one, in the requested order", async () => {
    const { attachments } = await getBlockStorageAttachments({ sort: "created_at:asc", pageSize: 2 });
    assert.deepEqual(
      attachments.map((a) => a.id),
      created,
    );
    assert.equal(listCalls().length, 5, "four pages with items, then an empty one");
    const newestFirst = await getBlockStorageAttachments({ pageSize: 3 });
    assert.deepEqual(
      newestFirst.attachments.map((a) => a.id),
      [...created].reverse(),
    );
  });

  it("caps the total with limit, asking no more than needed", async () => {
    const { attachments } = await getBlockStorageAttachments({
      sort: "created_at:asc",
      limit: 5,
      pageSize: 2,
    });
    assert.deepEqual(
      attachments.map((a) => a.id),
      created.slice(0, 5),
    );
    assert.equal(
      listCalls().length,
      3,
      "pages of 2, 2 and 1: no empty page needed once the limit is reached",
    );
  });

  it("filters by volume, instance and status, and says so with an empty list", async () => {
    const byVolume = await getBlockStorageAttachments({ volumeId: volumes[4] });
    assert.equal(byVolume.attachments.length, 3);
    assert.ok(byVolume.attachments.every((a) => a.volumeId === volumes[4] && a.status === "attached"));
    const byInstance = await getBlockStorageAttachments({ instanceId: INSTANCE, status: "reserved" });
    assert.deepEqual(byInstance.attachments.map((a) => a.id).sort(), created.slice(0, 4).sort());
    assert.deepEqual(
      (await getBlockStorageAttachments({ instanceId: INSTANCE, status: "attached" })).attachments,
      [],
    );
    assert.deepEqual((await getBlockStorageAttachments({ volumeId: randomUUID() })).attachments, []);
  });

  it("adds the detail fields, never the connection info, with detail: true", async () => {
    const { attachments } = await getBlockStorageAttachments({ volumeId: volumes[4], detail: true });
    for (const a of attachments) {
      assert.equal(a.attachMode, "null");
      assert.match(a.attachedAt!, /^\d{4}-\d\d-\d\dT/);
      assert.equal(a.instanceId !== undefined, true);
      assert.equal("connectionInfo" in a, false);
    }
    assert.equal(cloud.requests({ path: /\/attachments\/detail$/ }).length, 2);
  });

  it("lists every project's attachments with allTenants as an admin", async () => {
    const mine = await getBlockStorageAttachments({});
    assert.equal(
      mine.attachments.some((a) => a.id === demoAttachment),
      false,
    );
    const all = await getBlockStorageAttachments({ allTenants: true });
    assert.equal(
      all.attachments.some((a) => a.id === demoAttachment),
      true,
    );
  });

  it("refuses allTenants without the admin role instead of silently listing one project", async () => {
    cloud.useUser("demo");
    const err = await rejection(getBlockStorageAttachments({ allTenants: true }));
    assert.ok(err instanceof LookupArgumentError);
    assert.match(err.message, /allTenants needs the admin role \(the credentials have member, reader\)/);
    assert.deepEqual(listCalls(), []);
    const own = await getBlockStorageAttachments({});
    assert.deepEqual(
      own.attachments.map((a) => a.id),
      [demoAttachment],
    );
  });

  it("checks its arguments before any API call", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ volumeId: "vol-1" }, /volumeId must be a UUID/],
      [{ instanceId: 7 }, /instanceId must be a UUID/],
      [{ status: "in-use" }, /status must be one of reserved, attaching, attached/],
      [{ limit: 0 }, /limit must be a positive integer/],
      [{ pageSize: 2.5 }, /pageSize must be a positive integer/],
      [{ sort: "created_at:up" }, /sort must be "key\[:asc\|desc\]/],
      [{ detail: "yes" }, /detail must be true or false/],
    ];
    for (const [args, message] of cases) {
      const err = await rejection(getBlockStorageAttachments(args as any));
      assert.ok(err instanceof LookupArgumentError, String(err));
      assert.match(err.message, message);
    }
    await rejection(getBlockStorageAttachment({ attachmentId: "nope" }));
    assert.deepEqual(cloud.requests(), []);
  });

  it("says when the cloud is too old for the attachments API", async () => {
    cloud.setMaxMicroversion("volume", "3.20");
    try {
      const err = await rejection(getBlockStorageAttachments({}));
      assert.match(
        err.message,
        /tops at 3\.20; microversion 3\.27 is needed for the attachments API \(getBlockStorageAttachments\)/,
      );
      assert.deepEqual(listCalls(), []);
    } finally {
      cloud.restoreMicroversions();
    }
  });

  describe("getBlockStorageAttachment", () => {
    it("returns one attachment with its connection info as a secret", async () => {
      const id = created[6];
      const volume = cloud.volume(volumes[4]);
      const result = await getBlockStorageAttachment({ attachmentId: id });
      assert.equal(result.id, id);
      assert.equal(result.status, "attached");
      assert.equal(result.volumeId, volumes[4]);
      assert.ok(pulumi.Output.isInstance(result.connectionInfo));
      assert.equal(await pulumi.isSecret(result.connectionInfo), true);
      assert.equal((await outputValue(result.connectionInfo)).auth_password, volume.export.chapPassword);
      const { connectionInfo: _secret, ...plain } = result;
      assert.ok(!JSON.stringify(plain).includes(volume.export.chapPassword));
    });

    it("makes the whole Output form secret, and lists through its Output form", async () => {
      const output = getBlockStorageAttachmentOutput({ attachmentId: pulumi.output(created[5]) });
      assert.equal(await pulumi.isSecret(output), true);
      assert.equal((await outputValue(output)).connectionInfo.driver_volume_type, "iscsi");
      const list = await outputValue(
        getBlockStorageAttachmentsOutput({ volumeId: pulumi.output(volumes[0]) }),
      );
      assert.deepEqual(
        list.attachments.map((a) => a.id),
        [created[0]],
      );
    });

    it("fails with Cinder's 404 for an attachment that does not exist", async () => {
      const missing = randomUUID();
      const err = await rejection(getBlockStorageAttachment({ attachmentId: missing }));
      assert.match(err.message, /^getBlockStorageAttachment: reading Cinder attachment/);
      assert.match(
        err.message,
        new RegExp(
          `404 itemNotFound: Volume attachment could not be found with filter: attachment_id = ${missing}`,
        ),
      );
    });
  });
});
