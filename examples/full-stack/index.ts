// The main example: @pulumi/openstack creates a server, a data volume, a share network and an NFS share;
// pulumi-openstack-storage attaches the share to the server (virtiofs) and the volume to the server (Nova),
// and, when a host outside Nova is configured, a scratch volume to that host (Cinder attachments API).
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as storage from "pulumi-openstack-storage";

const config = new pulumi.Config();
/** Image of the server. */
const imageName = config.require("imageName");
/** A flavor whose servers can mount virtiofs shares: it needs `hw:mem_page_size` (or file-backed memory). */
const flavorName = config.require("flavorName");
/** The Neutron network the server joins and the share network serves. */
const networkId = config.require("networkId");
/** The Neutron subnet of that network the share servers get their addresses from. */
const subnetId = config.require("subnetId");
/** Optional: the iSCSI initiator name of a host outside Nova (a backup host) that gets a scratch volume. */
const backupHostInitiator = config.get("backupHostInitiator") || undefined;

// --- What @pulumi/openstack creates ---------------------------------------------------------------------

const server = new openstack.compute.Instance("app-server", {
  imageName,
  flavorName,
  networks: [{ uuid: networkId }],
});

const data = new openstack.blockstorage.Volume("app-data", { size: 10, description: "application data" });

const shareNetwork = new openstack.sharedfilesystem.ShareNetwork("app-share-network", {
  neutronNetId: networkId,
  neutronSubnetId: subnetId,
});

const files = new openstack.sharedfilesystem.Share("app-files", {
  shareProto: "NFS",
  size: 1,
  shareNetworkId: shareNetwork.id,
});

// --- What pulumi-openstack-storage adds: the wiring -----------------------------------------------------

// The share on the server, through Nova (compute API 2.97). Nova attaches shares only to a stopped server:
// the default power policy stops it, attaches, and starts it again. The guest mounts the share with
// `mount -t virtiofs app-files /srv/files`.
const filesOnServer = new storage.ServerShareAttachment("app-files-on-server", {
  serverId: server.id,
  shareId: files.id,
  tag: "app-files",
});

// The data volume on the server, through Nova. deleteOnTermination can be changed later in place.
const dataOnServer = new storage.VolumeAttachment("app-data-on-server", {
  serverId: server.id,
  volumeId: data.id,
  tag: "app-data",
  deleteOnTermination: false,
});

// A scratch volume for a host Nova does not manage (a backup host), through Cinder's attachments API:
// Cinder returns the connection info the host needs to log in to the iSCSI target (a secret output).
const scratchOnBackupHost = backupHostInitiator
  ? new storage.BlockStorageAttachment("scratch-on-backup-host", {
      volumeId: new openstack.blockstorage.Volume("backup-scratch", { size: 20 }).id,
      connector: {
        initiator: backupHostInitiator,
        host: config.get("backupHostName") || "backup-host",
        ip: config.get("backupHostIp") || undefined,
        platform: "x86_64",
        os_type: "linux2",
        multipath: false,
      },
      mode: "rw",
    })
  : undefined;

export const serverId = server.id;
/** The tag the guest mounts: `mount -t virtiofs <filesMountTag> /srv/files`. */
export const filesMountTag = filesOnServer.mountTag;
export const filesAttachmentStatus = filesOnServer.status;
/** The device Nova reports for the data volume (the guest may name it differently; use the tag). */
export const dataDevice = dataOnServer.attachedDevice;
export const dataAttachmentId = dataOnServer.attachmentId;
export const scratchAttachmentStatus = scratchOnBackupHost?.status;
/** Secret: target portal, IQN and CHAP credentials of the scratch volume. */
export const scratchConnectionInfo = scratchOnBackupHost?.connectionInfo;
