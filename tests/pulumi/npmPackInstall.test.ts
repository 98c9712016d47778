// What users get: the package packed with `npm pack`, installed into a scratch project under the temp
// directory (offline, from the npm cache; @pulumi/pulumi linked from this checkout), a plain Node program
// there serializing the SDK classes, and Pulumi's provider host started in that project loading them.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../support/buildDist";
import { ProviderHost, secretValue, urnOf } from "../support/providerHost";
import { fingerprint, probeKind, probeProviderModule } from "../support/probeProvider";
import { providerTextOf, sdkProviderTexts } from "../support/serializedProvider";

// The program a user would write, reduced to what shows the serialized providers (run with plain node).
const program = `
const pulumi = require("@pulumi/pulumi");
const storage = require("pulumi-openstack-storage");
const texts = {};
pulumi.runtime
  .setMocks({
    newResource: (args) => {
      texts[args.type.split(":").pop()] = args.inputs.__provider;
      return { id: args.name, state: args.inputs };
    },
    call: (args) => args.inputs,
  })
  .then(() => {
    const resources = [
      new storage.ServerShareAttachment("share", { serverId: "server-1", shareId: "share-1" }),
      new storage.VolumeAttachment("volume", { serverId: "server-1", volumeId: "volume-1" }),
      new storage.BlockStorageAttachment("block", { volumeId: "volume-1" }),
      new storage.ShareServer("server", { shareServerId: "share-server-1" }),
    ];
    return Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  })
  .then(() => process.stdout.write(JSON.stringify(texts)));
`;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("an npm pack install in a scratch project", function () {
  this.timeout(180_000);
  let scratch: string;
  let project: string;
  let installedTexts: Record<string, string>;
  let host: ProviderHost | undefined;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "openstack-storage-pack-"));
    project = path.join(scratch, "project");
    fs.mkdirSync(project);
    // dist/ is fresh (tests/support/buildDist.ts), so skip prepack's build.
    const [packed] = JSON.parse(
      run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], repoRoot),
    );
    fs.writeFileSync(path.join(project, "package.json"), '{ "name": "scratch-project", "private": true }\n');
    fs.writeFileSync(path.join(project, "index.js"), program);
    const pulumiPackage = path.join(repoRoot, "node_modules", "@pulumi", "pulumi");
    const tarball = path.join(scratch, packed.filename);
    run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball, pulumiPackage],
      project,
    );
    installedTexts = JSON.parse(run(process.execPath, ["index.js"], project));
  });

  after(async () => {
    await host?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("installs the compiled package, not this checkout", () => {
    const installed = path.join(project, "node_modules", "pulumi-openstack-storage");
    assert.ok(!fs.lstatSync(installed).isSymbolicLink());
    assert.ok(fs.existsSync(path.join(installed, "dist", "provider", "resources", "index.js")));
    assert.ok(!fs.existsSync(path.join(installed, "sdk")), "TypeScript sources are not packed");
  });

  it("installs the drift command as the package's bin", () => {
    const emptyStack = JSON.stringify({
      version: 3,
      deployment: { manifest: { time: "t", magic: "m", version: "v3" } },
    });
    const bin = path.join(project, "node_modules", ".bin", "pulumi-openstack-storage");
    const output = execFileSync(bin, ["drift", "-"], { cwd: project, input: emptyStack, encoding: "utf8" });
    assert.equal(output, "No resources of pulumi-openstack-storage in standard input.\n");
  });

  it("serializes, in a plain Node program, exactly the __provider texts of this repository", async () => {
    assert.deepEqual(installedTexts, await sdkProviderTexts());
    for (const text of Object.values(installedTexts)) assert.ok(!text.includes(scratch));
  });

  it("loads in Pulumi's host started in the project, which delegates to the installed implementation", async () => {
    // The probe registers in the registry resolved from the project, i.e. the installed copy: a shim that
    // reached another copy (this checkout's dist/) would find no "Probe" kind there.
    host = await ProviderHost.start({ projectDir: project, preload: [probeProviderModule] });
    await host.configure({ "openstack:password": secretValue("pw-in-scratch") });
    const probe = await providerTextOf(probeKind);
    const { id, properties } = await host.create(urnOf(probeKind, "p"), { __provider: probe, value: 1 });
    assert.equal(id, "probe-1");
    assert.equal((properties.configured as Record<string, unknown>).password, fingerprint("pw-in-scratch"));
    for (const [kind, text] of Object.entries(installedTexts)) {
      // Reaches the installed registry: a check result, or its "not implemented yet" error.
      await host.check(urnOf(kind, "x"), {}, { __provider: text }).catch((error: Error) => {
        assert.match(error.message, new RegExp(`the ${kind} provider is not implemented yet`));
      });
    }
    assert.doesNotMatch(host.stderr, /Cannot find module/);
  });
});
