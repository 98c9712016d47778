// The command's own mechanics, with a test-only resource kind registered in this process (its read does what
// the recorded outputs ask): bounded concurrency in export order, read-only reads, read warnings as notes, the
// request timeout, progress, usage errors and bad exports, and secrets redacted from every message.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { connect, isReadOnly, log, setStackConfig } from "../../provider/openstack";
import { registerImplementation } from "../../provider/resources";
import { repoRoot } from "../support/buildDist";
import { cliInProcess } from "../support/driftCli";
import { StateOf, stackExportOf } from "../support/stackExport";
import { FakeServer, noauthCredentials, startServer } from "../unit/openstack/fakeServer";

const KIND = "DriftProbe";
let inFlight = 0;
let maxInFlight = 0;
let server: FakeServer;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const session = () =>
  connect({ credentials: noauthCredentials({ compute: server.url }), retry: { retries: 0 } });

registerImplementation(KIND, {
  check: async (_olds, news) => ({ inputs: news }),
  diff: async () => ({}),
  create: async () => ({ id: "x", outs: {} }),
  delete: async () => undefined,
  async read(id, props) {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await sleep(Number(props.sleepMs ?? 0));
      switch (props.behaviour) {
        case "post":
          await session().request("compute", "POST", "/servers/s/action", { body: { "os-start": null } });
          break;
        case "warn":
          log.warn(`server ${id} has a pending power restore`);
          break;
        case "slow":
          await session().request("compute", "GET", "/slow");
          break;
        case "long":
          throw new Error(`GET ${props.url} failed`);
        case "leak":
          throw new Error(`read failed for ${props.secretHolder}`);
        case "gone":
          return {};
      }
      return { id, props: { ...props, status: props.liveStatus ?? props.status } };
    } finally {
      inFlight--;
    }
  },
});

function probe(name: string, outputs: Record<string, unknown> = {}): StateOf {
  const inputs = { __provider: "exports.handler = {}" };
  return { kind: KIND, name, id: `id-${name}`, inputs, outputs: { ...inputs, status: "ok", ...outputs } };
}

describe("drift: the command", () => {
  let dir: string;
  const exportFile = (name: string, states: StateOf[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(stackExportOf(states)));
    return file;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-command-"));
    server = await startServer();
    server.route("GET", "/slow", { delayMs: 400, body: {} });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    maxInFlight = 0;
  });

  it("reads at most --concurrency resources at once (16 by default) and reports in export order", async () => {
    const states = Array.from({ length: 40 }, (_, i) =>
      probe(`r${i}`, { sleepMs: (i * 7) % 23, ...(i % 5 === 0 ? { liveStatus: "moved" } : {}) }),
    );
    const file = exportFile("many.json", states);
    const four = await cliInProcess(["drift", file, "--json", "--concurrency", "4"]);
    assert.equal(four.code, 2, four.stderr);
    assert.equal(maxInFlight, 4);
    const doc = JSON.parse(four.stdout);
    assert.deepEqual(
      doc.resources.map((r: { name: string }) => r.name),
      states.map((s) => s.name),
    );
    assert.equal(doc.summary.changed, 8);
    maxInFlight = 0;
    await cliInProcess(["drift", file, "--json"]);
    assert.equal(maxInFlight, 16);
  });

  it("runs every read in read-only mode: a read that would change something fails, and nothing is sent", async () => {
    const file = exportFile("post.json", [probe("repairing", { behaviour: "post" }), probe("fine")]);
    const result = await cliInProcess(["drift", file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /│ repairing +│ DriftProbe +│ error +│ refused compute POST \/servers\/s\/action: this/,
    );
    assert.equal(server.count("POST", "/servers/s/action"), 0);
    assert.equal(isReadOnly(), false, "read-only mode ends with the command");
  });

  it("shows what a read warned about (e.g. a repair it did not do) as a note of that resource", async () => {
    const file = exportFile("warn.json", [
      probe("a"),
      probe("noted", { behaviour: "warn", sleepMs: 5 }),
      probe("c"),
    ]);
    const result = await cliInProcess(["drift", file, "--json"]);
    assert.equal(result.code, 0);
    const notes = JSON.parse(result.stdout).resources.map((r: { notes: string[] }) => r.notes);
    assert.deepEqual(notes, [[], ["server id-noted has a pending power restore"], []]);
    const table = await cliInProcess(["drift", file]);
    assert.match(
      table.stdout,
      /│ noted +│ DriftProbe +│ in sync +│ note: server id-noted has a pending power restore/,
    );
    assert.match(table.stdout, /All 3 resources are in sync/);
  });

  it("applies --timeout to each request, then restores the default", async () => {
    const file = exportFile("slow.json", [probe("slow", { behaviour: "slow" })]);
    const result = await cliInProcess(["drift", file, "--timeout", "0.05", "--json"]);
    assert.equal(result.code, 1);
    const [report] = JSON.parse(result.stdout).resources;
    assert.match(report.error, /timeout of 50ms exceeded/);
    assert.equal((await cliInProcess(["drift", file, "--json"])).code, 0, "the default (30 s) is back");
  });

  it("shows progress on stderr only when it is a terminal, unless --no-progress", async () => {
    const file = exportFile("progress.json", [probe("a"), probe("b", { liveStatus: "x" })]);
    const tty = await cliInProcess(["drift", file], { stderrIsTTY: true });
    assert.match(tty.stderr, /\r\x1b\[Kchecked 2\/2: 1 changed, 0 gone, 0 errors\r\x1b\[K$/);
    assert.equal((await cliInProcess(["drift", file], { stderrIsTTY: true })).code, 2);
    assert.equal((await cliInProcess(["drift", file, "--no-progress"], { stderrIsTTY: true })).stderr, "");
    assert.equal((await cliInProcess(["drift", file])).stderr, "");
  });

  it("the table wraps long values and words (URLs, ids) instead of clipping them", async () => {
    const url = `http://127.0.0.1:8774/v2.1/servers/${"0123456789abcdef".repeat(8)}/shares/${"f".repeat(32)}`;
    const status = "s".repeat(150);
    const file = exportFile("long.json", [
      probe("long", { behaviour: "long", url }),
      probe("wide", { liveStatus: status }),
    ]);
    const { stdout } = await cliInProcess(["drift", file]);
    assert.ok(!stdout.includes("…"), stdout);
    const text = stdout.replace(/[│┌┐└┘├┤┬┴┼─\s]/g, "");
    assert.ok(text.includes(url) && text.includes(JSON.stringify(status)), stdout);
    assert.ok(stdout.split("\n").every((line) => line.length <= stdout.split("\n")[0].length));
  });

  it("redacts secrets from every message: a read error that quotes the configured password", async () => {
    const password = "probe-config-password-7";
    const config = path.join(dir, "config.yaml");
    fs.writeFileSync(config, `openstack:authUrl: http://127.0.0.1:9/v3\nopenstack:password: ${password}\n`);
    const file = exportFile("leak.json", [probe("leaky", { behaviour: "leak", secretHolder: password })]);
    for (const format of [[], ["--json"]]) {
      const result = await cliInProcess(["drift", file, "--config", config, ...format]);
      assert.equal(result.code, 1);
      assert.ok(!result.stdout.includes(password) && !result.stderr.includes(password));
      assert.match(result.stdout, /read failed for \*\*\*/);
    }
    setStackConfig(undefined);
  });

  it("exits 0 with a clear line when the export has no resource of this package", async () => {
    const file = path.join(dir, "foreign.json");
    const doc = stackExportOf([], {
      others: [
        {
          urn: "urn:pulumi:test::p::openstack:compute/instance:Instance::vm",
          type: "openstack:compute/instance:Instance",
          custom: true,
          id: "i-1",
        },
      ],
    });
    fs.writeFileSync(file, JSON.stringify(doc));
    const result = await cliInProcess(["drift", file]);
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      `No resources of pulumi-openstack-storage in ${file}.\n3 resources of other packages in ${file} were skipped.\n`,
    );
    const json = JSON.parse((await cliInProcess(["drift", file, "--json"])).stdout);
    assert.deepEqual(json.resources, []);
    assert.equal(json.summary.otherResources, 3);
  });

  it("exits 1 with a clear message, and prints nothing on stdout, for a bad export or bad options", async () => {
    const malformed = path.join(dir, "malformed.json");
    fs.writeFileSync(malformed, "{ not json");
    const notExport = path.join(dir, "Pulumi.yaml.json");
    fs.writeFileSync(notExport, JSON.stringify({ name: "proj", runtime: "nodejs" }));
    const cases: [string[], RegExp, string?][] = [
      [["drift", malformed], /^error: .*malformed\.json is not valid JSON: /],
      [
        ["drift", notExport],
        /^error: .*Pulumi\.yaml\.json is not a Pulumi stack export: it has no version \(its top-level keys: name, runtime\)/,
      ],
      [["drift", "-"], /^error: .*standard input is not a Pulumi stack export: it holds number/, "42"],
      [["drift", path.join(dir, "missing.json")], /^error: cannot read .*missing\.json: ENOENT/],
      [
        ["drift"],
        /^error: no stack export given: name a file, or pipe one in: pulumi stack export \| pulumi-openstack-storage drift -/,
      ],
      [
        ["drift", malformed, "--concurrency", "0"],
        /option '--concurrency <n>' argument '0' is invalid\. --concurrency must be a whole number ≥ 1\./,
      ],
      [
        ["drift", malformed, "--timeout", "soon"],
        /argument 'soon' is invalid\. the timeout must be a number of seconds > 0\./,
      ],
      [["drift", malformed, "--jsno"], /error: unknown option '--jsno'/],
      [
        ["drift", malformed, "--config", path.join(dir, "none.yaml")],
        /^error: --config .*none\.yaml: cannot read it: ENOENT/,
      ],
    ];
    for (const [args, message, stdin] of cases) {
      const result = await cliInProcess(args, { stdin });
      assert.equal(result.code, 1, args.join(" "));
      assert.match(result.stderr, message);
      assert.equal(result.stdout, "", args.join(" "));
    }
  });

  it("as a subprocess, survives a reader that closes the pipe early (`| head`), with its exit code", async () => {
    // Resources of a kind this version does not know: each one an error, quickly, and a lot of output.
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...probe(`r${i}`), kind: "FutureKind" }));
    const file = exportFile("pipe.json", many);
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "dist", "cli", "main.js"), "drift", file, "--json"],
      {
        env: { PATH: process.env.PATH },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 1);
    assert.equal(stderr, "");
  });

  it("prints help with the exit codes, exit 0", async () => {
    const result = await cliInProcess(["drift", "--help"]);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /Exit codes \(like terraform plan -detailed-exitcode\):\n  0  every resource is in sync\n  1  error: .*\n  2  drift: /,
    );
  });
});
