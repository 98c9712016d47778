// The drift command on ServerShareAttachments created through Pulumi's provider host (the real __provider and
// Create outputs, admin credentials as stack config): admin-only outputs read by a member credential are "not
// visible", a pending power restore left by an interrupted run is reported and never done, an out-of-band
// detach is "gone"; one request per attachment on running servers; nothing changes in the cloud.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RESTORE_NOTE_KEY } from "../../provider/compute/serverGuard";
import { osEnvironment } from "../../simulator/core/app";
import { SEED } from "../../simulator/core/identity";
import { Conformance, startConformance } from "../support/conformance";
import { cliInProcess, withOsEnvironment } from "../support/driftCli";
import { SimulatorClient } from "../support/simulatorClient";
import { SERVERS, createServer, createShare, serverOf, serverReaches } from "../support/simulatorObjects";
import { StateOf, stackExportOf } from "../support/stackExport";

const KIND = "ServerShareAttachment";
const READER_PASSWORD = "ci-reader-password-1";

describe("drift: ServerShareAttachment on the simulator", function () {
  this.timeout(60_000);
  let c: Conformance;
  let client: SimulatorClient;
  let dir: string;
  let admin: Record<string, string>;
  /** A CI credential: a member (not admin) of the project the attachments were created in. */
  let reader: Record<string, string>;

  const writeExport = (name: string, states: StateOf[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(stackExportOf(states)));
    return file;
  };
  const serviceRequests = () => c.sim.world.requestLog.records.filter((r) => r.service !== "control");
  const mutations = () => serviceRequests().filter((r) => r.method !== "GET" && r.service !== "identity");

  async function attach(name: string, serverId: string): Promise<StateOf> {
    const inputs = c.inputs(KIND, { serverId, shareId: await createShare(client, { user: "admin" }) });
    const { id, properties } = await c.host.create(c.urn(KIND, name), inputs);
    return { kind: KIND, name, id, inputs, outputs: properties };
  }

  before(async () => {
    c = await startConformance({ simulator: { transitions: { default: 5 } } });
    client = new SimulatorClient(c.sim);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-ssa-"));
    admin = osEnvironment(c.sim, "admin");
    const project = SEED.projects.find((p) => p.name === "admin")!;
    c.sim.world.identity.users.set("c1a0b2c4d6e8f0a2c4e6a8b0d2f4a6c8", {
      id: "c1a0b2c4d6e8f0a2c4e6a8b0d2f4a6c8",
      name: "ci-reader",
      domainId: "default",
      password: READER_PASSWORD,
      projectId: project.id,
      roles: ["member", "reader"],
    });
    reader = { ...admin, OS_USERNAME: "ci-reader", OS_PASSWORD: READER_PASSWORD };
  });
  after(async () => {
    await c?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("admin-only outputs read by a member are 'not visible', not drift; one request per attachment", async () => {
    const vm = await createServer(client, { user: "admin" });
    const states = [await attach("one", vm), await attach("two", vm), await attach("three", vm)];
    assert.ok(states.every((s) => typeof s.outputs.uuid === "string" && s.outputs.exportLocation));
    const file = writeExport("members.json", states);
    c.sim.world.requestLog.clear();

    const asMember = await withOsEnvironment(reader, () => cliInProcess(["drift", file, "--json"]));
    assert.equal(asMember.code, 0, asMember.stdout + asMember.stderr);
    const doc = JSON.parse(asMember.stdout);
    for (const report of doc.resources) {
      assert.equal(report.status, "in-sync");
      assert.deepEqual(report.notVisible, [
        { property: "exportLocation", visibleIn: "recorded" },
        { property: "uuid", visibleIn: "recorded" },
      ]);
    }
    assert.equal(doc.summary.notVisible, 3);
    const reads = serviceRequests().filter((r) => r.service === "compute" && r.path !== "/compute/v2.1/");
    assert.deepEqual(
      reads.map((r) => `${r.method} ${r.route}`),
      Array(3).fill("GET /compute/v2.1/servers/:server_id/shares/:share_id"),
      "one request per attachment on a running server (no server read)",
    );
    assert.deepEqual(mutations(), []);

    const summaryOnly = await withOsEnvironment(reader, () => cliInProcess(["drift", file]));
    assert.equal(summaryOnly.code, 0);
    assert.equal(
      summaryOnly.stdout.split("\n").slice(1, 3).join("\n"),
      "2 resources of other packages in " +
        file +
        " were skipped.\n" +
        "3 resources have admin-only outputs the reading credential cannot see; they were not compared (--all lists them).",
    );
    assert.doesNotMatch(summaryOnly.stdout, /│/, "no table when everything is in sync");
    const table = await withOsEnvironment(reader, () => cliInProcess(["drift", file, "--all"]));
    assert.equal(table.code, 0);
    assert.match(
      table.stdout,
      /│ one +│ ServerShareAttachment +│ in sync +│ exportLocation +│ \(recorded\) +│ not visible \(admin-only\) +│/,
    );
    assert.match(table.stdout, /All 3 resources are in sync/);
    assert.ok(!table.stdout.includes(READER_PASSWORD) && !table.stdout.includes(admin.OS_PASSWORD));

    // The admin sees them: nothing to report.
    const asAdmin = await withOsEnvironment(admin, () => cliInProcess(["drift", file, "--json"]));
    assert.equal(asAdmin.code, 0);
    assert.deepEqual(
      JSON.parse(asAdmin.stdout).resources.map((r: any) => r.notVisible),
      [[], [], []],
    );
  });

  it("reports a pending power restore an interrupted run left, and leaves the server stopped", async () => {
    const vm = await createServer(client, { user: "admin" });
    const state = await attach("data", vm);
    const other = await attach("logs", vm);
    assert.equal(state.outputs.status, "active");
    // What a `pulumi up` killed after its stop leaves: the note in the metadata, the server SHUTOFF.
    const note = { state: "ACTIVE", by: `elsewhere#${process.pid}`, at: new Date().toISOString() };
    const res = await client.call(
      "admin",
      "PUT",
      `${SERVERS}/${vm}/metadata/${encodeURIComponent(RESTORE_NOTE_KEY)}`,
      {
        body: { meta: { [RESTORE_NOTE_KEY]: JSON.stringify(note) } },
      },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await client.call("admin", "POST", `${SERVERS}/${vm}/action`, { body: { "os-stop": null } });
    await serverReaches(client, vm, "SHUTOFF");
    const file = writeExport("restore.json", [state, other]);
    c.sim.world.requestLog.clear();

    const result = await withOsEnvironment(admin, () => cliInProcess(["drift", file, "--json"]));
    assert.equal(result.code, 2, result.stderr);
    const reports = JSON.parse(result.stdout).resources;
    assert.equal(reports.length, 2);
    for (const report of reports) {
      assert.equal(report.status, "changed");
      assert.deepEqual(report.changes, [{ property: "status", recorded: "active", live: "inactive" }]);
      assert.equal(report.notes.length, 1, "each attachment of the server has the note");
      assert.match(
        report.notes[0],
        new RegExp(
          `server ${vm} is SHUTOFF with a pending power restore to ACTIVE .*not restored here \\(read-only\\)`,
        ),
      );
    }
    assert.deepEqual(
      serviceRequests()
        .filter((r) => r.service === "compute" && r.path !== "/compute/v2.1/")
        .map((r) => `${r.method} ${r.route}`)
        .sort(),
      [
        "GET /compute/v2.1/servers/:server_id",
        ...Array(2).fill("GET /compute/v2.1/servers/:server_id/shares/:share_id"),
      ],
      "the server is read once for both of its attachments",
    );
    assert.deepEqual(mutations(), [], "drift restored nothing");
    const server = await serverOf(client, vm);
    assert.equal(server.status, "SHUTOFF");
    assert.ok(server.metadata[RESTORE_NOTE_KEY], "the note stays for the next pulumi up or refresh");

    const table = await withOsEnvironment(admin, () => cliInProcess(["drift", file]));
    assert.match(
      table.stdout,
      /│ data +│ ServerShareAttachment +│ changed +│ status +│ "active" +│ "inactive" +│/,
    );
    assert.match(table.stdout, /│ note: server [0-9a-f-]+ is SHUTOFF with a pending power restore to/);
  });

  it("an attachment detached out of band is gone; an unknown server's 404 in another project is an error", async () => {
    const vm = await createServer(client, { user: "admin" });
    const state = await attach("detached", vm);
    const [serverId, shareId] = state.id.split("/");
    await client.call("admin", "POST", `${SERVERS}/${vm}/action`, { body: { "os-stop": null } });
    await serverReaches(client, vm, "SHUTOFF");
    const res = await client.call("admin", "DELETE", `${SERVERS}/${serverId}/shares/${shareId}`, {
      mv: "2.97",
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await client.until(
      () => client.call("admin", "GET", `${SERVERS}/${serverId}/shares/${shareId}`, { mv: "2.97" }),
      (r) => r.status === 404,
    );
    // Recorded in another project: its 404 proves nothing.
    const elsewhere: StateOf = {
      ...state,
      name: "elsewhere",
      outputs: {
        ...state.outputs,
        scope: { ...(state.outputs.scope as object), projectId: randomUUID().replace(/-/g, "") },
      },
    };
    const file = writeExport("gone.json", [state, elsewhere]);
    const result = await withOsEnvironment(admin, () => cliInProcess(["drift", file, "--json"]));
    assert.equal(result.code, 1);
    const [gone, error] = JSON.parse(result.stdout).resources;
    assert.equal(gone.status, "gone");
    assert.equal(error.status, "error");
    assert.match(error.error, /was created in project .*the current credentials .* point elsewhere/);
    const onlyGone = await withOsEnvironment(admin, () =>
      cliInProcess(["drift", writeExport("gone-only.json", [state])]),
    );
    assert.equal(onlyGone.code, 2);
    assert.match(onlyGone.stdout, /│ detached +│ ServerShareAttachment +│ gone +│ ServerShareAttachment +│/);
  });
});
