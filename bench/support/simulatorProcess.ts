// The simulator in its own process (the compiled CLI), so that the client being measured (our provider in
// the benchmark's process, openstacksdk in Python, the drift command) never shares an event loop with it,
// and every client talks to the same cloud. Objects are made through the cloud's own API as admin.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { osEnvironmentAt, type DeepPartial } from "../../simulator/core/app";
import type { SimulatorConfig } from "../../simulator/core/config";
import { SEED } from "../../simulator/core/identity";
import type { RequestRecord } from "../../simulator/core/requestLog";
import type { TransitionRecord } from "../../simulator/core/transitions";
import { ensureDistBuilt, repoRoot } from "../../tests/support/buildDist";

export type { RequestRecord, TransitionRecord };

/** The image and flavor of the simulated servers (m1.virtiofs: shares need hw:mem_page_size). */
const IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b";
const VIRTIOFS_FLAVOR = "42";

export class SimulatorProcess {
  private token?: string;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dir: string,
  ) {}

  static async start(config: DeepPartial<SimulatorConfig> = {}): Promise<SimulatorProcess> {
    ensureDistBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-sim-"));
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, JSON.stringify({ ...config, port: 0 }));
    const child = spawn(process.execPath, [path.join(repoRoot, "dist/simulator/cli.js"), "--config", file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`the simulator did not start:\n${out}`)), 30_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.on("exit", (code) => reject(new Error(`the simulator exited (${code}):\n${out}`)));
    });
    return new SimulatorProcess(child, url, dir);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** OS_* variables that point a client at this simulator as a seeded user. */
  env(user: "admin" | "demo" = "admin"): Record<string, string> {
    return osEnvironmentAt(this.url, "RegionOne", user);
  }

  // ------------------------------------------------------------------------------------ control API

  async control(method: string, controlPath: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.url}/_sim${controlPath}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} /_sim${controlPath}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  patchConfig(patch: DeepPartial<SimulatorConfig>): Promise<SimulatorConfig> {
    return this.control("PATCH", "/config", patch);
  }

  /** Service requests (control calls are never logged) that arrived since `since` (epoch ms). */
  async requests(since: number, until = Infinity): Promise<RequestRecord[]> {
    const { requests } = await this.control("GET", `/requests?since=${since}`);
    return (requests as RequestRecord[]).filter((r) => r.at <= until);
  }

  async transitions(since: number, until = Infinity): Promise<TransitionRecord[]> {
    const { transitions } = await this.control("GET", `/transitions?since=${since}`);
    return (transitions as TransitionRecord[]).filter((t) => t.completedAt <= until);
  }

  // ------------------------------------------------------------------------------------ cloud API (admin)

  /** One call of the cloud's API as admin (a token from Keystone, renewed on 401). */
  async api(method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}) {
    for (let attempt = 0; ; attempt++) {
      this.token ??= await this.adminToken();
      const res = await fetch(this.url + apiPath, {
        method,
        headers: {
          "X-Auth-Token": this.token,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
  }

  private async adminToken(): Promise<string> {
    const admin = SEED.users[0];
    const res = await fetch(`${this.url}/identity/v3/auth/tokens?nocatalog`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: { methods: ["password"], password: { user: { id: admin.id, password: admin.password } } },
          scope: { project: { id: admin.projectId } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`admin token: HTTP ${res.status}`);
    return res.headers.get("x-subject-token")!;
  }

  private async expect(status: number[], method: string, apiPath: string, body?: unknown, headers = {}) {
    const res = await this.api(method, apiPath, body, headers);
    if (!status.includes(res.status)) {
      throw new Error(`${method} ${apiPath}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  /** Polls `read` until `done` (bench set-up only: the measured clients have their own waits). */
  async until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline)
        throw new Error(`set-up: ${what} not reached; last ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** An ACTIVE server (flavor with hw:mem_page_size, so shares can attach); SHUTOFF with `stopped`. */
  async createServer(name: string, options: { stopped?: boolean } = {}): Promise<string> {
    const { server } = await this.expect([202], "POST", "/compute/v2.1/servers", {
      server: { name, flavorRef: VIRTIOFS_FLAVOR, imageRef: IMAGE_ID },
    });
    await this.serverReaches(server.id, "ACTIVE");
    if (options.stopped) {
      await this.expect([202], "POST", `/compute/v2.1/servers/${server.id}/action`, { "os-stop": null });
      await this.serverReaches(server.id, "SHUTOFF");
    }
    return server.id;
  }

  async server(id: string): Promise<any> {
    return (await this.expect([200], "GET", `/compute/v2.1/servers/${id}`)).server;
  }

  serverReaches(id: string, status: string) {
    return this.until(
      `server ${id} ${status}`,
      () => this.server(id),
      (s) => s.status === status && !s["OS-EXT-STS:task_state"],
    );
  }

  async volume(id: string): Promise<any> {
    const project = SEED.users[0].projectId;
    return (await this.expect([200], "GET", `/volume/v3/${project}/volumes/${id}`)).volume;
  }

  /** An available 1 GB volume. */
  async createVolume(name: string): Promise<string> {
    const project = SEED.users[0].projectId;
    const { volume } = await this.expect([202], "POST", `/volume/v3/${project}/volumes`, {
      volume: { size: 1, name },
    });
    await this.until(
      `volume ${volume.id} available`,
      () => this.volume(volume.id),
      (v) => v.status === "available",
    );
    return volume.id;
  }

  /** An available NFS share with an export location. */
  async createShare(name: string): Promise<string> {
    const mv = { "X-OpenStack-Manila-API-Version": "2.82" };
    const { share } = await this.expect(
      [200],
      "POST",
      "/share/v2/shares",
      { share: { share_proto: "NFS", size: 1, name } },
      mv,
    );
    await this.until(
      `share ${share.id} available`,
      async () => (await this.expect([200], "GET", `/share/v2/shares/${share.id}`, undefined, mv)).share,
      (s) => s.status === "available",
    );
    return share.id;
  }

  /** The share mappings of a server, as admin sees them (compute 2.97). */
  async serverShares(serverId: string): Promise<any[]> {
    const body = await this.expect([200], "GET", `/compute/v2.1/servers/${serverId}/shares`, undefined, {
      "OpenStack-API-Version": "compute 2.97",
    });
    return body.shares;
  }

  /** The volume attachments Nova shows for a server. */
  async volumeAttachments(serverId: string): Promise<any[]> {
    const body = await this.expect([200], "GET", `/compute/v2.1/servers/${serverId}/os-volume_attachments`);
    return body.volumeAttachments;
  }

  /** Cinder's attachments (all projects, admin). */
  async cinderAttachments(): Promise<any[]> {
    const project = SEED.users[0].projectId;
    const body = await this.expect(
      [200],
      "GET",
      `/volume/v3/${project}/attachments/detail?all_tenants=1`,
      undefined,
      { "OpenStack-API-Version": "volume 3.44" },
    );
    return body.attachments;
  }
}
