// Nova os-volume_attachments (FACTS §3): URLs, request/response types, one function per call, and the
// field mapping of every microversion. No Pulumi here.
import { Session, compareMicroversions, isNotFound } from "../openstack";

/** Microversions that change this API (FACTS §3.9). */
export const NOVA_VOLUME = {
  /** `tag` accepted on attach. */
  tag: "2.49",
  /** Multiattach volumes may be attached to several servers. */
  multiattach: "2.60",
  /** `tag` shown in list/show/POST. */
  tagShown: "2.70",
  /** `delete_on_termination` accepted on attach and shown. */
  deleteOnTermination: "2.79",
  /** PUT may update `delete_on_termination` (before: swap only). */
  update: "2.85",
  /** list/show add `attachment_id` and `bdm_uuid`, drop `id`; BDMs without attachment_id are hidden. */
  attachmentIds: "2.89",
  /** POST answers 202 without a body; failures after the call are silent. */
  async: "2.101",
} as const;

/** The highest microversion that changes anything here: what we send when the cloud has it. */
export const NOVA_VOLUME_BEST = NOVA_VOLUME.async;

/** The highest microversion at which show still returns an attachment that has no Cinder attachment id. */
export const SHOWS_PENDING = "2.88";

/** An attachment as Nova reports it at some microversion; a field is absent when that version lacks it. */
export interface NovaVolumeAttachment {
  serverId: string;
  volumeId: string;
  /** The device name; absent when Nova omits it (no device yet, e.g. shelved-offloaded), null in a POST answer. */
  device?: string | null;
  /** 2.70+ (null when none). */
  tag?: string | null;
  /** 2.79+. */
  deleteOnTermination?: boolean;
  /** The Cinder attachment id; 2.89+ (list/show only). */
  attachmentId?: string | null;
  /** Nova's block device mapping uuid; 2.89+ (list/show only). */
  bdmUuid?: string | null;
}

/** What an attach asks for; fields left undefined are not sent. */
export interface AttachVolumeRequest {
  volumeId: string;
  device?: string;
  tag?: string;
  deleteOnTermination?: boolean;
}

export const atLeast = (mv: string, min: string) => compareMicroversions(mv, min) >= 0;

const collection = (serverId: string) => `/servers/${encodeURIComponent(serverId)}/os-volume_attachments`;
const item = (serverId: string, volumeId: string) =>
  `${collection(serverId)}/${encodeURIComponent(volumeId)}`;

// The POST answer echoes delete_on_termination as sent; strings such as "yes" are booleans to Nova.
const TRUE_WORDS = ["true", "1", "on", "yes", "y", "t"];
const asBoolean = (value: unknown) =>
  typeof value === "boolean" ? value : TRUE_WORDS.includes(String(value).toLowerCase());

/** Maps one `volumeAttachment` object of any microversion. */
export function attachmentFromApi(raw: any): NovaVolumeAttachment {
  const out: NovaVolumeAttachment = { serverId: raw.serverId, volumeId: raw.volumeId };
  if ("device" in raw) out.device = raw.device ?? null;
  if ("tag" in raw) out.tag = raw.tag ?? null;
  if ("delete_on_termination" in raw) out.deleteOnTermination = asBoolean(raw.delete_on_termination);
  if ("attachment_id" in raw) out.attachmentId = raw.attachment_id ?? null;
  if ("bdm_uuid" in raw) out.bdmUuid = raw.bdm_uuid ?? null;
  return out;
}

/** GET .../os-volume_attachments (at 2.89+ without BDMs that have no Cinder attachment yet). */
export async function listVolumeAttachments(
  s: Session,
  mv: string,
  serverId: string,
  action: string,
): Promise<NovaVolumeAttachment[]> {
  const { data } = await s.request("compute", "GET", collection(serverId), { microversion: mv, action });
  return ((data?.volumeAttachments as unknown[]) ?? []).map(attachmentFromApi);
}

/** GET .../os-volume_attachments/{volumeId}. 404 when not attached (at 2.89+ also while it has no attachment id). */
export async function showVolumeAttachment(
  s: Session,
  mv: string,
  serverId: string,
  volumeId: string,
  action: string,
): Promise<NovaVolumeAttachment> {
  const { data } = await s.request("compute", "GET", item(serverId, volumeId), { microversion: mv, action });
  return attachmentFromApi(data.volumeAttachment);
}

/**
 * Show at `mv`; at 2.89+ a 404 is asked again at 2.88, which still shows an attachment that has no Cinder
 * attachment id (yet, or ever for a legacy attachment): that one comes back without attachmentId/bdmUuid.
 * Throws the first 404 when neither shows it.
 */
export async function showVolumeAttachmentAnyState(
  s: Session,
  mv: string,
  serverId: string,
  volumeId: string,
  action: string,
): Promise<NovaVolumeAttachment> {
  try {
    return await showVolumeAttachment(s, mv, serverId, volumeId, action);
  } catch (err) {
    if (!isNotFound(err) || !atLeast(mv, NOVA_VOLUME.attachmentIds)) throw err;
    try {
      return await showVolumeAttachment(s, SHOWS_PENDING, serverId, volumeId, action);
    } catch (second) {
      throw isNotFound(second) ? err : second;
    }
  }
}

/**
 * What an accepted attach or detach answered: the attachment (an attach below 2.101) and the request id,
 * under which Nova records the operation's instance action (provider/compute/instanceActions.ts).
 */
export interface AcceptedRequest {
  attachment?: NovaVolumeAttachment;
  requestId?: string;
}

/**
 * POST .../os-volume_attachments. Below 2.101 Nova answers once the volume is reserved, with the device;
 * from 2.101 it answers 202 without a body (no `attachment`). Not idempotent. The caller checks beforehand
 * that `mv` can carry tag and deleteOnTermination: this function sends what it is given.
 */
export async function attachVolume(
  s: Session,
  mv: string,
  serverId: string,
  request: AttachVolumeRequest,
  action: string,
): Promise<AcceptedRequest> {
  const volumeAttachment: Record<string, unknown> = { volumeId: request.volumeId };
  if (request.device !== undefined) volumeAttachment.device = request.device;
  if (request.tag !== undefined) volumeAttachment.tag = request.tag;
  if (request.deleteOnTermination !== undefined)
    volumeAttachment.delete_on_termination = request.deleteOnTermination;
  const { data, requestId } = await s.request("compute", "POST", collection(serverId), {
    body: { volumeAttachment },
    microversion: mv,
    action,
  });
  return {
    attachment: data?.volumeAttachment ? attachmentFromApi(data.volumeAttachment) : undefined,
    requestId,
  };
}

/** PUT .../os-volume_attachments/{volumeId} (2.85+): updates delete_on_termination in place. */
export async function updateDeleteOnTermination(
  s: Session,
  mv: string,
  serverId: string,
  volumeId: string,
  deleteOnTermination: boolean,
  action: string,
): Promise<void> {
  await s.request("compute", "PUT", item(serverId, volumeId), {
    body: { volumeAttachment: { volumeId, delete_on_termination: deleteOnTermination } },
    microversion: mv,
    action,
  });
}

/** DELETE .../os-volume_attachments/{volumeId}: starts the detach (202). */
export async function detachVolume(
  s: Session,
  mv: string,
  serverId: string,
  volumeId: string,
  action: string,
): Promise<AcceptedRequest> {
  const { requestId } = await s.request("compute", "DELETE", item(serverId, volumeId), {
    microversion: mv,
    action,
  });
  return { requestId };
}
