// `npm run simulator`: the CLI as a child process (banner, config file, no-auth mode, clean stop) and the
// config checks behind --config.
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { checkConfig } from "../../simulator/core/config";

const ROOT = path.resolve(__dirname, "..", "..");

interface Started {
  child: ChildProcess;
  stdout: string;
  url: string;
}

/**
 * Starts the CLI and resolves once it printed its banner (or rejects with its stderr when it exits). It runs
 * the compiled CLI (dist/, which the test setup builds from the same sources): under ts-node each start
 * took about 10 s on a loaded 2-core machine.
 */
function startCli(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, "dist", "simulator", "cli.js"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url && stdout.includes("Press Ctrl-C to stop.")) resolve({ child, stdout, url });
    });
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) =>
      reject(Object.assign(new Error(`exited ${code}: ${stderr}`), { code, stderr })),
    );
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** The `export NAME=value` lines of the banner. */
const exported = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^export (\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));

describe("simulator CLI", function () {
  this.timeout(30_000);

  it("prints OS_* variables, a clouds.yaml and the control API, serves them, and stops on SIGTERM", async () => {
    const { child, stdout, url } = await startCli(["--port", "0"]);
    try {
      const env = exported(stdout);
      assert.equal(env.OS_AUTH_URL, `${url}/identity/v3`);
      assert.equal(env.OS_USERNAME, "admin");
      assert.ok(stdout.includes(`Control API: ${url}/_sim`));
      const yamlText = stdout.slice(stdout.indexOf("clouds:"), stdout.indexOf("\n\nPress"));
      const clouds = parseYaml(yamlText).clouds;
      assert.equal(clouds.simulator.auth.auth_url, env.OS_AUTH_URL);
      assert.equal(clouds["simulator-demo"].auth.username, "demo");

      // The printed credentials work.
      const res = await fetch(`${env.OS_AUTH_URL}/auth/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ["password"],
              password: {
                user: { name: env.OS_USERNAME, domain: { name: "Default" }, password: env.OS_PASSWORD },
              },
            },
            scope: { project: { name: env.OS_PROJECT_NAME, domain: { name: "Default" } } },
          },
        }),
      });
      assert.equal(res.status, 201);
      assert.equal((await fetch(`${url}/_sim/health`)).status, 200);
    } finally {
      const exit = exitOf(child);
      child.kill("SIGTERM");
      assert.equal(await exit, 0);
    }
    await assert.rejects(fetch(`${url}/_sim/health`));
  });

  it("loads --config (the example file) and stops on SIGINT", async () => {
    const { child, url } = await startCli(["--config", "simulator/example-config.yaml", "--port", "0"]);
    try {
      const config = (await (await fetch(`${url}/_sim/config`)).json()) as any;
      assert.equal(config.transitions["volume.create"], 200);
      assert.equal(config.port, 0, "--port overrides the file");
      const faults = (await (await fetch(`${url}/_sim/faults`)).json()) as any;
      assert.equal(faults.faults.length, 3);
    } finally {
      const exit = exitOf(child);
      child.kill("SIGINT");
      assert.equal(await exit, 0);
    }
  });

  it("--noauth prints a token of the form user:project that the services accept; --profile plays a release", async () => {
    const { child, stdout, url } = await startCli([
      "--noauth",
      "--profile",
      "debian-bookworm",
      "--port",
      "0",
    ]);
    try {
      assert.match(stdout, /auth: noauth; profile: debian-bookworm/);
      const versions: any = await (await fetch(`${url}/compute/`)).json();
      assert.equal(versions.versions[1].version, "2.93", "Nova 26's maximum");
      const env = exported(stdout);
      assert.equal(env.OS_AUTH_TYPE, "admin_token");
      assert.match(env.OS_TOKEN, /^admin:[0-9a-f]{32}$/);
      const res = await fetch(`${env.OS_ENDPOINT}/volumes`, { headers: { "X-Auth-Token": env.OS_TOKEN } });
      assert.equal(res.status, 200);
      assert.ok(env.OS_ENDPOINT.startsWith(`${url}/volume/v3/`));
    } finally {
      child.kill("SIGTERM");
      await exitOf(child);
    }
  });

  it("refuses a bad config file or port with a message naming the property", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sim-cli-")), "bad.yaml");
    fs.writeFileSync(file, "transitons:\n  default: 5\n");
    await assert.rejects(startCli(["--config", file]), (error: any) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /bad\.yaml: transitons is not a setting/);
      return true;
    });
    await assert.rejects(startCli(["--port", "70000"]), (error: any) => {
      assert.notEqual(error.code, 0);
      assert.match(error.stderr, /--port <n>.*must be an integer from 0 to 65535/);
      return true;
    });
  });
});

describe("checkConfig", () => {
  it("accepts the example file and every documented key", () => {
    checkConfig(
      parseYaml(fs.readFileSync(path.join(ROOT, "simulator/example-config.yaml"), "utf8")),
      "example",
    );
  });

  it("names the offending property", () => {
    const cases: [unknown, RegExp][] = [
      [{ port: -1 }, /^f: port must be an integer from 0 to 65535$/],
      [{ auth: "none" }, /^f: auth must be "keystone" or "noauth"$/],
      [{ profile: "zed" }, /^f: profile must be one of newest, debian-bookworm$/],
      [{ tokenTtlSeconds: 0 }, /^f: tokenTtlSeconds must be a positive number$/],
      [
        { microversions: { volume: { max: "3" } } },
        /^f: microversions\.volume\.max must be a version string/,
      ],
      [{ microversions: { block: {} } }, /^f: microversions\.block is not a service/],
      [
        { transitions: { "server.stop": "slow" } },
        /^f: transitions\.server\.stop must be a number of milliseconds/,
      ],
      [{ faults: {} }, /^f: faults must be a list/],
      [[], /^f: the document must be a mapping$/],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => checkConfig(value, "f"),
        (error: Error) => message.test(error.message),
      );
    }
  });
});
