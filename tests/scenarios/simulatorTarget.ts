// The simulator as a scenario target, set up like the real Debian deployment where it matters: playing
// Debian bookworm's releases (profile "debian-bookworm": Nova 2.93, Cinder 3.70, Manila 2.73 and their
// older answers), noauth with endpoints given directly and the token `admin:<project>`, a DHSS=True Manila
// backend on the same host name, short transitions. Prerequisites the real services
// cannot make through their API (a backend share server, Nova using an attachment) come from the control
// API or the model.
import { randomUUID } from "crypto";
import { startSimulator, type RunningSimulator } from "../../simulator/core/app";
import { DEBIAN_BOOKWORM_MICROVERSIONS } from "../../simulator/core/config";
import { SEED } from "../../simulator/core/identity";
import { ApiTarget } from "./apiTarget";
import type { TargetFactory } from "./scenario";
import type { Capabilities, ShareNetwork } from "./target";

const HOST = "ostest@alpha";

const CAPABILITIES: Capabilities = {
  maxMicroversions: {
    compute: DEBIAN_BOOKWORM_MICROVERSIONS.compute.max,
    volume: DEBIAN_BOOKWORM_MICROVERSIONS.volume.max,
    share: DEBIAN_BOOKWORM_MICROVERSIONS.share.max,
  },
  hasServiceRoleShim: false,
  detachesTaggedVolumes: true,
};

class SimulatorTarget extends ApiTarget {
  constructor(private readonly sim: RunningSimulator) {
    super({
      name: "simulator",
      endpoints: {
        projectId: SEED.projects.find((p) => p.name === "admin")!.id,
        manila: `${sim.url}/share`,
        cinder: `${sim.url}/volume`,
        nova: `${sim.url}/compute`,
      },
      capabilities: CAPABILITIES,
      shareBackendHost: HOST,
      flavorId: "1",
      pollMs: 5,
      timeoutMs: 5000,
    });
  }

  /**
   * The control API puts an unmanaged server on the backend, with the backend details the real deployment's
   * dummy driver reports (tests/real-openstack/templates/manila.conf: its standalone network plugins).
   */
  async backendShareServer(_network: ShareNetwork): Promise<string> {
    const identifier = randomUUID();
    const backendDetails = {
      server_id: identifier,
      service_ip: "203.0.113.10",
      subnet_allocations: '[{"primary_public_ip": "198.51.100.10", "secondary_public_ip": "198.51.100.11"}]',
      username: "fake_username",
    };
    const res = await fetch(`${this.sim.url}/_sim/manila/backend-share-servers`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ host: HOST, identifier, backendDetails }),
    });
    if (res.status !== 201) throw new Error(`backend share server: HTTP ${res.status} ${await res.text()}`);
    return identifier;
  }

  /** Nova's model records the attachment as its own (as after Nova made it), until released. */
  async novaUsesAttachment(serverId: string, volumeId: string, attachmentId: string) {
    const nova = this.sim.world.nova;
    const uuid = randomUUID();
    const owner = [...this.sim.world.nova.volumes.bdms.values()].find((b) => b.serverId === serverId)!.owner;
    nova.volumes.bdms.set(uuid, {
      uuid,
      serverId,
      volumeId,
      deviceName: "/dev/vdb",
      tag: null,
      deleteOnTermination: false,
      attachmentId,
      isRoot: false,
      owner,
    });
    return async () => void nova.volumes.bdms.delete(uuid);
  }

  override async cleanup(): Promise<void> {
    try {
      await super.cleanup();
    } finally {
      this.sim.world.reset(); // anything a cleanup could not remove
    }
  }

  override async close(): Promise<void> {
    await this.sim.close();
  }
}

/**
 * The simulator as a target whose asynchronous transitions take `transitionMs` each: a few ms in `npm test`;
 * longer where its trace is compared with the real services' (their waits then see the same intermediate
 * states).
 */
export function simulatorTarget(transitionMs = 5): TargetFactory {
  return {
    name: "simulator",
    capabilities: CAPABILITIES,
    async start() {
      const sim = await startSimulator({
        auth: "noauth",
        profile: "debian-bookworm", // also the microversion ranges
        transitions: { default: transitionMs },
        services: { manila: { backends: [{ host: HOST }] } },
      });
      return new SimulatorTarget(sim);
    },
  };
}
