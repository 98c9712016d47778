// The bad-input table: 56 malformed inputs across the four resource kinds. Each must be a check failure that names
// the property, with no API call at all: the credentials (OS_* in this process, stack config in Pulumi's
// provider host) point at a simulator, whose request log must stay empty. Each row is a valid input set with
// one thing wrong, so the failure is attributable to it; the valid sets themselves pass.
import { strict as assert } from "assert";
import { providerFor, resourceKinds, type ResourceKind } from "../../provider/resources";
import { Conformance, startConformance } from "../support/conformance";
import { SimulatedCloud } from "../support/simulatedCloud";

const SERVER = "7b2a6c8e-1f3d-4e5a-9b0c-2d4e6f8a0b1c";
const SHARE = "3c5e7a9b-2d4f-4a6c-8e0b-1f3d5b7d9e2a";
const VOLUME = "5e7a9c1b-3d5f-4b7d-9f1c-2e4a6c8e0a3b";

const NETWORK = "9a1b3c5d-7e9f-4a1b-8c3d-5e7f9a1b3c5d";

/** The smallest valid inputs of each kind (ShareServer: adopting one). */
const VALID: Record<ResourceKind, Record<string, unknown>> = {
  ServerShareAttachment: { serverId: SERVER, shareId: SHARE },
  VolumeAttachment: { serverId: SERVER, volumeId: VOLUME },
  BlockStorageAttachment: { volumeId: VOLUME },
  ShareServer: { shareServerId: SERVER },
};
/** A change to the ShareServer row base: manage a backend server instead of adopting one. */
const MANAGE = {
  shareServerId: undefined,
  host: "ostest@alpha",
  identifier: "srv-1",
  shareNetworkId: NETWORK,
};

interface Row {
  kind: ResourceKind;
  /** What is wrong, for the test's name. */
  what: string;
  /** Changes to the valid inputs; `undefined` removes an input. */
  change: Record<string, unknown>;
  /** The property the failure must name. */
  property: string;
  /** What the reason must say. */
  reason: RegExp;
}

const row = (kind: Row["kind"], what: string, change: Row["change"], property: string, reason: RegExp) => ({
  kind,
  what,
  change,
  property,
  reason,
});

const TABLE: Row[] = [
  // ServerShareAttachment
  row("ServerShareAttachment", "serverId missing", { serverId: undefined }, "serverId", /required/),
  row("ServerShareAttachment", "serverId empty", { serverId: "" }, "serverId", /required/),
  row("ServerShareAttachment", "serverId not a UUID", { serverId: "web-1" }, "serverId", /UUID/),
  row("ServerShareAttachment", "serverId a number", { serverId: 42 }, "serverId", /UUID/),
  row("ServerShareAttachment", "shareId missing", { shareId: undefined }, "shareId", /required/),
  row("ServerShareAttachment", "shareId truncated", { shareId: SHARE.slice(0, 30) }, "shareId", /UUID/),
  row("ServerShareAttachment", "tag empty", { tag: "" }, "tag", /1-48 characters/),
  row("ServerShareAttachment", "tag of 49 characters", { tag: "t".repeat(49) }, "tag", /1-48 characters/),
  row("ServerShareAttachment", "tag with a space", { tag: "my share" }, "tag", /letters, digits and hyphens/),
  row("ServerShareAttachment", "tag a number", { tag: 7 }, "tag", /must be a string/),
  row(
    "ServerShareAttachment",
    "powerPolicy unknown",
    { powerPolicy: "stop" },
    "powerPolicy",
    /stop-and-restore/,
  ),
  row("ServerShareAttachment", "timeoutSeconds zero", { timeoutSeconds: 0 }, "timeoutSeconds", /from 1/),
  row(
    "ServerShareAttachment",
    "timeoutSeconds fractional",
    { timeoutSeconds: 1.5 },
    "timeoutSeconds",
    /whole/,
  ),
  row(
    "ServerShareAttachment",
    "timeoutSeconds a string",
    { timeoutSeconds: "600" },
    "timeoutSeconds",
    /whole/,
  ),
  row("ServerShareAttachment", "cloud empty", { cloud: "" }, "cloud", /non-empty string/),
  row("ServerShareAttachment", "region a number", { region: 3 }, "region", /non-empty string/),
  // VolumeAttachment
  row("VolumeAttachment", "volumeId missing", { volumeId: undefined }, "volumeId", /required/),
  row("VolumeAttachment", "volumeId not a UUID", { volumeId: "vol-1" }, "volumeId", /UUID/),
  row("VolumeAttachment", "serverId null", { serverId: null }, "serverId", /required/),
  row("VolumeAttachment", "device without /dev/", { device: "vdb" }, "device", /device path/),
  row("VolumeAttachment", "device /dev/ alone", { device: "/dev/" }, "device", /device path/),
  row("VolumeAttachment", "tag with a slash", { tag: "a/b" }, "tag", /1-60 characters/),
  row("VolumeAttachment", "tag of 61 characters", { tag: "t".repeat(61) }, "tag", /1-60 characters/),
  row(
    "VolumeAttachment",
    "deleteOnTermination a string",
    { deleteOnTermination: "yes" },
    "deleteOnTermination",
    /true or false/,
  ),
  row(
    "VolumeAttachment",
    "timeoutSeconds a string",
    { timeoutSeconds: "10" },
    "timeoutSeconds",
    /positive number/,
  ),
  row("VolumeAttachment", "region empty", { region: "" }, "region", /non-empty string/),
  row("VolumeAttachment", "cloud a number", { cloud: 5 }, "cloud", /non-empty string/),
  row(
    "VolumeAttachment",
    "an input in snake case",
    { volume_id: VOLUME },
    "volume_id",
    /no input "volume_id"/,
  ),
  // BlockStorageAttachment
  row("BlockStorageAttachment", "volumeId missing", { volumeId: undefined }, "volumeId", /required/),
  row("BlockStorageAttachment", "volumeId not a UUID", { volumeId: "abc" }, "volumeId", /UUID/),
  row("BlockStorageAttachment", "instanceId a server name", { instanceId: "web-1" }, "instanceId", /UUID/),
  row(
    "BlockStorageAttachment",
    "connector a string",
    { connector: "iqn.2004-10.com:host" },
    "connector",
    /object/,
  ),
  row("BlockStorageAttachment", "connector empty", { connector: {} }, "connector", /at least one property/),
  row("BlockStorageAttachment", "connector a list", { connector: ["host"] }, "connector", /object/),
  row("BlockStorageAttachment", "mode unknown", { mode: "rwx" }, "mode", /"rw", "ro"/),
  row("BlockStorageAttachment", "complete a string", { complete: "true" }, "complete", /true or false/),
  row(
    "BlockStorageAttachment",
    "complete without a connector",
    { complete: true },
    "complete",
    /needs a connector/,
  ),
  row(
    "BlockStorageAttachment",
    "timeoutSeconds negative",
    { timeoutSeconds: -1 },
    "timeoutSeconds",
    /positive/,
  ),
  row(
    "BlockStorageAttachment",
    "instanceId in snake case",
    { instance_uuid: SERVER },
    "instance_uuid",
    /no input/,
  ),
  row("BlockStorageAttachment", "region a list", { region: ["RegionOne"] }, "region", /non-empty string/),
  // ShareServer
  row("ShareServer", "shareServerId a name", { shareServerId: "srv-1" }, "shareServerId", /UUID/),
  row(
    "ShareServer",
    "adopt and manage at once",
    { host: "ostest@alpha" },
    "shareServerId",
    /cannot be combined/,
  ),
  row(
    "ShareServer",
    "manage without identifier",
    { ...MANAGE, identifier: undefined },
    "identifier",
    /required/,
  ),
  row(
    "ShareServer",
    "manage without network",
    { ...MANAGE, shareNetworkId: undefined },
    "shareNetworkId",
    /required/,
  ),
  row("ShareServer", "host without backend", { ...MANAGE, host: "ostest" }, "host", /host@backend/),
  row("ShareServer", "host with a pool", { ...MANAGE, host: "ostest@alpha#pool" }, "host", /without #pool/),
  row("ShareServer", "identifier empty", { ...MANAGE, identifier: "" }, "identifier", /non-empty string/),
  row(
    "ShareServer",
    "shareNetworkId a name",
    { ...MANAGE, shareNetworkId: "net-1" },
    "shareNetworkId",
    /UUID/,
  ),
  row(
    "ShareServer",
    "subnet a name",
    { ...MANAGE, shareNetworkSubnetId: "sub" },
    "shareNetworkSubnetId",
    /UUID/,
  ),
  row(
    "ShareServer",
    "driverOptions a string",
    { ...MANAGE, driverOptions: "a=b" },
    "driverOptions",
    /map of strings/,
  ),
  row(
    "ShareServer",
    "driverOptions a number",
    { ...MANAGE, driverOptions: { size: 1 } },
    "driverOptions",
    /map of strings/,
  ),
  row("ShareServer", "resetStatus unknown", { resetStatus: "broken" }, "resetStatus", /one of/),
  row("ShareServer", "onDelete unknown", { onDelete: "destroy" }, "onDelete", /one of/),
  row("ShareServer", "forceUnmanage a string", { forceUnmanage: "yes" }, "forceUnmanage", /true or false/),
  row("ShareServer", "timeoutSeconds zero", { timeoutSeconds: 0 }, "timeoutSeconds", /positive/),
  row(
    "ShareServer",
    "an input in snake case",
    { share_server_id: SERVER },
    "share_server_id",
    /not an input/,
  ),
];

function inputsOf(kind: ResourceKind, change: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...VALID[kind], ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete inputs[key];
  return inputs;
}

function assertNamesProperty(r: Row, failures: { property: string; reason: string }[]) {
  assert.ok(failures.length > 0, `${r.kind} accepted ${r.what}`);
  for (const failure of failures) {
    assert.equal(failure.property, r.property, `${r.kind}, ${r.what}: ${JSON.stringify(failures)}`);
    assert.match(failure.reason, r.reason);
  }
}

describe("bad inputs: a check failure naming the property, and no API call", () => {
  it("has at least 40 rows, across every resource kind", () => {
    assert.ok(TABLE.length >= 40, `${TABLE.length} rows`);
    assert.deepEqual([...new Set(TABLE.map((r) => r.kind))].sort(), [...resourceKinds].sort());
  });

  describe("in the provider (credentials from OS_*)", () => {
    let cloud: SimulatedCloud;
    before(async () => (cloud = await SimulatedCloud.start()));
    after(() => cloud?.close());

    it("accepts the valid inputs each row starts from", async () => {
      for (const [kind, inputs] of Object.entries(VALID)) {
        assert.deepEqual((await providerFor(kind).check({}, inputs)).failures, [], kind);
      }
      const manage = inputsOf("ShareServer", MANAGE);
      assert.deepEqual(
        (await providerFor("ShareServer").check({}, manage)).failures,
        [],
        "ShareServer (manage)",
      );
      assert.deepEqual(cloud.requests(), []);
    });

    for (const r of TABLE) {
      it(`${r.kind}: ${r.what}`, async () => {
        cloud.clearRequests();
        const { failures } = await providerFor(r.kind).check({}, inputsOf(r.kind, r.change));
        assertNamesProperty(r, failures ?? []);
        assert.deepEqual(cloud.requests(), [], "API calls were made");
      });
    }
  });

  describe("in Pulumi's provider host (credentials from the stack config)", () => {
    let c: Conformance;
    before(async () => (c = await startConformance()));
    after(() => c?.stop());

    it("fails every row, with no API call", async () => {
      c.sim.world.requestLog.clear();
      for (const r of TABLE) {
        const { failures } = await c.host.check(
          c.urn(r.kind, "bad"),
          {},
          c.inputs(r.kind, inputsOf(r.kind, r.change)),
        );
        assertNamesProperty(r, failures);
      }
      assert.deepEqual(c.sim.world.requestLog.records, [], "API calls were made");
    });
  });
});
