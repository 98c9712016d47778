// Nova servers on the simulator: version documents, minimal create/show/list/delete, power actions with
// their transitions, lock, reset state, metadata, and the control endpoint that sets server states.
import { strict as assert } from "assert";
import type { RunningSimulator } from "../../simulator/core/app";
import { loadSample, shapeDiff } from "../support/shape";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";

const IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b";

describe("simulator: Nova servers", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  const api = (method: string, path: string, mv = "2.97", body?: unknown, user: "admin" | "demo" = "demo") =>
    client.call(user, method, path, { mv, body });
  const S = "/compute/v2.1/servers";

  before(async () => {
    ({ sim, client } = await startTestSimulator());
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 10 };
  });

  const show = async (id: string, user: "admin" | "demo" = "demo", mv = "2.97") =>
    (await api("GET", `${S}/${id}`, mv, undefined, user)).body?.server;
  const waitFor = (id: string, done: (s: any) => boolean) =>
    client.until(
      () => show(id, "admin"),
      (s) => s !== undefined && done(s),
    );

  async function server(name = "vm", user: "admin" | "demo" = "demo"): Promise<string> {
    const res = await api(
      "POST",
      S,
      "2.97",
      { server: { name, flavorRef: "1", imageRef: IMAGE, networks: "none" } },
      user,
    );
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await waitFor(res.body.server.id, (s) => s.status === "ACTIVE");
    return res.body.server.id;
  }
  const action = (id: string, body: unknown, mv = "2.97", user: "admin" | "demo" = "demo") =>
    api("POST", `${S}/${id}/action`, mv, body, user);

  describe("version documents", () => {
    it("GET /compute/ lists v2.0 (deprecated) and v2.1 (current) like the sample", async () => {
      const res = await fetch(`${sim.url}/compute/`);
      assert.equal(res.status, 200);
      const body: any = await res.json();
      assert.deepEqual(shapeDiff(loadSample("nova/versions/versions-get-resp.json"), body), []);
      const v21 = body.versions.find((v: any) => v.id === "v2.1");
      assert.deepEqual([v21.status, v21.version, v21.min_version], ["CURRENT", "2.104", "2.1"]);
    });

    it("GET /compute/v2.1/ and /compute/v2/ match their samples", async () => {
      const v21: any = await (await fetch(`${sim.url}/compute/v2.1/`)).json();
      // The links list mixes self (no type) and describedby (a type): shapeDiff compares every item with the first.
      const links = ["$.version.links[].type"];
      assert.deepEqual(shapeDiff(loadSample("nova/versions/v21-version-get-resp.json"), v21, links), []);
      assert.equal(v21.version.version, "2.104");
      assert.equal(v21.version["media-types"][0].type, "application/vnd.openstack.compute+json;version=2.1");
      const v2: any = await (await fetch(`${sim.url}/compute/v2/`)).json();
      assert.deepEqual(shapeDiff(loadSample("nova/versions/v2-version-get-resp.json"), v2, links), []);
      // Nova 26 (profile debian-bookworm) said SUPPORTED, updated 2011-01-21 (tests/simulator/realRecordings.test.ts)
      assert.deepEqual([v2.version.status, v2.version.updated], ["DEPRECATED", "2025-07-04T12:00:00Z"]);
    });

    it("reports the configured maximum (an older cloud)", async () => {
      await client.control("PATCH", "/config", { microversions: { compute: { min: "2.1", max: "2.93" } } });
      try {
        const body: any = await (await fetch(`${sim.url}/compute/`)).json();
        assert.equal(body.versions[1].version, "2.93");
        assert.equal((await api("GET", S, "2.97")).status, 406);
      } finally {
        await client.control("PATCH", "/config", {
          microversions: { compute: { min: "2.1", max: "2.104" } },
        });
      }
    });
  });

  describe("servers", () => {
    it("builds a server: BUILD (building/scheduling), then ACTIVE with launched_at", async () => {
      sim.world.transitions.hold("server.build");
      const res = await api("POST", S, "2.97", {
        server: { name: "web-1", flavorRef: "1", imageRef: IMAGE, networks: "none" },
      });
      assert.equal(res.status, 202);
      assert.ok(res.body.server.adminPass && res.body.server.links.length === 2);
      const building = await show(res.body.server.id);
      assert.deepEqual(
        [
          building.status,
          building["OS-EXT-STS:vm_state"],
          building["OS-EXT-STS:task_state"],
          building["OS-SRV-USG:launched_at"],
        ],
        ["BUILD", "building", "scheduling", null],
      );
      sim.world.transitions.release("server.build");
      await waitFor(res.body.server.id, (s) => s.status === "ACTIVE");
      const active = await show(res.body.server.id);
      assert.equal(active["OS-EXT-STS:vm_state"], "active");
      assert.equal(active["OS-EXT-STS:power_state"], 1);
      assert.match(active["OS-SRV-USG:launched_at"], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      assert.equal(active.locked, false);
      assert.equal(active.tenant_id, client.projectOf("demo"));
      assert.ok(!("OS-EXT-SRV-ATTR:host" in active), "admin-only attribute shown to a member");
      assert.equal((await show(res.body.server.id, "admin"))["OS-EXT-SRV-ATTR:host"], "simcompute");
    });

    it("shapes the view per microversion", async () => {
      const id = await server();
      const at21 = await show(id, "demo", "2.1");
      assert.ok(!("locked" in at21) && !("description" in at21) && "id" in at21.flavor);
      const at247 = await show(id, "demo", "2.47");
      assert.equal(at247.flavor.original_name, "m1.tiny");
      assert.ok("locked" in at247 && "tags" in at247 && !("locked_reason" in at247));
      const latest = await show(id, "demo", "2.100");
      for (const key of [
        "locked_reason",
        "server_groups",
        "pinned_availability_zone",
        "scheduler_hints",
        "trusted_image_certificates",
      ]) {
        assert.ok(key in latest, key);
      }
    });

    it("rejects a missing name, an unknown flavor or no image with 400", async () => {
      assert.equal(
        (await api("POST", S, "2.97", { server: { flavorRef: "1", imageRef: IMAGE } })).status,
        400,
      );
      const flavor = await api("POST", S, "2.97", {
        server: { name: "x", flavorRef: "999", imageRef: IMAGE },
      });
      assert.equal(flavor.status, 400);
      assert.match(flavor.body.badRequest.message, /Flavor 999 could not be found/);
      assert.equal((await api("POST", S, "2.97", { server: { name: "x", flavorRef: "1" } })).status, 400);
    });

    it("hides other projects' servers from members (404), lists and filters", async () => {
      const mine = await server("mine");
      const theirs = await server("theirs", "admin");
      const res = await api("GET", `${S}/${theirs}`);
      assert.equal(res.status, 404);
      assert.equal(res.body.itemNotFound.message, `Instance ${theirs} could not be found.`);
      assert.deepEqual(
        (await api("GET", S)).body.servers.map((s: any) => s.id),
        [mine],
      );
      assert.equal((await api("GET", `${S}/detail`)).body.servers[0]["OS-EXT-STS:vm_state"], "active");
      const all = await api("GET", `${S}?all_tenants=1`, "2.97", undefined, "admin");
      assert.deepEqual(all.body.servers.map((s: any) => s.id).sort(), [mine, theirs].sort());
      assert.deepEqual((await api("GET", `${S}?status=SHUTOFF`)).body.servers, []);
    });

    it("deletes: 204, task_state deleting, then 404; a locked server refuses members with 409", async () => {
      const id = await server();
      await action(id, { lock: null });
      const locked = await api("DELETE", `${S}/${id}`);
      assert.equal(locked.status, 409);
      assert.equal(locked.body.conflictingRequest.message, `Instance ${id} is locked`);
      await action(id, { unlock: null });
      sim.world.transitions.hold("server.delete");
      assert.equal((await api("DELETE", `${S}/${id}`)).status, 204);
      assert.equal((await show(id))["OS-EXT-STS:task_state"], "deleting");
      sim.world.transitions.release("server.delete");
      await client.until(
        () => api("GET", `${S}/${id}`),
        (r) => r.status === 404,
      );
    });
  });

  describe("power actions", () => {
    it("os-stop: powering-off during server.stop, then SHUTOFF; os-start: powering-on, then ACTIVE", async () => {
      const id = await server();
      sim.world.transitions.hold("server.stop");
      assert.equal((await action(id, { "os-stop": null })).status, 202);
      let s = await show(id);
      assert.deepEqual([s.status, s["OS-EXT-STS:task_state"]], ["ACTIVE", "powering-off"]);
      sim.world.transitions.release("server.stop");
      s = await waitFor(id, (x) => x["OS-EXT-STS:task_state"] === null);
      assert.deepEqual(
        [s.status, s["OS-EXT-STS:vm_state"], s["OS-EXT-STS:power_state"]],
        ["SHUTOFF", "stopped", 4],
      );
      sim.world.transitions.hold("server.start");
      assert.equal((await action(id, { "os-start": null })).status, 202);
      s = await show(id);
      assert.deepEqual([s.status, s["OS-EXT-STS:task_state"]], ["SHUTOFF", "powering-on"]);
      sim.world.transitions.release("server.start");
      s = await waitFor(id, (x) => x["OS-EXT-STS:task_state"] === null);
      assert.deepEqual([s.status, s["OS-EXT-STS:power_state"]], ["ACTIVE", 1]);
      const log = (await client.control("GET", "/transitions")).body.transitions.filter(
        (t: any) => t.objectId === id,
      );
      assert.deepEqual(
        log.map((t: any) => [t.kind, t.to]),
        [
          ["server.build", "active"],
          ["server.stop", "stopped"],
          ["server.start", "active"],
        ],
      );
    });

    it("refuses a stop/start in the wrong state or while a task runs (409), and on a locked server for members", async () => {
      const id = await server();
      let res = await action(id, { "os-start": null });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'start' instance ${id} while it is in vm_state active`,
      );
      await client.control("PATCH", `/nova/servers/${id}`, { taskState: "powering-off" });
      res = await action(id, { "os-stop": null });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'stop' instance ${id} while it is in task_state powering-off`,
      );
      await client.control("PATCH", `/nova/servers/${id}`, { taskState: null });
      await action(id, { lock: null });
      res = await action(id, { "os-stop": null });
      assert.equal(res.status, 409);
      assert.equal(res.body.conflictingRequest.message, `Instance ${id} is locked`);
      assert.equal(
        (await action(id, { "os-stop": null }, "2.97", "admin")).status,
        202,
        "admins ignore locks",
      );
    });

    it("stops a server in ERROR, and os-resetState (admin only) sets active or error", async () => {
      const id = await server();
      assert.equal((await action(id, { "os-resetState": { state: "error" } })).status, 403);
      assert.equal((await action(id, { "os-resetState": { state: "error" } }, "2.97", "admin")).status, 202);
      assert.equal((await show(id)).status, "ERROR");
      assert.equal((await action(id, { "os-resetState": { state: "bogus" } }, "2.97", "admin")).status, 400);
      assert.equal((await action(id, { "os-stop": null })).status, 202);
      await waitFor(id, (s) => s.status === "SHUTOFF");
      assert.equal((await action(id, { frobnicate: null })).status, 400);
    });
  });

  describe("lock", () => {
    it("locks with a reason (2.73), shows locked, and keeps an admin's lock from members", async () => {
      const id = await server();
      assert.equal((await action(id, { lock: { locked_reason: "maintenance" } }, "2.73")).status, 202);
      let s = await show(id, "demo", "2.73");
      assert.deepEqual([s.locked, s.locked_reason], [true, "maintenance"]);
      assert.equal((await action(id, { unlock: null })).status, 202);
      assert.equal((await show(id)).locked, false);
      await action(id, { lock: null }, "2.97", "admin");
      const refused = await action(id, { unlock: null });
      assert.equal(refused.status, 403);
      assert.match(refused.body.forbidden.message, /unlock_override/);
      assert.equal((await action(id, { unlock: null }, "2.97", "admin")).status, 202);
      s = await show(id);
      assert.equal(s.locked, false);
    });
  });

  describe("metadata", () => {
    const M = (id: string, key = "") => `${S}/${id}/metadata${key ? `/${key}` : ""}`;

    it("GET/POST/PUT/DELETE as Nova does: merge, replace, item, 404s and URI mismatch", async () => {
      const id = await server();
      assert.deepEqual((await api("GET", M(id))).body, { metadata: {} });
      assert.deepEqual((await api("POST", M(id), "2.97", { metadata: { a: "1", b: "2" } })).body, {
        metadata: { a: "1", b: "2" },
      });
      assert.deepEqual((await api("POST", M(id), "2.97", { metadata: { b: "3" } })).body, {
        metadata: { a: "1", b: "3" },
      });
      assert.deepEqual((await api("PUT", M(id), "2.97", { metadata: { c: "4" } })).body, {
        metadata: { c: "4" },
      });
      assert.deepEqual((await api("PUT", M(id, "d"), "2.97", { meta: { d: "5" } })).body, {
        meta: { d: "5" },
      });
      assert.deepEqual((await api("GET", M(id, "d"))).body, { meta: { d: "5" } });
      const mismatch = await api("PUT", M(id, "d"), "2.97", { meta: { e: "5" } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.badRequest.message, "Request body and URI mismatch");
      assert.equal((await api("PUT", M(id, "d"), "2.97", { meta: { d: "1", e: "2" } })).status, 400);
      assert.equal((await api("DELETE", M(id, "d"))).status, 204);
      const missing = await api("GET", M(id, "d"));
      assert.equal(missing.status, 404);
      assert.equal(missing.body.itemNotFound.message, "Metadata item was not found");
      assert.equal((await api("DELETE", M(id, "d"))).status, 404);
      const notString = await api("POST", M(id), "2.97", { metadata: { k: 1 } });
      assert.equal(notString.status, 400);
      assert.equal(
        notString.body.badRequest.message,
        "Invalid input for field/attribute k. Value: 1. 1 is not of type 'string'",
      );
      const badKey = await api("POST", M(id), "2.97", { metadata: { "a/b": "1" } });
      assert.equal(
        badKey.body.badRequest.message,
        "Invalid input for field/attribute metadata. Value: {'a/b': '1'}. Additional properties are not allowed ('a/b' was unexpected)",
      );
      assert.equal((await api("GET", M(id), "2.97", undefined, "admin")).status, 200);
    });

    it("refuses updates while a task runs, before launch, when locked (409), and beyond 128 items (403)", async () => {
      const id = await server();
      await client.control("PATCH", `/nova/servers/${id}`, { taskState: "powering-off" });
      let res = await api("POST", M(id), "2.97", { metadata: { a: "1" } });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'update metadata' instance ${id} while it is in task_state powering-off`,
      );
      assert.equal((await api("DELETE", M(id, "x"))).status, 404);
      await client.control("PATCH", `/nova/servers/${id}`, { taskState: null, launchedAt: null });
      res = await api("POST", M(id), "2.97", { metadata: { a: "1" } });
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'update metadata' instance ${id} while it is in launched_at None`,
      );
      await client.control("PATCH", `/nova/servers/${id}`, {
        launchedAt: new Date().toISOString(),
        locked: true,
      });
      assert.equal((await api("POST", M(id), "2.97", { metadata: { a: "1" } })).status, 409);
      await client.control("PATCH", `/nova/servers/${id}`, { locked: false });
      const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, "v"]));
      assert.equal((await api("PUT", M(id), "2.97", { metadata: many })).status, 403);
      const other = await server("theirs", "admin");
      assert.equal((await api("GET", M(other))).status, 404);
    });
  });

  describe("control API", () => {
    it("puts a server in ERROR, SHELVED_OFFLOADED or a task state, and validates knobs", async () => {
      const id = await server();
      for (const [vmState, status] of [
        ["error", "ERROR"],
        ["shelved_offloaded", "SHELVED_OFFLOADED"],
        ["suspended", "SUSPENDED"],
      ]) {
        assert.equal((await client.control("PATCH", `/nova/servers/${id}`, { vmState })).status, 200);
        assert.equal((await show(id)).status, status);
      }
      assert.equal(
        (await client.control("PATCH", `/nova/servers/${id}`, { sharesSupport: "maybe" })).status,
        400,
      );
      assert.equal((await client.control("PATCH", "/nova/servers/nope", { vmState: "error" })).status, 404);
    });
  });
});
