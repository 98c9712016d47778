// The drift command against the simulator, on stack exports built from what our own providers recorded:
// BlockStorageAttachment and VolumeAttachment created through Pulumi's provider host (the real `__provider`,
// the real Create outputs), then changed out of band through the simulator's OpenStack API. Every outcome,
// the exit codes, the three output formats, read-only reads, one token, secrets never printed.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cloudsYaml, osEnvironment } from "../../simulator/core/app";
import { cliInProcess, cliSubprocess, withOsEnvironment } from "../support/driftCli";
import { HostedCloud, startHostedCloud } from "../support/hostedCloud";
import { urnOf } from "../support/providerHost";
import { sdkProviderTexts } from "../support/serializedProvider";
import { StateOf, stackExportOf } from "../support/stackExport";

const CONNECTOR = {
  initiator: "iqn.1993-08.org.debian:01:drift0001",
  ip: "192.0.2.30",
  platform: "x86_64",
  host: "drift-host-1",
  os_type: "linux",
  multipath: false,
};

describe("drift: BlockStorageAttachment and VolumeAttachment on the simulator", () => {
  let hc: HostedCloud;
  let texts: Record<string, string>;
  let dir: string;
  /** The resources the tests start from, as the engine recorded them after `pulumi up`. */
  let states: Record<"reserved" | "connected" | "pending" | "volume", StateOf>;
  /** CHAP passwords of the volumes: secrets that must never be printed. */
  const chapPasswords: string[] = [];

  const project = () => hc.cloud.client.projectOf("admin");
  const writeExport = (name: string, doc: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  const neverPrintsSecrets = (...texts: string[]) => {
    const secrets = [hc.password, ...chapPasswords];
    for (const text of texts)
      for (const secret of secrets) assert.ok(!text.includes(secret), "a secret was printed");
  };

  async function created(kind: string, name: string, inputs: Record<string, unknown>): Promise<StateOf> {
    const given = { __provider: texts[kind], ...inputs };
    const { id, properties } = await hc.host.create(urnOf(kind, name), given);
    return {
      kind,
      name,
      id,
      inputs: given,
      outputs: properties,
      additionalSecretOutputs: kind === "BlockStorageAttachment" ? ["connectionInfo"] : undefined,
    };
  }

  async function volume(): Promise<string> {
    const id = await hc.cloud.createVolume();
    chapPasswords.push(hc.cloud.volume(id).export.chapPassword);
    return id;
  }

  before(async () => {
    [hc, texts] = await Promise.all([startHostedCloud("BlockStorageAttachment"), sdkProviderTexts()]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-attachments-"));
  });
  after(async () => {
    await hc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    hc.cloud.reset();
    hc.cloud.useUser("admin");
    const serverId = await hc.cloud.createServer();
    states = {
      reserved: await created("BlockStorageAttachment", "reserved", { volumeId: await volume() }),
      connected: await created("BlockStorageAttachment", "connected", {
        volumeId: await volume(),
        instanceId: serverId,
        connector: CONNECTOR,
      }),
      pending: await created("BlockStorageAttachment", "pending", {
        volumeId: await volume(),
        connector: CONNECTOR,
        complete: false,
      }),
      volume: await created("VolumeAttachment", "data", { serverId, volumeId: await volume() }),
    };
    hc.cloud.clearRequests();
  });

  it("in sync: exit 0, one GET per resource and one token, nothing changed in the cloud", async () => {
    const file = writeExport("in-sync.json", stackExportOf(Object.values(states)));
    const result = await cliInProcess(["drift", file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^All 4 resources are in sync \(\d+\.\d s\)\.$/m);
    assert.match(result.stdout, /2 resources of other packages in .* were skipped/);
    assert.match(result.stdout, /3 resources have secret outputs that are encrypted in the export/);
    assert.equal(result.stderr, "");

    assert.deepEqual(hc.cloud.mutations(), [], "drift must not change anything");
    const tokens = hc.cloud.requests({ method: "POST", path: /\/auth\/tokens$/ });
    assert.equal(tokens.length, 1, "one token for the whole run");
    const reads = hc.cloud.requests({ path: /\/(attachments|os-volume_attachments)\/[^/]+$/ });
    assert.equal(reads.length, 4, "one read per resource");
    const others = hc.cloud.requests().filter((r) => !reads.includes(r) && !tokens.includes(r));
    assert.ok(
      others.every((r) => /^\/(compute\/v2\.1|volume\/v3)\/?$/.test(r.path)),
      `only version discovery besides: ${others.map((r) => r.path).join(", ")}`,
    );
  });

  it("reports every outcome: changed (recorded → live), gone, error; errors win the exit code", async () => {
    const { reserved, pending, volume: attached } = states;
    // Out of band: complete the pending attachment, flip delete_on_termination, delete the reserved one.
    const cinder = `/volume/v3/${project()}/attachments`;
    let res = await hc.cloud.client.call("admin", "POST", `${cinder}/${pending.id}/action`, {
      mv: "3.44",
      body: { "os-complete": null },
    });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const [serverId, volumeId] = attached.id.split("/");
    res = await hc.cloud.client.call(
      "admin",
      "PUT",
      `/compute/v2.1/servers/${serverId}/os-volume_attachments/${volumeId}`,
      {
        mv: "2.85",
        body: { volumeAttachment: { volumeId, delete_on_termination: true } },
      },
    );
    assert.equal(res.status, 202, JSON.stringify(res.body));
    res = await hc.cloud.client.call("admin", "DELETE", `${cinder}/${reserved.id}`, { mv: "3.27" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    hc.cloud.clearRequests();

    const drifted = writeExport(
      "drifted.json",
      stackExportOf([reserved, states.connected, pending, attached]),
    );
    const result = await cliInProcess(["drift", drifted]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /4 resources: 1 in sync, 2 changed, 1 gone, 0 errors/);
    const row = (name: string) =>
      result.stdout.split("\n").filter((line) => line.includes(`│ ${name} `))[0] ?? "";
    assert.match(row("pending"), /│ changed .*│ status .*│ "attaching" .*│ "attached"/);
    assert.match(row("data"), /│ changed .*│ currentDeleteOnTermination .*│ false .*│ true/);
    assert.match(row("reserved"), /│ gone .*BlockStorageAttachment .* no longer exists/);
    assert.ok(!result.stdout.includes("│ connected "), "in-sync resources are not listed without --all");

    // One resource that cannot be read: a Cinder 500 on its GET.
    await hc.cloud.client.control("POST", "/faults", {
      method: "GET",
      path: `/attachments/${states.connected.id}$`,
      action: "status",
      status: 500,
      message: "The backend exploded.",
    });
    const withError = await cliInProcess(["drift", drifted, "--json"]);
    assert.equal(withError.code, 1);
    const doc = JSON.parse(withError.stdout);
    const byName = Object.fromEntries(doc.resources.map((r: any) => [r.name, r]));
    assert.deepEqual(
      doc.resources.map((r: any) => [r.name, r.kind, r.status]),
      [
        ["reserved", "BlockStorageAttachment", "gone"],
        ["connected", "BlockStorageAttachment", "error"],
        ["pending", "BlockStorageAttachment", "changed"],
        ["data", "VolumeAttachment", "changed"],
      ],
      "in export order",
    );
    assert.match(byName.connected.error, /Cinder attachment .*500.*The backend exploded/);
    assert.deepEqual(byName.pending.changes, [
      { property: "status", recorded: "attaching", live: "attached" },
    ]);
    assert.deepEqual(byName.data.changes, [
      { property: "currentDeleteOnTermination", recorded: false, live: true },
    ]);
    assert.deepEqual(byName.pending.notCompared, [
      {
        property: "connectionInfo",
        reason: "secret, encrypted in the export (`pulumi stack export --show-secrets` makes it comparable)",
      },
    ]);
    assert.equal(byName.data.urn, urnOf("VolumeAttachment", "data"));
    assert.equal(byName.data.id, attached.id);
    assert.deepEqual(doc.summary, {
      ...doc.summary,
      total: 4,
      inSync: 0,
      changed: 2,
      gone: 1,
      errors: 1,
      exitCode: 1,
    });
    assert.deepEqual(hc.cloud.mutations(), [], "drift made no change");
    neverPrintsSecrets(result.stdout, result.stderr, withError.stdout, withError.stderr);
  });

  it("writes a JUnit report: drift is a failure, an unreadable resource an error", async () => {
    const { reserved, pending } = states;
    await hc.cloud.client.call("admin", "POST", `/volume/v3/${project()}/attachments/${pending.id}/action`, {
      mv: "3.44",
      body: { "os-complete": null },
    });
    await hc.cloud.client.call("admin", "DELETE", `/volume/v3/${project()}/attachments/${reserved.id}`, {
      mv: "3.27",
    });
    const unknownKind: StateOf = { ...states.volume, kind: "FutureKind", name: "future" };
    const file = writeExport(
      "junit.json",
      stackExportOf([reserved, states.connected, pending, states.volume, unknownKind]),
    );
    const junit = path.join(dir, "drift.xml");
    const result = await cliInProcess(["drift", file, "--junit", junit]);
    assert.equal(result.code, 1);
    const xml = fs.readFileSync(junit, "utf8");
    assert.match(xml, /<testsuites tests="5" failures="2" errors="1"/);
    assert.match(
      xml,
      /<testsuite name="pulumi-openstack-storage drift: BlockStorageAttachment" tests="3" failures="2" errors="0"/,
    );
    assert.match(
      xml,
      /<testcase classname="BlockStorageAttachment" name="pending \([^)]+\)" time="[\d.]+">\s*<properties>\s*<property name="urn" value="[^"]+::pending"\/>\s*<\/properties>\s*<failure message="changed: status: &quot;attaching&quot; → &quot;attached&quot;/,
    );
    assert.match(xml, /name="reserved \([^)]+\)"[^]*?<failure message="gone: /);
    assert.match(
      xml,
      /<testsuite name="pulumi-openstack-storage drift: FutureKind"[^]*?<error message="pulumi-openstack-storage: unknown resource kind &quot;FutureKind&quot;/,
    );
    assert.match(
      result.stdout,
      /│ future +│ FutureKind +│ error +│ pulumi-openstack-storage: unknown resource kind "FutureKind"/,
    );
    neverPrintsSecrets(xml, result.stdout);
  });

  it("compares secret outputs of a --show-secrets export without ever printing them", async () => {
    const { connected } = states;
    const recorded = {
      ...connected.outputs,
      connectionInfo: { target_iqn: "iqn.recorded", auth_password: "not-the-live-one" },
    };
    const doc = stackExportOf([{ ...connected, outputs: recorded }, states.volume], { showSecrets: true });
    const file = writeExport("show-secrets.json", doc);
    for (const args of [[], ["--json"], ["--all"]]) {
      const result = await cliInProcess(["drift", file, ...args]);
      assert.equal(result.code, 2, result.stderr);
      neverPrintsSecrets(result.stdout, result.stderr);
      assert.ok(!result.stdout.includes("iqn.recorded") && !result.stdout.includes("not-the-live-one"));
      if (args[0] === "--json") {
        const [report] = JSON.parse(result.stdout).resources;
        assert.deepEqual(report.changes, [{ property: "connectionInfo", secret: true }]);
      } else {
        assert.match(
          result.stdout,
          /│ connected .*│ changed .*│ connectionInfo .*│ \(secret, values hidden\)/,
        );
      }
    }
    // Without the export's secret marker, the kind's own declaration (outputs.secret) still hides the values.
    const unmarked = writeExport(
      "unmarked.json",
      stackExportOf([{ ...connected, outputs: recorded, additionalSecretOutputs: undefined }]),
    );
    const hidden = await cliInProcess(["drift", unmarked, "--json"]);
    assert.equal(hidden.code, 2);
    assert.deepEqual(JSON.parse(hidden.stdout).resources[0].changes, [
      { property: "connectionInfo", secret: true },
    ]);
    neverPrintsSecrets(hidden.stdout);
    // The recorded plaintext equal to the live value: in sync.
    const live = hc.cloud.sim.world.cinder.attachments.get(connected.id)!;
    assert.ok(live, "the attachment exists");
    const same = writeExport("same-secrets.json", stackExportOf([connected], { showSecrets: true }));
    assert.equal((await cliInProcess(["drift", same])).code, 0);
  });

  it("never evaluates __provider: an export whose provider text would write a file is read with our own code", async () => {
    const marker = path.join(dir, "evaluated");
    const hostile = `exports.handler = (() => { require("fs").writeFileSync(${JSON.stringify(marker)}, "pwned"); return {}; })();`;
    const withHostileProvider = (state: StateOf): StateOf => ({
      ...state,
      inputs: { ...state.inputs, __provider: hostile },
      outputs: { ...state.outputs, __provider: hostile },
    });
    const file = writeExport("hostile.json", stackExportOf(Object.values(states).map(withHostileProvider)));
    const result = await cliInProcess(["drift", file, "--all"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /All 4 resources are in sync/);
    assert.match(result.stdout, /│ data +│ VolumeAttachment +│ in sync/);
    assert.equal(fs.existsSync(marker), false, "the __provider text was evaluated");
  });

  it("runs as a real subprocess (the built bin), reading the export from stdin; exit codes 0 and 2", async () => {
    const env = { PATH: process.env.PATH, HOME: dir, ...osEnvironment(hc.cloud.sim, "admin") };
    const text = JSON.stringify(stackExportOf(Object.values(states)));
    const inSync = await cliSubprocess(["drift", "-"], { env, stdin: text });
    assert.equal(inSync.code, 0, inSync.stderr);
    assert.match(inSync.stdout, /All 4 resources are in sync/);

    await hc.cloud.client.call(
      "admin",
      "DELETE",
      `/volume/v3/${project()}/attachments/${states.reserved.id}`,
      {
        mv: "3.27",
      },
    );
    const drifted = await cliSubprocess(["drift", "--json"], { env, stdin: text });
    assert.equal(drifted.code, 2, drifted.stderr);
    const doc = JSON.parse(drifted.stdout);
    assert.equal(doc.source, "standard input");
    assert.deepEqual(
      doc.resources.map((r: any) => r.status),
      ["gone", "in-sync", "in-sync", "in-sync"],
    );
    neverPrintsSecrets(inSync.stdout, inSync.stderr, drifted.stdout, drifted.stderr);
  });

  it("honours a resource's own cloud input, and --cloud/--region/--config for the others", async () => {
    const cloudsFile = path.join(dir, "clouds.yaml");
    fs.writeFileSync(cloudsFile, cloudsYaml(hc.cloud.sim));
    const file = writeExport("clouds.json", stackExportOf([states.reserved, states.volume]));
    const ownCloud: StateOf = {
      ...states.reserved,
      inputs: { ...states.reserved.inputs, cloud: "simulator" },
      outputs: { ...states.reserved.outputs, cloud: "simulator" },
    };
    const mixed = writeExport("own-cloud.json", stackExportOf([ownCloud]));
    const [none, viaCloud, elsewhere, own] = await withOsEnvironment(
      { OS_CLIENT_CONFIG_FILE: cloudsFile },
      async () => [
        // No credentials at all: every resource is an error that says so; exit 1.
        await cliInProcess(["drift", file]),
        await cliInProcess(["drift", file, "--cloud", "simulator"]),
        // A region that is not the one the resources were created in: a loud error, never "gone".
        await cliInProcess(["drift", file, "--cloud", "simulator", "--region", "RegionTwo"]),
        // The resource's own cloud input wins over --cloud: a wrong --cloud does not touch it.
        await cliInProcess(["drift", mixed, "--cloud", "no-such-cloud"]),
      ],
    );
    assert.equal(none.code, 1);
    assert.match(none.stdout, /2 resources: 0 in sync, 0 changed, 0 gone, 2 errors/);
    assert.equal(viaCloud.code, 0, viaCloud.stdout + viaCloud.stderr);
    assert.equal(elsewhere.code, 1);
    assert.doesNotMatch(elsewhere.stdout, /│ gone /);
    assert.match(
      elsewhere.stdout,
      /│ reserved +│ BlockStorageAttachment +│ error +│ no public endpoint for block-storage /,
    );
    assert.match(elsewhere.stdout, /in region RegionTwo/);
    assert.equal(own.code, 0, own.stdout + own.stderr);

    // --config: openstack:* keys in plain text, e.g. a Pulumi.<stack>.yaml without secure: values.
    const admin = osEnvironment(hc.cloud.sim, "admin");
    const configFile = path.join(dir, "Pulumi.ci.yaml");
    fs.writeFileSync(
      configFile,
      [
        "config:",
        `  openstack:authUrl: ${admin.OS_AUTH_URL}`,
        `  openstack:userName: ${admin.OS_USERNAME}`,
        `  openstack:password: ${admin.OS_PASSWORD}`,
        `  openstack:tenantName: ${admin.OS_PROJECT_NAME}`,
        "  openstack:userDomainName: Default",
        "  openstack:projectDomainName: Default",
        "  openstack:maxRetries: 3",
        "  other:setting: x",
      ].join("\n"),
    );
    const base = { PATH: process.env.PATH, HOME: dir };
    const viaConfig = await cliSubprocess(["drift", file, "--config", configFile], { env: base });
    assert.equal(viaConfig.code, 0, viaConfig.stdout + viaConfig.stderr);
    assert.equal(
      viaConfig.stderr,
      `warning: --config ${configFile}: openstack:maxRetries is not a credential key; ignored\n`,
    );

    fs.writeFileSync(
      configFile,
      `config:\n  openstack:authUrl: ${admin.OS_AUTH_URL}\n  openstack:password:\n    secure: AAABAJ4x\n`,
    );
    const secure = await cliSubprocess(["drift", file, "--config", configFile], { env: base });
    assert.equal(secure.code, 1);
    assert.match(
      secure.stderr,
      /openstack:password is encrypted \(secure:\), and stack secrets cannot be decrypted without the Pulumi CLI/,
    );
    neverPrintsSecrets(
      none.stdout,
      none.stderr,
      viaCloud.stdout,
      elsewhere.stdout,
      own.stdout,
      viaConfig.stdout,
      secure.stderr,
    );
  });
});
