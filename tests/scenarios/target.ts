// What a scenario runs against: the simulator (npm test) or the real Debian services (npm run test:openstack).
// A target gives the stack config the provider is configured with, what the cloud can do (capabilities),
// the prerequisites a scenario needs (made by whatever means the target has: the simulator's control API or
// real API calls), and raw reads of the cloud's state that do not go through our client.

import type { TraceNames } from "./traces";

export type ServiceName = "compute" | "volume" | "share";

export interface Capabilities {
  /** The highest microversion of each API. */
  maxMicroversions: Record<ServiceName, string>;
  /**
   * cinder-api counts every request as a service's (the real deployment's test shim, which Nova's detach
   * needs there): Cinder's ConflictNovaUsingAttachment guard can never fire.
   */
  hasServiceRoleShim: boolean;
  /** Nova can detach a volume attached with a tag (the real deployment's fake virt driver cannot). */
  detachesTaggedVolumes: boolean;
}

export interface ShareNetwork {
  id: string;
  subnetId: string;
}

export interface ScenarioTarget {
  /** "simulator" or "real". */
  readonly name: string;
  readonly capabilities: Capabilities;
  /** The `openstack:*` stack config (keys without the prefix) the provider is configured with. */
  readonly stackConfig: Record<string, string>;
  /** The same credentials as OS_* environment variables (what a pipeline sets). */
  readonly environment: Record<string, string>;
  /** How this target's endpoints and project look in traces (to compare them with another target's). */
  readonly traceNames: TraceNames;
  /** The Manila share service host (host@backend) whose driver handles share servers. */
  readonly shareBackendHost: string;

  // Prerequisites: each exists until cleanup().
  /** An available 1 GiB Cinder volume. */
  volume(): Promise<string>;
  /** An ACTIVE Nova server. */
  server(): Promise<string>;
  /** A share network with its default subnet. */
  shareNetwork(): Promise<ShareNetwork>;
  /** An available NFS share on `network` (Manila sets up a share server for it); ids of both. */
  share(network: ShareNetwork): Promise<{ shareId: string; shareServerId: string }>;
  /** Deletes a share and waits until it is gone (its share server stays). */
  deleteShare(shareId: string): Promise<void>;
  /**
   * The identifier of a share server on `shareBackendHost` that Manila does not know (what manage takes
   * over), usable with share network `network`.
   */
  backendShareServer(network: ShareNetwork): Promise<string>;
  /**
   * Makes Nova report `attachmentId` as its attachment of `volumeId` on `serverId`, as if Nova had made it
   * (only where `hasServiceRoleShim` is false: no real API can do this). Resolves to a function that makes
   * Nova let go of it again.
   */
  novaUsesAttachment?(serverId: string, volumeId: string, attachmentId: string): Promise<() => Promise<void>>;

  // Raw reads (not through the client under test): undefined when the object is gone.
  volumeStatus(id: string): Promise<string | undefined>;
  shareServerStatus(id: string): Promise<string | undefined>;
  /** The ids of the share servers of a share network. */
  shareServersOn(networkId: string): Promise<string[]>;
  /** Nova's volume attachments of a server, by volume id. */
  serverVolumeIds(serverId: string): Promise<string[]>;

  /** Removes every prerequisite made since the last cleanup, newest first. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}
