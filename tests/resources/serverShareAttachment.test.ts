// ServerShareAttachment against the simulator, calling the implementation directly: every point of issue 4
// except the killed process (serverShareAttachment-kill.test.ts) and the host (tests/pulumi/conformance/).
import { strict as assert } from "assert";
import type { RunningSimulator } from "../../simulator/core/app";
import { setLogger } from "../../provider/openstack";
import { RESTORE_NOTE_KEY, progressSettings } from "../../provider/compute/serverGuard";
import { InitFailedError, UNKNOWN } from "../../provider/resources/common";
import {
  ServerShareAttachmentInputs,
  ServerShareAttachmentOutputs,
  serverShareAttachment,
} from "../../provider/resources/serverShareAttachment";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";
import {
  SERVERS,
  createServer,
  createShare,
  serverOf,
  serverReaches,
  useSimulatorClouds,
} from "../support/simulatorObjects";

const MEMBER = "simulator-demo";

type Outputs = ServerShareAttachmentOutputs;
/** The implementation with the result types narrowed to what it returns. */
const impl = {
  check: serverShareAttachment.check,
  diff: serverShareAttachment.diff,
  async create(inputs: ServerShareAttachmentInputs): Promise<{ id: string; outs: Outputs }> {
    const { id, outs } = await serverShareAttachment.create(inputs);
    return { id, outs: outs! };
  },
  read: (id: string, props?: Partial<Outputs>) => serverShareAttachment.read(id, props as Outputs),
  update: (id: string, olds: Outputs, news: ServerShareAttachmentInputs) =>
    serverShareAttachment.update!(id, olds, news),
  delete: (id: string, props: Partial<Outputs>) => serverShareAttachment.delete(id, props as Outputs),
};
const ADMIN = "simulator";

describe("ServerShareAttachment (simulator)", function () {
  this.timeout(30_000);
  let sim: RunningSimulator;
  let client: SimulatorClient;
  let clouds: { restore(): void };

  before(async () => {
    ({ sim, client } = await startTestSimulator({}, 5));
    clouds = useSimulatorClouds(sim);
  });
  after(async () => {
    clouds.restore();
    await sim.close();
  });
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 5 };
  });

  /** Service calls since the last `mark()`, as "METHOD path" (identity excluded). */
  let since = 0;
  const mark = () => (since = performance.timeOrigin + performance.now());
  const calls = () =>
    sim.world.requestLog.records
      .filter((r) => r.at >= since && r.service !== "identity")
      .map((r) => `${r.method} ${r.path}`);
  /** Compute calls that change something (the tests' own Manila setup is not counted). */
  const mutations = () => calls().filter((c) => !c.startsWith("GET ") && c.includes("/compute/"));
  /** Completed power transitions of a server since the mark: "stop", "start". */
  const powerChanges = (serverId: string) =>
    sim.world.transitions.log
      .filter((t) => t.objectId === serverId && t.completedAt >= since && t.kind.startsWith("server."))
      .map((t) => t.kind.replace("server.", ""));
  const mappingsOf = (serverId: string) =>
    [...sim.world.nova.shares.mappings.values()].filter((m) => m.serverId === serverId);
  const inputs = (serverId: string, shareId: string, extra: Partial<ServerShareAttachmentInputs> = {}) => ({
    serverId,
    shareId,
    cloud: MEMBER,
    ...extra,
  });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => assert.fail("expected a failure"),
      (err: Error) => err,
    );

  describe("check (no API call)", () => {
    const SERVER = "2b7a3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d";
    const SHARE = "e8debdc0-447a-4376-a10a-4cd9122d7986";

    it("accepts valid inputs, a 48-character tag and unknowns, and returns the inputs unchanged", async () => {
      mark();
      const news = {
        serverId: SERVER,
        shareId: SHARE,
        tag: "a".repeat(48),
        powerPolicy: "require-stopped",
        timeoutSeconds: 30,
      };
      assert.deepEqual(await impl.check({} as any, news as any), { inputs: news, failures: [] });
      const preview = {
        serverId: UNKNOWN,
        shareId: UNKNOWN,
        tag: UNKNOWN,
        powerPolicy: UNKNOWN,
        timeoutSeconds: UNKNOWN,
      };
      assert.deepEqual((await impl.check({} as any, preview as any)).failures, []);
      assert.deepEqual(calls(), []);
    });

    it("names the property and the reason for each malformed input", async () => {
      mark();
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ shareId: SHARE }, "serverId", /is required/],
        [{ serverId: "vm-1", shareId: SHARE }, "serverId", /must be a UUID/],
        [{ serverId: SERVER, shareId: 42 }, "shareId", /must be a UUID/],
        [{ serverId: SERVER, shareId: SHARE, tag: "a".repeat(49) }, "tag", /1-48 characters .*got 49/],
        [{ serverId: SERVER, shareId: SHARE, tag: "" }, "tag", /1-48 characters/],
        [{ serverId: SERVER, shareId: SHARE, tag: "my_tag" }, "tag", /letters, digits and hyphens/],
        [{ serverId: SERVER, shareId: SHARE, tag: 7 }, "tag", /must be a string/],
        [
          { serverId: SERVER, shareId: SHARE, powerPolicy: "stop" },
          "powerPolicy",
          /"stop-and-restore" or "require-stopped"/,
        ],
        [{ serverId: SERVER, shareId: SHARE, timeoutSeconds: 0 }, "timeoutSeconds", /from 1 to 86400/],
        [{ serverId: SERVER, shareId: SHARE, timeoutSeconds: 1.5 }, "timeoutSeconds", /whole number/],
        [{ serverId: SERVER, shareId: SHARE, timeoutSeconds: 90_000 }, "timeoutSeconds", /got 90000/],
        [{ serverId: SERVER, shareId: SHARE, timeoutSeconds: "60" }, "timeoutSeconds", /got "60"/],
        [{ serverId: SERVER, shareId: SHARE, region: "" }, "region", /non-empty string/],
      ];
      for (const [news, property, reason] of cases) {
        const { failures } = await impl.check({} as any, news as any);
        assert.equal(failures?.length, 1, JSON.stringify(news));
        assert.equal(failures![0].property, property);
        assert.match(failures![0].reason, reason);
      }
      assert.deepEqual(calls(), [], "check made API calls");
    });
  });

  describe("diff", () => {
    const olds = {
      serverId: "s",
      shareId: "h",
      status: "active",
      mountTag: "h",
      scope: { endpoint: "e" },
    } as any;
    const diff = (news: Record<string, unknown>) =>
      impl.diff("s/h", olds, { serverId: "s", shareId: "h", ...news } as any);

    it("no change", async () => {
      assert.deepEqual(await diff({}), { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("a new tag on the same server and share: replace, deleting first", async () => {
      assert.deepEqual(await diff({ tag: "data" }), {
        changes: true,
        replaces: ["tag"],
        deleteBeforeReplace: true,
      });
    });
    it("the default tag made explicit: no replacement", async () => {
      assert.deepEqual(await diff({ tag: "h" }), { changes: true, replaces: [], deleteBeforeReplace: false });
    });
    it("another share with its own default tag: replace, create first", async () => {
      assert.deepEqual(await diff({ shareId: "h2" }), {
        changes: true,
        replaces: ["shareId"],
        deleteBeforeReplace: false,
      });
    });
    it("another share keeping the old mount tag: delete first (tags are unique per server)", async () => {
      assert.deepEqual(await diff({ shareId: "h2", tag: "h" }), {
        changes: true,
        replaces: ["shareId", "tag"],
        deleteBeforeReplace: true,
      });
    });
    it("another server: replace, create first", async () => {
      assert.deepEqual(await diff({ serverId: "s2" }), {
        changes: true,
        replaces: ["serverId"],
        deleteBeforeReplace: false,
      });
    });
    it("unknown values in replacing fields mean replace (deleting first, as they may be equal)", async () => {
      assert.deepEqual(await diff({ serverId: UNKNOWN }), {
        changes: true,
        replaces: ["serverId"],
        deleteBeforeReplace: true,
      });
      assert.deepEqual(await diff({ tag: UNKNOWN }), {
        changes: true,
        replaces: ["tag"],
        deleteBeforeReplace: true,
      });
    });
    it("powerPolicy and timeoutSeconds change in place", async () => {
      assert.deepEqual(await diff({ powerPolicy: "require-stopped", timeoutSeconds: 60 }), {
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
    });
  });

  describe("create", () => {
    it("stops a running server, attaches, starts it again and reports the final status", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      mark();
      const { id, outs } = await impl.create(inputs(vm, sh, { tag: "data" }));
      assert.equal(id, `${vm}/${sh}`);
      assert.deepEqual(
        { ...outs, scope: undefined },
        {
          serverId: vm,
          shareId: sh,
          tag: "data",
          cloud: MEMBER,
          status: "active",
          mountTag: "data",
          scope: undefined,
        },
      );
      assert.equal(outs.powerPolicy, undefined, "no default filled in under an input name");
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
      const server = await serverOf(client, vm);
      assert.equal(server.status, "ACTIVE");
      assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined);
      assert.deepEqual(mutations(), [
        `PUT ${SERVERS}/${vm}/metadata/${encodeURIComponent(RESTORE_NOTE_KEY)}`,
        `POST ${SERVERS}/${vm}/action`,
        `POST ${SERVERS}/${vm}/shares`,
        `POST ${SERVERS}/${vm}/action`,
        `DELETE ${SERVERS}/${vm}/metadata/${encodeURIComponent(RESTORE_NOTE_KEY)}`,
      ]);
      // the note was written before the stop
      const put = sim.world.requestLog.records.find((r) => r.method === "PUT" && r.at >= since)!;
      const stop = sim.world.transitions.log.find((t) => t.objectId === vm && t.kind === "server.stop")!;
      assert.ok(put.at < stop.scheduledAt);
    });

    it("leaves a stopped server stopped (status inactive, Nova's default tag)", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      mark();
      const { outs } = await impl.create(inputs(vm, sh));
      assert.equal(outs.status, "inactive");
      assert.equal(outs.mountTag, sh);
      assert.equal("tag" in outs, false);
      assert.deepEqual(powerChanges(vm), []);
      assert.deepEqual(mutations(), [`POST ${SERVERS}/${vm}/shares`]);
      assert.equal((await serverOf(client, vm)).status, "SHUTOFF");
    });

    it("require-stopped on a running server: a clear error, nothing changed", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      mark();
      const err = await failure(impl.create(inputs(vm, sh, { powerPolicy: "require-stopped" })));
      assert.match(
        err.message,
        /server .* is ACTIVE and powerPolicy is "require-stopped".*Stop it first \(openstack server stop/,
      );
      assert.deepEqual(mutations(), []);
    });

    it("a server in another state: an error that names the state and what to do", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "paused" });
      mark();
      const err = await failure(impl.create(inputs(vm, sh)));
      assert.match(
        err.message,
        /server .* is PAUSED; Nova can attach a share only while the server is SHUTOFF.*Bring the server to ACTIVE or SHUTOFF/,
      );
      assert.deepEqual(mutations(), []);
    });

    it("share missing, not available, wrong protocol, no export location: clear errors before any stop", async () => {
      const vm = await createServer(client);
      const missing = "0b5c7b4e-9e0f-4a7d-8c1e-2f3a4b5c6d7e";
      mark();
      assert.match(
        (await failure(impl.create(inputs(vm, missing)))).message,
        /share 0b5c7b4e.* does not exist, or is not visible/,
      );

      const busy = await createShare(client);
      await client.control("PATCH", `/manila/shares/${busy}`, { status: "extending" });
      assert.match(
        (await failure(impl.create(inputs(vm, busy)))).message,
        /is "extending"; Nova attaches only "available" shares/,
      );

      const cifs = await createShare(client, { proto: "CIFS" });
      assert.match(
        (await failure(impl.create(inputs(vm, cifs)))).message,
        /uses protocol CIFS; Nova attaches only NFS and CEPHFS/,
      );

      const unexported = await createShare(client);
      await client.control("PATCH", `/manila/shares/${unexported}`, { exportLocations: [] });
      assert.match((await failure(impl.create(inputs(vm, unexported)))).message, /has no export location/);

      assert.deepEqual(mutations(), [], "nothing was stopped or posted");
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    });

    it("a missing server: a clear error", async () => {
      const sh = await createShare(client);
      const err = await failure(impl.create(inputs("0b5c7b4e-9e0f-4a7d-8c1e-2f3a4b5c6d7e", sh)));
      assert.match(err.message, /server 0b5c7b4e-.* does not exist/);
    });

    it("takes over an existing attachment with the same tag (or none requested); another tag is an error", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      await impl.create(inputs(vm, sh, { tag: "data" }));
      mark();
      const { id, outs } = await impl.create(inputs(vm, sh, { tag: "data" }));
      assert.equal(id, `${vm}/${sh}`);
      assert.equal(outs.mountTag, "data");
      const untagged = await impl.create(inputs(vm, sh));
      assert.equal(untagged.outs.mountTag, "data");
      assert.equal("tag" in untagged.outs, false, "the user's (absent) tag is kept");
      assert.deepEqual(mutations(), [], "taken over, not posted twice");
      const err = await failure(impl.create(inputs(vm, sh, { tag: "other" })));
      assert.match(err.message, /already attached to server .* with tag "data", not "other"/);
      assert.equal(mappingsOf(vm).length, 1);
    });

    it("a tag another share uses on the server: a clear error before any change", async () => {
      const vm = await createServer(client);
      const [one, two] = [await createShare(client), await createShare(client)];
      await impl.create(inputs(vm, one, { tag: "data" }));
      mark();
      const err = await failure(impl.create(inputs(vm, two, { tag: "data" })));
      assert.match(err.message, new RegExp(`tag "data" is already used on server ${vm} by share ${one}`));
      assert.deepEqual(mutations(), []);
    });

    it("a cloud whose compute API tops at 2.93: a clear error before any mutation", async () => {
      const old = await startTestSimulator({ microversions: { compute: { min: "2.1", max: "2.93" } } }, 5);
      const oldClouds = useSimulatorClouds(old.sim);
      try {
        const vm = await createServer(old.client);
        const sh = await createShare(old.client);
        old.sim.world.requestLog.clear();
        const err = await failure(impl.create(inputs(vm, sh)));
        assert.match(
          err.message,
          /compute API tops at 2\.93; microversion 2\.97 is needed for server share attachments/,
        );
        assert.deepEqual(
          old.sim.world.requestLog.records.filter((r) => r.method !== "GET" && r.service !== "identity"),
          [],
        );
      } finally {
        oldClouds.restore();
        await old.sim.close();
      }
    });

    it("a failure after the stop restores the power state first and says what was left", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      sim.world.faults.add({
        method: "POST",
        path: `/servers/${vm}/shares$`,
        action: "status",
        status: 500,
        count: 1,
      });
      mark();
      const err = await failure(impl.create(inputs(vm, sh)));
      assert.match(err.message, /attaching share .*: compute POST .*\/shares returned 500/);
      assert.match(err.message, new RegExp(`server ${vm} was started again \\(ACTIVE\\)$`));
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
      const server = await serverOf(client, vm);
      assert.equal(server.status, "ACTIVE");
      assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined);
    });

    it("a mapping that ends in error is removed while the server is stopped; power restored; clear error", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      await client.control("PATCH", `/manila/shares/${sh}`, { accessOutcome: "error" });
      mark();
      const err = await failure(impl.create(inputs(vm, sh)));
      assert.match(
        err.message,
        /Nova reports the attachment in status "error".*the failed attachment was removed; server .* was started again \(ACTIVE\)/,
      );
      assert.deepEqual(mappingsOf(vm), []);
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
      // the DELETE happened before the start
      const order = calls().filter((c) => c.startsWith("DELETE") || c.startsWith("POST"));
      assert.deepEqual(order.slice(-3), [
        `DELETE ${SERVERS}/${vm}/shares/${sh}`,
        `POST ${SERVERS}/${vm}/action`,
        `DELETE ${SERVERS}/${vm}/metadata/${encodeURIComponent(RESTORE_NOTE_KEY)}`,
      ]);
    });

    it("attached, but the restart failed: an init-failed error carrying the id and outputs", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      // let the metadata write and the stop through, then refuse the start
      sim.world.faults.add({
        method: "POST",
        path: `/servers/${vm}/action$`,
        action: "status",
        status: 500,
        skip: 1,
      });
      const err = (await failure(impl.create(inputs(vm, sh, { tag: "data" })))) as InitFailedError;
      sim.world.faults.remove();
      assert.ok(err instanceof InitFailedError, String(err));
      assert.equal(err.id, `${vm}/${sh}`);
      assert.equal((err.properties as ServerShareAttachmentOutputs).mountTag, "data");
      assert.match(
        err.message,
        /attaching share .* succeeded, but could not start server .* again: .*returned 500.*left SHUTOFF.*next operation on this server finishes the restore/,
      );
      assert.deepEqual(err.reasons, [err.message]);
      assert.ok((await serverOf(client, vm)).metadata[RESTORE_NOTE_KEY], "the note stays");
      // the next operation on the server (a read) finishes the restore
      await impl.read(err.id, err.properties as ServerShareAttachmentOutputs);
      const server = await serverOf(client, vm);
      assert.equal(server.status, "ACTIVE");
      assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined);
    });

    it("five attachments to one server at once: one stop and one start; all report active", async () => {
      const vm = await createServer(client);
      const shares = await Promise.all([1, 2, 3, 4, 5].map(() => createShare(client)));
      mark();
      const results = await Promise.all(shares.map((sh, n) => impl.create(inputs(vm, sh, { tag: `t${n}` }))));
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
      assert.deepEqual(
        results.map((r) => r.outs.status),
        ["active", "active", "active", "active", "active"],
      );
      assert.equal(mappingsOf(vm).length, 5);
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    });

    it("an existing attachment in error is removed and attached again", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      await impl.create(inputs(vm, sh));
      mappingsOf(vm)[0].status = "error"; // what a failed compute-side operation leaves
      mark();
      const { outs } = await impl.create(inputs(vm, sh));
      assert.equal(outs.status, "active");
      assert.deepEqual(
        mutations().filter((c) => c.includes("/shares")),
        [`DELETE ${SERVERS}/${vm}/shares/${sh}`, `POST ${SERVERS}/${vm}/shares`],
      );
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
    });

    it("waits until a task on the server ends before deciding", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      await client.control("PATCH", `/nova/servers/${vm}`, { taskState: "rebooting" });
      setTimeout(() => client.control("PATCH", `/nova/servers/${vm}`, { taskState: null }), 300);
      const { outs } = await impl.create(inputs(vm, sh));
      assert.equal(outs.status, "active");
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    });

    it("logs what it waits for, with progress during long waits", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      // The attach is held until the wait has reported progress: the log shows it however busy the machine.
      const progress =
        /waiting for the attachment of share .* to leave "attaching" .*: \d+\.\d s \(now attaching\)/;
      sim.world.transitions.hold("share.attach");
      const lines: string[] = [];
      const log = (line: string) => {
        lines.push(line);
        if (progress.test(line)) setImmediate(() => sim.world.transitions.release("share.attach"));
      };
      setLogger({ debug: () => {}, info: log, warn: log });
      const interval = progressSettings.intervalMs;
      progressSettings.intervalMs = 100;
      try {
        await impl.create(inputs(vm, sh, { timeoutSeconds: 10 }));
      } finally {
        setLogger(undefined);
        progressSettings.intervalMs = interval;
      }
      assert.ok(
        lines.some((l) => /stopping server .*started again afterwards/.test(l)),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) => progress.test(l)),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) => /starting server .* again/.test(l)),
        lines.join("\n"),
      );
    });
  });

  describe("read", () => {
    it("reports live status and mountTag and keeps the user's inputs; admin sees uuid and exportLocation", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      const member = await impl.create(inputs(vm, sh));
      assert.equal(member.outs.uuid, undefined);
      assert.equal(member.outs.exportLocation, undefined);
      await client.call("demo", "POST", `${SERVERS}/${vm}/action`, { body: { "os-start": null } });
      await serverReaches(client, vm, "ACTIVE");

      const read = await impl.read(member.id, member.outs);
      assert.equal(read.id, member.id);
      assert.equal(read.props!.status, "active");
      assert.equal(read.props!.mountTag, sh);
      assert.equal("tag" in read.props!, false);
      assert.deepEqual(read.inputs, { serverId: vm, shareId: sh, cloud: MEMBER });

      const asAdmin = await impl.read(member.id, { ...member.outs, cloud: ADMIN, scope: undefined } as any);
      const mapping = mappingsOf(vm)[0];
      assert.equal(asAdmin.props!.uuid, mapping.uuid);
      assert.equal(asAdmin.props!.exportLocation, mapping.exportLocation);
    });

    it("an attachment detached out of band is gone", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      await client.call("demo", "DELETE", `${SERVERS}/${vm}/shares/${sh}`, { mv: "2.97" });
      await client.until(
        async () => mappingsOf(vm).length,
        (n) => n === 0,
      );
      assert.deepEqual(await impl.read(id, outs), {});
    });

    it("after a region or project change: an error, never gone", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      const elsewhere = await failure(impl.read(id, { ...outs, region: "RegionTwo" }));
      assert.match(elsewhere.message, /RegionTwo/);
      const otherProject = await failure(impl.read(id, { ...outs, cloud: ADMIN }));
      assert.match(
        otherProject.message,
        /server share attachment .* was created in project .*: the current credentials .* point elsewhere/,
      );
    });
  });

  describe("update", () => {
    it("changes powerPolicy and timeoutSeconds with no API call", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      mark();
      const { outs: updated } = await impl.update(id, outs, {
        ...inputs(vm, sh),
        powerPolicy: "require-stopped",
        timeoutSeconds: 60,
      });
      assert.deepEqual(calls(), []);
      assert.deepEqual(updated, { ...outs, powerPolicy: "require-stopped", timeoutSeconds: 60 });
    });
  });

  describe("delete", () => {
    it("stops a running server, detaches, starts it again", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      mark();
      await impl.delete(id, outs);
      assert.deepEqual(mappingsOf(vm), []);
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
      const server = await serverOf(client, vm);
      assert.equal(server.status, "ACTIVE");
      assert.equal(server.metadata[RESTORE_NOTE_KEY], undefined);
    });

    it("five detaches from one running server at once: one stop and one start", async () => {
      const vm = await createServer(client);
      const shares = await Promise.all([1, 2, 3, 4, 5].map(() => createShare(client)));
      const created = await Promise.all(shares.map((sh, n) => impl.create(inputs(vm, sh, { tag: `t${n}` }))));
      mark();
      await Promise.all(created.map(({ id, outs }) => impl.delete(id, outs)));
      assert.deepEqual(mappingsOf(vm), []);
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    });

    it("already gone (the attachment, or the whole server): success", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      await impl.delete(id, outs);
      await impl.delete(id, outs);
      await client.call("demo", "DELETE", `${SERVERS}/${vm}`);
      await client.until(
        () => client.call("demo", "GET", `${SERVERS}/${vm}`),
        (r) => r.status === 404,
      );
      await impl.delete(id, outs);
    });

    it("a server in ERROR is detached without a stop", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "error" });
      mark();
      await impl.delete(id, outs);
      assert.deepEqual(mappingsOf(vm), []);
      assert.deepEqual(powerChanges(vm), []);
      assert.deepEqual(mutations(), [`DELETE ${SERVERS}/${vm}/shares/${sh}`]);
    });

    it("require-stopped on a running server: a clear error, nothing changed", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh, { powerPolicy: "stop-and-restore" }));
      mark();
      const err = await failure(impl.delete(id, { ...outs, powerPolicy: "require-stopped" }));
      assert.match(
        err.message,
        /detaching share .* is ACTIVE and powerPolicy is "require-stopped": Nova can detach/,
      );
      assert.deepEqual(mutations(), []);
    });

    it("a detach that ends in error: a clear error, power restored", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      const { id, outs } = await impl.create(inputs(vm, sh));
      await client.control("PATCH", `/manila/shares/${sh}`, { denyOutcome: "refuse" });
      const err = await failure(impl.delete(id, outs));
      assert.match(
        err.message,
        /Nova reports the detach in status "error".*the attachment is still there; server .* was started again \(ACTIVE\)/,
      );
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    });
  });

  describe("faults on the calls that change something", () => {
    const statuses = (method: string, path: RegExp) =>
      sim.world.requestLog.records
        .filter((r) => r.at >= since && r.method === method && path.test(r.path))
        .map((r) => r.status);
    const busy = (method: string, path: string, count: number) =>
      sim.world.faults.add({
        method,
        path,
        action: "status",
        status: 409,
        message: "Cannot 'attach_share' instance x while it is in task_state powering-off",
        count,
      });

    it("a busy server (a task_state 409) on the attach and the detach: both repeated until it is free", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      busy("POST", "/shares$", 2);
      busy("DELETE", "/shares/", 2);
      mark();
      const { id, outs } = await impl.create(inputs(vm, sh));
      await impl.delete(id, outs);
      assert.deepEqual(statuses("POST", /\/shares$/), [409, 409, 201]);
      assert.deepEqual(statuses("DELETE", /\/shares\//), [409, 409, 200]);
      assert.deepEqual(mappingsOf(vm), []);
    });

    it("an attach that got no answer is sent again only when Nova shows no attachment", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      sim.world.faults.add({ method: "POST", path: "/shares$", action: "reset", count: 1 });
      mark();
      const { outs } = await impl.create(inputs(vm, sh));
      assert.equal(outs.status, "inactive");
      assert.deepEqual(statuses("POST", /\/shares$/), [0, 201]);
      assert.equal(mappingsOf(vm).length, 1);
    });

    it("a stop and a start that got no answer are sent again: power restored", async () => {
      const vm = await createServer(client);
      const sh = await createShare(client);
      // The stop's first POST, then the start's first POST (after the stop sent again) lose their answer.
      sim.world.faults.add({ method: "POST", path: `${vm}/action$`, action: "reset", count: 1 });
      sim.world.faults.add({ method: "POST", path: `${vm}/action$`, action: "reset", skip: 1, count: 1 });
      mark();
      const { outs } = await impl.create(inputs(vm, sh));
      assert.equal(outs.status, "active");
      assert.deepEqual(statuses("POST", /\/action$/), [0, 202, 0, 202]);
      assert.deepEqual(powerChanges(vm), ["stop", "start"]);
      assert.equal((await serverOf(client, vm)).status, "ACTIVE");
    });
  });

  describe("adopting an existing attachment", () => {
    it("an attachment made outside Pulumi is taken over by a create with the same server and share", async () => {
      const vm = await createServer(client, { stopped: true });
      const sh = await createShare(client);
      const made = await client.call("demo", "POST", `${SERVERS}/${vm}/shares`, {
        mv: "2.97",
        body: { share: { share_id: sh, tag: "legacy" } },
      });
      assert.equal(made.status, 201);
      mark();
      const { id, outs } = await impl.create(inputs(vm, sh, { tag: "legacy" }));
      assert.equal(id, `${vm}/${sh}`);
      assert.equal(outs.status, "inactive");
      assert.deepEqual(mutations(), []);
      // and it is then managed: delete detaches it
      await impl.delete(id, outs);
      assert.deepEqual(mappingsOf(vm), []);
    });
  });
});
