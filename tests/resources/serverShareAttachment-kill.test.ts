// A provider process killed after it stopped a server: the provider runs in Pulumi's real host (a child
// process), which is killed with SIGKILL while the attach is in progress. The next operation on that server
// (here: a read of another attachment in this process, or the create run again in a new host) finishes the
// power restore recorded in the server's metadata, without starting the server while a mapping is attaching.
import { strict as assert } from "assert";
import * as os from "os";
import type { RunningSimulator } from "../../simulator/core/app";
import type { RequestRecord } from "../../simulator/core/requestLog";
import { RESTORE_NOTE_KEY } from "../../provider/compute/serverGuard";
import { serverShareAttachment } from "../../provider/resources/serverShareAttachment";
import { ProviderHost, urnOf } from "../support/providerHost";
import { sdkProviderTexts } from "../support/serializedProvider";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";
import { createServer, createShare, serverOf, useSimulatorClouds } from "../support/simulatorObjects";

describe("ServerShareAttachment: a provider process killed after the stop", function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let client: SimulatorClient;
  let clouds: { restore(): void };
  let provider: string;
  const urn = urnOf("ServerShareAttachment", "data");

  before(async () => {
    ({ sim, client } = await startTestSimulator({}, 5));
    clouds = useSimulatorClouds(sim); // the host inherits OS_CLIENT_CONFIG_FILE
    provider = (await sdkProviderTexts()).ServerShareAttachment;
  });
  after(async () => {
    clouds.restore();
    await sim.close();
  });

  const mappingsOf = (serverId: string) =>
    [...sim.world.nova.shares.mappings.values()].filter((m) => m.serverId === serverId);
  const serverStates = (serverId: string) =>
    sim.world.transitions.log.filter((t) => t.objectId === serverId).map((t) => `${t.kind}:${t.to}`);

  /**
   * Starts a create in a host and kills the host once the server is stopped and the attach was posted. The
   * attach stays held (the compute host takes its time) until the next operation has looked at the server's
   * mappings: it must see "attaching" and wait, not start the server.
   */
  async function createAndKill(serverId: string, shareId: string): Promise<number> {
    const host = await ProviderHost.start();
    await host.configure({});
    sim.world.transitions.hold("share.attach");
    const create = host
      .create(urn, { __provider: provider, serverId, shareId, cloud: "simulator-demo" })
      .catch((err) => err);
    await client.until(
      async () => mappingsOf(serverId).find((m) => m.shareId === shareId)?.status,
      (status) => status === "attaching",
      20_000,
    );
    await host.kill("SIGKILL");
    await create; // the call fails: the host is gone
    releaseAttachOnceLookedAt(serverId);
    return host.pid;
  }

  function releaseAttachOnceLookedAt(serverId: string): void {
    const from = sim.world.requestLog.records.length;
    const lists = (r: RequestRecord) => r.method === "GET" && r.path.endsWith(`/servers/${serverId}/shares`);
    const look = setInterval(() => {
      if (!sim.world.requestLog.records.slice(from).some(lists)) return;
      clearInterval(look);
      sim.world.transitions.release("share.attach");
    }, 2).unref(); // a test that fails first leaves nothing running
  }

  it("leaves the note; a read of another attachment on the server finishes the restore", async () => {
    const vm = await createServer(client);
    const [first, second] = [await createShare(client), await createShare(client)];
    const existing = await serverShareAttachment.create({
      serverId: vm,
      shareId: first,
      cloud: "simulator-demo",
    });
    assert.equal(existing.outs!.status, "active");

    const pid = await createAndKill(vm, second);
    const stopped = await serverOf(client, vm);
    assert.equal(stopped.status, "SHUTOFF");
    const note = JSON.parse(stopped.metadata[RESTORE_NOTE_KEY]);
    assert.deepEqual([note.state, note.by], ["ACTIVE", `${os.hostname()}#${pid}`]);

    // the next operation on the server: a refresh of the other attachment
    const read = await serverShareAttachment.read(existing.id, existing.outs);
    assert.equal(read.props!.status, "active");
    const server = await serverOf(client, vm);
    assert.equal(server.status, "ACTIVE");
    assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined);
    // it waited for the second mapping to leave "attaching" before the start: no ERROR on the way
    assert.ok(!serverStates(vm).some((s) => s.endsWith(":error")), serverStates(vm).join(", "));
    assert.deepEqual(
      mappingsOf(vm).map((m) => m.status),
      ["active", "active"],
    );
  });

  it("the create run again (the next `pulumi up`, another process) takes the attachment over and restores", async () => {
    const vm = await createServer(client);
    const sh = await createShare(client);
    await createAndKill(vm, sh);
    assert.equal((await serverOf(client, vm)).status, "SHUTOFF");

    const posts = () =>
      sim.world.requestLog.records.filter((r) => r.method === "POST" && r.path.endsWith(`${vm}/shares`))
        .length;
    const before = posts();
    const { id, outs } = await serverShareAttachment.create({
      serverId: vm,
      shareId: sh,
      cloud: "simulator-demo",
    });
    assert.equal(id, `${vm}/${sh}`);
    assert.equal(outs!.status, "active");
    assert.equal(posts(), before, "taken over, not posted again");
    const server = await serverOf(client, vm);
    assert.equal(server.status, "ACTIVE");
    assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined);
  });
});
