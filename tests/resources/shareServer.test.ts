// ShareServer's implementation against the simulator (issue 6): manage, manage_error, stuck manages, adopt,
// resetStatus as an action, every onDelete, out-of-band changes, old clouds, non-admin credentials.
import { strict as assert } from "assert";
import { setStackConfig } from "../../provider/openstack";
import { UNKNOWN } from "../../provider/resources/common";
import { shareServer, ShareServerInputs, ShareServerOutputs } from "../../provider/resources/shareServer";
import type { RequestRecord } from "../../simulator/core/requestLog";
import {
  clearClientCaches,
  HOST,
  ManilaFixture,
  NO_UNMANAGE_HOST,
  STUCK_HOST,
} from "../support/manilaFixture";

const impl = shareServer;

describe("ShareServer (implementation, simulator)", () => {
  let fx: ManilaFixture;
  let net: { id: string; subnetId: string };

  before(async () => {
    fx = await ManilaFixture.start();
  });
  after(async () => {
    setStackConfig(undefined);
    clearClientCaches();
    await fx.close();
  });
  beforeEach(async () => {
    fx.reset();
    clearClientCaches();
    setStackConfig(fx.stackConfig("admin"));
    net = await fx.shareNetwork();
  });

  const manageInputs = (identifier: string, extra: ShareServerInputs = {}): ShareServerInputs => ({
    host: HOST,
    identifier,
    shareNetworkId: net.id,
    timeoutSeconds: 5,
    ...extra,
  });

  /** Creates and returns [id, outputs]. */
  async function create(inputs: ShareServerInputs): Promise<[string, ShareServerOutputs]> {
    const { id, outs } = await impl.create(inputs);
    return [id, outs!];
  }

  describe("check (no API call)", () => {
    const valid: ShareServerInputs = {
      host: HOST,
      identifier: "be-1",
      shareNetworkId: "5f1c7a52-7a4e-4a59-9d5f-0b9c8f2a1e11",
    };
    const failuresOf = async (news: Record<string, unknown>) =>
      (await impl.check({}, news as ShareServerInputs)).failures ?? [];

    it("accepts each way in, with every optional input", async () => {
      const rec = fx.recorder();
      assert.deepEqual(
        await failuresOf({
          ...valid,
          shareNetworkSubnetId: "6a2d8b63-8b5f-4b6a-8e60-1cad903b2f22",
          driverOptions: { pool: "fast" },
          resetStatus: "active",
          onDelete: "delete",
          forceUnmanage: true,
          timeoutSeconds: 0.5,
          cloud: "mycloud",
          region: "RegionTwo",
          __provider: "text",
        }),
        [],
      );
      assert.deepEqual(await failuresOf({ shareServerId: "7b3e9c74-9c60-4c7b-9f71-2dbea14c3033" }), []);
      assert.deepEqual(rec.all(), []);
    });

    it("returns the inputs unchanged (no defaults filled in)", async () => {
      const { inputs } = await impl.check({}, valid);
      assert.deepEqual(inputs, valid);
    });

    it("wants exactly one way in, naming the properties", async () => {
      const both = await failuresOf({ ...valid, shareServerId: "7b3e9c74-9c60-4c7b-9f71-2dbea14c3033" });
      assert.deepEqual(
        both.map((f) => f.property),
        ["shareServerId"],
      );
      assert.match(both[0].reason, /cannot be combined with host, identifier, shareNetworkId/);
      const none = await failuresOf({});
      assert.deepEqual(
        none.map((f) => f.property),
        ["host", "identifier", "shareNetworkId"],
      );
      assert.match(none[0].reason, /required to manage .* \(or give shareServerId to adopt/);
      const partial = await failuresOf({ host: HOST, driverOptions: {} });
      assert.deepEqual(
        partial.map((f) => f.property),
        ["identifier", "shareNetworkId"],
      );
    });

    const malformed: [string, unknown, RegExp][] = [
      ["host", "simhost", /form host@backend \(without #pool\), got "simhost"/],
      ["host", "simhost@alpha#pool0", /without #pool/],
      ["host", 7, /got 7/],
      ["identifier", "", /non-empty string/],
      ["shareNetworkId", "my-network", /the ID \(a UUID\) of a share network, got "my-network"/],
      ["shareNetworkSubnetId", "subnet-1", /UUID\) of a share network subnet/],
      ["driverOptions", "pool=fast", /map of strings, got "pool=fast"/],
      ["driverOptions", { pool: 3 }, /"pool" is 3/],
      ["driverOptions", ["a"], /map of strings/],
      ["resetStatus", "available", /one of active, error, .*network_change, got "available"/],
      ["onDelete", "destroy", /one of unmanage, delete, retain/],
      ["forceUnmanage", "yes", /true or false, got "yes"/],
      ["timeoutSeconds", 0, /positive number of seconds, got 0/],
      ["timeoutSeconds", "60", /got "60"/],
      ["cloud", "", /non-empty string/],
      ["region", 1, /non-empty string, got 1/],
      ["hostname", "simhost@alpha", /is not an input of ShareServer/],
    ];
    for (const [property, value, reason] of malformed) {
      it(`fails ${property} = ${JSON.stringify(value)}, naming it`, async () => {
        const failures = await failuresOf({ ...valid, [property]: value });
        assert.deepEqual(
          failures.map((f) => f.property),
          [property],
        );
        assert.match(failures[0].reason, reason);
      });
    }

    it("skips values unknown in a preview, but counts their presence", async () => {
      assert.deepEqual(await failuresOf({ ...valid, host: UNKNOWN, driverOptions: { a: UNKNOWN } }), []);
      assert.deepEqual(await failuresOf({ shareServerId: UNKNOWN, resetStatus: UNKNOWN }), []);
      const both = await failuresOf({ ...valid, shareServerId: UNKNOWN });
      assert.deepEqual(
        both.map((f) => f.property),
        ["shareServerId"],
      );
    });
  });

  describe("diff", () => {
    const id = "5f1c7a52-7a4e-4a59-9d5f-0b9c8f2a1e11";
    const olds = {
      host: HOST,
      identifier: "be-1",
      shareNetworkId: "net",
      driverOptions: { a: "1", b: "2" },
      status: "active",
      currentHost: HOST,
    } as unknown as ShareServerOutputs;
    const inputs = {
      host: HOST,
      identifier: "be-1",
      shareNetworkId: "net",
      driverOptions: { b: "2", a: "1" },
    };

    it("sees no change when the inputs are the same (live outputs and key order do not count)", async () => {
      assert.deepEqual(await impl.diff(id, olds, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    it("changes resetStatus, onDelete, forceUnmanage and timeoutSeconds in place", async () => {
      for (const change of [
        { resetStatus: "error" },
        { onDelete: "retain" },
        { forceUnmanage: true },
        { timeoutSeconds: 9 },
      ]) {
        assert.deepEqual(await impl.diff(id, olds, { ...inputs, ...change } as ShareServerInputs), {
          changes: true,
          replaces: [],
          deleteBeforeReplace: false,
        });
      }
    });

    it("replaces for the other inputs; a managed server is unmanaged before it is managed again", async () => {
      assert.deepEqual(await impl.diff(id, olds, { ...inputs, driverOptions: { a: "2" } }), {
        changes: true,
        replaces: ["driverOptions"],
        deleteBeforeReplace: true,
      });
      assert.deepEqual(await impl.diff(id, olds, { ...inputs, region: "RegionTwo" }), {
        changes: true,
        replaces: ["region"],
        deleteBeforeReplace: true,
      });
      const adopted = { shareServerId: "a", status: "active" } as ShareServerOutputs;
      assert.deepEqual(await impl.diff("a", adopted, { shareServerId: "b" }), {
        changes: true,
        replaces: ["shareServerId"],
        deleteBeforeReplace: false,
      });
    });

    it("an unknown value replaces in a replacing input, and only changes an in-place one", async () => {
      assert.deepEqual((await impl.diff(id, olds, { ...inputs, identifier: UNKNOWN })).replaces, [
        "identifier",
      ]);
      assert.deepEqual(await impl.diff(id, olds, { ...inputs, onDelete: UNKNOWN as "retain" }), {
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    it("adopting the server this resource manages switches it to adopted in place", async () => {
      assert.deepEqual(await impl.diff(id, olds, { shareServerId: id }), {
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });
  });

  describe("create: manage", () => {
    it("manages a backend server: waits for active and reports what Manila says", async () => {
      await fx.backendServer("be-1", { backendDetails: { service_ip: "203.0.113.9" } });
      const inputs = manageInputs("be-1");
      const [id, outs] = await create(inputs);
      assert.equal(await fx.status(id), "active");
      assert.deepEqual(
        {
          ...outs,
          createdAt: typeof outs.createdAt,
          updatedAt: typeof outs.updatedAt,
          scope: Object.keys(outs.scope),
        },
        {
          ...inputs,
          status: "active",
          currentHost: HOST,
          currentIdentifier: "be-1",
          currentShareNetworkId: net.id,
          shareNetworkName: "net",
          shareNetworkSubnetIds: [net.subnetId],
          projectId: fx.projectOf("admin"),
          backendDetails: { service_ip: "203.0.113.9" },
          isAutoDeletable: false,
          taskState: null,
          createdAt: "string",
          updatedAt: "string",
          scope: ["endpoint", "region", "projectId"],
        },
      );
      assert.equal(outs.scope.region, "RegionOne");
      assert.equal(outs.scope.projectId, fx.projectOf("admin"));
    });

    it("manages into a given share network subnet, with driver options", async () => {
      await fx.backendServer("be-2");
      const subnetId = await fx.subnet(net.id);
      const [, outs] = await create(
        manageInputs("be-2", { shareNetworkSubnetId: subnetId, driverOptions: { k: "v" } }),
      );
      assert.deepEqual(outs.shareNetworkSubnetIds, [subnetId]);
      assert.deepEqual(outs.driverOptions, { k: "v" });
    });

    it("manage_error: says the API gives no reason, shows status, details and id, points at the logs, unmanages", async () => {
      await fx.backendServer("be-bad", { onManage: "error" });
      const rec = fx.recorder();
      const err: any = await impl.create(manageInputs("be-bad")).catch((e) => e);
      assert.ok(err instanceof Error);
      const id = /share server ([0-9a-f-]{36}) to manage_error/.exec(err.message)?.[1];
      assert.ok(id, err.message);
      assert.match(err.message, /Manila's API gives no reason for a failed manage/);
      assert.match(err.message, new RegExp(`manila-share log on ${HOST} \\(look for share server ${id}\\)`));
      assert.match(err.message, new RegExp(`Share server ${id}: status manage_error, backend details: none`));
      assert.match(
        err.message,
        /The failed record \(share server .*\) was unmanaged, so nothing is left in Manila/,
      );
      assert.equal("id" in err, false, "nothing is left, so nothing for the engine to record");
      assert.deepEqual(await fx.serverIds(), []);
      assert.deepEqual(rec.mutations(), [
        "POST /share-servers/manage 202",
        "POST /share-servers/ID/action 202",
      ]);
    });

    it("manage_error whose clean-up fails: the error carries id, outputs and reasons (init failed)", async () => {
      await fx.backendServer("be-bad", { onManage: "error" });
      await fx.client.control("POST", "/faults", {
        method: "POST",
        path: "/action$",
        action: "status",
        status: 500,
      });
      const err: any = await impl.create(manageInputs("be-bad")).catch((e) => e);
      assert.match(err.message, /Unmanaging the failed record failed too .*returned 500/);
      assert.match(err.message, /is still in Manila and recorded in the stack/);
      assert.equal(typeof err.id, "string");
      assert.equal(err.properties.status, "manage_error");
      assert.equal(err.properties.identifier, "be-bad");
      assert.match(err.reasons[0], /gives no reason/);
      assert.equal(await fx.status(err.id), "manage_error");
    });

    it("stuck in manage_starting at the deadline: reset to manage_error, unmanaged, clear failure", async () => {
      await fx.backendServer("be-stuck", { host: STUCK_HOST });
      const rec = fx.recorder();
      const started = Date.now();
      const err: any = await impl
        .create(manageInputs("be-stuck", { host: STUCK_HOST, timeoutSeconds: 0.3 }))
        .catch((e) => e);
      assert.ok(Date.now() - started >= 300);
      assert.match(err.message, /still in manage_starting after 0.3 s \(timeoutSeconds\)/);
      assert.match(err.message, /its status was reset to manage_error/);
      assert.match(
        err.message,
        /driver_handles_share_servers = False\): see the manila-share log on legacy@gamma/,
      );
      assert.match(err.message, /was unmanaged, so nothing is left in Manila/);
      assert.deepEqual(await fx.serverIds(), []);
      assert.deepEqual(rec.mutations(), [
        "POST /share-servers/manage 202",
        "POST /share-servers/ID/action 202", // reset_status manage_error
        "POST /share-servers/ID/action 202", // unmanage
      ]);
    });

    it("resumes a manage an interrupted run left in manage_starting instead of posting again", async () => {
      await fx.backendServer("be-3");
      fx.sim.world.transitions.hold("manila.share_server.manage");
      const first = await fx.api("POST", "/share-servers/manage", {
        share_server: { host: HOST, identifier: "be-3", share_network_id: net.id },
      });
      assert.equal(first.status, 202);
      const rec = fx.recorder();
      const creating = create(manageInputs("be-3"));
      // The manage ends only once the create has listed the server (in manage_starting).
      const listed = (r: RequestRecord) => r.method === "GET" && r.path.endsWith("/share-servers");
      await fx.client.until(async () => rec.manila().some(listed), Boolean);
      fx.sim.world.transitions.release("manila.share_server.manage");
      const [id, outs] = await creating;
      assert.equal(id, first.body.share_server.id);
      assert.equal(outs.status, "active");
      assert.deepEqual(rec.mutations(), []);
    });

    it("refuses a backend server Manila already manages, and says how to adopt it", async () => {
      await fx.backendServer("be-4");
      const [id] = await create(manageInputs("be-4"));
      const rec = fx.recorder();
      await assert.rejects(
        impl.create(manageInputs("be-4")),
        new RegExp(
          `Manila already has it as share server ${id} \\(status active.*adopt it: give shareServerId: "${id}"`,
        ),
      );
      assert.deepEqual(rec.mutations(), []);
    });

    it("shareNetworkSubnetId on a cloud below 2.51: a clear error before any mutation", async () => {
      fx.setShareMaxMicroversion("2.50");
      const rec = fx.recorder();
      await assert.rejects(
        impl.create(manageInputs("be-1", { shareNetworkSubnetId: net.subnetId })),
        /tops at 2\.50; microversion 2\.51 is needed for the shareNetworkSubnetId input \(below it Manila would silently ignore the subnet\)/,
      );
      assert.deepEqual(rec.mutations(), []);
    });

    it("a cloud at 2.48: a clear error before any mutation", async () => {
      fx.setShareMaxMicroversion("2.48");
      const rec = fx.recorder();
      await assert.rejects(
        impl.create(manageInputs("be-1")),
        /shared-file-system \(Manila\) API tops at 2\.48; microversion 2\.49 is needed for managing share servers/,
      );
      assert.deepEqual(rec.mutations(), []);
    });

    it("non-admin credentials: says the admin role is needed, not a bare 403", async () => {
      setStackConfig(fx.stackConfig("demo"));
      await fx.backendServer("be-1");
      const rec = fx.recorder();
      await assert.rejects(impl.create(manageInputs("be-1")), (err: Error) => {
        assert.match(err.message, /returned 403 forbidden: Access was denied to this resource/);
        assert.match(err.message, /This needs the admin role: Manila's share-server API is admin-only/);
        assert.match(err.message, /credentials from stack config/);
        assert.doesNotMatch(err.message, /sim-.*-password/);
        return true;
      });
      assert.deepEqual(rec.mutations(), []);
    });
  });

  describe("create: adopt", () => {
    it("adopts an existing share server with no mutation; host etc. stay unset, live values under their own names", async () => {
      const existing = await fx.existingServer(net.id);
      const rec = fx.recorder();
      const [id, outs] = await create({ shareServerId: existing });
      assert.equal(id, existing);
      assert.deepEqual(rec.mutations(), []);
      assert.equal(outs.shareServerId, existing);
      for (const key of ["host", "identifier", "shareNetworkId", "onDelete"]) assert.ok(!(key in outs), key);
      assert.equal(outs.currentHost, HOST);
      assert.equal(outs.currentShareNetworkId, net.id);
      assert.equal(outs.currentIdentifier, existing);
      assert.equal(outs.isAutoDeletable, true);
      assert.ok(Object.keys(outs.backendDetails).length > 0);
    });

    it("a missing id: a clear error, no mutation", async () => {
      const missing = "0e6a1b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
      const rec = fx.recorder();
      await assert.rejects(
        impl.create({ shareServerId: missing }),
        new RegExp(
          `adopting share server ${missing}: Manila has no share server with this ID at http://127.0.0.1:\\d+/share/v2.* \\(region RegionOne\\)`,
        ),
      );
      assert.deepEqual(rec.mutations(), []);
    });

    it("works on a cloud below 2.49 when nothing needs 2.49 (retain); resetStatus there fails before any mutation", async () => {
      const existing = await fx.existingServer(net.id);
      fx.setShareMaxMicroversion("2.48");
      const [, outs] = await create({ shareServerId: existing });
      assert.equal(outs.status, "active");
      assert.equal(outs.currentIdentifier, undefined);
      const rec = fx.recorder();
      await assert.rejects(
        impl.create({ shareServerId: existing, resetStatus: "error" }),
        /tops at 2\.48; microversion 2\.49 is needed for the resetStatus input/,
      );
      await assert.rejects(
        impl.create({ shareServerId: existing, onDelete: "unmanage" }),
        /needed for onDelete "unmanage"/,
      );
      assert.deepEqual(rec.mutations(), []);
    });
  });

  describe("resetStatus (an action input)", () => {
    it("is applied at create when set", async () => {
      const existing = await fx.existingServer(net.id);
      const [, outs] = await create({ shareServerId: existing, resetStatus: "error" });
      assert.equal(outs.status, "error");
      assert.equal(await fx.status(existing), "error");
    });

    it("is applied once when changed, never re-applied; its drift shows in status", async () => {
      const existing = await fx.existingServer(net.id);
      const [id, created] = await create({ shareServerId: existing, resetStatus: "error" });

      let rec = fx.recorder();
      const changed = (await impl.update!(id, created, { shareServerId: existing, resetStatus: "active" }))
        .outs!;
      assert.equal(changed.status, "active");
      assert.equal(changed.resetStatus, "active");
      assert.equal(rec.mutations().length, 1);

      // Out of band, the status moves on; later runs with the same resetStatus do not reset it again.
      await fx.patchServer(existing, { status: "error" });
      rec = fx.recorder();
      const again = (
        await impl.update!(id, changed, {
          shareServerId: existing,
          resetStatus: "active",
          onDelete: "retain",
        })
      ).outs!;
      assert.deepEqual(rec.all(), [], "onDelete changes with no API call, and resetStatus is not re-applied");
      assert.equal(again.onDelete, "retain");
      const refreshed = (await impl.read(id, again)).props!;
      assert.equal(refreshed.status, "error");
      assert.equal(refreshed.resetStatus, "active");
      assert.equal(await fx.status(existing), "error");
      assert.deepEqual(
        await impl.diff(id, refreshed, {
          shareServerId: existing,
          resetStatus: "active",
          onDelete: "retain",
        }),
        {
          changes: false,
          replaces: [],
          deleteBeforeReplace: false,
        },
      );

      // Removing it does nothing either.
      rec = fx.recorder();
      await impl.update!(id, refreshed, { shareServerId: existing });
      assert.deepEqual(rec.all(), []);
    });

    it("switching a managed server to adopted (shareServerId = its id) needs no API call", async () => {
      await fx.backendServer("be-5");
      const [id, outs] = await create(manageInputs("be-5"));
      const rec = fx.recorder();
      const updated = (await impl.update!(id, outs, { shareServerId: id })).outs!;
      assert.deepEqual(rec.all(), []);
      assert.equal(updated.shareServerId, id);
      assert.ok(!("host" in updated));
      assert.equal(updated.currentHost, HOST);
      await impl.delete(id, updated); // adopted: retained by default
      assert.equal(await fx.status(id), "active");
    });
  });

  describe("read", () => {
    it("sees an out-of-band status change; the inputs stay as given", async () => {
      await fx.backendServer("be-6");
      const [id, outs] = await create(manageInputs("be-6"));
      await fx.patchServer(id, { status: "error", taskState: "migration_error" });
      const { id: readId, props } = await impl.read(id, outs);
      assert.equal(readId, id);
      assert.equal(props!.status, "error");
      assert.equal(props!.taskState, "migration_error");
      assert.equal(props!.host, HOST);
      assert.equal(props!.identifier, "be-6");
      assert.deepEqual(props!.scope, outs.scope);
    });

    it("reports a server removed out of band as gone", async () => {
      await fx.backendServer("be-7");
      const [id, outs] = await create(manageInputs("be-7"));
      const res = await fx.api("POST", `/share-servers/${id}/action`, { unmanage: {} });
      assert.equal(res.status, 202);
      await fx.until(id, (s) => s === undefined);
      assert.deepEqual(await impl.read(id, outs), {});
    });

    it("a 404 seen from another region is an error, never gone", async () => {
      await fx.backendServer("be-8");
      const [id, outs] = await create(manageInputs("be-8"));
      await fx.api("POST", `/share-servers/${id}/action`, { unmanage: {} });
      await fx.until(id, (s) => s === undefined);
      await assert.rejects(
        impl.read(id, { ...outs, scope: { ...outs.scope, region: "RegionTwo" } }),
        /share server .* was created in region RegionTwo \(now RegionOne\)/,
      );
    });

    it("still finds a server whose share network is gone (show 404s then; the list does not)", async () => {
      const existing = await fx.existingServer(net.id);
      const [, outs] = await create({ shareServerId: existing });
      fx.sim.world.manila.shareNetworks.delete(net.id);
      const { props } = await impl.read(existing, outs);
      assert.equal(props!.status, "active");
      assert.equal(props!.currentShareNetworkId, "");
      assert.deepEqual(props!.backendDetails, outs.backendDetails);
    });

    it("cannot import without state, and says how to adopt", async () => {
      await assert.rejects(
        impl.read("abc"),
        /adopt it instead: new ShareServer\(name, \{ shareServerId: "abc" \}\)/,
      );
    });
  });

  describe("delete", () => {
    it("unmanage (the default when managed): waits until Manila has forgotten it; the backend keeps it", async () => {
      await fx.backendServer("be-9");
      const [id, outs] = await create(manageInputs("be-9"));
      assert.ok(!(await fx.backendIdentifiers()).includes("be-9"));
      await impl.delete(id, outs);
      assert.equal(await fx.status(id), undefined);
      assert.ok((await fx.backendIdentifiers()).includes("be-9"));
    });

    it("unmanage when shares use it: names the shares, found by share_server_id", async () => {
      await fx.backendServer("be-10");
      const [id, outs] = await create(manageInputs("be-10"));
      const shareId = await fx.share(net.id, "app-data");
      await assert.rejects(impl.delete(id, outs), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(
            `unmanaging share server ${id}: these shares still use it: "app-data" ${shareId} \\(project ${fx.projectOf("admin")}, status (creating|available)\\)`,
          ),
        );
        assert.match(err.message, /or set onDelete: "retain" to leave the share server in Manila/);
        assert.match(
          err.message,
          /Manila answered 400 badRequest: "Share server .* is in use\.", microversion 2\.99, request id req-/,
        );
        return true;
      });
      assert.equal(await fx.status(id), "active");
    });

    it("unmanage on a driver that cannot: unmanage_error says forceUnmanage; forced, it goes", async () => {
      await fx.backendServer("be-11", { host: NO_UNMANAGE_HOST });
      const [id, outs] = await create(manageInputs("be-11", { host: NO_UNMANAGE_HOST }));
      await assert.rejects(
        impl.delete(id, outs),
        new RegExp(
          `unmanaging share server ${id} failed: Manila set it to unmanage_error\\. .*forceUnmanage: true .*manila-share log on ${NO_UNMANAGE_HOST}`,
        ),
      );
      assert.equal(await fx.status(id), "unmanage_error");
      await impl.delete(id, { ...outs, forceUnmanage: true });
      assert.equal(await fx.status(id), undefined);
    });

    it("unmanage of a server already gone succeeds", async () => {
      await fx.backendServer("be-12");
      const [id, outs] = await create(manageInputs("be-12"));
      await impl.delete(id, outs);
      await impl.delete(id, outs);
    });

    it("onDelete delete: an idle server is deleted and waited for", async () => {
      const existing = await fx.existingServer(net.id);
      const [id, outs] = await create({ shareServerId: existing, onDelete: "delete" });
      await impl.delete(id, outs);
      assert.equal(await fx.status(id), undefined);
    });

    it("onDelete delete in a status Manila refuses (403): explains the status rule", async () => {
      const existing = await fx.existingServer(net.id);
      const [id, outs] = await create({ shareServerId: existing, onDelete: "delete" });
      await fx.patchServer(id, { status: "manage_starting" });
      await assert.rejects(impl.delete(id, outs), (err: Error) => {
        assert.match(err.message, /deletes a share server only in status active or error/);
        assert.match(err.message, /actual status is manage_starting/);
        assert.doesNotMatch(err.message, /admin role/);
        return true;
      });
    });

    it("onDelete delete when shares use it (409): names them", async () => {
      const existing = await fx.existingServer(net.id);
      const [id, outs] = await create({ shareServerId: existing, onDelete: "delete" });
      await fx.share(net.id, "logs");
      await assert.rejects(
        impl.delete(id, outs),
        /deleting share server .*: these shares still use it: "logs" .* or use onDelete: "unmanage" or "retain" \(Manila answered 409 conflictingRequest/,
      );
    });

    it("retain (the default when adopted): no API call at all", async () => {
      const existing = await fx.existingServer(net.id);
      const [id, outs] = await create({ shareServerId: existing });
      const rec = fx.recorder();
      await impl.delete(id, outs);
      assert.deepEqual(rec.all(), []);
      assert.equal(await fx.status(id), "active");
    });

    it("non-admin credentials: the admin role is named", async () => {
      const existing = await fx.existingServer(net.id);
      const [id, outs] = await create({ shareServerId: existing, onDelete: "delete" });
      setStackConfig(fx.stackConfig("demo"));
      await assert.rejects(impl.delete(id, outs), /This needs the admin role/);
      assert.equal(await fx.status(id), "active");
    });
  });
});
