// Cinder v3 volumes on the simulator over HTTP: version documents, auth, microversions, volumes CRUD, project
// scoping, filters, sorting and paging, volume actions (FACTS §0, §5.5, §5.6 legacy actions).
import { strict as assert } from "assert";
import { startSimulator, type RunningSimulator } from "../../simulator/core/app";
import { loadSample, shapeDiff } from "../support/shape";
import { request, projectOf, passwordToken, type ApiResponse } from "../support/simulatorClient";

const DEMO = projectOf("demo");
const ADMIN = projectOf("admin");
const LINK_TYPE = ["$.versions[].links[].type"];

describe("simulator Cinder volumes", () => {
  let sim: RunningSimulator;
  let demo: string;
  let admin: string;

  before(async () => {
    sim = await startSimulator({ transitions: { default: 5 } });
    demo = await passwordToken(sim, "demo");
    admin = await passwordToken(sim, "admin");
  });
  after(() => sim.close());
  beforeEach(() => sim.world.reset());

  const v = (mv?: string): Record<string, string> => (mv ? { "OpenStack-API-Version": `volume ${mv}` } : {});
  const api = (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    mv?: string,
  ): Promise<ApiResponse> => request(sim, method, path, { token, body, headers: v(mv) });

  /** Creates a volume as `token`'s user and waits until it is available. */
  async function volume(token = demo, body: Record<string, unknown> = {}, project = DEMO) {
    const res = await api("POST", `/volume/v3/${project}/volumes`, token, { volume: { size: 1, ...body } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await waitStatus(token, project, res.body.volume.id, "available");
    return res.body.volume.id as string;
  }

  async function waitStatus(token: string, project: string, id: string, status: string) {
    for (let i = 0; i < 100; i++) {
      const res = await api("GET", `/volume/v3/${project}/volumes/${id}`, token);
      if (res.body?.volume?.status === status) return res.body.volume;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`volume ${id} never reached ${status}`);
  }

  describe("version documents", () => {
    it("GET /volume/ answers 300 with the configured range", async () => {
      const res = await request(sim, "GET", "/volume/");
      assert.equal(res.status, 300);
      // Each link is compared with the sample's first (describedby) link; the self link has no `type`.
      assert.deepEqual(
        shapeDiff(loadSample("cinder/versions/versions-response.json"), res.body, LINK_TYPE),
        [],
      );
      const [entry] = res.body.versions;
      // Cinder 21 (profile debian-bookworm) says updated 2022-08-31 (tests/simulator/realRecordings.test.ts)
      assert.deepEqual(
        [entry.id, entry.min_version, entry.version, entry.updated],
        ["v3.0", "3.0", "3.71", "2023-08-31T00:00:00Z"],
      );
      assert.equal(entry.links[1].href, `${sim.url}/volume/v3/`);
      assert.deepEqual(
        [res.headers.get("openstack-api-version"), res.headers.get("vary")],
        ["volume 3.0", "OpenStack-API-Version"],
      );
      const redirect = await fetch(`${sim.url}/volume/v3`, { redirect: "manual" });
      assert.deepEqual([redirect.status, redirect.headers.get("location")], [302, `${sim.url}/volume/v3/`]);
      sim.world.config.microversions.volume.max = "3.70";
      assert.equal((await request(sim, "GET", "/volume/")).body.versions[0].version, "3.70");
      sim.world.config.microversions.volume.max = "3.71";
    });

    it("GET /volume/v3/ answers the same document at 200, behind auth", async () => {
      const res = await api("GET", "/volume/v3/", demo);
      assert.equal(res.status, 200);
      assert.deepEqual(
        shapeDiff(loadSample("cinder/versions/version-show-response.json"), res.body, LINK_TYPE),
        [],
      );
      assert.equal((await request(sim, "GET", "/volume/v3/")).status, 401);
    });
  });

  describe("auth and microversions", () => {
    it("rejects missing, invalid and expired tokens with keystonemiddleware's 401", async () => {
      sim.world.config.tokenTtlSeconds = 0.02;
      const expiring = await passwordToken(sim, "demo");
      sim.world.config.tokenTtlSeconds = 3600;
      await new Promise((r) => setTimeout(r, 40));
      for (const token of [undefined, "gAAAAbogus", expiring]) {
        const res = await request(sim, "GET", `/volume/v3/${DEMO}/volumes`, { token });
        assert.equal(res.status, 401);
        assert.deepEqual(res.body, {
          error: {
            code: 401,
            title: "Unauthorized",
            message: "The request you have made requires authentication.",
          },
        });
        assert.equal(res.headers.get("www-authenticate"), `Keystone uri='${sim.url}/identity'`);
      }
    });

    it("runs at 3.0 without a header and echoes the version with Vary", async () => {
      const res = await api("GET", `/volume/v3/${DEMO}/volumes`, demo);
      assert.equal(res.headers.get("openstack-api-version"), "volume 3.0");
      assert.equal(res.headers.get("vary"), "OpenStack-API-Version");
      assert.match(res.headers.get("x-compute-request-id") ?? "", /^req-[0-9a-f-]{36}$/);
      assert.equal(res.headers.get("x-compute-request-id"), res.headers.get("x-openstack-request-id"));
      const latest = await api("GET", `/volume/v3/${DEMO}/volumes`, demo, undefined, "latest");
      assert.equal(latest.headers.get("openstack-api-version"), "volume 3.71");
      const high = await api("GET", `/volume/v3/${DEMO}/volumes`, demo, undefined, "3.72");
      assert.equal(high.status, 406);
      // Recorded on real Cinder: a 406 echoes the requested version, except for another major.
      assert.equal(high.headers.get("openstack-api-version"), "volume 3.72");
      const major = await api("GET", `/volume/v3/${DEMO}/volumes`, demo, undefined, "2.0");
      assert.deepEqual([major.status, major.headers.get("openstack-api-version")], [406, null]);
      assert.equal((await api("GET", `/volume/v3/${DEMO}/volumes`, demo, undefined, "3.x")).status, 400);
      // Recorded on real Cinder 21: the service name is case-sensitive; a bare "volume" is a 500.
      const generic =
        "The server could not comply with the request since it is either malformed or otherwise incorrect.";
      for (const header of ["compute 2.93", "VOLUME 3.70", ""]) {
        const res = await request(sim, "GET", `/volume/v3/${DEMO}/volumes`, {
          token: demo,
          headers: { "OpenStack-API-Version": header },
        });
        assert.deepEqual(res.body, { badRequest: { code: 400, message: generic } }, header);
      }
      const bare = await request(sim, "GET", `/volume/v3/${DEMO}/volumes`, {
        token: demo,
        headers: { "OpenStack-API-Version": "volume" },
      });
      assert.deepEqual([bare.status, Object.keys(bare.body)], [500, ["computeFault"]]);
      const mixed = await request(sim, "GET", `/volume/v3/${DEMO}/volumes`, {
        token: demo,
        headers: { "OpenStack-API-Version": "volume 3.70, compute 2.1" },
      });
      assert.equal(mixed.headers.get("openstack-api-version"), "volume 3.70");
    });

    it("routes with and without the project id, and refuses another project's id", async () => {
      const id = await volume();
      assert.equal((await api("GET", `/volume/v3/volumes/${id}`, demo, undefined, "3.67")).status, 200);
      const other = await api("GET", `/volume/v3/${ADMIN}/volumes`, demo);
      assert.equal(other.status, 400);
      assert.match(other.body.badRequest.message, /doesn't match Context's project_id/);
    });
  });

  describe("volumes", () => {
    it("creates a volume (202, creating) that becomes available; show/list/detail", async () => {
      const created = await api("POST", `/volume/v3/${DEMO}/volumes`, demo, {
        volume: { size: 2, name: " data ", description: "d", metadata: { k: "v" } },
      });
      assert.equal(created.status, 202);
      const vol = created.body.volume;
      assert.deepEqual(
        [vol.status, vol.size, vol.name, vol.bootable, vol.multiattach, vol.volume_type],
        ["creating", 2, "data", "false", false, "__DEFAULT__"],
      );
      assert.deepEqual(vol.attachments, []);
      assert.deepEqual(vol.metadata, { k: "v" });
      assert.equal(vol["os-vol-tenant-attr:tenant_id"], DEMO);
      assert.equal("os-vol-host-attr:host" in vol, false);
      assert.match(vol.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      assert.deepEqual(vol.links, [
        { rel: "self", href: `${sim.url}/volume/v3/${DEMO}/volumes/${vol.id}` },
        { rel: "bookmark", href: `${sim.url}/volume/${DEMO}/volumes/${vol.id}` },
      ]);
      const shown = await waitStatus(demo, DEMO, vol.id, "available");
      assert.equal(shown.id, vol.id);
      const transition = sim.world.transitions.log.find((t) => t.objectId === vol.id)!;
      assert.deepEqual([transition.kind, transition.to], ["volume.create", "available"]);

      const list = await api("GET", `/volume/v3/${DEMO}/volumes`, demo);
      assert.deepEqual(Object.keys(list.body.volumes[0]).sort(), ["id", "links", "name"]);
      const detail = await api("GET", `/volume/v3/${DEMO}/volumes/detail`, demo);
      assert.equal(detail.body.volumes[0].status, "available");
    });

    it("adds fields per microversion and admin-only fields for admins", async () => {
      const id = await volume();
      const at = async (mv: string, token = demo) =>
        (await api("GET", `/volume/v3/${token === demo ? DEMO : ADMIN}/volumes/${id}`, token, undefined, mv))
          .body.volume;
      assert.equal("group_id" in (await at("3.12")), false);
      assert.equal("group_id" in (await at("3.13")), true);
      const v48 = await at("3.48");
      assert.deepEqual([v48.shared_targets, typeof v48.service_uuid], [true, "string"]);
      assert.equal((await at("3.63")).volume_type_id, sim.world.cinder.volumes.get(id)!.volumeTypeId);
      assert.equal((await at("3.65")).consumes_quota, true);
      const asAdmin = await at("3.61", admin);
      assert.equal(asAdmin["os-vol-host-attr:host"], "simulator@lvm#lvm");
      assert.deepEqual(
        [asAdmin.migration_status, asAdmin.cluster_name, asAdmin.provider_id],
        [null, null, null],
      );
      assert.equal("provider_id" in (await at("3.61")), false);
    });

    it("makes multiattach volumes from the multiattach type and refuses the old flag", async () => {
      const res = await api("POST", `/volume/v3/${DEMO}/volumes`, demo, {
        volume: { size: 1, volume_type: "multiattach" },
      });
      assert.equal(res.body.volume.multiattach, true);
      const types = await api("GET", `/volume/v3/${DEMO}/types`, demo);
      assert.deepEqual(types.body.volume_types.map((t: any) => t.name).sort(), [
        "__DEFAULT__",
        "multiattach",
      ]);
      const old = await api("POST", `/volume/v3/${DEMO}/volumes`, demo, {
        volume: { size: 1, multiattach: true },
      });
      assert.equal(old.status, 400);
      assert.match(old.body.badRequest.message, /^multiattach parameter has been removed/);
    });

    it("validates create bodies", async () => {
      const cases: [unknown, number, RegExp, string?][] = [
        [
          { volume: { size: 0 } },
          400,
          /^Invalid input for field\/attribute size\. Value: 0\. 0 is less than the minimum of 1/,
        ],
        [{ volume: { size: "x" } }, 400, /^Invalid input for field\/attribute size/],
        [{ volume: { name: "n" } }, 400, /Volume size 'None' must be an integer and greater than 0/],
        [{ vol: {} }, 400, /'volume' is a required property/],
        [
          { volume: { size: 1, volume_type: "gold" } },
          404,
          /^Volume type with name gold could not be found\.$/,
        ],
        [
          { volume: { size: 1, snapshot_id: "3b8b6631-1cf7-4fd7-9afb-c01e541a073c" } },
          404,
          /^Snapshot .* could not be found\.$/,
        ],
        [{ volume: { size: 1, availability_zone: "az9" } }, 400, /^Availability zone 'az9' is invalid\.$/],
        [
          { volume: { size: 1, colour: "red" } },
          400,
          /Additional properties are not allowed \('colour' was unexpected\)/,
          "3.53",
        ],
      ];
      for (const [body, status, message, mv] of cases) {
        const res = await api("POST", `/volume/v3/${DEMO}/volumes`, demo, body, mv);
        assert.equal(res.status, status, JSON.stringify(body));
        const fault = Object.values(res.body)[0] as any;
        assert.match(fault.message, message);
      }
      // Before 3.53 unknown keys pass.
      assert.equal(
        (
          await api(
            "POST",
            `/volume/v3/${DEMO}/volumes`,
            demo,
            { volume: { size: 1, colour: "red" } },
            "3.52",
          )
        ).status,
        202,
      );
    });

    it("scopes by project: 404 for others' volumes, all_tenants for admins only", async () => {
      const mine = await volume();
      const theirs = await volume(admin, {}, ADMIN);
      const hidden = await api("GET", `/volume/v3/${DEMO}/volumes/${theirs}`, demo);
      assert.deepEqual(hidden.body, {
        itemNotFound: { code: 404, message: `Volume ${theirs} could not be found.` },
      });
      assert.equal((await api("GET", `/volume/v3/${ADMIN}/volumes/${mine}`, admin)).status, 200);
      const ids = async (token: string, project: string, q = "") =>
        (await api("GET", `/volume/v3/${project}/volumes${q}`, token)).body.volumes
          .map((x: any) => x.id)
          .sort();
      assert.deepEqual(await ids(admin, ADMIN), [theirs]);
      assert.deepEqual(await ids(admin, ADMIN, "?all_tenants=1"), [mine, theirs].sort());
      assert.deepEqual(await ids(demo, DEMO, "?all_tenants=1"), [mine]);
    });

    it("filters: allowed ones for users, 400 for others from 3.31, ignored before", async () => {
      const a = await volume(demo, { name: "alpha" });
      await volume(demo, { name: "beta" });
      const names = async (q: string, mv?: string) => {
        const res = await api("GET", `/volume/v3/${DEMO}/volumes${q}`, demo, undefined, mv);
        return res.status === 200 ? res.body.volumes.map((x: any) => x.name).sort() : res;
      };
      assert.deepEqual(await names("?name=alpha"), ["alpha"]);
      assert.deepEqual(await names("?status=available"), ["alpha", "beta"]);
      assert.deepEqual(await names("?size=2"), []);
      const bad = (await names("?host=x", "3.31")) as ApiResponse;
      assert.equal(bad.status, 400);
      assert.equal(bad.body.badRequest.message, "Invalid filters host are found in query options.");
      assert.deepEqual(await names("?host=x", "3.30"), ["alpha", "beta"]);
      // Admins may filter on any column.
      const adminList = await api(
        "GET",
        `/volume/v3/${ADMIN}/volumes?all_tenants=1&project_id=${DEMO}&display_name=alpha`,
        admin,
      );
      assert.deepEqual(
        adminList.body.volumes.map((x: any) => x.id),
        [a],
      );
      await api("POST", `/volume/v3/${DEMO}/volumes`, demo, {
        volume: { size: 1, name: "gamma", metadata: { tier: "gold" } },
      });
      assert.deepEqual(await names(`?metadata=${encodeURIComponent("{'tier': 'gold'}")}`), ["gamma"]);
    });

    it("sorts, pages with limit/offset/marker, links the next page and counts", async () => {
      for (const name of ["c", "a", "b"]) await volume(demo, { name });
      const names = async (q: string, mv?: string) => {
        const res = await api("GET", `/volume/v3/${DEMO}/volumes${q}`, demo, undefined, mv);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res;
      };
      const list = (res: ApiResponse) => res.body.volumes.map((x: any) => x.name);
      assert.deepEqual(list(await names("")), ["b", "a", "c"]); // created_at desc
      assert.deepEqual(list(await names("?sort=name:asc")), ["a", "b", "c"]);
      assert.deepEqual(list(await names("?sort_key=name&sort_dir=desc")), ["c", "b", "a"]);
      const page = await names("?sort=name:asc&limit=2");
      assert.deepEqual(list(page), ["a", "b"]);
      const next = new URL(page.body.volumes_links[0].href);
      assert.equal(next.pathname, `/volume/v3/${DEMO}/volumes`);
      assert.equal(next.searchParams.get("marker"), page.body.volumes[1].id);
      const second = await names(`?sort=name:asc&limit=2&marker=${next.searchParams.get("marker")}`);
      assert.deepEqual(list(second), ["c"]);
      assert.equal("volumes_links" in second.body, false);
      assert.deepEqual(list(await names("?sort=name:asc&offset=1&limit=1")), ["b"]);
      const counted = await names("?with_count=true&limit=1", "3.45");
      assert.deepEqual([counted.body.count, counted.body.volumes.length], [3, 1]);

      const errors: [string, RegExp][] = [
        ["?sort=name&sort_key=name", /cannot be used with the 'sort' parameter/],
        ["?sort=colour", /^Invalid input received: Invalid sort key$/],
        ["?sort=name:up", /Unknown sort direction, must be 'desc' or 'asc'/],
        ["?limit=-1", /^limit param must be positive$/],
        ["?limit=x", /^limit param must be an integer$/],
        ["?offset=-2", /^offset must be >= 0$/],
      ];
      for (const [q, message] of errors) {
        const res = await api("GET", `/volume/v3/${DEMO}/volumes${q}`, demo);
        assert.equal(res.status, 400, q);
        assert.match(res.body.badRequest.message, message);
      }
      const missing = await api("GET", `/volume/v3/${DEMO}/volumes?marker=nope`, demo);
      assert.equal(missing.status, 404);
    });

    it("deletes: 202 then gone; 400 while not available/error", async () => {
      const id = await volume();
      await api("POST", `/volume/v3/${DEMO}/volumes/${id}/action`, demo, { "os-reserve": null });
      const refused = await api("DELETE", `/volume/v3/${DEMO}/volumes/${id}`, demo);
      assert.equal(refused.status, 400);
      assert.match(
        refused.body.badRequest.message,
        /^Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached/,
      );
      await api("POST", `/volume/v3/${DEMO}/volumes/${id}/action`, demo, { "os-unreserve": null });
      sim.world.transitions.hold("volume.delete");
      const del = await api("DELETE", `/volume/v3/${DEMO}/volumes/${id}`, demo);
      assert.deepEqual([del.status, del.body], [202, undefined]);
      assert.equal(
        (await api("GET", `/volume/v3/${DEMO}/volumes/${id}`, demo)).body.volume.status,
        "deleting",
      );
      sim.world.transitions.release("volume.delete");
      assert.equal((await api("GET", `/volume/v3/${DEMO}/volumes/${id}`, demo)).status, 404);
      assert.equal((await api("DELETE", `/volume/v3/${DEMO}/volumes/${id}`, demo)).status, 404);
    });
  });

  describe("volume actions", () => {
    const action = (token: string, id: string, body: unknown, project = DEMO) =>
      api("POST", `/volume/v3/${project}/volumes/${id}/action`, token, body);

    it("os-reset_status is admin only and validates its body", async () => {
      const id = await volume();
      const denied = await action(demo, id, { "os-reset_status": { status: "error" } });
      assert.deepEqual(denied.body, {
        forbidden: {
          code: 403,
          message: "Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.",
        },
      });
      assert.equal((await action(admin, id, { "os-reset_status": { status: "error" } }, ADMIN)).status, 202);
      assert.equal((await api("GET", `/volume/v3/${DEMO}/volumes/${id}`, demo)).body.volume.status, "error");
      for (const args of [
        {},
        { status: "weird" },
        { attach_status: "attaching" },
        { status: "in-use" },
        { status: "deleting" },
      ]) {
        assert.equal(
          (await action(admin, id, { "os-reset_status": args }, ADMIN)).status,
          400,
          JSON.stringify(args),
        );
      }
    });

    it("os-set_bootable answers 200 and shows in the volume", async () => {
      const id = await volume();
      const res = await action(demo, id, { "os-set_bootable": { bootable: true } });
      assert.equal(res.status, 200);
      assert.equal((await api("GET", `/volume/v3/${DEMO}/volumes/${id}`, demo)).body.volume.bootable, "true");
      assert.equal((await action(demo, id, { "os-set_bootable": { bootable: "maybe" } })).status, 400);
    });

    it("os-begin_detaching / os-roll_detaching need an attached volume", async () => {
      const id = await volume();
      const refused = await action(demo, id, { "os-begin_detaching": null });
      assert.equal(refused.status, 400);
      assert.match(
        refused.body.badRequest.message,
        /Volume status must be 'in-use' and attach_status must be 'attached'/,
      );
      assert.equal((await action(demo, id, { "os-roll_detaching": null })).status, 202);
      assert.equal((await action(demo, id, { "os-frobnicate": {} })).status, 400);
    });

    it("os-force_delete is admin only", async () => {
      const id = await volume();
      await action(admin, id, { "os-reset_status": { status: "maintenance" } }, ADMIN);
      assert.equal((await action(demo, id, { "os-force_delete": {} })).status, 403);
      assert.equal((await action(admin, id, { "os-force_delete": {} }, ADMIN)).status, 202);
    });
  });

  describe("control API (/_sim/cinder)", () => {
    const control = (method: string, path: string, body?: unknown) =>
      request(sim, method, `/_sim/cinder${path}`, { body });

    it("injects backend failures: a create ending in error, a connection answering 500", async () => {
      assert.equal((await control("POST", "/backend-failures", { operation: "create_volume" })).status, 204);
      const failed = await api("POST", `/volume/v3/${DEMO}/volumes`, demo, { volume: { size: 1 } });
      await waitStatus(demo, DEMO, failed.body.volume.id, "error");
      const id = await volume();
      await control("POST", "/backend-failures", { operation: "initialize_connection", count: 1 });
      const attachment = await api(
        "POST",
        `/volume/v3/${DEMO}/attachments`,
        demo,
        { attachment: { volume_uuid: id } },
        "3.44",
      );
      const put = await api(
        "PUT",
        `/volume/v3/${DEMO}/attachments/${attachment.body.attachment.id}`,
        demo,
        { attachment: { connector: { initiator: "iqn.x", host: "h" } } },
        "3.44",
      );
      assert.equal(put.status, 500);
      assert.match(
        put.body.computeFault.message,
        /^Unable to update attachment \(Bad or unexpected response/,
      );
      assert.equal((await control("POST", "/backend-failures", { operation: "melt" })).status, 400);
    });

    it("sets volume fields out of band and dumps the state without secrets", async () => {
      const id = await volume();
      const patched = await control("PATCH", `/volumes/${id}`, {
        status: "error_deleting",
        migrationStatus: "migrating",
      });
      assert.deepEqual([patched.status, patched.body.status], [200, "error_deleting"]);
      assert.equal(
        (await api("GET", `/volume/v3/${DEMO}/volumes/${id}`, demo)).body.volume.status,
        "error_deleting",
      );
      assert.equal((await control("PATCH", `/volumes/${id}`, { colour: "red" })).status, 400);
      assert.equal((await control("PATCH", "/volumes/nope", { status: "error" })).status, 404);
      const state = await control("GET", "/state");
      assert.equal(state.body.volumes[0].migrationStatus, "migrating");
      assert.equal(
        JSON.stringify(state.body).includes(sim.world.cinder.volumes.get(id)!.export.chapPassword),
        false,
      );
    });
  });
});
