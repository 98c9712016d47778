// provider/resources: the registry and the wrapper every provider gets.
import { strict as assert } from "assert";
import * as pulumiLog from "@pulumi/pulumi/log";
import { getStackConfig, log, setLogger, setStackConfig } from "../../provider/openstack";
import {
  dropUndefined,
  outputDescriptionFor,
  providerFor,
  registerImplementation,
  ResourceImplementation,
  resourceKinds,
} from "../../provider/resources";

function implementation(overrides: Partial<ResourceImplementation> = {}): ResourceImplementation {
  return {
    check: async (_olds, news) => ({ inputs: news }),
    diff: async () => ({}),
    create: async () => ({ id: "x", outs: {} }),
    read: async (id, props) => ({ id, props }),
    delete: async () => undefined,
    ...overrides,
  };
}

describe("the provider registry", () => {
  it("names the four resource kinds of the public contract", () => {
    assert.deepEqual(resourceKinds, [
      "ServerShareAttachment",
      "VolumeAttachment",
      "BlockStorageAttachment",
      "ShareServer",
    ]);
  });

  it("refuses an unknown kind, naming the kinds it knows", () => {
    assert.throws(
      () => providerFor("Nope"),
      /unknown resource kind "Nope" \(this version knows ServerShareAttachment, /,
    );
  });

  it("gives a kind's output description, {} when it declares none, and the registry's error otherwise", () => {
    const outputs = { adminOnly: ["uuid"], secret: ["connectionInfo"], volatile: ["updatedAt"] };
    registerImplementation("UnitOutputs", implementation({ outputs }));
    registerImplementation("UnitNoOutputs", implementation());
    assert.deepEqual(outputDescriptionFor("UnitOutputs"), outputs);
    assert.deepEqual(outputDescriptionFor("UnitNoOutputs"), {});
    assert.throws(() => outputDescriptionFor("Nope"), /unknown resource kind "Nope"/);
  });

  it("refuses to register a kind twice", () => {
    registerImplementation("UnitTwice", implementation());
    assert.throws(() => registerImplementation("UnitTwice", implementation()), /already registered/);
  });

  it("wraps a registered implementation: configure sets the core's stack config, then passes through", () => {
    let seen: unknown;
    registerImplementation(
      "UnitConfigure",
      implementation({ configure: (req) => (seen = req.config.get("openstack:region")) }),
    );
    const values: Record<string, string> = { "openstack:region": "RegionTwo", "openstack:password": "pw" };
    const config = { get: (key: string) => values[key], require: (key: string) => values[key] };
    providerFor("UnitConfigure").configure({ config });
    assert.equal(seen, "RegionTwo");
    assert.deepEqual(getStackConfig(), { region: "RegionTwo", password: "pw" });
    setStackConfig(undefined);
    setLogger(undefined);
  });

  it("configure points the core's log at Pulumi's log, secrets of the stack config redacted", () => {
    registerImplementation("UnitLog", implementation());
    const logged: string[] = [];
    const original = { ...pulumiLog };
    const stubs = pulumiLog as unknown as Record<string, (message: string) => Promise<void>>;
    for (const level of ["debug", "info", "warn"]) {
      stubs[level] = async (message) => void logged.push(`${level}: ${message}`);
    }
    try {
      const values: Record<string, string> = { "openstack:password": "unit-log-secret" };
      providerFor("UnitLog").configure({
        config: { get: (key) => values[key], require: (key) => values[key] },
      });
      log.debug("d");
      log.info("sent unit-log-secret");
      log.warn("w");
    } finally {
      Object.assign(pulumiLog, original);
      setLogger(undefined);
      setStackConfig(undefined);
    }
    assert.deepEqual(logged, ["debug: d", "info: sent ***", "warn: w"]);
  });

  it("wraps outputs and init-failed error properties so no undefined reaches the host", async () => {
    registerImplementation(
      "UnitUndefined",
      implementation({
        create: async (inputs) => {
          if (inputs.fail)
            throw Object.assign(new Error("half"), { id: "i", properties: { a: undefined, b: 1 } });
          return { id: "i", outs: { a: undefined, b: [undefined, { c: undefined }] } };
        },
        read: async (id) => ({ id, props: { a: undefined }, inputs: { b: undefined } }),
        update: async () => ({ outs: { a: undefined } }),
      }),
    );
    const provider = providerFor("UnitUndefined");
    assert.deepEqual(await provider.create({}), { id: "i", outs: { b: [null, {}] } });
    assert.deepEqual(await provider.read("i", {}), { id: "i", props: {}, inputs: {} });
    assert.deepEqual(await provider.update("i", {}, {}), { outs: {} });
    await assert.rejects(provider.create({ fail: true }), (error: any) => {
      assert.deepEqual(error.properties, { b: 1 });
      return true;
    });
  });

  it("an implementation without update fails an update clearly", async () => {
    registerImplementation("UnitNoUpdate", implementation());
    await assert.rejects(
      providerFor("UnitNoUpdate").update("id-1", {}, {}),
      /UnitNoUpdate id-1: cannot be updated in place/,
    );
  });
});

describe("dropUndefined", () => {
  it("removes undefined keys deeply, turns undefined array items into null, keeps everything else", () => {
    assert.deepEqual(
      dropUndefined({ a: undefined, b: null, c: [undefined, 0, ""], d: { e: undefined, f: false } }),
      {
        b: null,
        c: [null, 0, ""],
        d: { f: false },
      },
    );
    assert.equal(dropUndefined(undefined), undefined);
  });
});
