// Cinder v3 volumes: the one call the attachment resources need (show), with the fields they read.
import { Session, log, waitFor } from "../openstack";

/** One entry of a volume's `attachments` (only attachments whose attach_status is `attached`, FACTS §5.5). */
export interface VolumeAttachmentEntry {
  attachmentId: string;
  serverId: string | null;
  /** The mount point the host reported (Nova's device name). */
  device: string | null;
}

/** What the attachment resources read from a volume. */
export interface CinderVolume {
  id: string;
  name: string | null;
  /** available, reserved, attaching, in-use, detaching, creating, error, ... (FACTS §5.5). */
  status: string;
  multiattach: boolean;
  attachments: VolumeAttachmentEntry[];
}

/** GET /volumes/{id}. */
export async function showVolume(s: Session, id: string, action: string): Promise<CinderVolume> {
  const { data } = await s.request("block-storage", "GET", `/volumes/${encodeURIComponent(id)}`, { action });
  const v = data.volume;
  return {
    id: v.id,
    name: v.name ?? null,
    status: v.status,
    multiattach: v.multiattach === true,
    attachments: ((v.attachments as any[]) ?? []).map((a) => ({
      attachmentId: a.attachment_id,
      serverId: a.server_id ?? null,
      device: a.device ?? null,
    })),
  };
}

// Statuses a volume leaves on its own (a create, a detach or a backup finishing): worth waiting out before
// an attach. `reserved`/`attaching`/`in-use` are not among them: they belong to another attachment.
const SETTLING = new Set([
  "creating",
  "detaching",
  "extending",
  "retyping",
  "uploading",
  "backing-up",
  "restoring-backup",
  "maintenance",
]);

/** Statuses from which Cinder reserves a volume for a new attachment (FACTS §5.6). */
const attachableStatuses = (volume: CinderVolume) =>
  volume.multiattach ? ["available", "in-use", "downloading"] : ["available", "downloading"];

/**
 * Waits (until `timeoutMs`) while the volume is in a status it leaves on its own, then returns it if Cinder
 * would reserve it for a new attachment; otherwise throws a clear error before any mutation: a volume in an
 * error state, or a volume that is not multiattach and already attached or reserved elsewhere.
 */
export async function volumeReadyToAttach(
  s: Session,
  volumeId: string,
  options: { timeoutMs: number; action: string },
): Promise<CinderVolume> {
  const volume = await waitFor({
    what: `volume ${volumeId} to settle before attaching it`,
    timeoutMs: options.timeoutMs,
    onProgress: (message) => log.info(message),
    poll: async () => {
      const v = await showVolume(s, volumeId, options.action);
      return SETTLING.has(v.status) ? { done: false, state: v.status } : { done: true, value: v };
    },
  });
  if (volume.status.includes("error")) {
    throw new Error(
      `${options.action}: volume ${volumeId} is in status "${volume.status}"; Cinder attaches no volume in an error state`,
    );
  }
  if (!attachableStatuses(volume).includes(volume.status)) {
    const servers = volume.attachments.map((a) => a.serverId).filter((id) => id !== null);
    const where = servers.length ? ` (attached to ${servers.join(", ")})` : "";
    throw new Error(
      volume.multiattach
        ? `${options.action}: volume ${volumeId} is "${volume.status}"${where}; Cinder reserves a multiattach volume ` +
            `only when it is ${attachableStatuses(volume).join(", ")}`
        : `${options.action}: volume ${volumeId} is "${volume.status}"${where} and is not a multiattach volume, ` +
            `so it cannot be attached again until it is detached (or use a volume of a multiattach type)`,
    );
  }
  return volume;
}
