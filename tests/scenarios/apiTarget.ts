// The part of a scenario target both targets share: prerequisites and raw reads made with plain API calls
// (noauth token `admin:<project>`, no retries, no interpretation: tests/real-openstack/support/client.ts),
// and a cleanup that removes what was made, whatever state a failed scenario left it in.
import { randomUUID } from "crypto";
import {
  RawClient,
  RawResponse,
  Service,
  apiRoot,
  microversionHeader,
} from "../real-openstack/support/client";
import type { RealEndpoints } from "../real-openstack/support/endpoints";
import type { Capabilities, ScenarioTarget, ServiceName, ShareNetwork } from "./target";
import type { TraceNames } from "./traces";

export interface ApiTargetOptions {
  name: string;
  /** Service roots (without the version path) and the one project every caller uses. */
  endpoints: Pick<RealEndpoints, "projectId" | "manila" | "cinder" | "nova">;
  capabilities: Capabilities;
  shareBackendHost: string;
  /** The flavor servers boot with; the share type shares get (undefined: the default type). */
  flavorId: string;
  shareType?: string;
  /** How often waits poll, and how long a prerequisite may take to become ready or go away. */
  pollMs: number;
  timeoutMs: number;
}

const SERVICE: Record<ServiceName, Service> = { compute: "nova", volume: "cinder", share: "manila" };
/** Statuses in which a volume is not busy with something that would make a DELETE fail. */
const VOLUME_SETTLED = ["available", "error", "in-use", "error_deleting"];

export abstract class ApiTarget implements ScenarioTarget {
  readonly name: string;
  readonly capabilities: Capabilities;
  readonly stackConfig: Record<string, string>;
  readonly environment: Record<string, string>;
  readonly traceNames: TraceNames;
  readonly shareBackendHost: string;
  protected readonly raw: RawClient;
  private readonly volumes: string[] = [];
  private readonly servers: string[] = [];
  private readonly networks: string[] = [];

  constructor(protected readonly options: ApiTargetOptions) {
    this.name = options.name;
    this.capabilities = options.capabilities;
    this.shareBackendHost = options.shareBackendHost;
    this.raw = new RawClient({ ...options.endpoints, placement: "", neutron: "" } as RealEndpoints);
    const e = options.endpoints;
    // What a user of a noauth deployment gives: endpoints per service, a project, a user.
    const endpoints = {
      compute: `${e.nova}${apiRoot("nova", this.raw.endpoints)}`,
      "block-storage": `${e.cinder}${apiRoot("cinder", this.raw.endpoints)}`,
      "shared-file-system": `${e.manila}${apiRoot("manila", this.raw.endpoints)}`,
    };
    this.stackConfig = {
      endpointOverrides: JSON.stringify(endpoints),
      tenantId: e.projectId,
      userName: "admin",
    };
    this.environment = {
      OS_AUTH_TYPE: "none",
      OS_PROJECT_ID: e.projectId,
      OS_USERNAME: "admin",
      OS_COMPUTE_ENDPOINT_OVERRIDE: endpoints.compute,
      OS_BLOCK_STORAGE_ENDPOINT_OVERRIDE: endpoints["block-storage"],
      OS_SHARED_FILE_SYSTEM_ENDPOINT_OVERRIDE: endpoints["shared-file-system"],
    };
    const prefix = (url: string) => new URL(url).pathname.replace(/\/$/, "");
    this.traceNames = {
      literals: {
        [e.manila]: "<manila>",
        [e.cinder]: "<cinder>",
        [e.nova]: "<nova>",
        [e.projectId]: "<project>",
      },
      pathPrefixes: {
        compute: prefix(e.nova),
        "block-storage": prefix(e.cinder),
        "shared-file-system": prefix(e.manila),
      },
    };
  }

  /** One call at the service's max microversion (or `mv`), path below the API root. */
  protected async call(
    service: ServiceName,
    method: string,
    path: string,
    body?: unknown,
    mv = this.capabilities.maxMicroversions[service],
  ): Promise<RawResponse> {
    const s = SERVICE[service];
    return this.raw.send(s, {
      method,
      path: apiRoot(s, this.raw.endpoints) + path,
      headers: {
        "X-Auth-Token": `admin:${this.options.endpoints.projectId}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...microversionHeader(s, mv),
      },
      body,
    });
  }

  /** `call`, failing unless the status is one of `ok`. */
  protected async expect(
    ok: number[],
    service: ServiceName,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<any> {
    const res = await this.call(service, method, path, body);
    if (!ok.includes(res.status)) {
      throw new Error(`${this.name} target: ${method} ${path}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
    }
    return res.body;
  }

  /** Polls `read` until `done` holds; fails after the target's timeout, saying what it waited for. */
  protected async until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) {
        throw new Error(`${this.name} target: ${what}: not reached; last value ${JSON.stringify(value)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
    }
  }

  protected label(): string {
    return `scenario-${randomUUID().slice(0, 8)}`;
  }

  // ------------------------------------------------------------------------------------------ Cinder

  async volume(): Promise<string> {
    const body = await this.expect([202], "volume", "POST", "/volumes", {
      volume: { size: 1, name: this.label() },
    });
    const id: string = body.volume.id;
    this.volumes.push(id);
    await this.until(
      `volume ${id} available`,
      () => this.volumeStatus(id),
      (s) => s === "available",
    );
    return id;
  }

  async volumeStatus(id: string): Promise<string | undefined> {
    const res = await this.call("volume", "GET", `/volumes/${id}`);
    return res.status === 404 ? undefined : (res.body as any).volume.status;
  }

  // -------------------------------------------------------------------------------------------- Nova

  /** Boots from a volume: neither target has an image service the scenarios could rely on. */
  async server(): Promise<string> {
    const root = await this.volume();
    await this.expect([200, 202], "volume", "POST", `/volumes/${root}/action`, {
      "os-set_bootable": { bootable: true },
    });
    const body = await this.expect([202], "compute", "POST", "/servers", {
      server: {
        name: this.label(),
        flavorRef: this.options.flavorId,
        networks: "none",
        block_device_mapping_v2: [
          { boot_index: 0, uuid: root, source_type: "volume", destination_type: "volume" },
        ],
      },
    });
    const id: string = body.server.id;
    this.servers.push(id);
    const status = await this.until(
      `server ${id} ACTIVE`,
      () => this.serverStatus(id),
      (s) => s === "ACTIVE" || s === "ERROR",
    );
    if (status !== "ACTIVE") throw new Error(`${this.name} target: server ${id} went to ${status}`);
    return id;
  }

  private async serverStatus(id: string): Promise<string | undefined> {
    const res = await this.call("compute", "GET", `/servers/${id}`);
    return res.status === 404 ? undefined : (res.body as any).server.status;
  }

  async serverVolumeIds(serverId: string): Promise<string[]> {
    const body = await this.expect([200], "compute", "GET", `/servers/${serverId}/os-volume_attachments`);
    return (body.volumeAttachments as Array<{ volumeId: string }>).map((a) => a.volumeId);
  }

  // ------------------------------------------------------------------------------------------ Manila

  async shareNetwork(): Promise<ShareNetwork> {
    const body = await this.expect([200, 202], "share", "POST", "/share-networks", {
      share_network: { name: this.label() },
    });
    this.networks.push(body.share_network.id);
    return { id: body.share_network.id, subnetId: body.share_network.share_network_subnets[0].id };
  }

  async share(network: ShareNetwork): Promise<{ shareId: string; shareServerId: string }> {
    const body = await this.expect([200, 202], "share", "POST", "/shares", {
      share: {
        share_proto: "NFS",
        size: 1,
        name: this.label(),
        share_network_id: network.id,
        ...(this.options.shareType ? { share_type: this.options.shareType } : {}),
      },
    });
    const shareId: string = body.share.id;
    const share = await this.until(
      `share ${shareId} available`,
      async () => (await this.expect([200], "share", "GET", `/shares/${shareId}`)).share,
      (s) => s.status === "available" || s.status === "error",
    );
    if (share.status !== "available") throw new Error(`${this.name} target: share ${shareId} went to error`);
    return { shareId, shareServerId: share.share_server_id };
  }

  async deleteShare(shareId: string): Promise<void> {
    await this.expect([202, 404], "share", "DELETE", `/shares/${shareId}`);
    await this.until(
      `share ${shareId} gone`,
      async () => (await this.call("share", "GET", `/shares/${shareId}`)).status,
      (status) => status === 404,
    );
  }

  async shareServerStatus(id: string): Promise<string | undefined> {
    const res = await this.call("share", "GET", `/share-servers/${id}`);
    return res.status === 404 ? undefined : (res.body as any).share_server.status;
  }

  async shareServersOn(networkId: string): Promise<string[]> {
    const body = await this.expect([200], "share", "GET", `/share-servers?share_network_id=${networkId}`);
    return (body.share_servers as Array<{ id: string }>).map((s) => s.id);
  }

  abstract backendShareServer(network: ShareNetwork): Promise<string>;

  // ----------------------------------------------------------------------------------------- cleanup

  async cleanup(): Promise<void> {
    const failures: string[] = [];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };
    for (const id of this.servers.splice(0).reverse())
      await attempt(`server ${id}`, () => this.removeServer(id));
    for (const id of this.networks.splice(0).reverse())
      await attempt(`share network ${id}`, () => this.removeShareNetwork(id));
    for (const id of this.volumes.splice(0).reverse())
      await attempt(`volume ${id}`, () => this.removeVolume(id));
    if (failures.length) throw new Error(`${this.name} target: cleanup failed: ${failures.join("; ")}`);
  }

  private async removeServer(id: string): Promise<void> {
    await this.call("compute", "POST", `/servers/${id}/action`, { unlock: null });
    await this.expect([204, 404], "compute", "DELETE", `/servers/${id}`);
    await this.until(
      `server ${id} deleted`,
      () => this.serverStatus(id),
      (s) => s === undefined,
    );
  }

  private async removeVolume(id: string): Promise<void> {
    const status = await this.until(
      `volume ${id} settled`,
      () => this.volumeStatus(id),
      (s) => s === undefined || VOLUME_SETTLED.includes(s),
    );
    if (status === undefined) return;
    // Attachments a failed scenario left behind (Cinder refuses to delete an attached volume).
    const attachments = await this.expect([200], "volume", "GET", `/attachments?volume_id=${id}`);
    for (const a of attachments.attachments) {
      await this.expect([200, 404], "volume", "DELETE", `/attachments/${a.id}`);
    }
    await this.expect([202, 404], "volume", "DELETE", `/volumes/${id}`);
    await this.until(
      `volume ${id} deleted`,
      () => this.volumeStatus(id),
      (s) => s === undefined,
    );
  }

  /** Its shares, then its share servers (unmanaged when Manila cannot delete them), then the network. */
  private async removeShareNetwork(id: string): Promise<void> {
    const shares = await this.expect([200], "share", "GET", `/shares?share_network_id=${id}`);
    for (const share of shares.shares) await this.deleteShare(share.id);
    for (const serverId of await this.shareServersOn(id)) {
      const busy = await this.until(
        `share server ${serverId} settled`,
        () => this.shareServerStatus(serverId),
        (s) => s === undefined || !/starting|creating|deleting/.test(s),
      );
      if (busy === undefined) continue;
      if (busy === "active" || busy === "error") {
        await this.expect([202, 404], "share", "DELETE", `/share-servers/${serverId}`);
      } else {
        await this.expect([202, 404], "share", "POST", `/share-servers/${serverId}/action`, {
          unmanage: { force: true },
        });
      }
      await this.until(
        `share server ${serverId} gone`,
        () => this.shareServerStatus(serverId),
        (s) => s === undefined,
      );
    }
    await this.expect([202, 204, 404], "share", "DELETE", `/share-networks/${id}`);
  }

  async close(): Promise<void> {}
}
