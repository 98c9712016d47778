// getShareServers / getShareServer (issues 6 and 11) against the simulator: filters, empty results, backend
// details, errors (bad arguments with no API call, unknown id, non-admin, old cloud), the Output forms, and
// a plain Node script (a pipeline) that uses the built package with OS_* only.
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { osEnvironment } from "../../simulator/core/app";
import {
  getShareServer,
  getShareServerOutput,
  getShareServers,
  getShareServersOutput,
  LookupArgumentError,
} from "../../sdk";
import { openstackProgramConfig, outputValue, setProgramConfig } from "../support/environment";
import { clearClientCaches, HOST, ManilaFixture, NO_UNMANAGE_HOST } from "../support/manilaFixture";

describe("lookups: share servers", () => {
  let fx: ManilaFixture;
  let admin: { id: string; subnetId: string };
  let demoNetworkId: string;
  let servers: { a1: string; a2: string; other: string; demo: string };

  before(async () => {
    fx = await ManilaFixture.start();
    clearClientCaches();
    admin = await fx.shareNetwork("admin-net");
    const otherNet = await fx.shareNetwork("other-net");
    const demoNet = await fx.client.call("demo", "POST", "/share/v2/share-networks", {
      mv: "2.90",
      body: { share_network: { name: "demo-net" } },
    });
    assert.equal(demoNet.status, 200);
    demoNetworkId = demoNet.body.share_network.id;
    servers = {
      a1: await fx.existingServer(admin.id),
      a2: await fx.existingServer(admin.id, NO_UNMANAGE_HOST),
      other: await fx.existingServer(otherNet.id),
      demo: await fx.existingServer(demoNetworkId),
    };
    await fx.patchServer(servers.a2, { status: "error" });
  });
  after(async () => {
    setProgramConfig({});
    await fx.close();
  });
  beforeEach(() => {
    fx.setShareMaxMicroversion("2.99");
    setProgramConfig(openstackProgramConfig(fx.stackConfig("admin")), ["openstack:password"]);
  });

  const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();

  describe("getShareServers", () => {
    it("lists every share server with no filter, typed and camelCased", async () => {
      const all = await getShareServers();
      assert.deepEqual(ids(all), Object.values(servers).sort());
      const a1 = all.find((s) => s.id === servers.a1)!;
      assert.deepEqual(Object.keys(a1).sort(), [
        "encryptionKeyRef",
        "host",
        "id",
        "identifier",
        "isAutoDeletable",
        "networkAllocationUpdateSupport",
        "projectId",
        "securityServiceUpdateSupport",
        "shareNetworkId",
        "shareNetworkName",
        "shareNetworkSubnetIds",
        "sourceShareServerId",
        "status",
        "taskState",
        "updatedAt",
      ]);
      assert.equal(a1.host, HOST);
      assert.equal(a1.shareNetworkName, "admin-net");
      assert.deepEqual(a1.shareNetworkSubnetIds, [admin.subnetId]);
      assert.equal(a1.projectId, fx.projectOf("admin"));
    });

    it("filters by host, status, shareNetworkId and projectId (and their combination)", async () => {
      assert.deepEqual(ids(await getShareServers({ host: NO_UNMANAGE_HOST })), [servers.a2]);
      assert.deepEqual(ids(await getShareServers({ status: "error" })), [servers.a2]);
      assert.deepEqual(
        ids(await getShareServers({ shareNetworkId: admin.id })),
        [servers.a1, servers.a2].sort(),
      );
      assert.deepEqual(ids(await getShareServers({ projectId: fx.projectOf("demo") })), [servers.demo]);
      assert.deepEqual(ids(await getShareServers({ shareNetworkId: admin.id, status: "active" })), [
        servers.a1,
      ]);
    });

    it("returns [] when nothing matches", async () => {
      assert.deepEqual(await getShareServers({ host: "nohost@none" }), []);
      assert.deepEqual(await getShareServers({ status: "manage_error" }), []);
    });

    it("rejects malformed filters before any API call, naming them", async () => {
      const rec = fx.recorder();
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { host: "simhost" },
          /getShareServers: host must be a share service host in the form host@backend, got "simhost"/,
        ],
        [
          { status: "available" },
          /getShareServers: status must be one of active, error, .*, got "available"/,
        ],
        [{ shareNetworkId: "" }, /getShareServers: shareNetworkId must be a non-empty string/],
        [{ projectId: 5 }, /getShareServers: projectId must be a non-empty string, got 5/],
      ];
      for (const [args, message] of cases) {
        await assert.rejects(getShareServers(args as never), (err: Error) => {
          assert.ok(err instanceof LookupArgumentError);
          assert.match(err.message, message);
          return true;
        });
      }
      assert.deepEqual(rec.all(), []);
    });

    it("reports the fields of an older cloud's microversion (2.48: no identifier, no subnets)", async () => {
      fx.setShareMaxMicroversion("2.48");
      const [server] = await getShareServers({ host: NO_UNMANAGE_HOST });
      assert.equal(server.id, servers.a2);
      assert.equal(server.identifier, undefined);
      assert.equal(server.shareNetworkSubnetIds, undefined);
    });

    it("non-admin credentials: says the admin role is needed", async () => {
      setProgramConfig(openstackProgramConfig(fx.stackConfig("demo")));
      await assert.rejects(
        getShareServers(),
        /403 forbidden: Access was denied to this resource.*This needs the admin role/,
      );
    });
  });

  describe("getShareServer", () => {
    it("returns one server with its backend details and creation time", async () => {
      const server = await getShareServer({ shareServerId: servers.a1 });
      assert.equal(server.id, servers.a1);
      assert.equal(server.status, "active");
      assert.match(server.backendDetails.service_ip, /^203\.0\.113\.\d+$/);
      assert.match(server.createdAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    });

    it("an unknown id: a clear error naming it; a missing id: an argument error", async () => {
      const missing = "0e6a1b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
      await assert.rejects(
        getShareServer({ shareServerId: missing }),
        new RegExp(
          `getShareServer: Manila has no share server ${missing} \\(endpoint http://127\\.0\\.0\\.1:\\d+/share/v2`,
        ),
      );
      await assert.rejects(getShareServer({} as never), /getShareServer: shareServerId is required/);
    });

    it("non-admin credentials: says the admin role is needed", async () => {
      setProgramConfig(openstackProgramConfig(fx.stackConfig("demo")));
      await assert.rejects(getShareServer({ shareServerId: servers.a1 }), /This needs the admin role/);
    });
  });

  describe("Output forms", () => {
    it("take Inputs and resolve to the lookup's result", async () => {
      const list = getShareServersOutput({ shareNetworkId: pulumi.output(admin.id), status: "active" });
      assert.deepEqual(ids(await outputValue(list)), [servers.a1]);
      const one = getShareServerOutput({ shareServerId: Promise.resolve(servers.demo) });
      assert.equal((await outputValue(one)).shareNetworkId, demoNetworkId);
    });
  });

  it("runs from a plain Node script (a pipeline) with only OS_* set, from the built package", async () => {
    const script = `
      const { getShareServers } = require("pulumi-openstack-storage");
      getShareServers({ projectId: process.argv[1] }).then(
        (list) => console.log(JSON.stringify(list.map((s) => s.id))),
        (err) => { console.error(err.message); process.exit(1); },
      );`;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...osEnvironment(fx.sim, "admin") };
    // Asynchronously: the simulator answering the script runs in this process.
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["-e", script, fx.projectOf("demo")],
        { cwd: path.resolve(__dirname, "..", ".."), env, timeout: 50_000 },
        (err, out, stderr) =>
          err
            ? reject(new Error(`${err.message} (signal ${err.signal ?? "none"})\n${stderr}`))
            : resolve(out),
      ),
    );
    assert.deepEqual(JSON.parse(stdout), [servers.demo]);
  }).timeout(60_000); // loading @pulumi/pulumi in a fresh process takes seconds on a loaded machine
});
