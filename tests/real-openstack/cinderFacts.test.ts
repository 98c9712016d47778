// The questions FACTS.md §6 left open about Cinder, asked live of real Cinder 21 and of the simulator playing
// it (profile debian-bookworm), with the same requests and the same expected answers: the POST-with-connector
// and PUT answers are stale (the attachment as it was before the volume service ran, but with the new
// connection info); a POST with a connector and no mode stores attach_mode "null" for good, while reserve then
// PUT takes the connector's mode (rw); a version header without a `volume` entry is a generic 400.
// FINDINGS.md §1 has the recordings these answers were first seen in.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import { startSimulator } from "../../simulator/core/app";
import { SEED } from "../../simulator/core/identity";
import { RawClient, RawResponse } from "./support/client";
import { loadEndpoints, RealEndpoints } from "./support/endpoints";

/** An os-brick connector (TEST-NET address). */
const CONNECTOR = {
  initiator: "iqn.1993-08.org.debian:01:facts",
  ip: "192.0.2.30",
  platform: "x86_64",
  host: "facts-host",
  os_type: "linux",
  multipath: false,
  mountpoint: "/dev/vdb",
};
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

interface Target {
  name: string;
  start(): Promise<{ endpoints: RealEndpoints; close(): Promise<void> }>;
}

const TARGETS: Target[] = [
  {
    name: "real Cinder 21",
    start: async () => ({ endpoints: loadEndpoints(), close: async () => undefined }),
  },
  {
    name: "the simulator (debian-bookworm)",
    async start() {
      const sim = await startSimulator({ auth: "noauth", profile: "debian-bookworm" });
      const endpoints = {
        projectId: SEED.projects.find((p) => p.name === "admin")!.id,
        manila: `${sim.url}/share`,
        cinder: `${sim.url}/volume`,
        nova: `${sim.url}/compute`,
      } as RealEndpoints;
      return { endpoints, close: () => sim.close() };
    },
  },
];

/** The fields FACTS §6 is about, from an attachment body. */
function view(res: RawResponse) {
  assert.equal(res.status, 200, res.text);
  const a = (res.body as { attachment: Record<string, unknown> }).attachment;
  const info = a.connection_info as Record<string, unknown>;
  return {
    status: a.status,
    attach_mode: a.attach_mode,
    attached_at: a.attached_at === "" ? "" : TIMESTAMP.test(String(a.attached_at)) ? "<time>" : a.attached_at,
    // the drivers differ (FINDINGS §6): only whether the connection info is there, and for which attachment
    connection_info: Object.keys(info).length === 0 ? {} : { attachment_id: info.attachment_id },
  };
}

for (const target of TARGETS) {
  describe(`FACTS.md §6 (Cinder) on ${target.name}`, function () {
    let client: RawClient;
    let project: string;
    let close: () => Promise<void>;
    const volumes: string[] = [];
    const attachments: string[] = [];

    const cinder = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      client.send("cinder", {
        method,
        path: `/v3/${project}${path}`,
        headers: {
          "X-Auth-Token": `admin:${project}`,
          "OpenStack-API-Version": "volume 3.70",
          "Content-Type": "application/json",
          ...headers,
        },
        body,
      });
    const volumeStatus = async (id: string) => {
      const res = await cinder("GET", `/volumes/${id}`);
      assert.equal(res.status, 200, res.text);
      return (res.body as { volume: { status: string } }).volume.status;
    };
    const volume = async () => {
      const res = await cinder("POST", "/volumes", { volume: { size: 1, name: `facts-${randomUUID()}` } });
      assert.equal(res.status, 202, res.text);
      const id = (res.body as { volume: { id: string } }).volume.id;
      volumes.push(id);
      const deadline = Date.now() + 60_000;
      for (let status = await volumeStatus(id); status !== "available"; status = await volumeStatus(id)) {
        assert.ok(status === "creating" && Date.now() < deadline, `volume ${id} is ${status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return id;
    };
    const create = async (body: Record<string, unknown>) => {
      const res = await cinder("POST", "/attachments", {
        attachment: { volume_uuid: await volume(), instance_uuid: randomUUID(), ...body },
      });
      const id = (res.body as { attachment?: { id: string } }).attachment?.id;
      if (id) attachments.push(id);
      return { res, id: id!, volumeId: (res.body as any).attachment?.volume_id as string };
    };
    const show = (id: string) => cinder("GET", `/attachments/${id}`);
    const complete = async (id: string) => {
      const res = await cinder("POST", `/attachments/${id}/action`, { "os-complete": null });
      assert.equal(res.status, 204, res.text);
    };

    before(async function () {
      const started = await target.start();
      client = new RawClient(started.endpoints);
      project = started.endpoints.projectId;
      close = started.close;
    });
    afterEach(async function () {
      for (const id of attachments.splice(0)) await cinder("DELETE", `/attachments/${id}`);
      for (const id of volumes.splice(0)) await cinder("DELETE", `/volumes/${id}`);
    });
    after(async () => close?.());

    it("reserve, then PUT with a connector: the PUT answer is stale, the re-GET shows attaching with mode rw", async () => {
      const { res, id, volumeId } = await create({});
      assert.deepEqual(view(res), {
        status: "reserved",
        attach_mode: "null",
        attached_at: "",
        connection_info: {},
      });
      const put = await cinder("PUT", `/attachments/${id}`, { attachment: { connector: CONNECTOR } });
      assert.deepEqual(view(put), {
        status: "reserved",
        attach_mode: "null",
        attached_at: "",
        connection_info: { attachment_id: id },
      });
      assert.deepEqual(view(await show(id)), {
        status: "attaching",
        attach_mode: "rw",
        attached_at: "<time>",
        connection_info: { attachment_id: id },
      });
      assert.equal(await volumeStatus(volumeId), "attaching");
      await complete(id);
      assert.deepEqual(
        [view(await show(id)).status, view(await show(id)).attach_mode, await volumeStatus(volumeId)],
        ["attached", "rw", "in-use"],
      );
    });

    const oneStep: Array<[string, Record<string, unknown>, string]> = [
      ["no mode", { connector: CONNECTOR }, "null"],
      ["mode ro", { connector: CONNECTOR, mode: "ro" }, "ro"],
      ["ro only inside the connector", { connector: { ...CONNECTOR, mode: "ro" } }, "null"],
    ];
    for (const [title, body, mode] of oneStep) {
      it(`POST with a connector, ${title}: a stale answer, attach_mode "${mode}" through complete`, async () => {
        const { res, id, volumeId } = await create(body);
        assert.deepEqual(view(res), {
          status: "reserved",
          attach_mode: mode,
          attached_at: "",
          connection_info: { attachment_id: id },
        });
        assert.equal(await volumeStatus(volumeId), "attaching", "the volume moved on before the answer");
        assert.deepEqual(view(await show(id)), {
          status: "attaching",
          attach_mode: mode,
          attached_at: "<time>",
          connection_info: { attachment_id: id },
        });
        await complete(id);
        assert.deepEqual([view(await show(id)).status, view(await show(id)).attach_mode], ["attached", mode]);
      });
    }

    it('reserve with mode ro, then PUT: "ro" in the PUT answer and for good', async () => {
      const { id } = await create({ mode: "ro" });
      const put = await cinder("PUT", `/attachments/${id}`, { attachment: { connector: CONNECTOR } });
      assert.deepEqual([view(put).status, view(put).attach_mode], ["reserved", "ro"]);
      await complete(id);
      assert.deepEqual([view(await show(id)).status, view(await show(id)).attach_mode], ["attached", "ro"]);
    });

    it("a version header without a volume entry: 400 with the generic message, no version echo", async () => {
      const res = await cinder("GET", "/attachments", undefined, { "OpenStack-API-Version": "compute 2.1" });
      assert.deepEqual(
        [res.status, res.body],
        [
          400,
          {
            badRequest: {
              code: 400,
              message:
                "The server could not comply with the request since it is either malformed or otherwise incorrect.",
            },
          },
        ],
      );
      assert.equal(res.headers["openstack-api-version"], undefined);
    });
  });
}
