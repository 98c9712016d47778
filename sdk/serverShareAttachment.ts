import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, StorageResource } from "./storageResource";

/** What to do with the server's power state, since Nova attaches shares only to a stopped (SHUTOFF) server. */
export type PowerPolicy = "stop-and-restore" | "require-stopped";

export interface ServerShareAttachmentArgs extends CommonArgs {
  /** ID of the Nova server the share is attached to. Changing it replaces the attachment. */
  serverId: pulumi.Input<string>;
  /** ID of the Manila share (NFS or CEPHFS, `available`, with an export location). Changing it replaces the attachment. */
  shareId: pulumi.Input<string>;
  /**
   * The virtiofs mount tag the guest sees: 1-48 letters, digits or hyphens. Default: Nova uses the share id.
   * Changing it replaces the attachment.
   */
  tag?: pulumi.Input<string>;
  /**
   * `"stop-and-restore"` (default): stop an ACTIVE server, attach, and start it again only if it was running.
   * `"require-stopped"`: fail with a clear error unless the server is already SHUTOFF.
   * Also applies to detaching. Changes in place.
   */
  powerPolicy?: pulumi.Input<PowerPolicy>;
}

/**
 * A Manila share attached to a Nova server (virtiofs, compute API 2.97+). The id is `<serverId>/<shareId>`.
 * Inputs are repeated as outputs exactly as given; what Nova reports lives in `status`, `mountTag`, `uuid`
 * and `exportLocation`.
 */
export class ServerShareAttachment extends StorageResource {
  declare public readonly serverId: pulumi.Output<string>;
  declare public readonly shareId: pulumi.Output<string>;
  declare public readonly tag: pulumi.Output<string | undefined>;
  declare public readonly powerPolicy: pulumi.Output<PowerPolicy | undefined>;
  /** The attachment status Nova reports: `attaching`, `inactive` (server stopped), `active`, `detaching` or `error`. */
  declare public readonly status: pulumi.Output<string>;
  /** The tag the guest mounts (Nova's default is the share id). */
  declare public readonly mountTag: pulumi.Output<string>;
  /** Nova's own id of the attachment. Only visible to admins. */
  declare public readonly uuid: pulumi.Output<string | undefined>;
  /** The export path Nova chose from Manila. Only visible to admins. */
  declare public readonly exportLocation: pulumi.Output<string | undefined>;

  constructor(name: string, args: ServerShareAttachmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ServerShareAttachment",
      name,
      args,
      ["serverId", "shareId"],
      ["status", "mountTag", "uuid", "exportLocation"],
      opts,
    );
  }
}
