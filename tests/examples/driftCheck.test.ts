// examples/drift-check: the program under Pulumi's mocks against the simulator (attachments of objects that
// exist already, given by id).
import { strict as assert } from "assert";
import { Counterparts, COUNTERPART_TYPES } from "../../demo/counterparts";
import { osEnvironment, RunningSimulator, startSimulator } from "../../simulator/core/app";
import { ExampleRun, runExample } from "../support/examples";

const project = "openstack-storage-drift-check";

describe("examples/drift-check", function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let existing: Counterparts;
  let ids: { server: string; volumes: string[]; share: string };
  let run: ExampleRun | undefined;

  before(async () => {
    sim = await startSimulator({ transitions: { default: 5 } });
    // Objects another stack made: a server, two volumes, a share.
    existing = new Counterparts(osEnvironment(sim));
    const create = (type: string, name: string, inputs: Record<string, unknown>) =>
      existing.create(type, name, inputs).then((c) => c.id);
    const network = await create(COUNTERPART_TYPES.shareNetwork, "net", {
      neutronNetId: "5f1c7a52-7a4e-4a59-9d5f-0b9c8f2a1e11",
      neutronSubnetId: "9a0b6c1d-2e3f-4a5b-8c7d-6e5f4a3b2c1d",
    });
    ids = {
      server: await create(COUNTERPART_TYPES.server, "vm", {
        imageName: "debian-12",
        flavorName: "m1.virtiofs",
      }),
      volumes: [
        await create(COUNTERPART_TYPES.volume, "a", { size: 1 }),
        await create(COUNTERPART_TYPES.volume, "b", { size: 1 }),
      ],
      share: await create(COUNTERPART_TYPES.share, "files", {
        shareProto: "NFS",
        size: 1,
        shareNetworkId: network,
      }),
    };
  });

  afterEach(async () => {
    await run?.destroy();
    run = undefined;
  });

  after(async () => {
    await existing?.deleteAll();
    await sim?.close();
  });

  it("the program attaches the given volumes and share to the given server", async () => {
    run = await runExample("drift-check", sim, project, {
      serverId: ids.server,
      volumeIds: JSON.stringify(ids.volumes),
      shareId: ids.share,
    });
    assert.deepEqual(run.resources.map((r) => [r.name, r.id]).sort(), [
      ["share", `${ids.server}/${ids.share}`],
      ["volume-0", `${ids.server}/${ids.volumes[0]}`],
      ["volume-1", `${ids.server}/${ids.volumes[1]}`],
    ]);
    // Nova picks the devices in the order the attachments reach it (the two run at once).
    assert.deepEqual([...(run.outputs.volumeDevices as string[])].sort(), ["/dev/vdb", "/dev/vdc"]);
    assert.equal(run.outputs.shareMountTag, "shared");
    assert.equal(run.outputs.shareStatus, "active");
  });
});
