// ShareServer through Pulumi's real dynamic-provider host, driven over gRPC as the engine drives it, with the
// real `__provider` text of the SDK class and the simulator as the cloud: Configure with secret stack config,
// Check (failures with no API call, preview unknowns), Diff (unknowns in replacing inputs), Create (incl.
// init-failed), Read (incl. gone), Update, Delete, and the `cloud` input.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cloudsYaml } from "../../../simulator/core/app";
import { Conformance, startConformance } from "../../support/conformance";
import { HostError, ProviderHost, UNKNOWN, urnOf } from "../../support/providerHost";
import { HOST, ManilaFixture, STUCK_HOST } from "../../support/manilaFixture";

describe("ShareServer through the Pulumi provider host", function () {
  // Starting the host and serializing the SDK classes take seconds, more on a loaded machine.
  this.timeout(60_000);
  let conformance: Conformance;
  let fx: ManilaFixture;
  let host: ProviderHost;
  let provider: string;
  let net: { id: string; subnetId: string };
  let cloudsDir: string;
  const urn = urnOf("ShareServer", "server");

  before(async () => {
    cloudsDir = fs.mkdtempSync(path.join(os.tmpdir(), "share-server-clouds-"));
    const cloudsFile = path.join(cloudsDir, "clouds.yaml");
    conformance = await startConformance({
      simulator: ManilaFixture.simulatorConfig,
      host: { env: { OS_CLIENT_CONFIG_FILE: cloudsFile } }, // for the `cloud` input; no OS_* otherwise
    });
    ({ host } = conformance);
    provider = conformance.providers.ShareServer;
    fx = ManilaFixture.around(conformance.sim);
    fs.writeFileSync(cloudsFile, cloudsYaml(conformance.sim));
  });
  after(async () => {
    await conformance?.stop();
    fs.rmSync(cloudsDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fx.reset();
    net = await fx.shareNetwork();
  });

  const manage = (identifier: string, extra: Record<string, unknown> = {}) => ({
    __provider: provider,
    host: HOST,
    identifier,
    shareNetworkId: net.id,
    timeoutSeconds: 5,
    ...extra,
  });

  /** No secret in what the host returns or logs. */
  function assertNoSecret(...values: unknown[]): void {
    const password = fx.stackConfig("admin").password;
    for (const value of [...values, host.stderr]) assert.ok(!JSON.stringify(value ?? "").includes(password));
  }

  describe("Check", () => {
    it("returns the inputs as given for both ways in", async () => {
      const inputs = manage("be-1", { driverOptions: { a: "b" } });
      assert.deepEqual(await host.check(urn, {}, inputs), { inputs, failures: [] });
      const adopt = { __provider: provider, shareServerId: "7b3e9c74-9c60-4c7b-9f71-2dbea14c3033" };
      assert.deepEqual(await host.check(urn, {}, adopt), { inputs: adopt, failures: [] });
    });

    it("reports malformed inputs, each by property, with no API call", async () => {
      const rec = fx.recorder();
      const { failures } = await host.check(
        urn,
        {},
        {
          __provider: provider,
          host: "simhost#pool",
          identifier: "",
          shareNetworkId: "net-1",
          driverOptions: { a: 1 },
          resetStatus: "ok",
          onDelete: "forget",
          forceUnmanage: "true",
          timeoutSeconds: -5,
        },
      );
      assert.deepEqual(
        failures.map((f) => f.property),
        [
          "host",
          "identifier",
          "shareNetworkId",
          "driverOptions",
          "resetStatus",
          "onDelete",
          "forceUnmanage",
          "timeoutSeconds",
        ],
      );
      const both = await host.check(
        urn,
        {},
        manage("be-1", { shareServerId: "7b3e9c74-9c60-4c7b-9f71-2dbea14c3033" }),
      );
      assert.deepEqual(
        both.failures.map((f) => f.property),
        ["shareServerId"],
      );
      const none = await host.check(urn, {}, { __provider: provider });
      assert.deepEqual(
        none.failures.map((f) => f.property),
        ["host", "identifier", "shareNetworkId"],
      );
      assert.deepEqual(rec.all(), []);
    });

    it("in a preview, skips unknown values", async () => {
      const rec = fx.recorder();
      const inputs = manage("be-1", { shareNetworkId: UNKNOWN, host: UNKNOWN });
      assert.deepEqual((await host.check(urn, {}, inputs)).failures, []);
      assert.deepEqual(
        (await host.check(urn, {}, { __provider: provider, shareServerId: UNKNOWN })).failures,
        [],
      );
      assert.deepEqual(rec.all(), []);
    });
  });

  describe("Diff", () => {
    const olds = () => ({ ...manage("be-1"), status: "active", currentHost: HOST });

    it("none for the same inputs; in place for resetStatus/onDelete; replace (delete first) for the rest", async () => {
      assert.deepEqual(await host.diff(urn, "id-1", olds(), manage("be-1")), {
        changes: "none",
        replaces: [],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(
        await host.diff(urn, "id-1", olds(), manage("be-1", { resetStatus: "active", onDelete: "retain" })),
        {
          changes: "some",
          replaces: [],
          deleteBeforeReplace: false,
        },
      );
      assert.deepEqual(await host.diff(urn, "id-1", olds(), manage("be-2")), {
        changes: "some",
        replaces: ["identifier"],
        deleteBeforeReplace: true,
      });
    });

    it("an unknown value in a replacing input means replace", async () => {
      assert.deepEqual(await host.diff(urn, "id-1", olds(), manage("be-1", { shareNetworkId: UNKNOWN })), {
        changes: "some",
        replaces: ["shareNetworkId"],
        deleteBeforeReplace: true,
      });
    });
  });

  describe("Create / Read / Update / Delete", () => {
    it("manages, refreshes, resets status, sees drift, unmanages", async () => {
      await fx.backendServer("be-1", { backendDetails: { service_ip: "203.0.113.7" } });
      const inputs = manage("be-1");
      const { id, properties } = await host.create(urn, inputs);
      assert.equal(await fx.status(id), "active");
      for (const [key, value] of Object.entries(inputs)) assert.deepEqual(properties[key], value, key);
      assert.equal(properties.status, "active");
      assert.equal(properties.currentIdentifier, "be-1");
      assert.equal(properties.currentShareNetworkId, net.id);
      assert.deepEqual(properties.backendDetails, { service_ip: "203.0.113.7" });
      assert.ok(!("shareServerId" in properties) && !("onDelete" in properties));

      const read = await host.read(urn, id, properties);
      assert.equal(read.id, id);
      assert.deepEqual(read.properties, properties);

      const updated = await host.update(urn, id, properties, { ...inputs, resetStatus: "error" });
      assert.equal(updated.properties.status, "error");
      assert.equal(updated.properties.resetStatus, "error");

      await fx.patchServer(id, { status: "active" });
      const drifted = await host.read(urn, id, updated.properties);
      assert.equal(drifted.properties.status, "active");
      assert.equal(drifted.properties.resetStatus, "error");
      assert.equal(
        (await host.diff(urn, id, drifted.properties, { ...inputs, resetStatus: "error" })).changes,
        "none",
      );

      await host.delete(urn, id, drifted.properties);
      assert.equal(await fx.status(id), undefined);
      const gone = await host.read(urn, id, drifted.properties);
      assert.equal(gone.id, "");
      assertNoSecret(properties, updated, drifted);
    });

    it("adopts (no mutation) and retains on delete (no API call)", async () => {
      const existing = await fx.existingServer(net.id);
      const rec = fx.recorder();
      const { id, properties } = await host.create(urn, { __provider: provider, shareServerId: existing });
      assert.equal(id, existing);
      assert.equal(properties.currentHost, HOST);
      assert.ok(!("host" in properties));
      await host.delete(urn, id, properties);
      assert.deepEqual(rec.mutations(), []);
      assert.equal(await fx.status(existing), "active");
    });

    it("a failed manage comes back with its message; nothing is left", async () => {
      await fx.backendServer("be-bad", { onManage: "error" });
      await assert.rejects(host.create(urn, manage("be-bad")), (err: HostError) => {
        assert.match(err.message, /manage_error\. Manila's API gives no reason/);
        assert.equal(err.initFailed, undefined);
        return true;
      });
      await fx.backendServer("be-stuck", { host: STUCK_HOST });
      await assert.rejects(
        host.create(urn, manage("be-stuck", { host: STUCK_HOST, timeoutSeconds: 0.2 })),
        /still in manage_starting after 0\.2 s .*reset to manage_error.*was unmanaged/,
      );
      assert.deepEqual(await fx.serverIds(), []);
    });

    it("a failed manage whose clean-up fails: ErrorResourceInitFailed with id, outputs and reasons", async () => {
      await fx.backendServer("be-bad", { onManage: "error" });
      await fx.client.control("POST", "/faults", {
        method: "POST",
        path: "/action$",
        action: "status",
        status: 500,
      });
      await assert.rejects(host.create(urn, manage("be-bad")), (err: HostError) => {
        assert.ok(err.initFailed, err.message);
        assert.equal(err.initFailed.properties.status, "manage_error");
        assert.equal(err.initFailed.properties.identifier, "be-bad");
        assert.equal(
          err.initFailed.properties.__provider,
          provider,
          "so that the engine can delete it later",
        );
        assert.match(err.initFailed.reasons[0], /gives no reason/);
        return true;
      });
    });

    it("the cloud input wins over the stack config (a non-admin cloud: the admin role is named)", async () => {
      await fx.backendServer("be-1");
      const rec = fx.recorder();
      await assert.rejects(
        host.create(urn, manage("be-1", { cloud: "simulator-demo" })),
        /credentials from the resource's cloud input "simulator-demo".* do not have it/,
      );
      assert.deepEqual(rec.mutations(), []);
      assertNoSecret();
    });
  });
});
