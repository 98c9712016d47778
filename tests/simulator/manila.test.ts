// Manila on the simulator: version documents, shares, export locations, access rules with locks (what
// Nova's share attach uses, FACTS §2.7/§2.9), share networks and subnets.
import { strict as assert } from "assert";
import type { RunningSimulator } from "../../simulator/core/app";
import { loadSample, shapeDiff } from "../support/shape";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";

describe("simulator: Manila", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  const api = (method: string, path: string, mv = "2.82", body?: unknown, user: "admin" | "demo" = "admin") =>
    client.call(user, method, path, { mv, body });

  before(async () => {
    ({ sim, client } = await startTestSimulator({
      services: { manila: { availabilityZones: ["nova", "zone-b"] } },
    }));
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 10 };
  });

  async function share(proto = "NFS", user: "admin" | "demo" = "demo", extra: Record<string, unknown> = {}) {
    const res = await api(
      "POST",
      "/share/v2/shares",
      "2.82",
      { share: { share_proto: proto, size: 1, ...extra } },
      user,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.share.id as string;
  }
  const showShare = (id: string, user: "admin" | "demo" = "demo", mv = "2.82") =>
    api("GET", `/share/v2/shares/${id}`, mv, undefined, user);
  const available = async (id: string) =>
    (
      await client.until(
        () => showShare(id, "admin"),
        (r) => r.body.share.status !== "creating",
      )
    ).body.share;

  describe("version documents (FACTS §0.2; the samples are stale)", () => {
    it("GET /share/ answers 300 with the one v2.0 entry, GET /share/v2/ 200 with the same list", async () => {
      const root = await fetch(`${sim.url}/share/`);
      assert.equal(root.status, 300);
      const rootBody: any = await root.json();
      const v2 = await fetch(`${sim.url}/share/v2/`);
      assert.equal(v2.status, 200);
      assert.deepEqual(await v2.json(), rootBody);
      assert.equal(v2.headers.get("x-openstack-manila-api-version"), "2.0");
      const bare = await fetch(`${sim.url}/share/v2`, { redirect: "manual" });
      assert.equal(bare.status, 302);
      assert.equal(bare.headers.get("location"), `${sim.url}/share/v2/`);
      const [entry] = rootBody.versions;
      assert.equal(rootBody.versions.length, 1);
      assert.deepEqual(
        {
          id: entry.id,
          status: entry.status,
          version: entry.version,
          min_version: entry.min_version,
          updated: entry.updated,
        },
        {
          id: "v2.0",
          status: "CURRENT",
          version: "2.99",
          min_version: "2.0",
          updated: "2015-08-27T11:33:21Z",
        },
      );
      assert.deepEqual(entry["media-types"], [
        { base: "application/json", type: "application/vnd.openstack.share+json;version=1" },
      ]);
      assert.equal(entry.links.find((l: any) => l.rel === "self").href, `${sim.url}/share/v2/`);
      // Same shape as the samples' v2.0 entry (the samples' v1.0 entry is no longer served).
      const index = loadSample("manila/versions-index-response.json") as any;
      const expected = { versions: index.versions.filter((v: any) => v.id === "v2.0") };
      // The links list mixes describedby (with a type) and self (without): shapeDiff compares every item
      // with the first, so `type` may be absent.
      const links = ["$.versions[].links[].type"];
      assert.deepEqual(shapeDiff(expected, rootBody, links), []);
      assert.deepEqual(
        shapeDiff(loadSample("manila/versions-get-version-response.json"), rootBody, links),
        [],
      );
    });

    it("reports a configured older maximum", async () => {
      await client.control("PATCH", "/config", { microversions: { share: { min: "2.0", max: "2.73" } } });
      try {
        const body: any = await (await fetch(`${sim.url}/share/`)).json();
        assert.equal(body.versions[0].version, "2.73");
        const high = await api("GET", "/share/v2/shares", "2.74");
        assert.equal(high.status, 406);
        // Manila 16+ fills its messages in; Manila 15 (profile debian-bookworm) did not
        // (tests/simulator/realRecordings.test.ts).
        assert.equal(
          high.body.computeFault.message,
          "Version 2.74 is not supported by the API. Minimum is 2.0 and maximum is 2.73.",
        );
        const malformed = await api("GET", "/share/v2/shares", "2.x");
        assert.equal(
          malformed.body.badRequest.message,
          "API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum.",
        );
      } finally {
        await client.control("PATCH", "/config", { microversions: { share: { min: "2.0", max: "2.99" } } });
      }
    });
  });

  describe("shares", () => {
    it("creates NFS, CEPHFS and other protocols: creating, then available with export locations", async () => {
      for (const proto of ["nfs", "CEPHFS", "CIFS"]) {
        sim.world.transitions.hold("manila.share.create");
        const id = await share(proto);
        const created = await showShare(id);
        assert.equal(created.body.share.share_proto, proto.toUpperCase());
        assert.equal(created.body.share.status, "creating");
        sim.world.transitions.release("manila.share.create");
        const done = await available(id);
        assert.equal(done.status, "available");
        const locations = await api(
          "GET",
          `/share/v2/shares/${id}/export_locations`,
          "2.82",
          undefined,
          "demo",
        );
        assert.equal(locations.status, 200);
        assert.ok(locations.body.export_locations.length >= 1);
        assert.equal(locations.body.export_locations.filter((e: any) => e.preferred).length, 1);
        assert.ok(
          !("share_instance_id" in locations.body.export_locations[0]),
          "admin-only field shown to a member",
        );
        if (proto === "CEPHFS")
          assert.match(locations.body.export_locations[0].path, /:6789.*:\/volumes\/_nogroup\//);
      }
    });

    it("rejects a bad protocol or size with 400, and a body without share with 422", async () => {
      let res = await api("POST", "/share/v2/shares", "2.82", { share: { share_proto: "NOPE", size: 1 } });
      assert.equal(res.status, 400);
      assert.equal(res.body.badRequest.message, "Invalid share protocol provided: NOPE");
      res = await api("POST", "/share/v2/shares", "2.82", { share: { share_proto: "NFS", size: 0 } });
      assert.equal(res.status, 400);
      res = await api("POST", "/share/v2/shares", "2.82", {});
      assert.equal(res.status, 422);
    });

    it("share types: default (DHSS=False) and dhss_true; dhss_true needs a share network", async () => {
      const types = await api("GET", "/share/v2/types", "2.82", undefined, "demo");
      assert.deepEqual(
        types.body.share_types.map((t: any) => [t.name, t.is_default]),
        [
          ["default", true],
          ["dhss_true", false],
        ],
      );
      assert.deepEqual(types.body.volume_types, types.body.share_types);
      const def = await api("GET", "/share/v2/types/default", "2.82", undefined, "demo");
      assert.equal(def.body.share_type.required_extra_specs.driver_handles_share_servers, "False");
      let res = await api("POST", "/share/v2/shares", "2.82", {
        share: { share_proto: "NFS", size: 1, share_type: "dhss_true" },
      });
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        "Share network must be set when the driver_handles_share_servers is true.",
      );
      res = await api("POST", "/share/v2/shares", "2.82", {
        share: { share_proto: "NFS", size: 1, share_type: "gold" },
      });
      assert.equal(res.status, 404);
      const id = await share("NFS", "demo", { share_type: types.body.share_types[0].id });
      assert.equal((await showShare(id)).body.share.share_type_name, "default");
    });

    it("hides other projects' shares (404), lists and deletes", async () => {
      const mine = await share("NFS", "demo");
      const theirs = await share("NFS", "admin");
      assert.equal((await showShare(theirs, "demo")).status, 404);
      assert.equal(
        (await showShare(theirs, "demo")).body.itemNotFound.message,
        `Share ${theirs} could not be found.`,
      );
      const list = await api("GET", "/share/v2/shares", "2.82", undefined, "demo");
      assert.deepEqual(
        list.body.shares.map((s: any) => s.id),
        [mine],
      );
      assert.deepEqual(Object.keys(list.body.shares[0]).sort(), ["id", "links", "name"]);
      const detail = await api("GET", "/share/v2/shares/detail", "2.82", undefined, "demo");
      assert.equal(detail.body.shares[0].status !== undefined, true);
      await available(mine);
      assert.equal((await api("DELETE", `/share/v2/shares/${mine}`, "2.82", undefined, "demo")).status, 202);
      await client.until(
        () => showShare(mine),
        (r) => r.status === 404,
      );
    });

    it("refuses to delete a share that is not available, error or inactive (403)", async () => {
      sim.world.transitions.hold("manila.share.create");
      const id = await share();
      const res = await api("DELETE", `/share/v2/shares/${id}`, "2.82", undefined, "demo");
      assert.equal(res.status, 403);
      assert.match(res.body.forbidden.message, /Share status must be one of/);
    });

    it("lets admins reset a share's status (whitelist) and members not", async () => {
      const id = await share();
      await available(id);
      const reset = (status: string, user: "admin" | "demo" = "admin") =>
        api("POST", `/share/v2/shares/${id}/action`, "2.82", { reset_status: { status } }, user);
      assert.equal((await reset("error", "demo")).status, 403);
      assert.equal((await reset("error")).status, 202);
      assert.equal((await showShare(id)).body.share.status, "error");
      assert.equal((await reset("bogus")).status, 400);
      const legacy = await api("POST", `/share/v2/shares/${id}/action`, "2.6", {
        "os-reset_status": { status: "available" },
      });
      assert.equal(legacy.status, 202);
      assert.equal(
        (await api("POST", `/share/v2/shares/${id}/action`, "2.6", { reset_status: { status: "error" } }))
          .status,
        404,
      );
      assert.equal(
        (await api("POST", `/share/v2/shares/${id}/action`, "2.82", { frobnicate: {} })).status,
        400,
      );
    });

    it("lists by share_server_id for admins across projects; 403 for members", async () => {
      const net = await api(
        "POST",
        "/share/v2/share-networks",
        "2.82",
        { share_network: { name: "n" } },
        "demo",
      );
      const id = await share("NFS", "demo", { share_network_id: net.body.share_network.id });
      const serverId = (await showShare(id, "admin")).body.share.share_server_id;
      assert.ok(serverId);
      assert.equal((await showShare(id, "demo")).body.share.share_server_id, undefined);
      const list = await api("GET", `/share/v2/shares?share_server_id=${serverId}`, "2.82");
      assert.deepEqual(
        list.body.shares.map((s: any) => s.id),
        [id],
      );
      const member = await api(
        "GET",
        `/share/v2/shares?share_server_id=${serverId}`,
        "2.82",
        undefined,
        "demo",
      );
      assert.equal(member.status, 403);
      await available(id);
      const server = await api("GET", `/share/v2/share-servers/${serverId}`, "2.82");
      assert.equal(server.body.share_server.status, "active");
      assert.equal(server.body.share_server.is_auto_deletable, true);
      assert.equal(server.body.share_server.identifier, serverId);
    });

    it("export locations: none when the control API says so, admin fields for admins, 2.9+ only", async () => {
      const id = await share();
      await available(id);
      assert.equal(
        (await client.control("PATCH", `/manila/shares/${id}`, { exportLocations: [] })).status,
        200,
      );
      const none = await api("GET", `/share/v2/shares/${id}/export_locations`, "2.82", undefined, "demo");
      assert.deepEqual(none.body, { export_locations: [] });
      await client.control("PATCH", `/manila/shares/${id}`, {
        exportLocations: [
          { path: "10.0.0.50:/mnt/a" },
          { path: "10.0.0.51:/mnt/b", preferred: true },
          { path: "10.9.9.9:/admin", isAdminOnly: true },
        ],
      });
      const member = await api("GET", `/share/v2/shares/${id}/export_locations`, "2.82", undefined, "demo");
      assert.deepEqual(
        member.body.export_locations.map((e: any) => [e.path, e.preferred]),
        [
          ["10.0.0.50:/mnt/a", false],
          ["10.0.0.51:/mnt/b", true],
        ],
      );
      const admin = await api("GET", `/share/v2/shares/${id}/export_locations`, "2.82");
      assert.equal(admin.body.export_locations.length, 3);
      assert.ok(
        "share_instance_id" in admin.body.export_locations[0] &&
          "is_admin_only" in admin.body.export_locations[0],
      );
      const one = await api(
        "GET",
        `/share/v2/shares/${id}/export_locations/${member.body.export_locations[0].id}`,
        "2.82",
        undefined,
        "demo",
      );
      assert.ok("created_at" in one.body.export_location);
      const adminOnly = admin.body.export_locations.find((e: any) => e.is_admin_only).id;
      assert.equal(
        (await api("GET", `/share/v2/shares/${id}/export_locations/${adminOnly}`, "2.82", undefined, "demo"))
          .status,
        403,
      );
      const old = await api("GET", `/share/v2/shares/${id}/export_locations`, "2.13", undefined, "demo");
      assert.ok(!("preferred" in old.body.export_locations[0]));
      assert.equal((await api("GET", `/share/v2/shares/${id}/export_locations`, "2.8")).status, 404);
      const v28 = await showShare(id, "demo", "2.8");
      assert.deepEqual(v28.body.share.export_locations, [
        "10.0.0.50:/mnt/a",
        "10.0.0.51:/mnt/b",
        "10.9.9.9:/admin",
      ]);
      assert.equal(v28.body.share.export_location, "10.0.0.50:/mnt/a");
    });

    it("honours a customised policy denying share:get to members (403)", async () => {
      const id = await share();
      await client.control("PATCH", "/config", { services: { manila: { policyDenied: ["share:get"] } } });
      try {
        const res = await showShare(id, "demo");
        assert.equal(res.status, 403);
        assert.equal(res.body.forbidden.message, "Access was denied to this resource.");
        assert.equal((await showShare(id, "admin")).status, 200);
      } finally {
        await client.control("PATCH", "/config", { services: { manila: { policyDenied: [] } } });
      }
    });
  });

  describe("access rules (what Nova's allow_share/deny_share do, FACTS §2.7)", () => {
    const allow = (
      id: string,
      body: Record<string, unknown>,
      user: "admin" | "demo" = "admin",
      mv = "2.82",
    ) => api("POST", `/share/v2/shares/${id}/action`, mv, { allow_access: body }, user);
    const rules = (id: string, user: "admin" | "demo" = "admin") =>
      api("GET", `/share/v2/share-access-rules?share_id=${id}`, "2.82", undefined, user);
    const novaRule = {
      access_type: "ip",
      access_to: "192.0.2.77",
      access_level: "rw",
      lock_visibility: true,
      lock_deletion: true,
      lock_reason: "Lock by nova",
    };

    it("creates a locked rule queued_to_apply that becomes active; the locks hold the share and the rule", async () => {
      const id = await share();
      await available(id);
      const res = await allow(id, novaRule);
      assert.equal(res.status, 200);
      assert.equal(res.body.access.state, "queued_to_apply");
      assert.equal(res.body.access.share_id, id);
      const ruleId = res.body.access.id;
      const active = await client.until(
        () => rules(id),
        (r) => r.body.access_list[0].state !== "queued_to_apply",
      );
      assert.equal(active.body.access_list[0].state, "active");
      assert.equal(active.body.access_list[0].access_to, "192.0.2.77");
      // A member sees the visibility-locked rule redacted.
      const member = await rules(id, "demo");
      assert.equal(member.body.access_list[0].access_to, "******");
      assert.equal(member.body.access_list[0].access_key, "******");
      assert.equal(
        (await api("GET", `/share/v2/share-access-rules/${ruleId}`, "2.82", undefined, "demo")).body.access
          .access_to,
        "******",
      );
      // The share deletion lock.
      const del = await api("DELETE", `/share/v2/shares/${id}`, "2.82", undefined, "demo");
      assert.equal(del.status, 403);
      assert.match(
        del.body.forbidden.message,
        /^Invalid share: Resource lock\/s \[[0-9a-f-]+\] prevent delete action\.$/,
      );
      // Deny: locked without unrestrict, and members may not drop an admin's lock.
      const deny = (unrestrict: boolean | undefined, user: "admin" | "demo") =>
        api(
          "POST",
          `/share/v2/shares/${id}/action`,
          "2.82",
          { deny_access: { access_id: ruleId, unrestrict } },
          user,
        );
      let r = await deny(undefined, "admin");
      assert.equal(r.status, 403);
      assert.match(r.body.forbidden.message, /since it has been locked/);
      r = await deny(true, "demo");
      assert.equal(r.status, 403);
      assert.equal(
        r.body.forbidden.message,
        "Unable to drop access rule restrictions that are not placed by you.",
      );
      r = await deny(true, "admin");
      assert.equal(r.status, 202);
      assert.equal(r.body, undefined);
      await client.until(
        () => rules(id),
        (x) => x.body.access_list.length === 0,
      );
      assert.equal((await api("DELETE", `/share/v2/shares/${id}`, "2.82", undefined, "demo")).status, 202);
    });

    it("cephx rules (CephFS) get an access key once active; error when the control API says so", async () => {
      const id = await share("CEPHFS");
      await available(id);
      await allow(id, { access_type: "cephx", access_to: "nova", access_level: "rw" });
      const active = await client.until(
        () => rules(id),
        (r) => r.body.access_list[0].state === "active",
      );
      assert.match(active.body.access_list[0].access_key, /^AQ/);
      await client.control("PATCH", `/manila/shares/${id}`, { accessOutcome: "error" });
      await allow(id, { access_type: "cephx", access_to: "other" });
      const errored = await client.until(
        () => rules(id),
        (r) => r.body.access_list.some((x: any) => x.state === "error"),
      );
      assert.ok(errored.body.access_list.some((x: any) => x.access_to === "other" && x.state === "error"));
      assert.equal((await showShare(id, "admin")).body.share.access_rules_status, "error");
    });

    it("answers 400 for a duplicate rule, a bad type, a lock reason without a lock, or a share not available", async () => {
      sim.world.transitions.hold("manila.share.create");
      const id = await share();
      let res = await allow(id, { access_type: "ip", access_to: "10.0.0.1" });
      assert.equal(res.status, 400, "share still creating");
      sim.world.transitions.release("manila.share.create");
      await available(id);
      assert.equal((await allow(id, { access_type: "ip", access_to: "10.0.0.1" })).status, 200);
      res = await allow(id, { access_type: "ip", access_to: "10.0.0.1" });
      assert.equal(res.status, 400);
      assert.equal(res.body.badRequest.message, "Share access ip:10.0.0.1 exists.");
      assert.equal((await allow(id, { access_type: "telepathy", access_to: "x" })).status, 400);
      assert.equal(
        (await allow(id, { access_type: "ip", access_to: "10.0.0.2", lock_reason: "why" })).status,
        400,
      );
      assert.equal(
        (await allow(id, { access_type: "cephx", access_to: "nova" }, "admin", "2.12")).status,
        400,
      );
      // Below 2.82 the lock fields are ignored.
      res = await allow(
        id,
        { access_type: "ip", access_to: "10.0.0.3", lock_deletion: true },
        "admin",
        "2.81",
      );
      assert.equal(res.status, 200);
      const stored = (await client.control("GET", `/manila/access-rules?shareId=${id}`)).body.accessRules;
      assert.ok(!stored.find((r: any) => r.accessTo === "10.0.0.3").deletionLock);
    });

    it("shows rule states per microversion: 'new' while syncing before 2.28", async () => {
      const id = await share();
      await available(id);
      const res = await allow(id, { access_type: "ip", access_to: "10.0.0.9" }, "admin", "2.27");
      assert.equal(res.body.access.state, "new");
      assert.ok(!("created_at" in res.body.access));
      const list = await api("POST", `/share/v2/shares/${id}/action`, "2.27", { access_list: null });
      assert.equal(list.body.access_list.length, 1);
      assert.equal((await api("GET", `/share/v2/share-access-rules?share_id=${id}`, "2.44")).status, 404);
      const missing = await api("GET", "/share/v2/share-access-rules", "2.82");
      assert.equal(missing.status, 400);
    });
  });

  describe("share networks and subnets", () => {
    it("creates a network with a default subnet; AZ subnets; one subnet per AZ before 2.70 (409)", async () => {
      const res = await api(
        "POST",
        "/share/v2/share-networks",
        "2.70",
        { share_network: { name: "n" } },
        "demo",
      );
      const net = res.body.share_network;
      assert.equal(net.status, "active");
      assert.equal(net.share_network_subnets.length, 1);
      assert.equal(net.share_network_subnets[0].availability_zone, null);
      const sub = (body: unknown, mv = "2.69") =>
        api("POST", `/share/v2/share-networks/${net.id}/subnets`, mv, body, "demo");
      const az = await sub({ "share-network-subnet": { availability_zone: "zone-b" } });
      assert.equal(az.status, 200);
      assert.equal(az.body.share_network_subnet.share_network_name, "n");
      assert.equal((await sub({ "share-network-subnet": { availability_zone: "zone-b" } })).status, 409);
      assert.equal((await sub({ "share-network-subnet": { availability_zone: "mars" } })).status, 400);
      assert.equal((await sub({})).status, 400);
      assert.equal(
        (await sub({ "share-network-subnet": { availability_zone: "zone-b" } }, "2.70")).status,
        200,
      );
      const list = await api("GET", `/share/v2/share-networks/${net.id}/subnets`, "2.70", undefined, "demo");
      assert.equal(list.body.share_network_subnets.length, 3);
      assert.equal(
        (await api("GET", `/share/v2/share-networks/${net.id}/subnets`, "2.50", undefined, "demo")).status,
        404,
      );
      const old = await api("GET", `/share/v2/share-networks/${net.id}`, "2.50", undefined, "demo");
      assert.ok(
        "neutron_net_id" in old.body.share_network && !("share_network_subnets" in old.body.share_network),
      );
      assert.equal(
        (await api("GET", `/share/v2/share-networks/${net.id}`, "2.82")).status,
        200,
        "admins see every network",
      );
      const others = await api("GET", "/share/v2/share-networks", "2.82", undefined, "admin");
      assert.deepEqual(others.body.share_networks, []);
    });

    it("puts shares in an AZ subnet's server, and refuses an AZ without a subnet", async () => {
      const res = await api("POST", "/share/v2/share-networks", "2.82", {
        share_network: { name: "n", availability_zone: "zone-b" },
      });
      const netId = res.body.share_network.id;
      assert.equal(res.body.share_network.share_network_subnets[0].availability_zone, "zone-b");
      const bad = await api("POST", "/share/v2/shares", "2.82", {
        share: { share_proto: "NFS", size: 1, share_network_id: netId, availability_zone: "nova" },
      });
      assert.equal(bad.status, 400);
      assert.equal(
        bad.body.badRequest.message,
        "A share network subnet was not found for the requested availability zone.",
      );
      const id = await share("NFS", "admin", { share_network_id: netId, availability_zone: "zone-b" });
      const done = await available(id);
      const server = await api("GET", `/share/v2/share-servers/${done.share_server_id}`, "2.82");
      assert.deepEqual(server.body.share_server.share_network_subnet_ids, [
        res.body.share_network.share_network_subnets[0].id,
      ]);
      // A second share on the same network reuses the server.
      const second = await available(
        await share("NFS", "admin", { share_network_id: netId, availability_zone: "zone-b" }),
      );
      assert.equal(second.share_server_id, done.share_server_id);
    });

    it("refuses shares on a network that is not active", async () => {
      const res = await api("POST", "/share/v2/share-networks", "2.82", { share_network: {} }, "demo");
      await client.control("PATCH", `/manila/share-networks/${res.body.share_network.id}`, {
        status: "error",
      });
      const bad = await api(
        "POST",
        "/share/v2/shares",
        "2.82",
        { share: { share_proto: "NFS", size: 1, share_network_id: res.body.share_network.id } },
        "demo",
      );
      assert.equal(bad.status, 400);
      assert.match(bad.body.badRequest.message, /isn't in an 'active' state/);
    });
  });
});
