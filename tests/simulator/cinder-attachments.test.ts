// Cinder v3 attachments API on the simulator over HTTP (FACTS §5): the upstream samples, microversion gates,
// the state machine with the volume's status, policies, errors, list filters, sorting and paging.
import { strict as assert } from "assert";
import { startSimulator, type RunningSimulator } from "../../simulator/core/app";
import { loadSample, shapeDiff } from "../support/shape";
import { request, projectOf, passwordToken, type ApiResponse } from "../support/simulatorClient";

const DEMO = projectOf("demo");
const ADMIN = projectOf("admin");
const SERVER = "462dcc2d-130d-4654-8db1-da0df2da6a0d";
const SERVER_2 = "31c79baf-b59e-469c-979f-1df4ecb6eea7";
/**
 * The api-ref samples show `connection_info: {}` although their request carries a connector: the driver's
 * data is backend-specific, so the samples leave it out. Its content is checked in the state machine tests.
 */
const DRIVER_DATA = ["$.attachment.connection_info", "$.attachments[].connection_info"];
const CONNECTOR = {
  initiator: "iqn.1993-08.org.debian:01:cad181614cec",
  ip: "192.168.1.20",
  platform: "x86_64",
  host: "tempest-1",
  os_type: "linux2",
  multipath: false,
  mountpoint: "/dev/vdb",
};

describe("simulator Cinder attachments", () => {
  let sim: RunningSimulator;
  let demo: string;
  let admin: string;

  before(async () => {
    sim = await startSimulator({ transitions: { default: 2 } });
    demo = await passwordToken(sim, "demo");
    admin = await passwordToken(sim, "admin");
  });
  after(() => sim.close());
  beforeEach(() => sim.world.reset());

  const api = (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; mv?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> =>
    request(sim, method, `/volume/v3/${options.token === admin ? ADMIN : DEMO}${path}`, {
      token: options.token ?? demo,
      body: options.body,
      headers: { "OpenStack-API-Version": `volume ${options.mv ?? "3.44"}`, ...(options.headers ?? {}) },
    });

  async function volume(body: Record<string, unknown> = {}): Promise<string> {
    const res = await api("POST", "/volumes", { body: { volume: { size: 1, ...body } } });
    assert.equal(res.status, 202);
    const id = res.body.volume.id;
    for (let i = 0; i < 100 && (await volumeOf(id)).status !== "available"; i++)
      await new Promise((r) => setTimeout(r, 2));
    return id;
  }
  const volumeOf = async (id: string, token = demo) =>
    (await api("GET", `/volumes/${id}`, { token })).body.volume;
  const attach = (volumeId: string, extra: Record<string, unknown> = {}, mv = "3.44", token = demo) =>
    api("POST", "/attachments", { token, mv, body: { attachment: { volume_uuid: volumeId, ...extra } } });
  const complete = (id: string, token = demo) =>
    api("POST", `/attachments/${id}/action`, { token, body: { "os-complete": null } });
  const fault = (res: ApiResponse) =>
    Object.values(res.body as object)[0] as { code: number; message: string };

  describe("samples", () => {
    it("create (3.54, sample request) matches the sample response; show, update, list and detail too", async () => {
      const vol = await volume();
      const request = loadSample("cinder/attachment-create-request.json") as any;
      request.attachment.volume_uuid = vol;
      const created = await api("POST", "/attachments", { mv: "3.54", body: request });
      assert.equal(created.status, 200);
      assert.deepEqual(
        shapeDiff(loadSample("cinder/attachment-create-response.json"), created.body, DRIVER_DATA),
        [],
      );
      const id = created.body.attachment.id;

      const shown = await api("GET", `/attachments/${id}`, { mv: "3.27" });
      assert.deepEqual(
        shapeDiff(loadSample("cinder/attachment-show-response.json"), shown.body, DRIVER_DATA),
        [],
      );

      const list = await api("GET", "/attachments", { mv: "3.27" });
      assert.deepEqual(shapeDiff(loadSample("cinder/attachment-list-response.json"), list.body), []);
      const detail = await api("GET", "/attachments/detail", { mv: "3.27" });
      assert.deepEqual(
        shapeDiff(loadSample("cinder/attachment-list-detailed-response.json"), detail.body, DRIVER_DATA),
        [],
      );

      // A reserved attachment of another volume, updated with the sample's connector.
      const other = await volume();
      const reserved = await attach(other, { instance_uuid: SERVER_2 });
      const update = loadSample("cinder/attachment-update-request.json");
      const updated = await api("PUT", `/attachments/${reserved.body.attachment.id}`, {
        mv: "3.27",
        body: update,
      });
      assert.equal(updated.status, 200);
      assert.deepEqual(
        shapeDiff(loadSample("cinder/attachment-update-response.json"), updated.body, DRIVER_DATA),
        [],
      );

      const done = await api("POST", `/attachments/${id}/action`, {
        body: loadSample("cinder/attachment-complete.json"),
      });
      assert.deepEqual([done.status, done.body], [204, undefined]);
    });
  });

  describe("microversions", () => {
    it("answers 404 below 3.27, and for os-complete below 3.44", async () => {
      const vol = await volume();
      for (const [method, path] of [
        ["GET", "/attachments"],
        ["GET", "/attachments/detail"],
        ["POST", "/attachments"],
      ]) {
        const res = await api(method, path, {
          mv: "3.26",
          body: method === "POST" ? { attachment: { volume_uuid: vol } } : undefined,
        });
        assert.deepEqual(res.body, {
          itemNotFound: { code: 404, message: "The resource could not be found." },
        });
        assert.equal(res.headers.get("openstack-api-version"), "volume 3.26");
      }
      const created = await attach(vol, {}, "3.27");
      const res = await api("POST", `/attachments/${created.body.attachment.id}/action`, {
        mv: "3.43",
        body: { "os-complete": null },
      });
      assert.equal(res.status, 404);
    });

    it("accepts `mode` only from 3.54", async () => {
      const vol = await volume();
      const old = await attach(vol, { mode: "ro" }, "3.53");
      assert.equal(old.status, 400);
      assert.match(fault(old).message, /Additional properties are not allowed \('mode' was unexpected\)/);
      const bad = await attach(vol, { mode: "rx" }, "3.54");
      assert.equal(bad.status, 400);
      const ok = await attach(vol, { mode: "ro" }, "3.54");
      assert.equal(ok.body.attachment.attach_mode, "ro");
    });
  });

  describe("state machine", () => {
    it("reserve -> update -> complete -> delete drives the volume reserved -> attaching -> in-use -> available", async () => {
      const vol = await volume();
      const created = await attach(vol, { instance_uuid: SERVER });
      const a = created.body.attachment;
      assert.deepEqual(
        [a.status, a.attach_mode, a.attached_at, a.detached_at, a.instance, a.connection_info],
        ["reserved", "null", "", "", SERVER, {}],
      );
      assert.equal((await volumeOf(vol)).status, "reserved");

      const updated = await api("PUT", `/attachments/${a.id}`, {
        body: { attachment: { connector: CONNECTOR } },
      });
      assert.equal(updated.status, 200);
      // FACTS §6.1: the PUT answer is the object read before the backend work.
      assert.deepEqual(
        [
          updated.body.attachment.status,
          updated.body.attachment.attach_mode,
          updated.body.attachment.attached_at,
        ],
        ["reserved", "null", ""],
      );
      const info = updated.body.attachment.connection_info;
      assert.deepEqual(
        [
          info.driver_volume_type,
          info.auth_method,
          info.attachment_id,
          info.access_mode,
          info.enforce_multipath,
        ],
        ["iscsi", "CHAP", a.id, "rw", false],
      );
      assert.match(info.target_iqn, new RegExp(`^iqn\\.2010-10\\.org\\.openstack:volume-${vol}$`));
      assert.equal(typeof info.auth_password, "string");
      const reread = (await api("GET", `/attachments/${a.id}`)).body.attachment;
      assert.deepEqual([reread.status, reread.attach_mode], ["attaching", "rw"]);
      assert.match(reread.attached_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      assert.equal((await volumeOf(vol)).status, "attaching");
      assert.deepEqual((await volumeOf(vol)).attachments, []);

      assert.equal((await complete(a.id)).status, 204);
      const inUse = await volumeOf(vol);
      assert.equal(inUse.status, "in-use");
      assert.deepEqual(inUse.attachments, [
        {
          id: vol,
          attachment_id: a.id,
          volume_id: vol,
          server_id: SERVER,
          host_name: null,
          device: "/dev/vdb",
          attached_at: reread.attached_at,
        },
      ]);
      assert.equal((await volumeOf(vol, admin)).attachments[0].host_name, "tempest-1");

      const deleted = await api("DELETE", `/attachments/${a.id}`);
      assert.deepEqual([deleted.status, deleted.body], [200, { attachments: [] }]);
      assert.equal((await volumeOf(vol)).status, "available");
      assert.equal((await api("GET", `/attachments/${a.id}`)).status, 404);
    });

    it("treats an empty connector as none (cinderclient sends {} without --connect)", async () => {
      const vol = await volume();
      const res = await attach(vol, { instance_uuid: SERVER, connector: {} });
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.attachment.status, res.body.attachment.connection_info], ["reserved", {}]);
      assert.equal((await volumeOf(vol)).status, "reserved");
    });

    it("POST with a connector answers the reserved view while the volume is attaching; 'null' attach_mode", async () => {
      const vol = await volume();
      const res = await attach(vol, { instance_uuid: SERVER, connector: CONNECTOR });
      assert.equal(res.status, 200);
      const a = res.body.attachment;
      assert.deepEqual([a.status, a.attach_mode, a.attached_at], ["reserved", "null", ""]);
      assert.equal(a.connection_info.driver_volume_type, "iscsi");
      const reread = (await api("GET", `/attachments/${a.id}`)).body.attachment;
      assert.deepEqual([reread.status, reread.attach_mode], ["attaching", "null"]);
      assert.equal((await volumeOf(vol)).status, "attaching");
    });

    it("recomputes the volume status from the remaining attachments of a multiattach volume", async () => {
      const vol = await volume({ volume_type: "multiattach" });
      const first = (await attach(vol, { instance_uuid: SERVER, connector: CONNECTOR })).body.attachment.id;
      await complete(first);
      const second = (await attach(vol, { instance_uuid: SERVER_2 })).body.attachment.id;
      assert.equal((await volumeOf(vol)).status, "reserved");
      const res = await api("DELETE", `/attachments/${first}`, { headers: { "X-Service-Roles": "service" } });
      assert.deepEqual(res.body, {
        attachments: [{ id: second, status: "reserved", instance: SERVER_2, volume_id: vol }],
      });
      assert.equal((await volumeOf(vol)).status, "reserved");
      await api("DELETE", `/attachments/${second}`);
      assert.equal((await volumeOf(vol)).status, "available");
    });
  });

  describe("errors and policies", () => {
    it("validates create bodies (400) with the messages recorded on real Cinder", async () => {
      const vol = await volume();
      const cases: [unknown, string, string?][] = [
        [{ volume_uuid: vol }, "'attachment' is a required property"],
        [
          { attachment: { instance_uuid: SERVER } },
          `Invalid input for field/attribute attachment. Value: {'instance_uuid': '${SERVER}'}. 'volume_uuid' is a required property`,
        ],
        [
          { attachment: { volume_uuid: "nope" } },
          "Invalid input for field/attribute volume_uuid. Value: nope. 'nope' is not a 'uuid'",
        ],
        [
          { attachment: { volume_uuid: vol, instance_uuid: "nope" } },
          "Invalid input for field/attribute instance_uuid. Value: nope. 'nope' is not a 'uuid'",
        ],
        [
          { attachment: { volume_uuid: vol, no_such_key: 1 } },
          `Invalid input for field/attribute attachment. Value: {'volume_uuid': '${vol}', 'no_such_key': 1}. Additional properties are not allowed ('no_such_key' was unexpected)`,
        ],
        [
          { attachment: { volume_uuid: vol, mode: "xx" } },
          "Invalid input for field/attribute mode. Value: xx. 'xx' is not one of ['rw', 'ro']",
          "3.54",
        ],
        [
          { attachment: { volume_uuid: vol, mode: "ro" } },
          `Invalid input for field/attribute attachment. Value: {'volume_uuid': '${vol}', 'mode': 'ro'}. Additional properties are not allowed ('mode' was unexpected)`,
          "3.53",
        ],
      ];
      for (const [body, message, mv] of cases) {
        const res = await api("POST", "/attachments", { body, mv });
        assert.deepEqual(res.body, { badRequest: { code: 400, message } });
      }
      const connector = await api("POST", "/attachments", {
        body: { attachment: { volume_uuid: vol, connector: "iqn" } },
      });
      assert.equal(connector.status, 400);
      const action = await api("POST", `/attachments/${vol}/action`, { body: { "os-nope": null } });
      assert.deepEqual(fault(action), {
        code: 400,
        message:
          "There is no such action: os-nope. Verify the request body and Content-Type header and try again.",
      });
    });

    it("404s unknown volumes and attachments with Cinder's messages", async () => {
      const missing = "3b8b6631-1cf7-4fd7-9afb-c01e541a073c";
      const res = await attach(missing);
      assert.deepEqual(res.body, {
        itemNotFound: { code: 404, message: `Volume ${missing} could not be found.` },
      });
      const message = `Volume attachment could not be found with filter: attachment_id = ${missing}.`;
      for (const [method, path, body] of [
        ["GET", `/attachments/${missing}`],
        ["PUT", `/attachments/${missing}`, { attachment: { connector: CONNECTOR } }],
        ["DELETE", `/attachments/${missing}`],
        ["POST", `/attachments/${missing}/action`, { "os-complete": {} }],
      ] as [string, string, unknown][]) {
        const r = await api(method, path, { body });
        assert.deepEqual([r.status, fault(r).message], [404, message], `${method} ${path}`);
      }
    });

    it("refuses to reserve a volume in use or in error (400)", async () => {
      const vol = await volume();
      await attach(vol, { instance_uuid: SERVER });
      const busy = await attach(vol, { instance_uuid: SERVER_2 });
      assert.equal(busy.status, 400);
      assert.equal(
        fault(busy).message,
        `Invalid volume: Volume ${vol} status must be available or downloading to reserve, but the current status is reserved.`,
      );
      const broken = await volume();
      await api("POST", `/volumes/${broken}/action`, {
        token: admin,
        body: { "os-reset_status": { status: "error" } },
      });
      const res = await attach(broken);
      assert.equal(res.status, 400);
      assert.match(
        fault(res).message,
        /^Invalid volume: Volume attachments can not be created if the volume is in an error state/,
      );
    });

    it("PUT: 400 without a connector or with an invalid one, 409 on a volume in error or duplicate connectors", async () => {
      const vol = await volume();
      const a = (await attach(vol, { instance_uuid: SERVER })).body.attachment.id;
      for (const body of [
        { attachment: {} },
        { attachment: { connector: {} } },
        { attachment: { connector: CONNECTOR, mode: "rw" } },
      ]) {
        assert.equal((await api("PUT", `/attachments/${a}`, { body })).status, 400, JSON.stringify(body));
      }
      const invalid = await api("PUT", `/attachments/${a}`, {
        body: { attachment: { connector: { host: "h" } } },
      });
      assert.deepEqual(fault(invalid), {
        code: 400,
        message: "Invalid input received: Connector doesn't have required information: initiator",
      });
      await api("PUT", `/attachments/${a}`, { body: { attachment: { connector: CONNECTOR } } });
      await complete(a);
      const b = (await attach(vol, { instance_uuid: SERVER })).body.attachment.id;
      const dup = await api("PUT", `/attachments/${b}`, { body: { attachment: { connector: CONNECTOR } } });
      assert.deepEqual(fault(dup), {
        code: 409,
        message: `Resource conflict: duplicate connectors detected on volume ${vol}`,
      });
      assert.equal(Object.keys(dup.body)[0], "conflictingRequest");
      await api("POST", `/volumes/${vol}/action`, {
        token: admin,
        body: { "os-reset_status": { status: "error" } },
      });
      const err = await api("PUT", `/attachments/${b}`, { body: { attachment: { connector: CONNECTOR } } });
      assert.equal(err.status, 409);
      assert.match(
        fault(err).message,
        /^Resource conflict: Volume attachments can not be updated if the volume is in an error state/,
      );
    });

    it("PUT on Cinder 21 (profile debian-bookworm): the same refusals are 500s, as recorded", async () => {
      sim.world.config.profile = "debian-bookworm";
      try {
        const vol = await volume();
        const a = (await attach(vol, { instance_uuid: SERVER })).body.attachment.id;
        await api("PUT", `/attachments/${a}`, { body: { attachment: { connector: CONNECTOR } } });
        await complete(a);
        const b = (await attach(vol, { instance_uuid: SERVER })).body.attachment.id;
        const dup = await api("PUT", `/attachments/${b}`, { body: { attachment: { connector: CONNECTOR } } });
        assert.deepEqual(dup.body, {
          computeFault: {
            code: 500,
            message: `Unable to update attachment.(Invalid volume: duplicate connectors detected on volume ${vol}).`,
          },
        });
        await api("POST", `/volumes/${vol}/action`, {
          token: admin,
          body: { "os-reset_status": { status: "error" } },
        });
        const err = await api("PUT", `/attachments/${a}`, { body: { attachment: { connector: CONNECTOR } } });
        assert.deepEqual(err.body, {
          computeFault: {
            code: 500,
            message:
              "Unable to update attachment.(Invalid volume: Volume attachments can not be updated if the volume " +
              `is in an error state. The Volume ${vol} currently has a status of: error ).`,
          },
        });
      } finally {
        sim.world.config.profile = "newest";
      }
    });

    it("POST with an invalid connector is a 500", async () => {
      const vol = await volume();
      const res = await attach(vol, { connector: { host: "h" } });
      assert.equal(res.status, 500);
      assert.deepEqual(Object.keys(res.body), ["computeFault"]);
      assert.match(fault(res).message, /^Unable to create attachment for volume \(Invalid input received:/);
    });

    it("refuses a user's DELETE while Nova uses the attachment (409), but not a service's", async () => {
      const vol = await volume();
      const a = (await attach(vol, { instance_uuid: SERVER, connector: CONNECTOR })).body.attachment.id;
      await complete(a);
      const original = sim.world.nova.volumeAttachmentIdFor;
      sim.world.nova.volumeAttachmentIdFor = (server, volumeId) =>
        server === SERVER && volumeId === vol ? a : undefined;
      try {
        const refused = await api("DELETE", `/attachments/${a}`);
        assert.deepEqual(refused.body, {
          conflictingRequest: {
            code: 409,
            message: `ConflictNovaUsingAttachment: Detach volume from instance ${SERVER} using the Compute API`,
          },
        });
        assert.equal((await volumeOf(vol)).status, "in-use");
        const asService = await api("DELETE", `/attachments/${a}`, {
          headers: { "X-Service-Roles": "service" },
        });
        assert.equal(asService.status, 200);
        assert.equal((await volumeOf(vol)).status, "available");
      } finally {
        sim.world.nova.volumeAttachmentIdFor = original;
      }
    });

    it("applies the member policy (403 for a reader) and project scoping (404)", async () => {
      const vol = await volume();
      const a = (await attach(vol, { instance_uuid: SERVER })).body.attachment.id;
      const store = sim.world.identity;
      store.users.set("reader-id", {
        id: "reader-id",
        name: "reader",
        domainId: "default",
        password: "reader-password",
        projectId: DEMO,
        roles: ["reader"],
      });
      const reader = store.issue(
        store.principalOf(store.users.get("reader-id")!, store.findProject({ id: DEMO })!),
        ["password"],
      ).id;
      for (const [method, path, body, rule] of [
        ["POST", "/attachments", { attachment: { volume_uuid: vol } }, "volume:attachment_create"],
        ["PUT", `/attachments/${a}`, { attachment: { connector: CONNECTOR } }, "volume:attachment_update"],
        ["POST", `/attachments/${a}/action`, { "os-complete": null }, "volume:attachment_complete"],
        ["DELETE", `/attachments/${a}`, undefined, "volume:attachment_delete"],
      ] as [string, string, unknown, string][]) {
        const res = await request(sim, method, `/volume/v3/${DEMO}${path}`, {
          token: reader,
          body,
          headers: { "OpenStack-API-Version": "volume 3.44" },
        });
        assert.deepEqual(res.body, {
          forbidden: { code: 403, message: `Policy doesn't allow ${rule} to be performed.` },
        });
      }
      // Reading needs no policy.
      assert.equal(
        (
          await request(sim, "GET", `/volume/v3/${DEMO}/attachments/${a}`, {
            token: reader,
            headers: { "OpenStack-API-Version": "volume 3.27" },
          })
        ).status,
        200,
      );
      store.users.delete("reader-id");

      // Admins act on other projects' attachments; others' are invisible to demo.
      assert.equal((await api("GET", `/attachments/${a}`, { token: admin })).status, 200);
      const adminVol = (await api("POST", "/volumes", { token: admin, body: { volume: { size: 1 } } })).body
        .volume.id;
      await new Promise((r) => setTimeout(r, 10));
      const adminAtt = (await attach(adminVol, {}, "3.44", admin)).body.attachment.id;
      assert.equal((await api("GET", `/attachments/${adminAtt}`)).status, 404);
      assert.equal((await attach(adminVol)).status, 404);
    });
  });

  describe("lists", () => {
    it("filters by volume_id, instance_id and attach_status; `status` matches nothing", async () => {
      const v1 = await volume();
      const v2 = await volume();
      const a1 = (await attach(v1, { instance_uuid: SERVER })).body.attachment.id;
      const a2 = (await attach(v2, { instance_uuid: SERVER_2, connector: CONNECTOR })).body.attachment.id;
      const ids = async (q: string, token = demo) => {
        const res = await api("GET", `/attachments${q}`, { token });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body.attachments.map((x: any) => x.id).sort();
      };
      assert.deepEqual(await ids(`?volume_id=${v1}`), [a1]);
      assert.deepEqual(await ids(`?instance_id=${SERVER_2}`), [a2]);
      assert.deepEqual(await ids("?attach_status=attaching"), [a2]);
      // Cinder passes `status` to the DB layer, where it is not a column of attachments: nothing matches.
      assert.deepEqual(await ids("?status=reserved"), []);
      const invalid = await api("GET", "/attachments?host=x");
      assert.deepEqual(fault(invalid), {
        code: 400,
        message: "Invalid filters host are found in query options.",
      });
      assert.deepEqual(await ids("?host=x", admin), []);
      assert.deepEqual(await ids("", admin), []);
      assert.deepEqual(await ids("?all_tenants=1", admin), [a1, a2].sort());
      assert.deepEqual(await ids("?all_tenants=1"), [a1, a2].sort());
    });

    it("sorts and pages with sort, sort_key/sort_dir, limit, offset and marker", async () => {
      const vol = await volume({ volume_type: "multiattach" });
      const made: string[] = [];
      for (let i = 0; i < 4; i++)
        made.push((await attach(vol, { instance_uuid: SERVER })).body.attachment.id);
      const ids = async (q: string) => {
        const res = await api("GET", `/attachments${q}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body.attachments.map((x: any) => x.id);
      };
      const newestFirst = [...made].reverse();
      assert.deepEqual(await ids(""), newestFirst);
      assert.deepEqual(await ids("?sort=created_at:asc"), made);
      assert.deepEqual(await ids("?sort_key=created_at&sort_dir=asc"), made);
      assert.deepEqual(await ids("?limit=2"), newestFirst.slice(0, 2));
      assert.deepEqual(await ids(`?limit=2&marker=${newestFirst[1]}`), newestFirst.slice(2));
      assert.deepEqual(await ids("?offset=3"), newestFirst.slice(3));
      assert.deepEqual(await ids("?sort=id:asc"), [...made].sort());
      const marker = await api("GET", "/attachments?marker=3b8b6631-1cf7-4fd7-9afb-c01e541a073c");
      assert.equal(marker.status, 404);
      const key = await api("GET", "/attachments?sort=colour");
      assert.deepEqual(fault(key), { code: 400, message: "Invalid input received: Invalid sort key" });
    });
  });
});
