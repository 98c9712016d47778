import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, StorageResource } from "./storageResource";

export interface VolumeAttachmentArgs extends CommonArgs {
  /** ID of the Nova server the volume is attached to. Changing it replaces the attachment. */
  serverId: pulumi.Input<string>;
  /** ID of the Cinder volume. Changing it replaces the attachment. */
  volumeId: pulumi.Input<string>;
  /**
   * Device name to request, e.g. `/dev/vdb`. Default: Nova picks one. Hypervisors such as libvirt ignore it:
   * the device the cloud really used is the `attachedDevice` output. Changing it replaces the attachment.
   */
  device?: pulumi.Input<string>;
  /** Device tag the guest sees in its metadata (1-60 characters, no `/` or `,`; compute API 2.49+). Changing it replaces the attachment. */
  tag?: pulumi.Input<string>;
  /**
   * Whether Nova deletes the volume when the server is deleted (compute API 2.79+). Default: false.
   * Changes in place (compute API 2.85+).
   */
  deleteOnTermination?: pulumi.Input<boolean>;
}

/**
 * A Cinder volume attached to a Nova server through Nova (`os-volume_attachments`). The id is
 * `<serverId>/<volumeId>`. Inputs are repeated as outputs exactly as given; what Nova reports lives in
 * `attachedDevice`, `currentTag`, `currentDeleteOnTermination`, `attachmentId` and `bdmUuid`. An attachment
 * that already exists when the resource is created is taken over (adopted).
 */
export class VolumeAttachment extends StorageResource {
  declare public readonly serverId: pulumi.Output<string>;
  declare public readonly volumeId: pulumi.Output<string>;
  declare public readonly device: pulumi.Output<string | undefined>;
  declare public readonly tag: pulumi.Output<string | undefined>;
  declare public readonly deleteOnTermination: pulumi.Output<boolean | undefined>;
  /**
   * The device name Nova reports for the attachment, when it reports one. It may differ from `device`
   * (libvirt picks its own); a difference never replaces the attachment.
   */
  declare public readonly attachedDevice: pulumi.Output<string | undefined>;
  /** The tag Nova reports (compute API 2.70+). */
  declare public readonly currentTag: pulumi.Output<string | undefined>;
  /** Whether Nova will delete the volume with the server, as Nova reports it (compute API 2.79+). */
  declare public readonly currentDeleteOnTermination: pulumi.Output<boolean | undefined>;
  /** The Cinder attachment id behind this attachment (reported from compute API 2.89). */
  declare public readonly attachmentId: pulumi.Output<string | undefined>;
  /** Nova's block device mapping id (reported from compute API 2.89). */
  declare public readonly bdmUuid: pulumi.Output<string | undefined>;

  constructor(name: string, args: VolumeAttachmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "VolumeAttachment",
      name,
      args,
      ["serverId", "volumeId"],
      ["attachedDevice", "currentTag", "currentDeleteOnTermination", "attachmentId", "bdmUuid"],
      opts,
    );
  }
}
