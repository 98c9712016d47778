// Lookups over Nova's os-volume_attachments (FACTS §3): the volumes attached to a server, and one of them,
// with the fields of the microversion the cloud offers (up to 2.101), as the VolumeAttachment resource reads.
import { Session } from "../../provider/openstack";
import {
  NOVA_VOLUME_BEST,
  NovaVolumeAttachment,
  listVolumeAttachments,
  showVolumeAttachmentAnyState,
} from "../../provider/compute/volumeAttachments";
import { LookupScopeArgs, lookupSession, outputForm } from "./common";
import { requiredUuid } from "./ids";

/** One volume attachment as Nova reports it; a field is absent when the cloud's microversion lacks it. */
export interface VolumeAttachmentInfo {
  serverId: string;
  volumeId: string;
  /** The device name, when Nova has one. */
  device?: string;
  /** The tag (compute API 2.70+). */
  tag?: string;
  /** Whether Nova deletes the volume with the server (compute API 2.79+). */
  deleteOnTermination?: boolean;
  /** The Cinder attachment id (compute API 2.89+). */
  attachmentId?: string;
  /** Nova's block device mapping uuid (compute API 2.89+). */
  bdmUuid?: string;
}

export interface GetVolumeAttachmentsArgs extends LookupScopeArgs {
  /** The server whose attached volumes to list. */
  serverId: string;
}

export interface GetVolumeAttachmentsResult {
  serverId: string;
  /** The compute microversion the answer was read at (it decides which fields are present). */
  microversion: string;
  attachments: VolumeAttachmentInfo[];
}

export interface GetVolumeAttachmentArgs extends LookupScopeArgs {
  serverId: string;
  volumeId: string;
}

export interface GetVolumeAttachmentResult extends VolumeAttachmentInfo {
  /** The compute microversion the answer was read at. */
  microversion: string;
}

function info(a: NovaVolumeAttachment): VolumeAttachmentInfo {
  const out: VolumeAttachmentInfo = { serverId: a.serverId, volumeId: a.volumeId };
  if (a.device) out.device = a.device;
  if (a.tag) out.tag = a.tag;
  if (a.deleteOnTermination !== undefined) out.deleteOnTermination = a.deleteOnTermination;
  if (a.attachmentId) out.attachmentId = a.attachmentId;
  if (a.bdmUuid) out.bdmUuid = a.bdmUuid;
  return out;
}

const computeMicroversion = (s: Session) => s.microversion("compute", NOVA_VOLUME_BEST);

/**
 * The volumes attached to a server (Nova's list; at 2.89+ Nova leaves out an attachment that has no Cinder
 * attachment id yet). Fails with Nova's 404 for an unknown server.
 */
export async function getVolumeAttachments(
  args: GetVolumeAttachmentsArgs,
): Promise<GetVolumeAttachmentsResult> {
  const lookup = "getVolumeAttachments";
  const serverId = requiredUuid(lookup, args, "serverId");
  const s = lookupSession(lookup, args);
  const microversion = await computeMicroversion(s);
  const found = await listVolumeAttachments(
    s,
    microversion,
    serverId,
    `${lookup}: listing the volumes attached to server ${serverId}`,
  );
  return { serverId, microversion, attachments: found.map(info) };
}

/**
 * One volume attached to a server, also while Nova 2.89+ hides it (no Cinder attachment id yet: then without
 * attachmentId and bdmUuid). Fails with Nova's 404 when the server does not exist or has no such volume.
 */
export async function getVolumeAttachment(args: GetVolumeAttachmentArgs): Promise<GetVolumeAttachmentResult> {
  const lookup = "getVolumeAttachment";
  const serverId = requiredUuid(lookup, args, "serverId");
  const volumeId = requiredUuid(lookup, args, "volumeId");
  const s = lookupSession(lookup, args);
  const microversion = await computeMicroversion(s);
  const found = await showVolumeAttachmentAnyState(
    s,
    microversion,
    serverId,
    volumeId,
    `${lookup}: reading volume ${volumeId} on server ${serverId}`,
  );
  return { ...info(found), microversion };
}

/** `getVolumeAttachments` with `pulumi.Input` arguments. */
export const getVolumeAttachmentsOutput = outputForm(getVolumeAttachments);
/** `getVolumeAttachment` with `pulumi.Input` arguments. */
export const getVolumeAttachmentOutput = outputForm(getVolumeAttachment);
