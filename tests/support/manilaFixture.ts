// A simulator set up for share-server tests: backends with the behaviours FACTS §4 describes (a normal one,
// one whose driver does not handle share servers so a manage sticks in manage_starting, one whose driver
// cannot unmanage), share networks, backend servers to manage, Manila-made servers to adopt, and the
// request log to count API calls.
import { strict as assert } from "assert";
import { clearTokenCache, clearVersionCache } from "../../provider/openstack";
import { osEnvironment, type RunningSimulator } from "../../simulator/core/app";
import type { RequestRecord } from "../../simulator/core/requestLog";
import { SimulatorClient, startTestSimulator, type User } from "./simulatorClient";

export const HOST = "simhost@alpha";
/** DHSS=False: a manage never leaves manage_starting (FACTS §6.9). */
export const STUCK_HOST = "legacy@gamma";
/** The driver cannot unmanage: unmanage without force ends in unmanage_error. */
export const NO_UNMANAGE_HOST = "nounmanage@delta";

export class ManilaFixture {
  private constructor(
    readonly sim: RunningSimulator,
    readonly client: SimulatorClient,
  ) {}

  /** Simulator settings with the backends above (for `startConformance({simulator})` too). */
  static readonly simulatorConfig = {
    transitions: { default: 10 },
    services: {
      manila: {
        backends: [
          { host: HOST },
          { host: STUCK_HOST, dhss: false },
          { host: NO_UNMANAGE_HOST, supportsUnmanage: false },
        ],
        availabilityZones: ["nova", "zone-b"],
      },
    },
  };

  static async start(): Promise<ManilaFixture> {
    const { sim } = await startTestSimulator(ManilaFixture.simulatorConfig, 10);
    return ManilaFixture.around(sim);
  }

  /** A fixture over a simulator started elsewhere with `simulatorConfig`. */
  static around(sim: RunningSimulator): ManilaFixture {
    return new ManilaFixture(sim, new SimulatorClient(sim));
  }

  /** Forgets every object, fault and log entry; restores the newest microversions and short transitions. */
  reset(): void {
    this.sim.world.reset();
    this.sim.world.config.transitions = { default: 10 };
    this.setShareMaxMicroversion("2.99");
  }

  close(): Promise<void> {
    return this.sim.close();
  }

  /** Plays an older cloud (the client's per-process version cache is cleared too). */
  setShareMaxMicroversion(max: string): void {
    this.sim.world.config.microversions.share.max = max;
    clearVersionCache();
  }

  /** The stack config (openstack:* keys, without the prefix) that points at the simulator as `user`. */
  stackConfig(user: User = "admin"): Record<string, string> {
    const env = osEnvironment(this.sim, user);
    return {
      authUrl: env.OS_AUTH_URL,
      userName: env.OS_USERNAME,
      password: env.OS_PASSWORD,
      tenantName: env.OS_PROJECT_NAME,
      userDomainName: "Default",
      projectDomainName: "Default",
      region: env.OS_REGION_NAME,
    };
  }

  projectOf(user: User): string {
    return this.client.projectOf(user);
  }

  /** Calls Manila's API as admin at share API 2.90. */
  api(method: string, path: string, body?: unknown, mv = "2.90") {
    return this.client.call("admin", method, `/share/v2${path}`, { mv, body });
  }

  /** A share network (with its default subnet) in the admin project. */
  async shareNetwork(name = "net"): Promise<{ id: string; subnetId: string }> {
    const res = await this.api("POST", "/share-networks", { share_network: { name } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { id: res.body.share_network.id, subnetId: res.body.share_network.share_network_subnets[0].id };
  }

  /** A subnet of `networkId` in availability zone `az`. */
  async subnet(networkId: string, az = "zone-b"): Promise<string> {
    const res = await this.api("POST", `/share-networks/${networkId}/subnets`, {
      "share-network-subnet": { availability_zone: az },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.share_network_subnet.id;
  }

  /** A server on a backend that Manila does not know yet (what manage brings in). */
  async backendServer(
    identifier: string,
    options: {
      host?: string;
      backendDetails?: Record<string, string>;
      onManage?: "active" | "error" | "stick";
    } = {},
  ): Promise<void> {
    const res = await this.client.control("POST", "/manila/backend-share-servers", {
      host: options.host ?? HOST,
      identifier,
      backendDetails: options.backendDetails ?? {},
      onManage: options.onManage,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }

  async backendIdentifiers(): Promise<string[]> {
    const res = await this.client.control("GET", "/manila/backend-share-servers");
    return res.body.backendShareServers.map((b: { identifier: string }) => b.identifier);
  }

  /** An active share server made the way the share manager makes one (what adopt takes over). */
  async existingServer(networkId: string, host = HOST): Promise<string> {
    const res = await this.client.control("POST", "/manila/share-servers", {
      shareNetworkId: networkId,
      host,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await this.until(res.body.id, (s) => s === "active");
    return res.body.id;
  }

  /** A share on `networkId`: the share manager puts it on the active server of (backend, subnet). */
  async share(networkId: string, name = "data"): Promise<string> {
    const res = await this.api("POST", "/shares", {
      share: { share_proto: "NFS", size: 1, name, share_network_id: networkId },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.share.id;
  }

  /** The server's status as Manila shows it, or undefined when it is gone. */
  async status(id: string): Promise<string | undefined> {
    const res = await this.api("GET", `/share-servers/${id}`);
    return res.status === 404 ? undefined : res.body.share_server.status;
  }

  /** Sets fields out of band (the control API): status, taskState, isAutoDeletable... */
  async patchServer(id: string, fields: Record<string, unknown>): Promise<void> {
    const res = await this.client.control("PATCH", `/manila/share-servers/${id}`, fields);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  async until(id: string, done: (status: string | undefined) => boolean): Promise<void> {
    await this.client.until(() => this.status(id), done);
  }

  /** Every Manila share-server id Manila lists. */
  async serverIds(): Promise<string[]> {
    const res = await this.api("GET", "/share-servers");
    return res.body.share_servers.map((s: { id: string }) => s.id);
  }

  /** Requests the services receive from now on (the control API is not logged). */
  recorder(): { all(): RequestRecord[]; manila(): RequestRecord[]; mutations(): string[] } {
    const since = this.sim.world.requestLog.records.length;
    const all = () => this.sim.world.requestLog.records.slice(since);
    const manila = () => all().filter((r) => r.service === "share");
    return {
      all,
      manila,
      /** Manila calls that can change something, as "POST /share-servers/ID/action 202" (any UUID as ID). */
      mutations: () =>
        manila()
          .filter((r) => r.method !== "GET")
          .map((r) => `${r.method} ${shortPath(r.path)} ${r.status}`),
    };
  }
}

/** A Manila path without "/share/v2[/project]" and with UUIDs as "ID". */
function shortPath(path: string): string {
  return path
    .replace(/^\/share\/v2(\/[0-9a-f]{32})?/, "")
    .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "ID");
}

/** Clears the client's per-process caches (tokens, versions) between simulators. */
export function clearClientCaches(): void {
  clearTokenCache();
  clearVersionCache();
}
