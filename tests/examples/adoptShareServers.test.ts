// examples/adopt-share-servers under Pulumi's mocks against the simulator: a share server Manila made for a
// share is found by the lookup and adopted; a backend server Manila does not know is managed into it.
import { strict as assert } from "assert";
import { Counterparts, COUNTERPART_TYPES } from "../../demo/counterparts";
import { osEnvironment, RunningSimulator, startSimulator } from "../../simulator/core/app";
import { ExampleRun, runExample } from "../support/examples";

const project = "openstack-storage-adopt-share-servers";
const backendHost = "simhost@alpha";

describe("examples/adopt-share-servers (program test under mocks, against the simulator)", function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let existing: Counterparts;
  let run: ExampleRun | undefined;

  before(async () => {
    sim = await startSimulator({
      transitions: { default: 5 },
      services: { manila: { backendShareServers: [{ host: backendHost, identifier: "vserver-7" }] } },
    });
    // What was there before the stack: a share on a share network, for which Manila set up a share server.
    existing = new Counterparts(osEnvironment(sim));
    const network = await existing.create(COUNTERPART_TYPES.shareNetwork, "tenant-net", {
      neutronNetId: "5f1c7a52-7a4e-4a59-9d5f-0b9c8f2a1e11",
      neutronSubnetId: "9a0b6c1d-2e3f-4a5b-8c7d-6e5f4a3b2c1d",
    });
    await existing.create(COUNTERPART_TYPES.share, "tenant-data", {
      shareProto: "NFS",
      size: 1,
      shareNetworkId: network.id,
    });
  });

  afterEach(async () => {
    await run?.destroy();
    run = undefined;
  });

  after(async () => {
    await existing?.deleteAll();
    await sim?.close();
  });

  const shareServers = () => [...sim.world.manila.shareServers.values()];

  it("adopts the backend's active share servers without changing them, and retains them on destroy", async () => {
    const before = shareServers();
    assert.equal(before.length, 1);
    run = await runExample("adopt-share-servers", sim, project, { backendHost });

    const adopted = run.resources.filter((r) => r.name.startsWith("adopted-"));
    assert.deepEqual(
      adopted.map((r) => r.state.shareServerId),
      before.map((s) => s.id),
    );
    assert.deepEqual(run.outputs.adoptedIds, [before[0].id]);
    assert.deepEqual(run.outputs.adoptedStatuses, ["active"]);
    assert.equal(run.outputs.managedId, undefined);

    await run.destroy();
    run = undefined;
    assert.deepEqual(
      shareServers().map((s) => [s.id, s.status]),
      [[before[0].id, "active"]],
      "adopted servers are retained",
    );
  });

  it("manages a backend server into Manila, and unmanages it on destroy", async () => {
    const network = [...sim.world.manila.shareNetworks.values()][0];
    run = await runExample("adopt-share-servers", sim, project, {
      backendHost,
      manageIdentifier: "vserver-7",
      manageShareNetworkId: network.id,
    });
    const managed = run.resources.find((r) => r.name === "managed")!;
    const live = sim.world.manila.shareServers.get(managed.id!);
    assert.equal(live?.identifier, "vserver-7");
    assert.equal(live?.status, "active");
    assert.equal(run.outputs.managedId, managed.id);
    assert.equal(run.outputs.managedStatus, "active");
    // The lookup ran before the manage: only the server Manila made for the share was adopted.
    assert.equal(run.resources.filter((r) => r.name.startsWith("adopted-")).length, 1);

    await run.destroy();
    run = undefined;
    assert.equal(sim.world.manila.shareServers.has(managed.id!), false, "unmanaged");
    assert.equal(shareServers().length, 1, "the adopted one is still there");
  });
});
