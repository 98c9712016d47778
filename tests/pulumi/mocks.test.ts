// tests/support/mocks.ts: program tests run this package's resources through their real providers.
import { strict as assert } from "assert";
import { setProviderMocks } from "../support/mocks";
import { fingerprint, probeKind } from "../support/probeProvider"; // also registers the probe kind in this process
import { outputValue, TestKindResource } from "../support/serializedProvider";
import * as pulumi from "@pulumi/pulumi";

class FakeServer extends pulumi.CustomResource {
  declare readonly ip: pulumi.Output<string>;
  constructor(name: string) {
    super("openstack:compute/instance:Instance", name, { ip: undefined });
  }
}

describe("setProviderMocks (program tests)", () => {
  // setProviderMocks sets the program's config, which is process-wide.
  after(() => pulumi.runtime.setAllConfig({}));

  it("creates a resource of this package with its real provider, configured from the stack config", async () => {
    const created = await setProviderMocks({
      config: { "openstack:password": "pw", "test-project:setting": "x" },
    });
    // An output that is not an input needs its key in the props (as the SDK classes do it).
    const resource = new TestKindResource(probeKind, "p", { value: 7, configured: undefined });
    assert.equal(await outputValue(resource.value), 7);
    assert.deepEqual(await outputValue(resource.configured), {
      password: fingerprint("pw"),
      projectSetting: "x",
    });
    assert.equal(await outputValue(resource.id), "probe-1");
    assert.deepEqual(
      created.map((r) => [r.type, r.id]),
      [[`pulumi-nodejs:dynamic/openstack-storage:${probeKind}`, "probe-1"]],
    );
  });

  it("collects the providers' log lines instead of printing them", async () => {
    const created = await setProviderMocks();
    const resource = new TestKindResource(probeKind, "logs", {
      log: [
        ["info", "stopping server v1"],
        ["warn", "left stopped"],
      ],
    });
    await outputValue(resource.id);
    assert.deepEqual(created.logs, ["info: stopping server v1", "warn: left stopped"]);
  });

  it("wires outputs of other resources into ours, records dependencies, and fails a resource whose check fails", async () => {
    const created = await setProviderMocks({
      otherResource: async (args) => ({ id: "srv-1", state: { ...args.inputs, ip: "10.0.0.5" } }),
    });
    const server = new FakeServer("vm");
    const attached = new TestKindResource(probeKind, "a", { serverIp: server.ip });
    assert.equal(await outputValue(attached.serverIp), "10.0.0.5");
    const serverUrn = await outputValue(server.urn);
    assert.deepEqual(created.find((r) => r.name === "a")?.dependencies, [serverUrn]);
    assert.deepEqual(created.find((r) => r.name === "vm")?.dependencies, []);
    const invalid = new TestKindResource(probeKind, "bad", { failCheck: "not a UUID" });
    await assert.rejects(outputValue(invalid.id), /check failed: failCheck: not a UUID/);
    await assert.rejects(created.failed, /Probe bad: check failed: failCheck: not a UUID/);
  });
});
