// ServerShareAttachment in Pulumi's real provider host (the real __provider, over gRPC), configured from
// stack config with a secret password: Check (failures with no API call, preview unknowns), Diff (unknowns in
// replacing fields), Create (admin and member outputs), Read (gone), Update (no API call), Delete, and a
// create that fails after the attach (init-failed: the engine records the attachment).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cloudsYaml } from "../../../simulator/core/app";
import { Conformance, startConformance } from "../../support/conformance";
import { HostError, UNKNOWN } from "../../support/providerHost";
import { SimulatorClient } from "../../support/simulatorClient";
import { SERVERS, createServer, createShare, serverOf } from "../../support/simulatorObjects";

describe("ServerShareAttachment in Pulumi's provider host", function () {
  this.timeout(60_000);
  let c: Conformance;
  let client: SimulatorClient;
  const cloudsDir = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-clouds-"));
  const cloudsFile = path.join(cloudsDir, "clouds.yaml");
  const urn = () => c.urn("ServerShareAttachment", "data");
  const inputs = (props: Record<string, unknown>) => c.inputs("ServerShareAttachment", props);
  const apiCalls = () => c.sim.world.requestLog.records.length;

  before(async () => {
    // The stack config holds the admin's credentials; `cloud: "simulator-demo"` (clouds.yaml) is a member.
    c = await startConformance({
      simulator: { transitions: { default: 5 } },
      host: { env: { OS_CLIENT_CONFIG_FILE: cloudsFile } },
    });
    fs.writeFileSync(cloudsFile, cloudsYaml(c.sim));
    client = new SimulatorClient(c.sim);
  });
  after(async () => {
    await c?.stop();
    fs.rmSync(cloudsDir, { recursive: true, force: true });
  });

  it("check: each malformed input is a failure naming it, with no API call", async () => {
    const before = apiCalls();
    const { failures } = await c.host.check(
      urn(),
      {},
      inputs({ serverId: "web-1", tag: "x".repeat(49), powerPolicy: "always", timeoutSeconds: -5 }),
    );
    assert.deepEqual(failures.map((f) => f.property).sort(), [
      "powerPolicy",
      "serverId",
      "shareId",
      "tag",
      "timeoutSeconds",
    ]);
    assert.match(failures.find((f) => f.property === "tag")!.reason, /1-48 characters/);
    assert.equal(apiCalls(), before, "check called the cloud");
  });

  it("check in a preview: unknown values pass and come back as given", async () => {
    const news = inputs({ serverId: UNKNOWN, shareId: UNKNOWN, tag: UNKNOWN, timeoutSeconds: UNKNOWN });
    const { inputs: checked, failures } = await c.host.check(urn(), {}, news);
    assert.deepEqual(failures, []);
    assert.deepEqual(checked, news);
  });

  it("diff: unknown in a replacing field replaces (delete first); powerPolicy changes in place", async () => {
    const olds = inputs({ serverId: "s", shareId: "h", status: "active", mountTag: "h" });
    assert.deepEqual(await c.host.diff(urn(), "s/h", olds, inputs({ serverId: UNKNOWN, shareId: "h" })), {
      changes: "some",
      replaces: ["serverId"],
      deleteBeforeReplace: true,
    });
    assert.deepEqual(
      await c.host.diff(
        urn(),
        "s/h",
        olds,
        inputs({ serverId: "s", shareId: "h", powerPolicy: "require-stopped" }),
      ),
      { changes: "some", replaces: [], deleteBeforeReplace: false },
    );
    assert.deepEqual(await c.host.diff(urn(), "s/h", olds, inputs({ serverId: "s", shareId: "h" })), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("create, read, update, refresh-gone, delete; admin outputs vs member outputs", async () => {
    const vm = await createServer(client);
    const [one, two] = [await createShare(client), await createShare(client)];
    const password = (c.stackConfig["openstack:password"] as { value: string }).value;

    // admin (stack config): Nova shows the mapping's uuid and export location
    const admin = await c.host.create(urn(), inputs({ serverId: vm, shareId: one, tag: "data" }));
    assert.equal(admin.id, `${vm}/${one}`);
    assert.equal(admin.properties.status, "active");
    assert.equal(admin.properties.mountTag, "data");
    assert.match(String(admin.properties.uuid), /^[0-9a-f-]{36}$/);
    assert.match(String(admin.properties.exportLocation), /:\//);
    assert.equal((await serverOf(client, vm)).status, "ACTIVE");

    // member (clouds.yaml entry): no admin-only fields
    const member = await c.host.create(
      urn(),
      inputs({ serverId: vm, shareId: two, cloud: "simulator-demo" }),
    );
    assert.equal(member.properties.mountTag, two);
    assert.equal("uuid" in member.properties, false);
    assert.equal("exportLocation" in member.properties, false);
    assert.equal(JSON.stringify([admin, member]).includes(password), false);

    const read = await c.host.read(urn(), admin.id, admin.properties);
    assert.equal(read.id, admin.id);
    assert.equal(read.properties.status, "active");
    assert.deepEqual(read.inputs, inputs({ serverId: vm, shareId: one, tag: "data" }));

    const before = apiCalls();
    const updated = await c.host.update(
      urn(),
      admin.id,
      admin.properties,
      inputs({ serverId: vm, shareId: one, tag: "data", timeoutSeconds: 120 }),
    );
    assert.equal(apiCalls(), before, "update called the cloud");
    assert.equal(updated.properties.timeoutSeconds, 120);

    await c.host.delete(urn(), admin.id, updated.properties);
    const gone = await c.host.read(urn(), admin.id, updated.properties);
    assert.equal(gone.id, "", "refresh drops a detached attachment");
    await c.host.delete(urn(), member.id, member.properties);
    assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    assert.ok(!c.host.stderr.includes(password));
  });

  it("attached but not restarted: init-failed, so the engine records the attachment", async () => {
    const vm = await createServer(client);
    const sh = await createShare(client);
    c.sim.world.faults.add({
      method: "POST",
      path: `/servers/${vm}/action$`,
      action: "status",
      status: 500,
      skip: 1,
    });
    const err = await c.host.create(urn(), inputs({ serverId: vm, shareId: sh })).catch((e) => e);
    c.sim.world.faults.remove();
    assert.ok(err instanceof HostError, String(err));
    assert.equal(err.initFailed?.id, `${vm}/${sh}`);
    assert.equal(err.initFailed?.properties.mountTag, sh);
    // the provider travels with the recorded outputs, or the host could not refresh or delete it later
    assert.equal(err.initFailed?.properties.__provider, c.providers.ServerShareAttachment);
    assert.match(err.message, /succeeded, but could not start server .* again/);
    // the recorded attachment's next operation (refresh) restarts the server
    await c.host.read(urn(), err.initFailed!.id, err.initFailed!.properties);
    assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    await c.host.delete(urn(), err.initFailed!.id, err.initFailed!.properties);
    assert.equal(
      (await client.call("admin", "GET", `${SERVERS}/${vm}/shares/${sh}`, { mv: "2.97" })).status,
      404,
    );
  });
});
