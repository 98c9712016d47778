// The real `__provider` texts in Pulumi's own dynamic-provider host, driven over gRPC as the engine drives
// it. The probe kind (tests/support/probeProvider.ts) stands in for a resource implementation, to show
// that every call reaches the implementation through the shim and comes back as the engine needs it.
import { strict as assert } from "assert";
import { createRequire } from "module";
import { HostError, ProviderHost, secretValue, UNKNOWN, urnOf } from "../support/providerHost";
import { fingerprint, probeKind, probeProviderModule } from "../support/probeProvider";
import { providerTextOf, sdkProviderTexts } from "../support/serializedProvider";

const stackConfig = {
  "openstack:authUrl": "http://127.0.0.1:5000/v3",
  "openstack:password": secretValue("s3cret-password"),
  "test-project:setting": "on",
};

/** Whether this checkout's registry has a provider for a kind (the host loads the same dist/). */
function isImplemented(kind: string): boolean {
  const registry = createRequire(process.cwd() + "/")("pulumi-openstack-storage/provider/resources");
  try {
    registry.providerFor(kind);
    return true;
  } catch {
    return false;
  }
}

describe("Pulumi's provider host running the real __provider", () => {
  let host: ProviderHost;
  let probe: string;
  const urn = urnOf(probeKind, "probe");

  before(async () => {
    [host, probe] = await Promise.all([
      ProviderHost.start({ preload: [probeProviderModule] }),
      providerTextOf(probeKind),
    ]);
    await host.configure(stackConfig);
  });

  after(() => host?.stop());

  it("configures the implementation once, with secrets unwrapped, before concurrent first calls", async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => host.create(urn, { __provider: probe, n })));
    for (const { properties } of results) {
      assert.deepEqual(properties.configured, {
        password: fingerprint("s3cret-password"),
        authUrl: "http://127.0.0.1:5000/v3",
        projectSetting: "on",
      });
      assert.equal(properties.configureCalls, 1);
      // The wrapper handed the stack config to the client core, where credentials are resolved from.
      assert.deepEqual(properties.coreStackConfig, {
        authUrl: "http://127.0.0.1:5000/v3",
        password: fingerprint("s3cret-password"),
      });
    }
  });

  it("check: passes olds and news, returns the inputs without undefined, keeps __provider", async () => {
    const { inputs, failures } = await host.check(urn, { value: "a" }, { __provider: probe, value: "b" });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, { __provider: probe, value: "b", checkedOlds: { value: "a" } });
  });

  it("check: returns the implementation's failures with property and reason", async () => {
    const { failures } = await host.check(urn, {}, { __provider: probe, failCheck: "must be a UUID" });
    assert.deepEqual(failures, [{ property: "failCheck", reason: "must be a UUID" }]);
  });

  it("check and diff in a preview: the unknown sentinel reaches the implementation", async () => {
    const { inputs } = await host.check(urn, {}, { __provider: probe, value: UNKNOWN });
    assert.equal(inputs.value, UNKNOWN);
    const diff = await host.diff(urn, "probe-1", { value: "a" }, { __provider: probe, value: UNKNOWN });
    assert.deepEqual(diff, { changes: "some", replaces: ["value"], deleteBeforeReplace: false });
  });

  it("diff: changes, replaces and deleteBeforeReplace reach the engine", async () => {
    const olds = { __provider: probe, replaceMe: "a", value: 1 };
    assert.deepEqual(await host.diff(urn, "probe-1", olds, olds), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const news = { ...olds, replaceMe: "b", deleteBeforeReplace: true };
    assert.deepEqual(await host.diff(urn, "probe-1", olds, news), {
      changes: "some",
      replaces: ["replaceMe"],
      deleteBeforeReplace: true,
    });
  });

  it("create: returns id and outputs with undefined dropped (in objects) or null (in arrays), plus __provider", async () => {
    const { id, properties } = await host.create(urn, { __provider: probe, value: "v" });
    assert.equal(id, "probe-1");
    assert.equal(properties.__provider, probe);
    assert.equal(properties.value, "v");
    assert.ok(!("notSet" in properties));
    assert.deepEqual(properties.list, [1, null, {}]);
  });

  it("create: a provider error comes back with its message", async () => {
    await assert.rejects(
      host.create(urn, { __provider: probe, fail: "quota exceeded" }),
      (error: HostError) => {
        assert.equal(error.message, "probe: quota exceeded");
        assert.equal(error.initFailed, undefined);
        return true;
      },
    );
  });

  it("create: an error carrying id becomes ErrorResourceInitFailed with id, outputs and reasons", async () => {
    await assert.rejects(
      host.create(urn, { __provider: probe, failAfterCreate: "server did not restart" }),
      (error: HostError) => {
        assert.equal(error.message, "probe: server did not restart");
        assert.deepEqual(error.initFailed, {
          id: "probe-partial",
          properties: { __provider: probe, failAfterCreate: "server did not restart", half: true },
          reasons: ["the object exists but did not become ready"],
        });
        return true;
      },
    );
  });

  it("read: refresh returns the implementation's outputs; an object reported gone comes back without id", async () => {
    const refreshed = await host.read(urn, "probe-1", { __provider: probe, readCount: 1 });
    assert.equal(refreshed.id, "probe-1");
    assert.deepEqual(refreshed.properties, { __provider: probe, readCount: 2 });
    const gone = await host.read(urn, "probe-gone", { __provider: probe });
    assert.equal(gone.id, "");
  });

  it("update: passes olds and news, returns the new outputs", async () => {
    const { properties } = await host.update(
      urn,
      "probe-1",
      { value: "a" },
      { __provider: probe, value: "b" },
    );
    assert.deepEqual(properties, { __provider: probe, value: "b", previousValue: "a" });
  });

  it("delete: succeeds, or fails with the provider's message", async () => {
    await host.delete(urn, "probe-1", { __provider: probe });
    await assert.rejects(
      host.delete(urn, "probe-1", { __provider: probe, failDelete: "busy" }),
      /probe: busy/,
    );
  });

  it("a kind this version does not know fails with a clear error", async () => {
    const text = await providerTextOf("NoSuchKind");
    await assert.rejects(
      host.check(urnOf("NoSuchKind", "x"), {}, { __provider: text }),
      /unknown resource kind "NoSuchKind"/,
    );
  });

  it("loads the __provider of every SDK class and reaches the provider registered for its kind", async () => {
    for (const [kind, text] of Object.entries(await sdkProviderTexts())) {
      const call = host.check(urnOf(kind, "x"), {}, { __provider: text });
      if (isImplemented(kind)) {
        // Empty inputs: a real provider must report what is missing.
        assert.notDeepEqual((await call).failures, [], kind);
      } else {
        await assert.rejects(call, new RegExp(`the ${kind} provider is not implemented yet`));
      }
    }
    assert.doesNotMatch(host.stderr, /Cannot find module/);
  });
});
