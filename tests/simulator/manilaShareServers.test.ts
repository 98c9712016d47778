// Manila share servers on the simulator: FACTS §4 (views per microversion, filters, statuses, every error of
// §4.5, admin-only policy) and the upstream samples.
import { strict as assert } from "assert";
import { SHARE_SERVER_STATUSES } from "../../simulator/manila/model";
import { loadSample, shapeDiff } from "../support/shape";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";
import type { RunningSimulator } from "../../simulator/core/app";

const HOST = "simhost@alpha";
const SS = "/share/v2/share-servers";

describe("simulator: Manila share servers", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  const api = (method: string, path: string, mv = "2.90", body?: unknown, user: "admin" | "demo" = "admin") =>
    client.call(user, method, path, { mv, body });

  before(async () => {
    ({ sim, client } = await startTestSimulator({
      services: {
        manila: {
          backends: [
            { host: HOST },
            { host: "downhost@beta", up: false },
            { host: "legacy@gamma", dhss: false },
            { host: "nounmanage@delta", supportsUnmanage: false },
            { host: "myhost@mybackend" }, // the manage samples' host
          ],
          availabilityZones: ["nova", "zone-b"],
          backendShareServers: [{ host: HOST, identifier: "seeded-1", backendDetails: { ip: "10.254.0.3" } }],
        },
      },
    }));
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 10 };
  });

  async function network(name = "net", mv = "2.90"): Promise<{ id: string; subnetId: string }> {
    const res = await api("POST", "/share/v2/share-networks", mv, { share_network: { name } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { id: res.body.share_network.id, subnetId: res.body.share_network.share_network_subnets[0].id };
  }

  async function backend(identifier: string, extra: Record<string, unknown> = {}, host = HOST) {
    const res = await client.control("POST", "/manila/backend-share-servers", { host, identifier, ...extra });
    assert.equal(res.status, 201);
  }

  async function manage(body: Record<string, unknown>, mv = "2.90") {
    return api("POST", `${SS}/manage`, mv, { share_server: body });
  }

  const show = (id: string, mv = "2.90") => api("GET", `${SS}/${id}`, mv);
  const waitStatus = (id: string, done: (status: string | undefined, code: number) => boolean) =>
    client.until(
      () => show(id),
      (r) => done(r.body?.share_server?.status, r.status),
    );

  /** An active share server created the way the share manager does it. */
  async function activeServer(networkId: string): Promise<string> {
    const res = await client.control("POST", "/manila/share-servers", { shareNetworkId: networkId });
    assert.equal(res.status, 201);
    await waitStatus(res.body.id, (s) => s === "active");
    return res.body.id;
  }

  describe("manage", () => {
    it("adopts a backend server: manage_starting, then active, at 202 with the detailed view", async () => {
      const net = await network();
      await backend("be-1", { backendDetails: { service_ip: "203.0.113.9" } });
      const res = await manage({
        host: HOST,
        identifier: "be-1",
        share_network_id: net.id,
        driver_options: {},
      });
      assert.equal(res.status, 202);
      const server = res.body.share_server;
      assert.equal(server.status, "manage_starting");
      assert.equal(server.is_auto_deletable, false);
      assert.deepEqual(
        [server.security_service_update_support, server.network_allocation_update_support],
        [false, false],
      );
      assert.equal(server.identifier, "be-1");
      assert.deepEqual(server.share_network_subnet_ids, [net.subnetId]);
      assert.ok("created_at" in server && "backend_details" in server);
      const done = await waitStatus(server.id, (s) => s !== "manage_starting");
      assert.equal(done.body.share_server.status, "active");
      assert.deepEqual(done.body.share_server.backend_details, { service_ip: "203.0.113.9" });
      assert.equal(done.body.share_server.network_allocation_update_support, true);
      assert.equal(done.body.share_server.security_service_update_support, false);
      const pool = await client.control("GET", "/manila/backend-share-servers");
      assert.ok(!pool.body.backendShareServers.some((b: any) => b.identifier === "be-1"));
      const transitions = (await client.control("GET", "/transitions")).body.transitions;
      assert.ok(transitions.some((t: any) => t.kind === "manila.share_server.manage" && t.to === "active"));
    });

    it("seeds backend servers from config.services.manila.backendShareServers", async () => {
      const net = await network();
      const res = await manage({ host: HOST, identifier: "seeded-1", share_network_id: net.id });
      const done = await waitStatus(res.body.share_server.id, (s) => s !== "manage_starting");
      assert.equal(done.body.share_server.status, "active");
      const details = await api("GET", `${SS}/${res.body.share_server.id}/details`);
      assert.deepEqual(details.body, { details: { ip: "10.254.0.3" } });
    });

    it("ends in manage_error when the backend has no such server, or when the driver fails", async () => {
      const net = await network();
      await backend("be-bad", { onManage: "error" });
      for (const identifier of ["nowhere", "be-bad"]) {
        const res = await manage({ host: HOST, identifier, share_network_id: net.id });
        assert.equal(res.status, 202);
        const done = await waitStatus(res.body.share_server.id, (s) => s !== "manage_starting");
        assert.equal(done.body.share_server.status, "manage_error");
      }
    });

    it("sticks in manage_starting on a DHSS=False backend, or when the backend server says so (FACTS §6.9)", async () => {
      const net = await network();
      await backend("stuck", { onManage: "stick" });
      const a = await manage({ host: HOST, identifier: "stuck", share_network_id: net.id });
      const b = await manage({ host: "legacy@gamma", identifier: "anything", share_network_id: net.id });
      await new Promise((r) => setTimeout(r, 60));
      for (const res of [a, b])
        assert.equal((await show(res.body.share_server.id)).body.share_server.status, "manage_starting");
    });

    it("uses share_network_subnet_id from 2.51 and drops it at 2.49-2.50", async () => {
      const net = await network();
      const az = await api("POST", `/share/v2/share-networks/${net.id}/subnets`, "2.90", {
        "share-network-subnet": { availability_zone: "zone-b" },
      });
      assert.equal(az.status, 200);
      const azSubnet = az.body.share_network_subnet.id;
      await backend("be-az");
      const at251 = await manage(
        { host: HOST, identifier: "be-az", share_network_id: net.id, share_network_subnet_id: azSubnet },
        "2.51",
      );
      assert.equal(at251.status, 202);
      assert.equal(at251.body.share_server.share_network_subnet_id, azSubnet);
      const at250 = await manage(
        {
          host: HOST,
          identifier: "be-other",
          share_network_id: net.id,
          share_network_subnet_id: "not-a-subnet",
        },
        "2.50",
      );
      assert.equal(at250.status, 202);
      assert.equal(
        (await show(at250.body.share_server.id, "2.51")).body.share_server.share_network_subnet_id,
        net.subnetId,
      );
      assert.equal(
        (await manage({ host: HOST, identifier: "x", share_network_id: net.id }, "2.48")).status,
        404,
      );
    });

    it("answers every 400/422 of FACTS §4.5 in the controller's order", async () => {
      const net = await network();
      const noBody = await client.call("admin", "POST", `${SS}/manage`, { mv: "2.90" });
      assert.equal(noBody.status, 400);
      assert.match(noBody.body.badRequest.message, /^The server could not comply with the request/);
      const empty = await api("POST", `${SS}/manage`, "2.90", {});
      assert.equal(empty.status, 422);
      assert.equal(empty.body.computeFault.code, 422);
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ share_network_id: net.id, identifier: "i" }, /^Required parameter host not found$/],
        [{ host: HOST, identifier: "i" }, /^Required parameter share_network_id not found$/],
        [{ host: HOST, share_network_id: net.id }, /^Required parameter identifier not found$/],
        [{ host: "", share_network_id: net.id, identifier: "i" }, /^Required parameter host is empty$/],
        [
          { host: HOST, share_network_id: net.id, identifier: "" },
          /^Required parameter identifier is empty$/,
        ],
        [
          { host: HOST, share_network_id: net.id, identifier: "i", share_network_subnet_id: "missing" },
          /^The share network subnet missing does not exist\.$/,
        ],
        [{ host: HOST, share_network_id: "no-such-net", identifier: "i" }, /does have a default subnet/],
        [
          { host: `${HOST}#pool0`, share_network_id: net.id, identifier: "i" },
          /^Host parameter should not contain pool\.$/,
        ],
        [
          { host: "nohost@none", share_network_id: net.id, identifier: "i" },
          /^Service nohost@none could not be found\.$/,
        ],
        [
          { host: "downhost@beta", share_network_id: net.id, identifier: "i" },
          /^Service downhost@beta is down\.$/,
        ],
        [
          { host: HOST, share_network_id: "bogus", identifier: "i", share_network_subnet_id: net.subnetId },
          /^Share network bogus could not be found\.$/,
        ],
        [
          { host: HOST, share_network_id: net.id, identifier: "i", driver_options: "x=1" },
          /^Driver options must be in dictionary format\.$/,
        ],
      ];
      for (const [body, message] of cases) {
        const res = await manage(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(res.body.badRequest.message, message);
      }
    });

    it("refuses an identifier that matches an existing server's (suffix, -/_ swapped, containment)", async () => {
      const net = await network();
      await backend("abc-123-def");
      const first = await manage({ host: HOST, identifier: "abc-123-def", share_network_id: net.id });
      assert.equal(first.status, 202);
      for (const identifier of ["abc-123-def", "123-def", "123_def", "prefix-abc-123-def-suffix"]) {
        const res = await manage({ host: HOST, identifier, share_network_id: net.id });
        assert.equal(res.status, 400, identifier);
        assert.equal(
          res.body.badRequest.message,
          `Invalid input received: Identifier ${identifier} specified matches existing share servers: abc-123-def.`,
        );
      }
      assert.equal(
        (await manage({ host: HOST, identifier: "abc-999", share_network_id: net.id })).status,
        202,
      );
    });

    it("refuses a subnet whose availability zone has several subnets, and a network that is not active", async () => {
      const net = await network();
      const second = await api("POST", `/share/v2/share-networks/${net.id}/subnets`, "2.70", {
        "share-network-subnet": {},
      });
      assert.equal(second.status, 200);
      const res = await manage({ host: HOST, identifier: "i", share_network_id: net.id });
      assert.equal(res.status, 400);
      assert.match(
        res.body.badRequest.message,
        /^Cannot manage the share server, since the share network subnet/,
      );

      const other = await network("other");
      await client.control("PATCH", `/manila/share-networks/${other.id}`, { status: "error" });
      const inactive = await manage({ host: HOST, identifier: "i", share_network_id: other.id });
      assert.equal(inactive.status, 400);
      assert.match(
        inactive.body.badRequest.message,
        /used isn't in an 'active' state\. Current status is error\./,
      );
    });
  });

  describe("unmanage", () => {
    it("removes the server (404 afterwards) and returns it to the backend, from where it can be managed again", async () => {
      const net = await network();
      await backend("round-trip");
      const managed = await manage({ host: HOST, identifier: "round-trip", share_network_id: net.id });
      const id = managed.body.share_server.id;
      await waitStatus(id, (s) => s === "active");
      sim.world.transitions.hold("manila.share_server.unmanage");
      const res = await api("POST", `${SS}/${id}/action`, "2.49", { unmanage: null });
      assert.equal(res.status, 202);
      assert.equal(res.body, undefined);
      assert.equal((await show(id)).body.share_server.status, "unmanage_starting");
      sim.world.transitions.release("manila.share_server.unmanage");
      await waitStatus(id, (_s, code) => code === 404);
      const again = await manage({ host: HOST, identifier: "round-trip", share_network_id: net.id });
      assert.equal(
        (await waitStatus(again.body.share_server.id, (s) => s !== "manage_starting")).body.share_server
          .status,
        "active",
      );
    });

    it("unmanaging a failed manage leaves the backend pool as it was (no duplicate, no invented server)", async () => {
      const net = await network();
      await backend("fails", { onManage: "error" });
      await backend("sticks", { onManage: "stick" });
      const pool = async () =>
        (await client.control("GET", "/manila/backend-share-servers")).body.backendShareServers
          .map((b: any) => b.identifier)
          .sort();
      const before = await pool();
      for (const identifier of ["fails", "sticks", "never-on-the-backend"]) {
        const id = (await manage({ host: HOST, identifier, share_network_id: net.id })).body.share_server.id;
        if (identifier === "sticks") {
          await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status: "manage_error" } });
        }
        await waitStatus(id, (s) => s === "manage_error");
        assert.equal((await api("POST", `${SS}/${id}/action`, "2.49", { unmanage: {} })).status, 202);
        await waitStatus(id, (_s, code) => code === 404);
      }
      assert.deepEqual(await pool(), before);
    });

    it('needs force when the driver cannot unmanage, and reads force with Python truthiness ("false" forces)', async () => {
      const net = await network();
      const serverOn = async (identifier: string) => {
        await backend(identifier, {}, "nounmanage@delta");
        const res = await manage({ host: "nounmanage@delta", identifier, share_network_id: net.id });
        await waitStatus(res.body.share_server.id, (s) => s === "active");
        return res.body.share_server.id;
      };
      const plain = await serverOn("nu-1");
      assert.equal(
        (await api("POST", `${SS}/${plain}/action`, "2.49", { unmanage: { force: false } })).status,
        202,
      );
      assert.equal(
        (await waitStatus(plain, (s) => s !== "unmanage_starting")).body.share_server.status,
        "unmanage_error",
      );

      // The upstream sample's body, verbatim.
      const sample = loadSample("manila/share-server-unmanage-request.json");
      const stringly = await serverOn("nu-2");
      assert.equal((await api("POST", `${SS}/${stringly}/action`, "2.49", sample)).status, 202);
      assert.equal((await waitStatus(stringly, (_s, code) => code !== 200)).status, 404);

      // unmanage_error servers may be unmanaged again, with force this time.
      assert.equal(
        (await api("POST", `${SS}/${plain}/action`, "2.49", { unmanage: { force: true } })).status,
        202,
      );
      assert.equal((await waitStatus(plain, (_s, code) => code !== 200)).status, 404);

      const odd = await serverOn("nu-3");
      assert.equal((await api("POST", `${SS}/${odd}/action`, "2.49", { unmanage: "yes" })).status, 500);
    });

    it("answers every error of FACTS §4.5", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      const unmanage = (sid: string) => api("POST", `${SS}/${sid}/action`, "2.49", { unmanage: {} });

      assert.equal((await unmanage("00000000-0000-0000-0000-000000000000")).status, 404);
      assert.equal((await api("POST", `${SS}/${id}/action`, "2.48", { unmanage: {} })).status, 404);

      await client.control("PATCH", `/manila/share-servers/${id}`, { encryptionKeyRef: "key-ref" });
      let res = await unmanage(id);
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        "Cannot unmanage the share server containing encryption key reference",
      );
      await client.control("PATCH", `/manila/share-servers/${id}`, { encryptionKeyRef: null });

      await client.control("PATCH", `/manila/share-networks/${net.id}`, { status: "network_change" });
      res = await unmanage(id);
      assert.equal(res.status, 400);
      assert.match(res.body.badRequest.message, /isn't in an 'active' state/);
      await client.control("PATCH", `/manila/share-networks/${net.id}`, { status: "active" });

      for (const status of ["creating", "deleting", "manage_starting", "inactive", "network_change"]) {
        await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status } });
        res = await unmanage(id);
        assert.equal(res.status, 400, status);
        assert.equal(
          res.body.badRequest.message,
          `Share server's actual status is ${status}, allowed statuses for unmanaging are error, active, manage_error, unmanage_error.`,
        );
      }
      await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status: "active" } });

      const share = await api("POST", "/share/v2/shares", "2.90", {
        share: { share_proto: "NFS", size: 1, share_network_id: net.id },
      });
      const detail = await api("GET", `/share/v2/shares/${share.body.share.id}`);
      assert.equal(detail.body.share.share_server_id, id);
      res = await unmanage(id);
      assert.equal(res.status, 400);
      assert.equal(res.body.badRequest.message, `Share server ${id} is in use.`);
    });

    it("refuses a server with several subnets (gained through a 2.70 subnet on an in-use network)", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      sim.world.transitions.hold("manila.share_network.update");
      const added = await api("POST", `/share/v2/share-networks/${net.id}/subnets`, "2.70", {
        "share-network-subnet": {},
      });
      assert.equal(added.status, 200);
      assert.equal((await show(id)).body.share_server.status, "network_change");
      sim.world.transitions.release("manila.share_network.update");
      const done = await waitStatus(id, (s) => s === "active");
      assert.equal(done.body.share_server.share_network_subnet_ids.length, 2);
      const res = await api("POST", `${SS}/${id}/action`, "2.49", { unmanage: null });
      assert.equal(res.status, 400);
      assert.equal(
        res.body.badRequest.message,
        "Cannot unmanage the share server containing multiple subnets.",
      );
    });
  });

  describe("delete", () => {
    it("deletes active or error servers (202, status untouched by the API, then deleting, then 404)", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      sim.world.transitions.hold("manila.share_server.delete");
      const res = await api("DELETE", `${SS}/${id}`);
      assert.equal(res.status, 202);
      assert.equal(
        (await show(id)).body.share_server.status,
        "active",
        "the manager sets deleting, not the API",
      );
      sim.world.transitions.step("manila.share_server.delete"); // the manager's first step
      assert.equal((await show(id)).body.share_server.status, "deleting");
      sim.world.transitions.release("manila.share_server.delete");
      await waitStatus(id, (_s, code) => code === 404);
      const errored = (
        await client.control("POST", "/manila/share-servers", { shareNetworkId: net.id, outcome: "error" })
      ).body.id;
      await waitStatus(errored, (s) => s === "error");
      assert.equal((await api("DELETE", `${SS}/${errored}`)).status, 202);
    });

    it("answers 404, 403 for other statuses (not 409), and 409 when shares use the server", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      assert.equal((await api("DELETE", `${SS}/00000000-0000-0000-0000-000000000000`)).status, 404);
      await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status: "manage_error" } });
      const refused = await api("DELETE", `${SS}/${id}`);
      assert.equal(refused.status, 403);
      assert.equal(
        refused.body.forbidden.message,
        "Share server's actual status is manage_error, allowed statuses for deletion are ['error', 'active'].",
      );
      await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status: "active" } });
      await api("POST", "/share/v2/shares", "2.90", {
        share: { share_proto: "NFS", size: 1, share_network_id: net.id },
      });
      const inUse = await api("DELETE", `${SS}/${id}`);
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.conflictingRequest.message, `Share server ${id} is in use.`);
    });
  });

  describe("reset_status", () => {
    it("accepts every status of FACTS §4.4 and applies it at once", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      for (const status of SHARE_SERVER_STATUSES) {
        const res = await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status } });
        assert.equal(res.status, 202, status);
        assert.equal((await show(id)).body.share_server.status, status);
      }
      assert.equal(SHARE_SERVER_STATUSES.length, 12);
    });

    it("checks the body before the lookup: 400 missing or unlisted status (error_deleting, deleted), then 404", async () => {
      const missing = await api("POST", `${SS}/nope/action`, "2.49", { reset_status: {} });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.badRequest.message, "Must specify 'status'");
      for (const status of ["error_deleting", "deleted"]) {
        const res = await api("POST", `${SS}/nope/action`, "2.49", { reset_status: { status } });
        assert.equal(res.status, 400);
        assert.match(res.body.badRequest.message, /^Invalid state\. Valid states: active, error, deleting, /);
      }
      const missing404 = await api("POST", `${SS}/nope/action`, "2.49", {
        reset_status: { status: "error" },
      });
      assert.equal(missing404.status, 404);
      assert.equal(missing404.body.itemNotFound.message, "The resource could not be found.");
      assert.equal(
        (await api("POST", `${SS}/nope/action`, "2.48", { reset_status: { status: "error" } })).status,
        404,
      );
    });

    it("accepts the upstream sample body", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      await api("POST", `${SS}/${id}/action`, "2.49", { reset_status: { status: "error" } });
      const res = await api(
        "POST",
        `${SS}/${id}/action`,
        "2.49",
        loadSample("manila/share-server-reset-state-request.json"),
      );
      assert.equal(res.status, 202);
      assert.equal((await show(id)).body.share_server.status, "active");
    });
  });

  describe("show, details and list", () => {
    it("reports the backend details of Manila's dummy driver, each server its own lowest free addresses", async () => {
      const first = await activeServer((await network("a")).id);
      const second = await activeServer((await network("b")).id);
      const details = async (id: string) => (await show(id)).body.share_server.backend_details;
      // as real Manila 15 answered (tests/real-openstack: ShareServer scenarios)
      assert.deepEqual(await details(first), {
        server_id: first,
        service_ip: "203.0.113.10",
        subnet_allocations:
          '[{"primary_public_ip": "198.51.100.10", "secondary_public_ip": "198.51.100.11"}]',
        username: "fake_username",
      });
      assert.equal((await details(second)).service_ip, "203.0.113.11");
      assert.match((await details(second)).subnet_allocations, /"198\.51\.100\.12".*"198\.51\.100\.13"/);
    });

    it("shows the fields of each microversion (FACTS §4.2)", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      const keys = async (mv: string) => Object.keys((await show(id, mv)).body.share_server).sort();
      const base = [
        "backend_details",
        "created_at",
        "host",
        "id",
        "project_id",
        "share_network_id",
        "share_network_name",
        "status",
        "updated_at",
      ];
      assert.deepEqual(await keys("2.48"), base);
      assert.deepEqual(await keys("2.49"), [...base, "identifier", "is_auto_deletable"].sort());
      assert.deepEqual(
        await keys("2.51"),
        [...base, "identifier", "is_auto_deletable", "share_network_subnet_id"].sort(),
      );
      const v257 = [
        ...base,
        "identifier",
        "is_auto_deletable",
        "share_network_subnet_id",
        "source_share_server_id",
        "task_state",
      ];
      assert.deepEqual(await keys("2.57"), v257.sort());
      assert.deepEqual(await keys("2.63"), [...v257, "security_service_update_support"].sort());
      assert.deepEqual(await keys("2.69"), [...v257, "security_service_update_support"].sort());
      const v270 = [
        ...v257.filter((k) => k !== "share_network_subnet_id"),
        "security_service_update_support",
        "share_network_subnet_ids",
        "network_allocation_update_support",
      ];
      assert.deepEqual(await keys("2.70"), v270.sort());
      assert.deepEqual(await keys("2.90"), [...v270, "encryption_key_ref"].sort());
      const body = (await show(id, "2.90")).body.share_server;
      assert.equal(body.share_network_name, "net");
      assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    });

    it("falls back to the network id when the network has no name; 404 when the network is gone", async () => {
      const res = await api("POST", "/share/v2/share-networks", "2.90", { share_network: {} });
      const netId = res.body.share_network.id;
      const id = await activeServer(netId);
      assert.equal((await show(id)).body.share_server.share_network_name, netId);
      sim.world.manila.shareNetworks.delete(netId);
      const gone = await show(id);
      assert.equal(gone.status, 404);
      assert.equal(
        gone.body.itemNotFound.message,
        "Share server could not be found. Its associated share network does not exist.",
      );
      assert.equal((await api("GET", `${SS}/${id}/details`)).status, 200); // details has no network check
      assert.equal((await show("00000000-0000-0000-0000-000000000000")).status, 404);
      assert.equal((await api("GET", `${SS}/00000000-0000-0000-0000-000000000000/details`)).status, 404);
    });

    it("filters the list by every key of FACTS §4.3, and returns [] for an unknown key (even limit)", async () => {
      const a = await network("alpha-net");
      const b = await network("beta-net");
      const sa = await activeServer(a.id);
      await backend("filter-me");
      const managed = await manage({ host: HOST, identifier: "filter-me", share_network_id: b.id });
      const sb = managed.body.share_server.id;
      await waitStatus(sb, (s) => s === "active");
      await api("POST", `${SS}/${sb}/action`, "2.49", { reset_status: { status: "error" } });
      const ids = async (q: string) =>
        (await api("GET", `${SS}${q}`)).body.share_servers.map((s: any) => s.id).sort();
      const both = [sa, sb].sort();
      assert.deepEqual(await ids(""), both);
      assert.deepEqual(await ids(`?id=${sa}`), [sa]);
      assert.deepEqual(await ids("?deleted=False"), both);
      assert.deepEqual(await ids(`?host=${HOST}`), both);
      assert.deepEqual(await ids("?is_auto_deletable=false"), [sb]);
      assert.deepEqual(await ids("?is_auto_deletable=True"), [sa]);
      assert.deepEqual(await ids("?identifier=filter-me"), [sb]);
      assert.deepEqual(await ids("?status=error"), [sb]);
      assert.deepEqual(await ids("?status=active"), [sa]);
      assert.deepEqual(await ids("?security_service_update_support=true"), [sa]);
      assert.deepEqual(
        await ids("?security_service_update_support=false"),
        [sb],
        "managed servers report false",
      );
      assert.deepEqual(await ids("?network_allocation_update_support=false"), []);
      assert.deepEqual(await ids(`?share_network_subnet_id=${a.subnetId}`), [sa]);
      assert.deepEqual(await ids(`?project_id=${client.projectOf("admin")}`), both);
      assert.deepEqual(await ids(`?project_id=${client.projectOf("demo")}`), []);
      assert.deepEqual(await ids("?share_network=beta-net"), [sb]);
      assert.deepEqual(await ids(`?share_network=${a.id}`), [sa]);
      assert.deepEqual(await ids(`?share_network_id=${b.id}`), [sb]);
      assert.deepEqual(await ids("?task_state=migration_starting"), []);
      assert.deepEqual(await ids("?source_share_server_id=x"), []);
      assert.deepEqual(await ids("?encryption_key_ref=k"), []);
      assert.deepEqual(await ids("?limit=1"), []);
      assert.deepEqual(await ids("?nonsense=1"), []);
      assert.deepEqual(await ids("?status=active&nonsense=1"), []);
    });
  });

  describe("policy", () => {
    it("refuses every share-server call to a member with Manila's bare 403", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      const calls: [string, string, string, unknown?][] = [
        ["GET", SS, "2.49"],
        ["GET", `${SS}/${id}`, "2.49"],
        ["GET", `${SS}/${id}/details`, "2.49"],
        ["DELETE", `${SS}/${id}`, "2.49"],
        ["POST", `${SS}/manage`, "2.49", {}],
        ["POST", `${SS}/${id}/action`, "2.49", { unmanage: null }],
        ["POST", `${SS}/${id}/action`, "2.49", { reset_status: { status: "error" } }],
        // Policy comes before the 404 of a missing server.
        ["GET", `${SS}/00000000-0000-0000-0000-000000000000`, "2.49"],
      ];
      for (const [method, path, mv, body] of calls) {
        const res = await api(method, path, mv, body, "demo");
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.deepEqual(res.body, {
          forbidden: { code: 403, message: "Access was denied to this resource." },
        });
      }
      assert.equal((await show(id)).body.share_server.status, "active");
    });
  });

  describe("upstream samples (shape)", () => {
    it("share-server-show-response.json (2.63, minus the fields the sample predates)", async () => {
      const net = await network();
      const details = (loadSample("manila/share-server-show-details-response.json") as any).details;
      await backend("sample-show", { backendDetails: details });
      const managed = await manage({ host: HOST, identifier: "sample-show", share_network_id: net.id });
      await waitStatus(managed.body.share_server.id, (s) => s === "active");
      const res = await show(managed.body.share_server.id, "2.63");
      const sample = loadSample("manila/share-server-show-response.json") as any;
      // backend_details holds whatever the driver reports; the backend server above reports the sample's.
      // The sample was written before 2.49 (identifier, is_auto_deletable) and 2.57 (task_state,
      // source_share_server_id) and not regenerated; the view builder adds them at 2.63 (FACTS §4.2).
      const predates = ["identifier", "is_auto_deletable", "task_state", "source_share_server_id"].map(
        (k) => `$.share_server.${k}`,
      );
      assert.deepEqual(shapeDiff(sample, res.body, predates), []);
      for (const k of predates) assert.ok(k.split(".")[2] in res.body.share_server, k);
    });

    it("share-server-show-details-response.json", async () => {
      const net = await network();
      const sample = loadSample("manila/share-server-show-details-response.json") as any;
      await backend("sample-details", { backendDetails: sample.details });
      const managed = await manage({ host: HOST, identifier: "sample-details", share_network_id: net.id });
      await waitStatus(managed.body.share_server.id, (s) => s === "active");
      const res = await api("GET", `${SS}/${managed.body.share_server.id}/details`);
      assert.deepEqual(shapeDiff(sample, res.body), []);
    });

    it("share-server-manage-request.json / -response.json (2.63, minus task_state and source_share_server_id)", async () => {
      const net = await network();
      const request = loadSample("manila/share-server-manage-request.json") as any;
      await backend(request.share_server.identifier, {}, request.share_server.host);
      Object.assign(request.share_server, {
        share_network_id: net.id,
        share_network_subnet_id: net.subnetId,
      });
      const res = await api("POST", `${SS}/manage`, "2.63", request);
      assert.equal(res.status, 202);
      const sample = loadSample("manila/share-server-manage-response.json");
      const predates = ["$.share_server.task_state", "$.share_server.source_share_server_id"];
      assert.deepEqual(shapeDiff(sample, res.body, predates), []);
    });

    it("share-servers-list-response.json (2.90; the sample's share_network_subnet_id is gone since 2.70)", async () => {
      const net = await network();
      await activeServer(net.id);
      const res = await api("GET", SS, "2.90");
      const sample = loadSample("manila/share-servers-list-response.json");
      // FACTS §4.2: the code never sends share_network_subnet_id and share_network_subnet_ids together.
      assert.deepEqual(shapeDiff(sample, res.body, ["$.share_servers[].share_network_subnet_id"]), []);
      assert.ok(!("share_network_subnet_id" in res.body.share_servers[0]));
      const at269 = await api("GET", SS, "2.69");
      assert.ok("share_network_subnet_id" in at269.body.share_servers[0]);
      assert.ok(!("share_network_subnet_ids" in at269.body.share_servers[0]));
    });

    it("migration actions (samples out of scope): 404 without the experimental header", async () => {
      const net = await network();
      const id = await activeServer(net.id);
      for (const name of ["check-compatibility", "start", "complete", "cancel", "get-progress"]) {
        const body = loadSample(`manila/share-server-migration-${name}-request.json`);
        const res = await api("POST", `${SS}/${id}/action`, "2.57", body);
        assert.equal(res.status, 404, name);
      }
      const below = await client.call("admin", "POST", `${SS}/${id}/action`, {
        mv: "2.56",
        body: { migration_cancel: null },
        headers: { "X-OpenStack-Manila-API-Experimental": "True" },
      });
      assert.equal(below.status, 404);
    });
  });
});
