// For tests that drive resource implementations and lookups against a simulator: starts one, points the
// client core at it through OS_* variables (as a user's environment would), and offers the few cloud-side
// steps the tests need (volumes, servers, the request log, logs the core writes).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { osEnvironment, type DeepPartial, type RunningSimulator } from "../../simulator/core/app";
import type { SimulatorConfig } from "../../simulator/core/config";
import type { RequestRecord } from "../../simulator/core/requestLog";
import { clearTokenCache, clearVersionCache, setLogger, setStackConfig } from "../../provider/openstack";
import { simulatorStackConfig } from "./conformance";
import { SimulatorClient, startTestSimulator, type User } from "./simulatorClient";

export class SimulatedCloud {
  private savedEnv: Record<string, string | undefined> = {};
  /** Every line the client core logged since `captureLog()`. */
  readonly logLines: string[] = [];

  private readonly initial: Pick<SimulatorConfig, "microversions" | "transitions">;

  private constructor(readonly client: SimulatorClient) {
    const { microversions, transitions } = client.sim.world.config;
    this.initial = structuredClone({ microversions, transitions });
  }

  static async start(
    overrides: DeepPartial<SimulatorConfig> = {},
    transitionMs = 5,
  ): Promise<SimulatedCloud> {
    const { client } = await startTestSimulator(overrides, transitionMs);
    return SimulatedCloud.on(client.sim);
  }

  /** Works with a simulator started elsewhere (e.g. by `startConformance`). */
  static on(sim: RunningSimulator): SimulatedCloud {
    const cloud = new SimulatedCloud(new SimulatorClient(sim));
    cloud.useUser("admin");
    return cloud;
  }

  get sim() {
    return this.client.sim;
  }

  /** Points OS_* at the simulator as `user` (and forgets cached tokens and version documents). */
  useUser(user: User): void {
    this.restoreEnv();
    for (const [key, value] of Object.entries(osEnvironment(this.sim, user))) {
      this.savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
    for (const key of ["OS_CLOUD", "OS_PROJECT_ID", "OS_TENANT_ID", "OS_TENANT_NAME", "OS_TOKEN"]) {
      if (!(key in this.savedEnv)) this.savedEnv[key] = process.env[key];
      delete process.env[key];
    }
    setStackConfig(undefined);
    clearTokenCache();
    clearVersionCache();
  }

  /** Records the core's log lines in `logLines`. */
  captureLog(): void {
    this.logLines.length = 0;
    const add = (m: string) => this.logLines.push(m);
    setLogger({ debug: add, info: add, warn: add });
  }

  private restoreEnv(): void {
    for (const [key, value] of Object.entries(this.savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    this.savedEnv = {};
  }

  /**
   * Back to the start: no resource, fault or log entry; the microversion ranges and transition times of
   * start-up; the admin user.
   */
  reset(): void {
    this.sim.world.reset();
    this.sim.world.config.transitions = structuredClone(this.initial.transitions);
    this.restoreMicroversions();
    this.useUser("admin");
  }

  /** Gives every service its microversion range from start-up again. */
  restoreMicroversions(): void {
    this.sim.world.config.microversions = structuredClone(this.initial.microversions);
    clearVersionCache();
  }

  /**
   * Runs `fn` as a Pulumi program would run a lookup: `pulumi.Config("openstack")` points at the simulator
   * as `user`, and no OS_* variable is set.
   */
  async asProgram<T>(user: User, fn: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith("OS_")) delete process.env[key];
    const config = Object.fromEntries(
      Object.entries(simulatorStackConfig(this.sim, user)).map(([key, value]) => [
        key,
        typeof value === "string" ? value : (value as { value: string }).value,
      ]),
    );
    pulumi.runtime.setAllConfig(config as Record<string, string>, ["openstack:password"]);
    clearTokenCache();
    try {
      return await fn();
    } finally {
      pulumi.runtime.setAllConfig({});
      Object.assign(process.env, saved);
    }
  }

  /** Sets a service's microversion range (e.g. `setMaxMicroversion("compute", "2.89")`). */
  setMaxMicroversion(service: "compute" | "volume", max: string): void {
    this.sim.world.config.microversions[service].max = max;
    clearVersionCache();
  }

  async close(): Promise<void> {
    setLogger(undefined);
    this.restoreEnv();
    clearTokenCache();
    clearVersionCache();
    await this.sim.close();
  }

  /** Creates a Cinder volume as `user` and waits until it is available. */
  async createVolume(options: { multiattach?: boolean; user?: User; name?: string } = {}): Promise<string> {
    const user = options.user ?? "admin";
    const res = await this.client.call(user, "POST", `/volume/v3/${this.client.projectOf(user)}/volumes`, {
      body: {
        volume: {
          size: 1,
          name: options.name ?? null,
          ...(options.multiattach ? { volume_type: "multiattach" } : {}),
        },
      },
    });
    if (res.status !== 202) throw new Error(`volume create: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const id: string = res.body.volume.id;
    await this.client.until(
      async () => this.sim.world.cinder.volumes.get(id)?.status,
      (status) => status === "available",
    );
    return id;
  }

  /** Creates a Nova server as `user` (default admin) and waits until it is ACTIVE. */
  async createServer(user: User = "admin"): Promise<string> {
    const res = await this.client.call(user, "POST", "/compute/v2.1/servers", {
      mv: "2.1",
      body: { server: { name: "vm", flavorRef: "1", imageRef: "70a599e0-31e7-49b7-b260-868f441e862b" } },
    });
    if (res.status !== 202) throw new Error(`server create: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const id: string = res.body.server.id;
    await this.client.until(
      async () => this.sim.world.nova.servers.get(id)?.vmState,
      (state) => state === "active",
    );
    return id;
  }

  /** Sets server fields through the control API (vmState, taskState, locked, volumeAttachOutcome...). */
  async patchServer(id: string, body: Record<string, unknown>): Promise<void> {
    const res = await this.client.control("PATCH", `/nova/servers/${id}`, body);
    if (res.status !== 200) throw new Error(`server patch: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** The volume as the simulator's model holds it. */
  volume(id: string) {
    const volume = this.sim.world.cinder.volumes.get(id);
    if (!volume) throw new Error(`no volume ${id} in the simulator`);
    return volume;
  }

  /** Service requests (not control calls) since the last `clearRequests()`. */
  requests(filter: { method?: string; path?: RegExp } = {}): RequestRecord[] {
    return this.sim.world.requestLog.records.filter(
      (r) =>
        r.service !== "control" &&
        (!filter.method || r.method === filter.method) &&
        (!filter.path || filter.path.test(r.path)),
    );
  }

  clearRequests(): void {
    this.sim.world.requestLog.clear();
  }

  /** Requests that change something (anything but GET/HEAD), Keystone's token requests aside. */
  mutations(): RequestRecord[] {
    return this.requests().filter((r) => !["GET", "HEAD"].includes(r.method) && r.service !== "identity");
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail("expected a failure"),
    (error: Error) => error,
  );
}

/** The value of an Output (outside a deployment, where it resolves at once). */
export const outputValue = <T>(output: pulumi.Output<T>): Promise<T> =>
  (output as unknown as { promise(): Promise<T> }).promise();
