// The stack a pipeline checks for drift (see drift-check.sh): storage wiring of servers, volumes and a share
// that exist already (made by another stack or by hand), given by id in the stack config.
import * as pulumi from "@pulumi/pulumi";
import * as storage from "pulumi-openstack-storage";

const config = new pulumi.Config();
/** The server everything is attached to. */
const serverId = config.require("serverId");
/** Cinder volumes to attach to it, in order. */
const volumeIds = config.requireObject<string[]>("volumeIds");
/** Optional: a Manila share (NFS or CephFS) to attach to it as well. */
const shareId = config.get("shareId") || undefined;

const volumes = volumeIds.map(
  (volumeId, index) =>
    new storage.VolumeAttachment(`volume-${index}`, { serverId, volumeId, tag: `data-${index}` }),
);

const share = shareId
  ? new storage.ServerShareAttachment("share", { serverId, shareId, tag: "shared" })
  : undefined;

export const volumeDevices = volumes.map((attachment) => attachment.attachedDevice);
export const shareMountTag = share?.mountTag;
export const shareStatus = share?.status;
