// The client core's log in Pulumi's provider host: the host wrapper's configure points it at Pulumi's log,
// which (no engine connection in a dynamic-provider host) writes lines to the host's stdout and stderr;
// the engine shows each line of those streams as it arrives. So the test reads the streams the engine reads.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProviderHost, secretValue, urnOf } from "../support/providerHost";
import { probeKind, probeProviderModule } from "../support/probeProvider";
import { providerTextOf } from "../support/serializedProvider";

const password = "host-log-password-7f3a";

describe("the provider's log in Pulumi's provider host", () => {
  let host: ProviderHost;
  let probe: string;
  const lines: { line: string; stream: string }[] = [];
  const urn = urnOf(probeKind, "logger");

  before(async () => {
    [host, probe] = await Promise.all([
      ProviderHost.start({
        preload: [probeProviderModule],
        onLine: (line, stream) => lines.push({ line, stream }),
      }),
      providerTextOf(probeKind),
    ]);
    await host.configure({
      "openstack:authUrl": "http://127.0.0.1:5000/v3",
      "openstack:password": secretValue(password),
    });
  });

  after(() => host?.stop());

  it("info goes to stdout and warnings to stderr, as Pulumi's log writes them; debug is dropped", async () => {
    await host.create(urn, {
      __provider: probe,
      log: [
        ["info", "attaching share s1 to server v1"],
        ["warn", "server v1 was left stopped by an earlier run"],
        ["debug", "GET /servers/v1 200 in 3 ms"],
      ],
    });
    assert.match(host.stdout, /^info: \[runtime\] attaching share s1 to server v1$/m);
    assert.match(host.stderr, /^warning: \[runtime\] server v1 was left stopped by an earlier run$/m);
    assert.doesNotMatch(host.stdout + host.stderr, /GET \/servers\/v1/);
  });

  it("secrets from the stack config are redacted before a line leaves the provider", async () => {
    await host.create(urn, { __provider: probe, log: [["info", `token request with ${password}`]] });
    assert.match(host.stdout, /token request with \*\*\*/);
    assert.ok(!host.stdout.includes(password) && !host.stderr.includes(password));
  });

  it("a long wait's progress lines arrive while the call is still running", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "host-log-"));
    const file = path.join(dir, "done");
    let finished = false;
    const create = host
      .create(urn, { __provider: probe, waitForFile: file })
      .finally(() => (finished = true));
    // The core's waitFor reports progress every 20 ms here; wait for the first line, then end the wait.
    const progress = () => lines.find(({ line }) => line.includes(`waiting for probe file ${file}`));
    for (const deadline = Date.now() + 5000; !progress() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(progress(), `no progress line; stdout:\n${host.stdout}`);
    assert.equal(progress()!.stream, "stdout");
    assert.equal(finished, false);
    fs.writeFileSync(file, "");
    await create;
    fs.rmSync(dir, { recursive: true });
  });
});
