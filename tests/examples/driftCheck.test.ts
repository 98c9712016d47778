// examples/drift-check: the program under Pulumi's mocks against the simulator (attachments of objects that
// exist already, given by id), and drift-check.sh on its state, with a stand-in `pulumi` command that exports
// that state and answers the preview.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Counterparts, COUNTERPART_TYPES } from "../../demo/counterparts";
import { osEnvironment, RunningSimulator, startSimulator } from "../../simulator/core/app";
import { repoRoot } from "../support/buildDist";
import { ExampleRun, runExample } from "../support/examples";
import { passwordToken, request } from "../support/simulatorClient";
import { stackExportOf } from "../support/stackExport";

const project = "openstack-storage-drift-check";

/** A `pulumi` stand-in: `stack export --file F` copies $FAKE_EXPORT to F, `preview` exits $FAKE_PREVIEW_EXIT. */
const FAKE_PULUMI = `#!/usr/bin/env bash
echo "pulumi $*" >> "$FAKE_CALLS"
if [ "$1 $2" = "stack export" ]; then
  while [ $# -gt 0 ]; do [ "$1" = "--file" ] && cp "$FAKE_EXPORT" "$2"; shift; done
  exit 0
fi
[ "$1" = "preview" ] && exit "\${FAKE_PREVIEW_EXIT:-0}"
exit 64
`;

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

  it("drift-check.sh: in sync (0), preview changes (3), drift after an out-of-band detach (2, with a JUnit report)", async () => {
    run = await runExample("drift-check", sim, project, {
      serverId: ids.server,
      volumeIds: JSON.stringify(ids.volumes),
      shareId: ids.share,
    });
    const states = run.resources.map((r) => ({
      kind: r.type.split(":").pop()!,
      name: r.name,
      id: r.id!,
      inputs: r.inputs,
      outputs: r.state,
      additionalSecretOutputs: r.additionalSecretOutputs,
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-check-"));
    try {
      fs.writeFileSync(path.join(dir, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(stackExportOf(states, { project })));
      const reports = path.join(dir, "reports");
      // Not spawnSync: the simulator the drift command reads lives in this process and must keep answering.
      const check = (previewExit = 0) => {
        const withoutOs = Object.entries(process.env).filter(([key]) => !key.startsWith("OS_"));
        const script = path.join(repoRoot, "examples/drift-check/drift-check.sh");
        const child = spawn("bash", [script, "prod", reports], {
          env: {
            ...Object.fromEntries(withoutOs),
            ...osEnvironment(sim),
            PATH: `${dir}:${process.env.PATH}`,
            DRIFT_COMMAND: `${process.execPath} ${path.join(repoRoot, "dist/cli/main.js")}`,
            FAKE_EXPORT: path.join(dir, "state.json"),
            FAKE_CALLS: path.join(dir, "calls.log"),
            FAKE_PREVIEW_EXIT: String(previewExit),
          },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
          child.on("close", (status) => resolve({ status, stdout, stderr })),
        );
      };

      let result = await check();
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /stack prod: in sync/);
      assert.match(
        fs.readFileSync(path.join(dir, "calls.log"), "utf8"),
        /pulumi stack export --stack prod --file .*\npulumi preview --stack prod --refresh --expect-no-changes/,
      );

      result = await check(255);
      assert.equal(result.status, 3, result.stdout + result.stderr);
      assert.match(result.stderr, /pulumi preview --refresh found changes/);

      // Someone detaches the first volume by hand.
      await fetchAsAdmin(
        sim,
        "DELETE",
        `/compute/v2.1/servers/${ids.server}/os-volume_attachments/${ids.volumes[0]}`,
      );
      await waitUntil(() => sim.world.cinder.volumes.get(ids.volumes[0])?.status === "available");
      result = await check();
      assert.equal(result.status, 2, result.stdout + result.stderr);
      assert.match(result.stdout, /volume-0 .*│ gone/);
      const junit = fs.readFileSync(path.join(reports, "drift.xml"), "utf8");
      assert.match(junit, /<testsuites?[ >]/);
      assert.match(junit, /volume-0/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

async function fetchAsAdmin(sim: RunningSimulator, method: string, urlPath: string): Promise<void> {
  const token = await passwordToken(sim, "admin");
  const response = await request(sim, method, urlPath, { token });
  assert.ok(response.status < 300, `${method} ${urlPath}: ${response.status}`);
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
