// Requests per second the simulator serves on list calls, measured with Debian's wrk (apt-get install wrk)
// against an in-process simulator holding `VOLUMES` volumes, servers and shares (and 10 share servers). Prints a table and writes
// bench/results/simulator-rps.json.   npm run bench:simulator [-- <seconds>]
import { execFile, execFileSync } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Table from "cli-table3";
import { startSimulator } from "../simulator/core/app";
import { SEED } from "../simulator/core/identity";

const VOLUMES = 50;
const CONNECTIONS = 8;

export interface RpsRow {
  call: string;
  microversion: string;
  requestsPerSecond: number;
  p99: string;
  non2xx: number;
}

/** Requests per second on each list call, `seconds` each (npm run bench uses it for its reference rows). */
export async function measureSimulatorRps(seconds: number): Promise<RpsRow[]> {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (error: any) {
    // wrk --version exits 1 after printing its version; only a missing binary is fatal.
    if (error.code === "ENOENT")
      throw new Error("wrk is not installed: apt-get install -y --no-install-recommends wrk");
  }
  const sim = await startSimulator({ transitions: { default: 0 } });
  try {
    const demo = SEED.users[1];
    const principal = sim.world.identity.principalOf(
      sim.world.identity.users.get(demo.id)!,
      sim.world.identity.findProject({ id: demo.projectId })!,
    );
    const token = sim.world.identity.issue(principal, ["password"]).id;
    const admin = SEED.users[0];
    const adminToken = sim.world.identity.issue(
      sim.world.identity.principalOf(
        sim.world.identity.users.get(admin.id)!,
        sim.world.identity.findProject({ id: admin.projectId })!,
      ),
      ["password"],
    ).id;
    for (let i = 0; i < VOLUMES; i++) {
      sim.world.cinder.createVolume(principal, { size: 1, name: `bench-${i}` });
      sim.world.nova.createServer(principal, { name: `bench-${i}`, flavorRef: "1", imageRef: "bench-image" });
      // Every fifth share on its own share network, so a share server each (10 share servers).
      const network =
        i % 5 === 0 ? sim.world.manila.createShareNetwork(principal, { name: `bench-${i}` }) : undefined;
      sim.world.manila.createShare(principal, {
        shareProto: "NFS",
        size: 1,
        name: `bench-${i}`,
        shareNetworkId: network?.id,
      });
    }
    await new Promise((r) => setTimeout(r, 50));

    // [name, path, microversion header, value, token]
    const calls = [
      [
        "GET /volume/v3/{p}/volumes",
        `/volume/v3/${demo.projectId}/volumes`,
        "OpenStack-API-Version",
        "volume 3.0",
        token,
      ],
      [
        "GET /volume/v3/{p}/volumes/detail",
        `/volume/v3/${demo.projectId}/volumes/detail`,
        "OpenStack-API-Version",
        "volume 3.71",
        token,
      ],
      [
        "GET /volume/v3/{p}/attachments",
        `/volume/v3/${demo.projectId}/attachments`,
        "OpenStack-API-Version",
        "volume 3.44",
        token,
      ],
      [
        "GET /compute/v2.1/servers/detail",
        "/compute/v2.1/servers/detail",
        "OpenStack-API-Version",
        "compute 2.97",
        token,
      ],
      [
        "GET /share/v2/shares/detail",
        "/share/v2/shares/detail",
        "X-OpenStack-Manila-API-Version",
        "2.82",
        token,
      ],
      [
        "GET /share/v2/share-servers (admin)",
        "/share/v2/share-servers",
        "X-OpenStack-Manila-API-Version",
        "2.90",
        adminToken,
      ],
    ];
    const rows: RpsRow[] = [];
    // wrk runs asynchronously: the simulator shares this process's event loop.
    for (const [name, urlPath, header, mv, callToken] of calls) {
      const { stdout: out } = await promisify(execFile)(
        "wrk",
        [
          "-t1",
          `-c${CONNECTIONS}`,
          `-d${seconds}s`,
          "--latency",
          "-H",
          `X-Auth-Token: ${callToken}`,
          "-H",
          `${header}: ${mv}`,
          sim.url + urlPath,
        ],
        { encoding: "utf8" },
      );
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const p99 = /99%\s+([\d.]+\w+)/.exec(out)?.[1] ?? "?";
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      rows.push({ call: name, microversion: mv, requestsPerSecond: rps, p99, non2xx });
    }

    return rows;
  } finally {
    await sim.close();
  }
}

async function main() {
  const seconds = Number(process.argv[2] ?? 10);
  const rows = await measureSimulatorRps(seconds);
  const table = new Table({ head: ["call", "microversion", "req/s", "p99", "non-2xx"] });
  for (const r of rows) table.push([r.call, r.microversion, r.requestsPerSecond.toFixed(0), r.p99, r.non2xx]);
  console.log(
    `${VOLUMES} volumes, servers and shares, ${CONNECTIONS} connections, ${seconds} s each, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`,
  );
  console.log(table.toString());
  const file = path.join(__dirname, "results", "simulator-rps.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        volumes: VOLUMES,
        connections: CONNECTIONS,
        seconds,
        loadAverage: os.loadavg()[0],
        rows,
      },
      null,
      2,
    ),
  );
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  });
}
