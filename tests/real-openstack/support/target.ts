// The real Debian services (started by start.sh) as a scenario target: endpoints from run/endpoints.json,
// noauth with the token `admin:<project>` (the hex project Manila insists on; Nova talks to Cinder as it).
// A backend share server is made the only way Manila's dummy driver has one: a share sets up a server,
// the share goes, and the server is unmanaged (the driver keeps it in its private storage).
import { ApiTarget } from "../../scenarios/apiTarget";
import type { TargetFactory } from "../../scenarios/scenario";
import type { Capabilities, ShareNetwork } from "../../scenarios/target";
import { DEBIAN_BOOKWORM_MICROVERSIONS } from "../../../simulator/core/config";
import { loadEndpoints } from "./endpoints";

const CAPABILITIES: Capabilities = {
  // services.test.ts checks that the version documents say so
  maxMicroversions: {
    compute: DEBIAN_BOOKWORM_MICROVERSIONS.compute.max,
    volume: DEBIAN_BOOKWORM_MICROVERSIONS.volume.max,
    share: DEBIAN_BOOKWORM_MICROVERSIONS.share.max,
  },
  // start.sh runs cinder-api with the service-role filter (templates/python/realos_service_roles.py)
  hasServiceRoleShim: true,
  detachesTaggedVolumes: false,
};

class RealTarget extends ApiTarget {
  async backendShareServer(network: ShareNetwork): Promise<string> {
    const { shareId, shareServerId } = await this.share(network);
    const server = (await this.expect([200], "share", "GET", `/share-servers/${shareServerId}`)).share_server;
    await this.deleteShare(shareId);
    await this.expect([202], "share", "POST", `/share-servers/${shareServerId}/action`, {
      unmanage: { force: false },
    });
    await this.until(
      `share server ${shareServerId} unmanaged`,
      () => this.shareServerStatus(shareServerId),
      (s) => s === undefined,
    );
    return server.identifier;
  }
}

export const realTarget: TargetFactory = {
  name: "real",
  capabilities: CAPABILITIES,
  async start() {
    const endpoints = loadEndpoints();
    return new RealTarget({
      name: "real",
      endpoints,
      capabilities: CAPABILITIES,
      shareBackendHost: endpoints.shareBackendHost,
      flavorId: endpoints.flavorId,
      shareType: endpoints.shareType,
      pollMs: 200,
      timeoutMs: 120_000,
    });
  },
};
