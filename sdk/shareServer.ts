import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, StorageResource } from "./storageResource";

/** Share server statuses Manila accepts for `reset_status`. */
export type ShareServerStatus =
  | "active"
  | "error"
  | "deleting"
  | "creating"
  | "manage_starting"
  | "unmanage_starting"
  | "unmanage_error"
  | "manage_error"
  | "inactive"
  | "server_migrating"
  | "server_migrating_to"
  | "network_change";

/**
 * Give either `host`, `identifier` and `shareNetworkId` (manage a server that exists on a backend but not in
 * Manila) or `shareServerId` (adopt a Manila share server that already exists), not both. Manila's share
 * server API is admin-only. Changing any input other than `resetStatus`, `onDelete`, `forceUnmanage` and
 * `timeoutSeconds` replaces the share server.
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
   * when managed), `"delete"` (delete it; only when no share uses it) or `"retain"` (leave it untouched;
   * default when adopted). Changes in place.
   */
  onDelete?: pulumi.Input<"unmanage" | "delete" | "retain">;
  /** Unmanage with `force`, even when the driver cannot unmanage cleanly. Default: false. Changes in place. */
  forceUnmanage?: pulumi.Input<boolean>;
}

/**
 * A Manila share server, managed from a backend or adopted. The id is the share server id.
 * Inputs are repeated as outputs exactly as given; the other outputs are what Manila reports.
 */
export class ShareServer extends StorageResource {
  /** The share service host: the input when managed, what Manila reports when adopted. */
  declare public readonly host: pulumi.Output<string>;
  declare public readonly identifier: pulumi.Output<string | undefined>;
  /** The share network: the input when managed, what Manila reports when adopted. */
  declare public readonly shareNetworkId: pulumi.Output<string>;
  declare public readonly shareNetworkSubnetId: pulumi.Output<string | undefined>;
  declare public readonly driverOptions: pulumi.Output<Record<string, string> | undefined>;
  declare public readonly shareServerId: pulumi.Output<string | undefined>;
  declare public readonly resetStatus: pulumi.Output<ShareServerStatus | undefined>;
  declare public readonly onDelete: pulumi.Output<"unmanage" | "delete" | "retain" | undefined>;
  declare public readonly forceUnmanage: pulumi.Output<boolean | undefined>;
  /** The live status Manila reports, e.g. `active`, `manage_error`. */
  declare public readonly status: pulumi.Output<string>;
  /** The identifier Manila reports now (the driver may have replaced the one given to manage). */
  declare public readonly currentIdentifier: pulumi.Output<string | undefined>;
  /** Name of the share network (its id when it has no name). */
  declare public readonly shareNetworkName: pulumi.Output<string>;
  /** IDs of the share network subnets the server serves (share API 2.70+; earlier, the one subnet). */
  declare public readonly shareNetworkSubnetIds: pulumi.Output<string[]>;
  /** Project of the server's share network. */
  declare public readonly projectId: pulumi.Output<string>;
  /** The backend details Manila holds for the server (driver-specific key/values). */
  declare public readonly backendDetails: pulumi.Output<Record<string, string>>;
  /** Whether Manila deletes the server by itself once its last share is gone (share API 2.49+). */
  declare public readonly isAutoDeletable: pulumi.Output<boolean | undefined>;
  /** Migration task state (share API 2.57+), usually null. */
  declare public readonly taskState: pulumi.Output<string | undefined>;
  /** When Manila created the record (ISO 8601). */
  declare public readonly createdAt: pulumi.Output<string | undefined>;
  /** When Manila last updated the record (ISO 8601). */
  declare public readonly updatedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: ShareServerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ShareServer",
      name,
      args,
      [],
      [
        "status",
        "host",
        "currentIdentifier",
        "shareNetworkId",
        "shareNetworkName",
        "shareNetworkSubnetIds",
        "projectId",
        "backendDetails",
        "isAutoDeletable",
        "taskState",
        "createdAt",
        "updatedAt",
      ],
      opts,
    );
  }
}
