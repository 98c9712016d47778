// The server guard's own logic against a tiny scripted Nova (servers, power actions, metadata, share
// mappings): serialization, the restore note, one stop/start per burst, restore on failure, takeover of a
// dead process's note, no start while a mapping is in flight. The simulator-backed resource tests
// (tests/resources/serverShareAttachment*.test.ts) run the same paths against the simulator's Nova.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as os from "os";
import { clearVersionCache, connect, Session, setLogger, setReadOnly } from "../../../provider/openstack";
import { PowerRestoreError, RESTORE_NOTE_KEY, withServer } from "../../../provider/compute/serverGuard";
import { FakeServer, noauthCredentials, startServer } from "../openstack/fakeServer";

interface FakeVm {
  status: string;
  task: string | null;
  metadata: Record<string, string>;
  shares: { share_id: string; status: string; tag: string }[];
  /** Makes the next os-start fail with this 409 message. */
  failStart?: string;
}

/** Nova's servers API, just enough for the guard: power actions take `delayMs`. */
function fakeNova(server: FakeServer, delayMs = 10) {
  const vms = new Map<string, FakeVm>();
  const events: string[] = [];
  const base = "/compute/v2.1";
  const vmOf = (path: string) => vms.get(decodeURIComponent(path.split("/")[4]));
  const notFound = { status: 404, body: { itemNotFound: { code: 404, message: "not found" } } };
  server.route("GET", /^\/compute\/v2\.1\/?$/, {
    body: { version: { id: "v2.1", status: "CURRENT", version: "2.97", min_version: "2.1" } },
  });
  server.route("GET", /^\/compute\/v2\.1\/servers\/[^/]+$/, (req) => {
    const vm = vmOf(req.path);
    if (!vm) return notFound;
    const id = decodeURIComponent(req.path.split("/")[4]);
    return {
      body: {
        server: {
          id,
          status: vm.status,
          "OS-EXT-STS:task_state": vm.task,
          metadata: vm.metadata,
        },
      },
    };
  });
  server.route("GET", /^\/compute\/v2\.1\/servers\/[^/]+\/shares$/, (req) => {
    const vm = vmOf(req.path);
    return vm ? { body: { shares: vm.shares } } : notFound;
  });
  server.route("PUT", /\/metadata\/[^/]+$/, (req) => {
    const vm = vmOf(req.path)!;
    Object.assign(vm.metadata, req.json.meta);
    events.push(`note ${vm.metadata[RESTORE_NOTE_KEY] ? "set" : "?"}`);
    return { body: { meta: req.json.meta } };
  });
  server.route("DELETE", /\/metadata\/[^/]+$/, (req) => {
    const vm = vmOf(req.path)!;
    const key = decodeURIComponent(req.path.split("/").pop()!);
    if (!(key in vm.metadata)) return notFound;
    delete vm.metadata[key];
    events.push("note deleted");
    return { status: 204 };
  });
  server.route("POST", /\/action$/, (req) => {
    const vm = vmOf(req.path)!;
    const stop = "os-stop" in req.json;
    const conflict = (message: string) => ({
      status: 409,
      body: { conflictingRequest: { code: 409, message } },
    });
    if (vm.task) return conflict(`Cannot 'x' instance while it is in task_state ${vm.task}`);
    if (!stop && vm.failStart) return conflict(vm.failStart);
    if (stop ? vm.status !== "ACTIVE" : vm.status !== "SHUTOFF") return conflict(`vm_state ${vm.status}`);
    events.push(stop ? "stop" : "start");
    vm.task = stop ? "powering-off" : "powering-on";
    setTimeout(() => {
      vm.task = null;
      // Nova's _power_on/_power_off: a mapping in flight puts the server in ERROR (FACTS §2.7).
      if (vm.shares.some((m) => m.status === "attaching" || m.status === "detaching")) vm.status = "ERROR";
      else vm.status = stop ? "SHUTOFF" : "ACTIVE";
    }, delayMs);
    return { status: 202 };
  });
  return { vms, events, base };
}

describe("compute/serverGuard", () => {
  let server: FakeServer;
  let nova: ReturnType<typeof fakeNova>;
  let session: Session;
  const opts = (action: string) => ({ action, timeoutMs: 5000 });

  beforeEach(async () => {
    clearVersionCache();
    server = await startServer();
    nova = fakeNova(server);
    session = connect({
      credentials: noauthCredentials({ compute: `${server.url}/compute/v2.1` }),
      retry: { retries: 0 },
    });
  });
  afterEach(() => server.close());

  /**
   * Runs `then` once the fake has received `n` requests matching method and path prefix: what another
   * process or the compute host does meanwhile happens after the guard has looked, however slow the machine.
   */
  const afterRequests = (n: number, method: string, prefix: string, then: () => void) => {
    const check = setInterval(() => {
      if (server.count(method, prefix) < n) return;
      clearInterval(check);
      then();
    }, 2).unref(); // a test that fails first leaves nothing running
  };

  const vm = (id: string, status: string, extra: Partial<FakeVm> = {}) => {
    const v: FakeVm = { status, task: null, metadata: {}, shares: [], ...extra };
    nova.vms.set(id, v);
    return v;
  };

  it("runs operations on one server one at a time, and on different servers in parallel", async () => {
    vm("a", "SHUTOFF");
    vm("b", "SHUTOFF");
    const trace: string[] = [];
    let bEntered!: () => void;
    const bRuns = new Promise<void>((resolve) => (bEntered = resolve));
    const op = (id: string, n: number, body: () => Promise<unknown>) =>
      withServer(session, id, opts(`op ${id}${n}`), async () => {
        trace.push(`+${id}${n}`);
        await body();
        trace.push(`-${id}${n}`);
        return n;
      });
    const within = (promise: Promise<void>, ms: number) =>
      Promise.race([promise.then(() => "in time"), new Promise((r) => setTimeout(() => r("too late"), ms))]);
    const results = await Promise.all([
      // a1 holds server a until b1 runs: a lock shared across servers would make it wait forever
      op("a", 1, async () => assert.equal(await within(bRuns, 5000), "in time")),
      op("a", 2, async () => {}),
      op("b", 1, async () => bEntered()),
    ]);
    assert.deepEqual(results, [1, 2, 1]);
    assert.ok(trace.indexOf("-a1") < trace.indexOf("+a2"), trace.join(" "));
  });

  it("records the power state before the stop and clears it after the start", async () => {
    const v = vm("s", "ACTIVE");
    const seen = await withServer(session, "s", opts("attaching"), async (guard) => {
      assert.equal(guard.server?.status, "ACTIVE");
      const stopped = await guard.stop();
      assert.equal(stopped.status, "SHUTOFF");
      assert.ok(guard.willRestore);
      const note = JSON.parse(v.metadata[RESTORE_NOTE_KEY]);
      assert.equal(note.state, "ACTIVE");
      assert.equal(note.by, `${os.hostname()}#${process.pid}`);
      return "done";
    });
    assert.equal(seen, "done");
    assert.deepEqual(nova.events, ["note set", "stop", "start", "note deleted"]);
    assert.equal(v.status, "ACTIVE");
    assert.deepEqual(v.metadata, {});
  });

  it("leaves a SHUTOFF server stopped", async () => {
    const v = vm("s", "SHUTOFF");
    await withServer(session, "s", opts("attaching"), async (guard) => {
      await guard.stop();
      assert.equal(guard.willRestore, false);
    });
    assert.deepEqual(nova.events, []);
    assert.equal(v.status, "SHUTOFF");
  });

  it("serves a burst of five operations with one stop and one start; each returns after the start", async () => {
    const v = vm("s", "ACTIVE");
    const statusAtReturn: string[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        withServer(session, "s", opts(`attach ${n}`), async (guard) => {
          await guard.stop();
          return n;
        }).then(() => statusAtReturn.push(v.status)),
      ),
    );
    assert.deepEqual(nova.events, ["note set", "stop", "start", "note deleted"]);
    assert.deepEqual(statusAtReturn, ["ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]);
  });

  it("restores power before rethrowing a failure, and says so", async () => {
    const v = vm("s", "ACTIVE");
    const err = await withServer(session, "s", opts("attaching"), async (guard) => {
      await guard.stop();
      throw new Error("attaching share X failed");
    }).catch((e) => e);
    assert.match(err.message, /^attaching share X failed; server s was started again \(ACTIVE\)$/);
    assert.equal(v.status, "ACTIVE");
    assert.deepEqual(v.metadata, {});
  });

  it("a failure inside a burst restores at once; the next operation stops again", async () => {
    vm("s", "ACTIVE");
    const results = await Promise.allSettled(
      [1, 2].map((n) =>
        withServer(session, "s", opts(`op ${n}`), async (guard) => {
          await guard.stop();
          if (n === 1) throw new Error("op 1 failed");
        }),
      ),
    );
    assert.equal(results[0].status, "rejected");
    assert.equal(results[1].status, "fulfilled");
    assert.deepEqual(nova.events, [
      "note set",
      "stop",
      "start",
      "note deleted",
      "note set",
      "stop",
      "start",
      "note deleted",
    ]);
  });

  it("throws PowerRestoreError with the operation's result when the start fails, keeping the note", async () => {
    const v = vm("s", "ACTIVE", { failStart: "Instance s is locked" });
    const err = await withServer(session, "s", opts("attaching share X"), async (guard) => {
      await guard.stop();
      return { id: "s/X" };
    }).catch((e) => e);
    assert.ok(err instanceof PowerRestoreError, String(err));
    assert.deepEqual(err.result, { id: "s/X" });
    assert.match(err.message, /^attaching share X succeeded, but could not start server s again: .*locked/);
    assert.match(err.message, /left SHUTOFF .* the next operation on this server finishes the restore/);
    assert.ok(v.metadata[RESTORE_NOTE_KEY]);

    // the next operation (any kind, even a read) finishes the restore
    v.failStart = undefined;
    await withServer(session, "s", opts("reading"), async (guard) =>
      assert.equal(guard.server?.status, "SHUTOFF"),
    );
    assert.equal(v.status, "ACTIVE");
    assert.deepEqual(v.metadata, {});
  });

  it("takes over the note of a process that is gone", async () => {
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    const note = { state: "ACTIVE", by: `${os.hostname()}#${dead}`, at: "2026-01-01T00:00:00Z" };
    const v = vm("s", "SHUTOFF", { metadata: { [RESTORE_NOTE_KEY]: JSON.stringify(note), keep: "me" } });
    await withServer(session, "s", opts("reading"), async (guard) => assert.ok(guard.willRestore));
    assert.equal(v.status, "ACTIVE");
    assert.deepEqual(v.metadata, { keep: "me" });
    assert.deepEqual(nova.events, ["start", "note deleted"]);
  });

  it("in read-only mode reports a note as a warning and neither restores nor waits", async () => {
    const note = { state: "ACTIVE", by: `${os.hostname()}#${process.ppid}`, at: "2026-01-01T00:00:00Z" };
    const v = vm("s", "SHUTOFF", { metadata: { [RESTORE_NOTE_KEY]: JSON.stringify(note) } });
    const warnings: string[] = [];
    setLogger({ debug: () => {}, info: () => {}, warn: (m) => warnings.push(m) });
    setReadOnly(true);
    try {
      const status = await withServer(session, "s", opts("reading"), async (guard) => {
        assert.equal(guard.willRestore, false);
        return guard.server?.status;
      });
      assert.equal(status, "SHUTOFF");
    } finally {
      setReadOnly(false);
      setLogger(undefined);
    }
    assert.equal(v.status, "SHUTOFF");
    assert.ok(v.metadata[RESTORE_NOTE_KEY], "the note stays");
    assert.deepEqual(nova.events, []);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /compute/v2.1/servers/s"],
      "one read, no wait for the (live) process that wrote the note",
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /server s is SHUTOFF with a pending power restore to ACTIVE .*not restored here \(read-only\)/,
    );
  });

  it("waits while the note belongs to another live process on this host, then goes on", async () => {
    // the parent of this process runs, so its note is "another provider process still at work"
    const note = { state: "ACTIVE", by: `${os.hostname()}#${process.ppid}`, at: "2026-01-01T00:00:00Z" };
    const v = vm("s", "SHUTOFF", { metadata: { [RESTORE_NOTE_KEY]: JSON.stringify(note) } });
    let entered = 0;
    afterRequests(3, "GET", "/compute/v2.1/servers/s", () => {
      // the other process finishes: it starts the server and deletes its note
      v.status = "ACTIVE";
      delete v.metadata[RESTORE_NOTE_KEY];
    });
    await withServer(session, "s", opts("attaching"), async (guard) => {
      entered = Date.now();
      assert.equal(guard.server?.status, "ACTIVE");
      assert.equal(guard.willRestore, false, "not taken over from a live process");
    });
    assert.ok(entered > 0);
    assert.deepEqual(nova.events, [], "it neither started the server nor touched the note");
    assert.ok(server.count("GET", "/compute/v2.1/servers/s") >= 3, "it polled while waiting");
  });

  it("a taken-over restore that cannot be done is a warning, not a failure", async () => {
    const note = { state: "ACTIVE", by: "elsewhere#1", at: "2026-01-01T00:00:00Z" };
    const v = vm("s", "ERROR", { metadata: { [RESTORE_NOTE_KEY]: JSON.stringify(note) } });
    assert.equal(await withServer(session, "s", opts("reading"), async () => 7), 7);
    assert.ok(v.metadata[RESTORE_NOTE_KEY], "the note stays for a later operation");
  });

  it("never starts the server while a share mapping is attaching", async () => {
    const v = vm("s", "ACTIVE");
    await withServer(session, "s", opts("attaching"), async (guard) => {
      await guard.stop();
      v.shares.push({ share_id: "X", status: "attaching", tag: "X" });
      afterRequests(1, "GET", "/compute/v2.1/servers/s/shares", () => (v.shares[0].status = "inactive"));
    });
    assert.equal(v.status, "ACTIVE", "an early start would have put the server in ERROR");
    assert.ok(server.count("GET", "/compute/v2.1/servers/s/shares") >= 2);
  });

  it("refuses to stop a server in another state, naming it", async () => {
    vm("s", "PAUSED");
    const err = await withServer(session, "s", opts("attaching share X"), (guard) => guard.stop()).catch(
      (e) => e,
    );
    assert.match(err.message, /attaching share X: cannot stop server s: it is PAUSED/);
    assert.deepEqual(nova.events, []);
  });

  it("hands a missing server to the operation as notFound", async () => {
    const seen = await withServer(session, "nope", opts("reading"), async (guard) => [
      guard.server,
      guard.notFound?.status,
    ]);
    assert.deepEqual(seen, [undefined, 404]);
  });
});
