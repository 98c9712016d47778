import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, StorageResource } from "./storageResource";

/** The host connector Cinder hands to the volume driver (os-brick's connector properties). */
export interface BlockStorageConnector {
  /** iSCSI initiator name of the host, e.g. `iqn.1993-08.org.debian:01:abc`. */
  initiator?: pulumi.Input<string>;
  /** IP address of the host. */
  ip?: pulumi.Input<string>;
  /** Host name; Cinder also uses it to detect duplicate connectors. */
  host?: pulumi.Input<string>;
  /** Platform, e.g. `x86_64`. */
  platform?: pulumi.Input<string>;
  /** Operating system type, e.g. `linux2`. */
  os_type?: pulumi.Input<string>;
  /** Whether the host uses multipath. */
  multipath?: pulumi.Input<boolean>;
  /** Mount point of the device on the host, e.g. `/dev/vdb`. */
  mountpoint?: pulumi.Input<string>;
  /** Further keys the volume driver understands, passed through as given. */
  [key: string]: pulumi.Input<unknown> | undefined;
}

export interface BlockStorageAttachmentArgs extends CommonArgs {
  /** ID of the Cinder volume. Changing it replaces the attachment. */
  volumeId: pulumi.Input<string>;
  /** ID of the instance the attachment is for. Changing it replaces the attachment. Default: none. */
  instanceId?: pulumi.Input<string>;
  /**
   * The host connector. Default: none, which only reserves the volume (attachment status `reserved`).
   * Changes in place (Cinder updates the attachment with the new connector).
   */
  connector?: pulumi.Input<BlockStorageConnector>;
  /** Attach mode, `"rw"` or `"ro"` (volume API 3.54+). Default: Cinder's (the connector or the volume decides). Changing it replaces the attachment. */
  mode?: pulumi.Input<"rw" | "ro">;
  /**
   * Whether to mark the attachment complete (`os-complete`, volume API 3.44+), which puts the volume
   * `in-use`. Default: true when a connector is given, false otherwise. Only allowed with a connector.
   */
  complete?: pulumi.Input<boolean>;
}

/**
 * A Cinder v3 attachment (volume API 3.27+), for hosts that are not Nova servers or for workflows that
 * drive the attachments API directly. The id is the attachment id. `connectionInfo` is a secret output.
 */
export class BlockStorageAttachment extends StorageResource {
  declare public readonly volumeId: pulumi.Output<string>;
  declare public readonly instanceId: pulumi.Output<string | undefined>;
  declare public readonly connector: pulumi.Output<Record<string, unknown> | undefined>;
  declare public readonly mode: pulumi.Output<"rw" | "ro" | undefined>;
  declare public readonly complete: pulumi.Output<boolean | undefined>;
  /** The attachment's status: `reserved`, `attaching`, `attached`, `detached`, `error_attaching` or `error_detaching`. */
  declare public readonly status: pulumi.Output<string>;
  /** The attach mode Cinder reports (`rw`, `ro`, or `null` before one is set). */
  declare public readonly attachMode: pulumi.Output<string>;
  /** What the host needs to connect the volume (driver data; may hold CHAP credentials). Secret. */
  declare public readonly connectionInfo: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: BlockStorageAttachmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "BlockStorageAttachment",
      name,
      args,
      ["volumeId"],
      ["status", "attachMode", "connectionInfo"],
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connectionInfo"] }),
    );
  }
}
