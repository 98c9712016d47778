// Interrupted creates: the provider runs in Pulumi's real host (a child process) and is killed with SIGKILL
// the moment the simulator's request log shows the step that matters (the attach POST, or the server stop);
// then the create runs again in a fresh host process, as the next `pulumi up` would. It must converge: one
// attachment (no duplicate, and not even a second POST where the first one is visible), the server back in
// its original power state with no power-restore note left, and a clean delete afterwards.
import { strict as assert } from "assert";
import { RESTORE_NOTE_KEY } from "../../provider/compute/serverGuard";
import type { ResourceKind } from "../../provider/resources";
import type { RunningSimulator } from "../../simulator/core/app";
import type { RequestRecord } from "../../simulator/core/requestLog";
import { simulatorStackConfig } from "../support/conformance";
import { ProviderHost, urnOf, type Properties } from "../support/providerHost";
import { sdkProviderTexts } from "../support/serializedProvider";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";
import { createServer, createShare, serverOf } from "../support/simulatorObjects";

/** The next run's deadline: shorter than the suite's timeout, so a wait that never ends fails as itself. */
const RERUN_TIMEOUT_SECONDS = 20;

describe("interrupted creates: killed after the POST (or the stop), converged by the next run", function () {
  this.timeout(120_000);
  let sim: RunningSimulator;
  let client: SimulatorClient;
  let providers: Record<string, string>;
  let nextRun: ProviderHost;
  const withoutOsVariables = Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => key.startsWith("OS_"))
      .map((key) => [key, undefined]),
  );

  async function startHost(): Promise<ProviderHost> {
    const host = await ProviderHost.start({ env: withoutOsVariables });
    await host.configure(simulatorStackConfig(sim));
    return host;
  }

  before(async () => {
    ({ sim, client } = await startTestSimulator());
    [providers, nextRun] = await Promise.all([sdkProviderTexts(), startHost()]);
  });
  after(async () => {
    await nextRun?.stop();
    await sim?.close();
  });

  const requests = (method: string, path: RegExp) =>
    sim.world.requestLog.records.filter((r) => r.method === method && path.test(r.path));

  /** Resolves once the request log shows a request matching `match` (checked every few ms). */
  async function logShows(match: (r: RequestRecord) => boolean): Promise<void> {
    const from = sim.world.requestLog.records.length;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (sim.world.requestLog.records.slice(from).some(match)) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error("the request log never showed the request to kill after");
  }

  /** Where a create is interrupted, and what the cloud does meanwhile. */
  interface Interruption {
    /** The first host is killed once the request log shows this request. */
    killAfter: (r: RequestRecord) => boolean;
    /**
     * A transition kind held back from the start, so that the killed create is always mid-wait. It is
     * released once the host is gone, or with `releaseAfter` once the log shows that request.
     */
    hold?: string;
    releaseAfter?: (r: RequestRecord) => boolean;
    /** The host of the next run; default `nextRun`. */
    rerun?: ProviderHost;
  }

  /**
   * Runs a create in a host of its own and SIGKILLs the host as `interruption` says; the create must not have
   * finished. Then creates again in the next run's host (one that was not killed) and returns that.
   */
  async function killThenRerun(kind: ResourceKind, inputs: Properties, interruption: Interruption) {
    const urn = urnOf(kind, "interrupted");
    const first = await startHost();
    let finished = false;
    const release = () => interruption.hold && sim.world.transitions.release(interruption.hold);
    if (interruption.hold) sim.world.transitions.hold(interruption.hold);
    try {
      const create = first
        .create(urn, { ...inputs, __provider: providers[kind] })
        .then(() => (finished = true))
        .catch(() => undefined);
      await logShows(interruption.killAfter);
      await first.kill("SIGKILL");
      await create;
      assert.equal(finished, false, "the create finished before the kill: nothing was interrupted");
      if (interruption.releaseAfter) logShows(interruption.releaseAfter).then(release, release);
      else release();
      return await (interruption.rerun ?? nextRun).create(urn, {
        ...inputs,
        __provider: providers[kind],
        timeoutSeconds: RERUN_TIMEOUT_SECONDS,
      });
    } finally {
      release();
    }
  }

  const mappingsOf = (serverId: string) =>
    [...sim.world.nova.shares.mappings.values()].filter((m) => m.serverId === serverId);
  const bdmsOf = (serverId: string) =>
    [...sim.world.nova.volumes.bdms.values()].filter((b) => b.serverId === serverId);
  const cinderAttachmentsOf = (volumeId: string) =>
    [...sim.world.cinder.attachments.values()].filter((a) => a.volumeId === volumeId);

  async function assertPower(serverId: string, status: string) {
    const server = await serverOf(client, serverId);
    assert.equal(server.status, status);
    assert.equal(server["OS-EXT-STS:task_state"], null);
    assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined, "a power-restore note was left");
  }

  async function newVolume(): Promise<string> {
    const res = await client.call("admin", "POST", `/volume/v3/${client.projectOf("admin")}/volumes`, {
      body: { volume: { size: 1 } },
    });
    const id: string = res.body.volume.id;
    await client.until(
      async () => sim.world.cinder.volumes.get(id)?.status,
      (status) => status === "available",
      10_000,
    );
    return id;
  }

  it("ServerShareAttachment, killed after the attach POST: taken over, server started again", async () => {
    const serverId = await createServer(client, { user: "admin" });
    const shareId = await createShare(client, { user: "admin" });
    const posts = new RegExp(`/servers/${serverId}/shares$`);
    const { id, properties } = await killThenRerun(
      "ServerShareAttachment",
      { serverId, shareId },
      { killAfter: (r) => r.method === "POST" && posts.test(r.path), hold: "share.attach" },
    );
    assert.equal(id, `${serverId}/${shareId}`);
    assert.equal(properties.status, "active");
    assert.equal(requests("POST", posts).length, 1, "the attach was posted again");
    assert.deepEqual(
      mappingsOf(serverId).map((m) => [m.shareId, m.status]),
      [[shareId, "active"]],
    );
    await assertPower(serverId, "ACTIVE");

    await nextRun.delete(urnOf("ServerShareAttachment", "interrupted"), id, properties);
    assert.deepEqual(mappingsOf(serverId), []);
    await assertPower(serverId, "ACTIVE");
  });

  it("ServerShareAttachment, killed after the server stop: the next run restores the power it noted", async () => {
    const serverId = await createServer(client, { user: "admin" });
    const shareId = await createShare(client, { user: "admin" });
    const action = new RegExp(`/servers/${serverId}/action$`);
    const { id, properties } = await killThenRerun(
      "ServerShareAttachment",
      { serverId, shareId },
      { killAfter: (r) => r.method === "POST" && action.test(r.path), hold: "server.stop" },
    );
    assert.equal(properties.status, "active");
    assert.deepEqual(
      mappingsOf(serverId).map((m) => [m.shareId, m.status]),
      [[shareId, "active"]],
    );
    await assertPower(serverId, "ACTIVE");

    await nextRun.delete(urnOf("ServerShareAttachment", "interrupted"), id, properties);
    assert.deepEqual(mappingsOf(serverId), []);
    await assertPower(serverId, "ACTIVE");
  });

  /**
   * VolumeAttachment killed after its POST, with the next run in `rerun`. At 2.101 Nova answers the POST
   * before anything is visible (its conductor makes the block device mapping one transition later), so a
   * run that comes back within that window cannot see the first attach and posts again: Nova's conductor
   * then fails the second one silently on the volume's reservation. The conductor is held until that second
   * POST, so the window is always hit. Below 2.101 the POST answers after the reservation: the next run must
   * take the attachment over without posting.
   */
  async function volumeAttachmentKilled(computeMax: string, rerun: ProviderHost) {
    sim.world.config.microversions.compute.max = computeMax;
    const serverId = await createServer(client, { user: "admin" });
    const volumeId = await newVolume();
    const posts = new RegExp(`/servers/${serverId}/os-volume_attachments$`);
    const posted = (r: RequestRecord) => r.method === "POST" && posts.test(r.path);
    const { id, properties } = await killThenRerun(
      "VolumeAttachment",
      { serverId, volumeId },
      {
        killAfter: posted,
        hold: "volume.attach",
        releaseAfter: computeMax === "2.104" ? posted : undefined,
        rerun,
      },
    );
    assert.equal(id, `${serverId}/${volumeId}`);
    assert.ok(properties.attachedDevice, JSON.stringify(properties));
    // The second attach of a 2.101 re-post fails when the conductor reserves the volume for it.
    await client.until(
      async () => sim.world.transitions.pending,
      (pending) => pending === 0,
    );
    assert.equal(bdmsOf(serverId).length, 1);
    assert.deepEqual(
      cinderAttachmentsOf(volumeId).map((a) => a.attachStatus),
      ["attached"],
    );
    assert.equal(sim.world.cinder.volumes.get(volumeId)?.status, "in-use");
    await assertPower(serverId, "ACTIVE");

    await rerun.delete(urnOf("VolumeAttachment", "interrupted"), id, properties);
    assert.deepEqual([bdmsOf(serverId).length, cinderAttachmentsOf(volumeId).length], [0, 0]);
    assert.equal(sim.world.cinder.volumes.get(volumeId)?.status, "available");
    return requests("POST", posts).length;
  }

  it("VolumeAttachment at 2.101, killed after the attach POST: one attachment", async () => {
    assert.equal(await volumeAttachmentKilled("2.104", nextRun), 2, "the next run posted again");
  });

  it("VolumeAttachment below 2.101, killed after the attach POST: taken over without a second POST", async () => {
    const rerun = await startHost(); // its own: the next-run host has cached the newest version range
    try {
      assert.equal(await volumeAttachmentKilled("2.100", rerun), 1, "the attach was posted again");
    } finally {
      await rerun.stop();
      sim.world.config.microversions.compute.max = "2.104";
    }
  });

  it("BlockStorageAttachment with an instanceId, killed after the POST: continued, one attachment", async () => {
    const serverId = await createServer(client, { user: "admin" });
    const volumeId = await newVolume();
    // The completion after the POST is held back, so the kill always lands inside the create.
    const held = {
      method: "POST",
      path: "/attachments/[^/]+/action$",
      action: "delay",
      delayMs: 1000,
      count: 1,
    };
    await client.control("POST", "/faults", held);
    const connector = {
      host: "interrupted",
      initiator: "iqn.1994-05.com.example:interrupted",
      ip: "192.0.2.20",
    };
    const posts = /\/attachments$/;
    const { id, properties } = await killThenRerun(
      "BlockStorageAttachment",
      { volumeId, instanceId: serverId, connector, complete: true },
      { killAfter: (r) => r.method === "POST" && posts.test(r.path) },
    );
    assert.equal(requests("POST", posts).length, 1, "a second attachment was created");
    assert.deepEqual(
      cinderAttachmentsOf(volumeId).map((a) => [a.id, a.instanceUuid, a.attachStatus]),
      [[id, serverId, "attached"]],
    );
    assert.equal(properties.status, "attached");

    await nextRun.delete(urnOf("BlockStorageAttachment", "interrupted"), id, properties);
    assert.deepEqual(cinderAttachmentsOf(volumeId), []);
    await assertPower(serverId, "ACTIVE");
  });
});
