import * as pulumi from "@pulumi/pulumi";
import type { ShareServerStatus } from "../provider/sharedfilesystems/shareServers";
import { CommonArgs, StorageResource } from "./storageResource";

/** Share server statuses Manila reports and accepts for `reset_status` (FACTS §4.4). */
export type { ShareServerStatus };

/**
 * Give either `host`, `identifier` and `shareNetworkId` (manage a server that exists on a backend but not in
 * Manila) or `shareServerId` (adopt a Manila share server that already exists), not both. Manila's share
 * server API is admin-only. Changing any input other than `resetStatus`, `onDelete`, `forceUnmanage` and
 * `timeoutSeconds` replaces the share server (managed ones are unmanaged before they are managed again);
 * setting `shareServerId` to the id of the server this resource already manages switches it to adopted in
 * place. `timeoutSeconds` bounds each wait: the manage (and the unmanage that cleans up a failed one), the
 * unmanage or the delete.
 */
export interface ShareServerArgs extends CommonArgs {
  /** Manage: the Manila share service host of the backend, in the form `host@backend` (no `#pool`). */
  host?: pulumi.Input<string>;
  /** Manage: the backend's identifier of the server (for example the server's id on the storage system). */
  identifier?: pulumi.Input<string>;
  /** Manage: ID of the share network the server belongs to. */
  shareNetworkId?: pulumi.Input<string>;
  /** Manage: ID of the share network subnet (share API 2.51+). Default: the share network's default subnet. */
  shareNetworkSubnetId?: pulumi.Input<string>;
  /** Manage: driver-specific options, a map of strings passed to the backend driver. Default: none. */
  driverOptions?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Adopt: ID of an existing Manila share server. */
  shareServerId?: pulumi.Input<string>;
  /**
   * An action, not a desired state: when set or changed, the share server's status is reset to this value
   * once (Manila `reset_status`); later runs never enforce it. The live status is the `status` output.
   * Default: none.
   */
  resetStatus?: pulumi.Input<ShareServerStatus>;
  /**
   * What destroying the resource does: `"unmanage"` (remove it from Manila, keep it on the backend; default
   * when managed), `"delete"` (delete it; only when no share uses it) or `"retain"` (leave it untouched, no API
   * call; default when adopted). Changes in place.
   */
  onDelete?: pulumi.Input<"unmanage" | "delete" | "retain">;
  /** Unmanage with `force`, even when the driver cannot unmanage cleanly. Default: false. Changes in place. */
  forceUnmanage?: pulumi.Input<boolean>;
}

/** Where a share server lives, recorded at create: reads from elsewhere fail instead of reporting it gone. */
export interface ShareServerScope {
  region?: string;
  projectId?: string;
  endpoint: string;
}

/**
 * A Manila share server, managed from a backend or adopted. The id is the share server id.
 * Inputs are repeated as outputs exactly as given (an input not given stays undefined); what Manila reports
 * lives under other names: the live values of the inputs `host`, `identifier` and `shareNetworkId` are
 * `currentHost`, `currentIdentifier` and `currentShareNetworkId`.
 */
export class ShareServer extends StorageResource {
  /** The input (manage mode); undefined when adopted. Manila's value: `currentHost`. */
  declare public readonly host: pulumi.Output<string | undefined>;
  /** The input (manage mode); undefined when adopted. Manila's value: `currentIdentifier`. */
  declare public readonly identifier: pulumi.Output<string | undefined>;
  /** The input (manage mode); undefined when adopted. Manila's value: `currentShareNetworkId`. */
  declare public readonly shareNetworkId: pulumi.Output<string | undefined>;
  declare public readonly shareNetworkSubnetId: pulumi.Output<string | undefined>;
  declare public readonly driverOptions: pulumi.Output<Record<string, string> | undefined>;
  declare public readonly shareServerId: pulumi.Output<string | undefined>;
  declare public readonly resetStatus: pulumi.Output<ShareServerStatus | undefined>;
  declare public readonly onDelete: pulumi.Output<"unmanage" | "delete" | "retain" | undefined>;
  declare public readonly forceUnmanage: pulumi.Output<boolean | undefined>;
  /** The live status Manila reports, e.g. `active`, `manage_error`. */
  declare public readonly status: pulumi.Output<string>;
  /** The share service host Manila reports (`host@backend`). */
  declare public readonly currentHost: pulumi.Output<string>;
  /** The identifier Manila reports now (the driver may have replaced the one given to manage; share API 2.49+). */
  declare public readonly currentIdentifier: pulumi.Output<string | undefined>;
  /** The share network Manila reports ("" when the network no longer exists). */
  declare public readonly currentShareNetworkId: pulumi.Output<string>;
  /** Name of the share network (its id when it has no name). */
  declare public readonly shareNetworkName: pulumi.Output<string>;
  /** IDs of the share network subnets the server serves (share API 2.70+; 2.51-2.69: the one subnet; earlier: []). */
  declare public readonly shareNetworkSubnetIds: pulumi.Output<string[]>;
  /** Project of the server's share network. */
  declare public readonly projectId: pulumi.Output<string>;
  /** The backend details Manila holds for the server (driver-specific key/values). */
  declare public readonly backendDetails: pulumi.Output<Record<string, string>>;
  /** Whether Manila deletes the server by itself once its last share is gone (share API 2.49+). */
  declare public readonly isAutoDeletable: pulumi.Output<boolean | undefined>;
  /** Migration task state (share API 2.57+), usually null. */
  declare public readonly taskState: pulumi.Output<string | null | undefined>;
  /** When Manila created the record, as Manila reports it (UTC, e.g. `2026-01-02T03:04:05.000000`). */
  declare public readonly createdAt: pulumi.Output<string | null | undefined>;
  /** When Manila last updated the record, as Manila reports it (UTC), or null. */
  declare public readonly updatedAt: pulumi.Output<string | null | undefined>;
  /** Region, project and endpoint the server was created or adopted in. */
  declare public readonly scope: pulumi.Output<ShareServerScope>;

  constructor(name: string, args: ShareServerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ShareServer",
      name,
      args,
      [],
      [
        // Inputs too: each gets an Output field even when not given (it then resolves to undefined).
        "host",
        "identifier",
        "shareNetworkId",
        "shareNetworkSubnetId",
        "driverOptions",
        "shareServerId",
        "resetStatus",
        "onDelete",
        "forceUnmanage",
        "status",
        "currentHost",
        "currentIdentifier",
        "currentShareNetworkId",
        "shareNetworkName",
        "shareNetworkSubnetIds",
        "projectId",
        "backendDetails",
        "isAutoDeletable",
        "taskState",
        "createdAt",
        "updatedAt",
        "scope",
      ],
      opts,
    );
  }
}
