// The drift command on ShareServers created through Pulumi's provider host (managed and adopted), changed out
// of band through Manila's API: a status reset is drift (its updatedAt, volatile, is not), an unmanaged server
// is gone, and a credential without the admin role gets an error that says so.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { osEnvironment } from "../../simulator/core/app";
import { Conformance, startConformance } from "../support/conformance";
import { cliInProcess, withOsEnvironment } from "../support/driftCli";
import { HOST, ManilaFixture } from "../support/manilaFixture";
import { StateOf, stackExportOf } from "../support/stackExport";

const KIND = "ShareServer";

describe("drift: ShareServer on the simulator", function () {
  this.timeout(60_000);
  let c: Conformance;
  let fx: ManilaFixture;
  let dir: string;
  let states: { managed: StateOf; adopted: StateOf };

  async function created(name: string, props: Record<string, unknown>): Promise<StateOf> {
    const inputs = c.inputs(KIND, props);
    const { id, properties } = await c.host.create(c.urn(KIND, name), inputs);
    return { kind: KIND, name, id, inputs, outputs: properties };
  }
  const run = (user: "admin" | "demo", file: string, ...args: string[]) =>
    withOsEnvironment(osEnvironment(c.sim, user), () => cliInProcess(["drift", file, ...args]));
  const writeExport = (name: string, list: StateOf[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(stackExportOf(list)));
    return file;
  };

  before(async () => {
    c = await startConformance({ simulator: ManilaFixture.simulatorConfig });
    fx = ManilaFixture.around(c.sim);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-share-server-"));
  });
  after(async () => {
    await c?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fx.reset();
    const net = await fx.shareNetwork();
    await fx.backendServer("be-1");
    states = {
      managed: await created("managed", { host: HOST, identifier: "be-1", shareNetworkId: net.id }),
      adopted: await created("adopted", { shareServerId: await fx.existingServer(net.id) }),
    };
  });

  it("in sync, then a status reset out of band is drift (updatedAt is not compared); read-only", async () => {
    const file = writeExport("servers.json", [states.managed, states.adopted]);
    const inSync = await run("admin", file);
    assert.equal(inSync.code, 0, inSync.stdout + inSync.stderr);
    assert.match(inSync.stdout, /All 2 resources are in sync/);

    const res = await fx.api("POST", `/share-servers/${states.managed.id}/action`, {
      reset_status: { status: "error" },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const live = (await fx.api("GET", `/share-servers/${states.managed.id}`)).body.share_server;
    assert.notEqual(live.updated_at, states.managed.outputs.updatedAt, "the reset moved updatedAt too");
    const rec = fx.recorder();
    const drifted = await run("admin", file, "--json");
    assert.equal(drifted.code, 2, drifted.stderr);
    const [managed, adopted] = JSON.parse(drifted.stdout).resources;
    assert.deepEqual(managed.changes, [{ property: "status", recorded: "active", live: "error" }]);
    assert.equal(adopted.status, "in-sync");
    assert.deepEqual(rec.mutations(), [], "drift changed nothing");
  });

  it("a server unmanaged out of band is gone; without the admin role every server is an error", async () => {
    const res = await fx.api("POST", `/share-servers/${states.adopted.id}/action`, {
      unmanage: { force: false },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await fx.until(states.adopted.id, (status) => status === undefined);
    const file = writeExport("unmanaged.json", [states.managed, states.adopted]);
    const gone = await run("admin", file);
    assert.equal(gone.code, 2, gone.stdout + gone.stderr);
    assert.match(gone.stdout, /│ adopted +│ ShareServer +│ gone +│/);
    assert.match(gone.stdout, /2 resources: 1 in sync, 0 changed, 1 gone, 0 errors/);

    const member = await run("demo", writeExport("member.json", [states.managed]), "--json");
    assert.equal(member.code, 1);
    const [report] = JSON.parse(member.stdout).resources;
    assert.equal(report.status, "error");
    assert.match(report.error, /admin role/);
  });
});
