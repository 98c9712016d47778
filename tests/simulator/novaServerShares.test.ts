// os-server-shares (2.97) on the simulator: FACTS §2.1–2.8 (every precondition in order, the mapping state
// machine, the power side effects, the access rules Nova creates in Manila) and the upstream samples.
import { strict as assert } from "assert";
import type { RunningSimulator } from "../../simulator/core/app";
import { loadSample, shapeDiff } from "../support/shape";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";

const IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b";
const MV = "2.97";

describe("simulator: Nova server shares (2.97)", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  const api = (method: string, path: string, body?: unknown, user: "admin" | "demo" = "demo", mv = MV) =>
    client.call(user, method, path, { mv, body });
  const S = "/compute/v2.1/servers";

  before(async () => {
    ({ sim, client } = await startTestSimulator());
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 10 };
    sim.world.config.services.nova = {};
  });

  const serverOf = async (id: string) => (await api("GET", `${S}/${id}`, undefined, "admin")).body.server;
  const action = (id: string, body: unknown, user: "admin" | "demo" = "demo") =>
    api("POST", `${S}/${id}/action`, body, user);

  /** A server of `user`, stopped (SHUTOFF) unless `stopped` is false. */
  async function server(user: "admin" | "demo" = "demo", stopped = true): Promise<string> {
    const res = await api(
      "POST",
      S,
      { server: { name: "vm", flavorRef: "42", imageRef: IMAGE, networks: "none" } },
      user,
    );
    const id = res.body.server.id;
    await client.until(
      () => serverOf(id),
      (s) => s.status === "ACTIVE",
    );
    if (stopped) {
      assert.equal((await action(id, { "os-stop": null }, user)).status, 202);
      await client.until(
        () => serverOf(id),
        (s) => s.status === "SHUTOFF",
      );
    }
    return id;
  }

  /** An available Manila share of `user`. */
  async function share(proto = "NFS", user: "admin" | "demo" = "demo"): Promise<string> {
    const res = await api(
      "POST",
      "/share/v2/shares",
      { share: { share_proto: proto, size: 1 } },
      user,
      "2.82",
    );
    const id = res.body.share.id;
    await client.until(
      () => api("GET", `/share/v2/shares/${id}`, undefined, "admin", "2.82"),
      (r) => r.body.share.status === "available",
    );
    return id;
  }

  const attach = (serverId: string, body: unknown, user: "admin" | "demo" = "demo") =>
    api("POST", `${S}/${serverId}/shares`, body, user);
  const mapping = (serverId: string, shareId: string, user: "admin" | "demo" = "demo") =>
    api("GET", `${S}/${serverId}/shares/${shareId}`, undefined, user);
  const mappingStatus = (serverId: string, shareId: string, done: (status: string | undefined) => boolean) =>
    client.until(async () => (await mapping(serverId, shareId)).body?.share?.status, done);
  const rules = async (shareId: string) =>
    (await client.control("GET", `/manila/access-rules?shareId=${shareId}`)).body.accessRules;

  it("attaches: 201 attaching, then inactive; active after start and inactive after stop", async () => {
    const vm = await server();
    const sh = await share();
    sim.world.transitions.hold("share.attach");
    const res = await attach(vm, { share: { share_id: sh, tag: "data" } });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { share: { share_id: sh, status: "attaching", tag: "data" } });
    assert.equal((await mapping(vm, sh)).body.share.status, "attaching");
    sim.world.transitions.release("share.attach");
    await mappingStatus(vm, sh, (s) => s === "inactive");
    // The access rule Nova created in Manila: the compute's NFS address, rw, locked by Nova.
    const [rule] = await rules(sh);
    assert.deepEqual(
      [rule.accessType, rule.accessTo, rule.accessLevel, rule.state],
      ["ip", "192.0.2.10", "rw", "active"],
    );
    assert.equal(rule.deletionLock.reason, "Lock by nova");
    assert.equal(rule.visibilityLock.reason, "Lock by nova");
    // Locked: the share cannot be deleted by its owner meanwhile.
    assert.equal((await api("DELETE", `/share/v2/shares/${sh}`, undefined, "demo", "2.82")).status, 403);

    await action(vm, { "os-start": null });
    await client.until(
      () => serverOf(vm),
      (s) => s.status === "ACTIVE",
    );
    assert.equal((await mapping(vm, sh)).body.share.status, "active");
    await action(vm, { "os-stop": null });
    await client.until(
      () => serverOf(vm),
      (s) => s.status === "SHUTOFF",
    );
    assert.equal((await mapping(vm, sh)).body.share.status, "inactive");
    const log = (await client.control("GET", "/transitions")).body.transitions;
    assert.ok(log.some((t: any) => t.kind === "share.attach" && t.to === "inactive"));
  });

  it("detaches: 200 with no body, detaching, then 404; the rule is removed with unrestrict and the share unlocked", async () => {
    const vm = await server();
    const sh = await share();
    await attach(vm, { share: { share_id: sh } });
    await mappingStatus(vm, sh, (s) => s === "inactive");
    sim.world.transitions.hold("share.detach");
    const res = await api("DELETE", `${S}/${vm}/shares/${sh}`);
    assert.equal(res.status, 200);
    assert.equal(res.body, undefined);
    assert.equal((await mapping(vm, sh)).body.share.status, "detaching");
    sim.world.transitions.release("share.detach");
    const gone = await client.until(
      () => mapping(vm, sh),
      (r) => r.status !== 200,
    );
    assert.equal(gone.status, 404);
    assert.equal(gone.body.itemNotFound.message, `Share ${sh} could not be found.`);
    await client.until(
      () => rules(sh),
      (r) => r.length === 0,
    );
    assert.equal((await api("DELETE", `/share/v2/shares/${sh}`, undefined, "demo", "2.82")).status, 202);
  });

  it("defaults the tag to the share id, uses a cephx rule for CephFS, and keeps a rule another server still uses", async () => {
    const a = await server();
    const b = await server();
    const nfs = await share();
    const ceph = await share("CEPHFS");
    assert.equal((await attach(a, { share: { share_id: nfs } })).body.share.tag, nfs);
    await attach(b, { share: { share_id: nfs } });
    await attach(a, { share: { share_id: ceph } });
    await mappingStatus(a, ceph, (s) => s === "inactive");
    await mappingStatus(b, nfs, (s) => s === "inactive");
    assert.deepEqual(
      (await rules(ceph)).map((r: any) => [r.accessType, r.accessTo]),
      [["cephx", "nova"]],
    );
    assert.equal((await rules(nfs)).length, 1, "one rule per compute host");
    await api("DELETE", `${S}/${a}/shares/${nfs}`);
    await client.until(
      () => mapping(a, nfs),
      (r) => r.status === 404,
    );
    assert.equal((await rules(nfs)).length, 1, "b still uses the rule");
    await api("DELETE", `${S}/${b}/shares/${nfs}`);
    await client.until(
      () => rules(nfs),
      (r) => r.length === 0,
    );
  });

  describe("POST preconditions, in the order the code checks them (FACTS §2.5)", () => {
    it("400 for a body the schema refuses, before anything else", async () => {
      const sh = "3cdf5132-64f2-4584-876a-bd296ae7eabd";
      const bodies: unknown[] = [
        {},
        { share: { share_id: sh }, extra: 1 },
        { share: { share_id: sh, color: "red" } },
        { share: { tag: "x" } },
        { share: { share_id: "not-a-uuid" } },
        { share: { share_id: sh, tag: "" } },
        { share: { share_id: sh, tag: "has space" } },
        { share: { share_id: sh, tag: "under_score" } },
        { share: { share_id: sh, tag: "x".repeat(256) } },
        { share: { share_id: sh, tag: 7 } },
      ];
      for (const body of bodies) {
        const res = await attach("00000000-0000-0000-0000-000000000000", body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(res.body.badRequest.message.length > 0);
      }
    });

    it("404 below 2.97 for all four methods", async () => {
      const vm = await server();
      const sh = await share();
      for (const [method, path] of [
        ["GET", `${S}/${vm}/shares`],
        ["POST", `${S}/${vm}/shares`],
        ["GET", `${S}/${vm}/shares/${sh}`],
        ["DELETE", `${S}/${vm}/shares/${sh}`],
      ]) {
        const res = await api(
          method,
          path,
          method === "POST" ? { share: { share_id: sh } } : undefined,
          "demo",
          "2.96",
        );
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.deepEqual(res.body, {
          itemNotFound: { code: 404, message: "The resource could not be found." },
        });
      }
    });

    it("1-2: 404 without an instance mapping, then 403 for another project's server (not 404)", async () => {
      const sh = await share();
      const missing = "00000000-0000-0000-0000-000000000000";
      let res = await attach(missing, { share: { share_id: sh } });
      assert.equal(res.status, 404);
      assert.equal(res.body.itemNotFound.message, `Instance ${missing} has no mapping to a cell.`);
      const theirs = await server("admin");
      for (const [method, path, rule] of [
        ["POST", `${S}/${theirs}/shares`, "create"],
        ["GET", `${S}/${theirs}/shares`, "index"],
        ["GET", `${S}/${theirs}/shares/${sh}`, "show"],
        ["DELETE", `${S}/${theirs}/shares/${sh}`, "delete"],
      ]) {
        res = await api(method, path, method === "POST" ? { share: { share_id: sh } } : undefined);
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(
          res.body.forbidden.message,
          `Policy doesn't allow os_compute_api:os-server-shares:${rule} to be performed.`,
        );
      }
    });

    it("4: 409 unless vm_state is stopped (ERROR too); task_state is not checked", async () => {
      const vm = await server("demo", false);
      const sh = await share();
      let res = await attach(vm, { share: { share_id: sh } });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'create share' instance ${vm} while it is in vm_state active`,
      );
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "error" });
      res = await attach(vm, { share: { share_id: sh } });
      assert.equal(
        res.body.conflictingRequest.message,
        `Cannot 'create share' instance ${vm} while it is in vm_state error`,
      );
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "stopped", taskState: "powering-on" });
      assert.equal((await attach(vm, { share: { share_id: sh } })).status, 201);
    });

    it("5: 403 ForbiddenSharesNotSupported and 409 ForbiddenSharesNotConfiguredCorrectly (global or per server)", async () => {
      const vm = await server();
      const sh = await share();
      sim.world.config.services.nova = { sharesSupport: "not-supported" };
      let res = await attach(vm, { share: { share_id: sh } });
      assert.equal(res.status, 403);
      assert.equal(res.body.forbidden.message, "Feature not supported until computes have not been updated.");
      sim.world.config.services.nova = {};
      await client.control("PATCH", `/nova/servers/${vm}`, { sharesSupport: "not-configured" });
      res = await attach(vm, { share: { share_id: sh } });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        "Feature not supported because either compute or instance are not configured correctly.",
      );
    });

    it("6: 404 for a share Manila does not show the user (missing, another project's); 403 when Manila forbids", async () => {
      const vm = await server();
      const unknown = "3cdf5132-64f2-4584-876a-bd296ae7eabd";
      let res = await attach(vm, { share: { share_id: unknown } });
      assert.equal(res.status, 404);
      assert.equal(res.body.itemNotFound.message, `Share ${unknown} could not be found.`);
      const theirs = await share("NFS", "admin");
      res = await attach(vm, { share: { share_id: theirs } });
      assert.equal(res.status, 404, "looked up as the user, not as admin");
      const mine = await share();
      sim.world.config.services.manila = { policyDenied: ["share:get"] };
      try {
        res = await attach(vm, { share: { share_id: mine } });
        assert.equal(res.status, 403);
        assert.match(res.body.forbidden.message, /Access was denied to this resource\./);
      } finally {
        sim.world.config.services.manila = {};
      }
    });

    it("7-9: 409 for a share not available, without export location, or of another protocol", async () => {
      const vm = await server();
      const sh = await share();
      await client.control("PATCH", `/manila/shares/${sh}`, { status: "error" });
      let res = await attach(vm, { share: { share_id: sh } });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Share ${sh} is in 'error' instead of 'available' status.`,
      );
      await client.control("PATCH", `/manila/shares/${sh}`, { status: "available", exportLocations: [] });
      res = await attach(vm, { share: { share_id: sh } });
      assert.equal(res.body.conflictingRequest.message, `Share ${sh} export location is missing.`);
      const cifs = await share("CIFS");
      res = await attach(vm, { share: { share_id: cifs } });
      assert.equal(res.status, 409);
      assert.equal(res.body.conflictingRequest.message, "Share protocol CIFS is not supported.");
    });

    it("10: 409 for the same share twice or a tag already used on the server", async () => {
      const vm = await server();
      const a = await share();
      const b = await share();
      await attach(vm, { share: { share_id: a, tag: "data" } });
      let res = await attach(vm, { share: { share_id: a, tag: "other" } });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Share '${a}' or tag 'other' already associated to this server.`,
      );
      res = await attach(vm, { share: { share_id: b, tag: "data" } });
      assert.equal(res.status, 409);
      assert.equal(
        res.body.conflictingRequest.message,
        `Share '${b}' or tag 'data' already associated to this server.`,
      );
      const other = await server();
      assert.equal(
        (await attach(other, { share: { share_id: b, tag: "data" } })).status,
        201,
        "tags are unique per server",
      );
    });

    it("a tag the schema allows but the 48-character column does not: 500 (as MySQL/PostgreSQL would refuse it)", async () => {
      const vm = await server();
      const sh = await share();
      const res = await attach(vm, { share: { share_id: sh, tag: "t".repeat(49) } });
      assert.equal(res.status, 500);
      assert.match(res.body.computeFault.message, /^Unexpected API Error\..*DBDataError/s);
      assert.equal((await attach(vm, { share: { share_id: sh, tag: "t".repeat(48) } })).status, 201);
    });
  });

  describe("responses", () => {
    it("shows uuid and export_location to admins only, never in the list; GETs refuse query parameters", async () => {
      const vm = await server();
      const sh = await share();
      const admin = await attach(vm, { share: { share_id: sh } }, "admin");
      assert.deepEqual(Object.keys(admin.body.share).sort(), [
        "export_location",
        "share_id",
        "status",
        "tag",
        "uuid",
      ]);
      assert.match(admin.body.share.export_location, /:\/shares\/share-/);
      assert.deepEqual(Object.keys((await mapping(vm, sh)).body.share).sort(), ["share_id", "status", "tag"]);
      const list = await api("GET", `${S}/${vm}/shares`, undefined, "admin");
      assert.deepEqual(Object.keys(list.body.shares[0]).sort(), ["share_id", "status", "tag"]);
      assert.equal((await api("GET", `${S}/${vm}/shares?limit=1`)).status, 400);
      assert.equal((await api("GET", `${S}/${vm}/shares/${sh}?x=1`)).status, 400);
    });

    it("prefers the preferred export location, else the first", async () => {
      const vm = await server();
      const sh = await share();
      await client.control("PATCH", `/manila/shares/${sh}`, {
        exportLocations: [{ path: "10.0.0.1:/first" }, { path: "10.0.0.2:/preferred", preferred: true }],
      });
      const res = await attach(vm, { share: { share_id: sh } }, "admin");
      assert.equal(res.body.share.export_location, "10.0.0.2:/preferred");
    });

    it("matches the upstream samples (member and admin create, show, list)", async () => {
      const vm = await server();
      const sh = await share();
      const request = loadSample("nova/os-server-shares/v2.97/server-shares-create-req.json") as any;
      request.share.share_id = sh;
      const created = await attach(vm, request, "admin");
      assert.deepEqual(
        shapeDiff(
          loadSample("nova/os-server-shares/v2.97/server-shares-admin-create-resp.json"),
          created.body,
        ),
        [],
      );
      const sh2 = await share();
      const tagged = loadSample("nova/os-server-shares/v2.97/server-shares-create-tag-req.json") as any;
      tagged.share.share_id = sh2;
      const memberCreate = await attach(vm, tagged);
      assert.deepEqual(
        shapeDiff(
          loadSample("nova/os-server-shares/v2.97/server-shares-create-resp.json"),
          memberCreate.body,
        ),
        [],
      );
      await mappingStatus(vm, sh, (s) => s === "inactive");
      assert.deepEqual(
        shapeDiff(
          loadSample("nova/os-server-shares/v2.97/server-shares-show-resp.json"),
          (await mapping(vm, sh)).body,
        ),
        [],
      );
      assert.deepEqual(
        shapeDiff(
          loadSample("nova/os-server-shares/v2.97/server-shares-admin-show-resp.json"),
          (await mapping(vm, sh, "admin")).body,
        ),
        [],
      );
      const list = await api("GET", `${S}/${vm}/shares`);
      assert.deepEqual(
        shapeDiff(loadSample("nova/os-server-shares/v2.97/server-shares-list-resp.json"), list.body),
        [],
      );
      // The delete "request" sample is a body for DELETE; Nova ignores it.
      const del = loadSample("nova/os-server-shares/v2.97/server-shares-delete-req.json") as any;
      del.share.share_id = sh;
      assert.equal((await api("DELETE", `${S}/${vm}/shares/${sh}`, del)).status, 200);
    });
  });

  describe("DELETE preconditions (FACTS §2.6)", () => {
    it("409 unless stopped or error; 404 without a mapping; any mapping status may be deleted again", async () => {
      const vm = await server();
      const sh = await share();
      const missing = await api("DELETE", `${S}/${vm}/shares/${sh}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.itemNotFound.message, `Share ${sh} could not be found.`);
      sim.world.transitions.hold("share.attach");
      await attach(vm, { share: { share_id: sh } });
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "active" });
      const refused = await api("DELETE", `${S}/${vm}/shares/${sh}`);
      assert.equal(refused.status, 409);
      assert.equal(
        refused.body.conflictingRequest.message,
        `Cannot 'delete share' instance ${vm} while it is in vm_state active`,
      );
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "error" });
      sim.world.transitions.hold("share.detach");
      assert.equal(
        (await api("DELETE", `${S}/${vm}/shares/${sh}`)).status,
        200,
        "attaching, server in ERROR",
      );
      assert.equal((await mapping(vm, sh)).body.share.status, "detaching");
      assert.equal((await api("DELETE", `${S}/${vm}/shares/${sh}`)).status, 200, "detaching again");
      sim.world.transitions.release(); // the attach, then the detach
      await client.until(
        () => mapping(vm, sh),
        (r) => r.status === 404,
      );
      assert.equal(
        (await api("DELETE", `${S}/${vm}/shares/00000000-0000-0000-0000-000000000000`)).status,
        404,
      );
      assert.equal(
        (await api("DELETE", `${S}/00000000-0000-0000-0000-000000000000/shares/${sh}`)).status,
        404,
      );
    });
  });

  describe("state machine (FACTS §2.7)", () => {
    it("attaching → error when Manila's rule fails (after share_apply_policy_timeout polls)", async () => {
      sim.world.config.services.nova = { shareApplyPolicyTimeout: 3 };
      const vm = await server();
      const sh = await share();
      await client.control("PATCH", `/manila/shares/${sh}`, { accessOutcome: "error" });
      await attach(vm, { share: { share_id: sh } });
      await mappingStatus(vm, sh, (s) => s !== "attaching");
      assert.equal((await mapping(vm, sh)).body.share.status, "error");
      // An error mapping can be detached (the broken rule is revoked).
      assert.equal((await api("DELETE", `${S}/${vm}/shares/${sh}`)).status, 200);
      await client.until(
        () => mapping(vm, sh),
        (r) => r.status === 404,
      );
    });

    it("attaching → error when the share is gone before the compute runs", async () => {
      const vm = await server();
      const sh = await share();
      sim.world.transitions.hold("share.attach");
      await attach(vm, { share: { share_id: sh } });
      sim.world.manila.shares.delete(sh);
      sim.world.transitions.release("share.attach");
      await mappingStatus(vm, sh, (s) => s !== "attaching");
      assert.equal((await mapping(vm, sh)).body.share.status, "error");
    });

    it("detaching → error when Manila refuses the deny", async () => {
      const vm = await server();
      const sh = await share();
      await attach(vm, { share: { share_id: sh } });
      await mappingStatus(vm, sh, (s) => s === "inactive");
      await client.control("PATCH", `/manila/shares/${sh}`, { denyOutcome: "refuse" });
      await api("DELETE", `${S}/${vm}/shares/${sh}`);
      await mappingStatus(vm, sh, (s) => s !== "detaching");
      assert.equal((await mapping(vm, sh)).body.share.status, "error");
    });

    it("starting a server while a mapping is attaching puts it in ERROR (and stopping while detaching)", async () => {
      const vm = await server();
      const sh = await share();
      sim.world.transitions.hold("share.attach");
      await attach(vm, { share: { share_id: sh } });
      assert.equal((await action(vm, { "os-start": null })).status, 202);
      const errored = await client.until(
        () => serverOf(vm),
        (s) => s["OS-EXT-STS:task_state"] === null,
      );
      assert.deepEqual([errored.status, errored["OS-EXT-STS:vm_state"]], ["ERROR", "error"]);
      assert.match(
        errored.fault.message,
        new RegExp(`Share ${sh} used by instance ${vm} is in an unexpected state`),
      );

      sim.world.transitions.release("share.attach");
      await mappingStatus(vm, sh, (s) => s === "inactive");
      sim.world.transitions.hold("share.detach");
      await api("DELETE", `${S}/${vm}/shares/${sh}`);
      assert.equal((await action(vm, { "os-stop": null })).status, 202, "stop is allowed from ERROR");
      const still = await client.until(
        () => serverOf(vm),
        (s) => s["OS-EXT-STS:task_state"] === null,
      );
      assert.equal(still.status, "ERROR", "not SHUTOFF: the mapping was detaching");
    });

    it("refuses resize, rebuild, shelve, suspend, migrate, live-migrate and evacuate while shares are attached", async () => {
      const vm = await server();
      const sh = await share();
      const actions = [
        { resize: { flavorRef: "2" } },
        { rebuild: { imageRef: IMAGE } },
        { shelve: null },
        { suspend: null },
        { migrate: null },
        { "os-migrateLive": { host: null, block_migration: "auto" } },
        { evacuate: {} },
      ];
      for (const body of actions)
        assert.equal((await action(vm, body)).status, 501, `${Object.keys(body)[0]} without shares`);
      await attach(vm, { share: { share_id: sh } });
      for (const body of actions) {
        const res = await action(vm, body);
        assert.equal(res.status, 409, Object.keys(body)[0]);
        assert.equal(
          res.body.conflictingRequest.message,
          "Feature not supported with instances that have shares.",
        );
      }
    });

    it("server delete unmounts and revokes: the rule goes, the mappings with it", async () => {
      const vm = await server();
      const sh = await share();
      await attach(vm, { share: { share_id: sh } });
      await mappingStatus(vm, sh, (s) => s === "inactive");
      await api("DELETE", `${S}/${vm}`);
      await client.until(
        () => rules(sh),
        (r) => r.length === 0,
      );
      assert.deepEqual((await client.control("GET", "/nova/share-mappings")).body.shareMappings, []);
    });
  });
});
