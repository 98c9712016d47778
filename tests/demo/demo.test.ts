// `npm run demo` end to end, in this process (its simulator too; Pulumi's provider host is its own process):
// the steps, a failing step, and the command's exit code (the entry point only sets process.exitCode from it).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { main, runDemo } from "../../demo/run";
import type { FaultRule } from "../../simulator/core/faultInjection";

/** Resolves true when something listens on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** The ports of the simulator and the provider host, from the demo's own lines. */
function portsOf(lines: string[]): number[] {
  const text = lines.join("\n");
  const simulator = /http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
  const host = /port (\d+), started in/.exec(text)?.[1];
  return [simulator, host].filter((p): p is string => p !== undefined).map(Number);
}

describe("npm run demo", function () {
  this.timeout(120_000);

  it("runs the main example through Pulumi's provider host, finds the drift, destroys everything", async () => {
    const lines: string[] = [];
    await runDemo({ write: (line) => lines.push(line) });
    const text = lines.join("\n");

    // The steps, in this order.
    const steps = [
      "the same program runs with `pulumi up`",
      "Start the OpenStack simulator",
      "Start Pulumi's dynamic-provider host",
      "Run examples/full-stack/index.ts",
      "Create ServerShareAttachment app-files-on-server",
      "Create VolumeAttachment app-data-on-server",
      "Create BlockStorageAttachment scratch-on-backup-host",
      "Someone changes the cloud",
      "A pipeline's drift check",
      "app-files-on-server │ ServerShareAttachment │ changed │ status",
      "app-data-on-server  │ VolumeAttachment      │ gone",
      "exit code 2: drift",
      "`pulumi refresh` finds the same drift",
      "ServerShareAttachment app-files-on-server: status: active → inactive",
      "VolumeAttachment app-data-on-server: gone",
      "`pulumi up` again: VolumeAttachment app-data-on-server is created anew",
      "`pulumi destroy`",
      "nothing is left on the simulator",
      "Stop the host and the simulator",
      "Done in",
    ];
    let at = 0;
    for (const step of steps) {
      const found = text.indexOf(step, at);
      assert.ok(found >= 0, `missing or out of order: "${step}"\n${text}`);
      at = found;
    }
    // The counterparts of @pulumi/openstack's resources were made with the simulator's APIs.
    for (const type of [
      "compute/instance:Instance",
      "blockstorage/volume:Volume",
      "sharedfilesystem/share:Share",
    ]) {
      assert.match(text, new RegExp(`\\+ openstack:${type} `));
    }
    // The provider's own log came through the host's output, as the engine shows it.
    assert.match(text, /host \| info: \[runtime\] stopping server /);
    // The stack config's password was sent as a secret and never printed; nor was the connection info.
    assert.match(text, /openstack:password = \[secret\]/);
    assert.match(text, /connectionInfo=\[secret\]/);
    assert.ok(!text.includes("sim-admin-password"));
    assert.ok(!/auth_password|target_iqn/.test(text));
    // Both servers are stopped.
    for (const port of portsOf(lines)) assert.equal(await listening(port), false, `port ${port} still open`);
  });

  it("fails with the failing step's error and stops the host and the simulator", async () => {
    const lines: string[] = [];
    const attachFails: FaultRule = {
      method: "POST",
      path: "/servers/[^/]+/shares$",
      action: "status",
      status: 500,
    };
    await assert.rejects(
      runDemo({ write: (line) => lines.push(line), simulator: { faults: [attachFails] } }),
      /attaching share .* returned 500/,
    );
    assert.equal(portsOf(lines).length, 2);
    for (const port of portsOf(lines)) assert.equal(await listening(port), false, `port ${port} still open`);
  });

  it("as a command: exit code 1 and the reason when a step fails or the command line is wrong", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-"));
    const config = path.join(dir, "sim.yaml");
    fs.writeFileSync(config, "faults:\n  - path: ^/share/\n    action: status\n    status: 503\n");
    try {
      let stderr = "";
      const io = { stdout: () => {}, stderr: (text: string) => (stderr += text) };
      assert.equal(await main(["--simulator-config", config], io), 1);
      assert.match(stderr, /demo FAILED: .*share network.* returned 503/);
      stderr = "";
      assert.equal(await main(["--simulator-config", path.join(dir, "missing.yaml")], io), 1);
      assert.match(stderr, /missing\.yaml/);
      stderr = "";
      assert.equal(await main(["--frobnicate"], io), 1);
      assert.match(stderr, /unknown option '--frobnicate'/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
