// Lookups of Nova server share attachments (os-server-shares, compute 2.97+): which Manila shares a server
// has, and one attachment in detail. They run in the program's own process (see ./common.ts).
import { isNotFound } from "../../provider/openstack";
import { getServer } from "../../provider/compute/servers";
import {
  SERVER_SHARES_MICROVERSION,
  ServerShare,
  getServerShare,
  listServerShares,
} from "../../provider/compute/serverShares";
import { LookupScopeArgs, lookupSession, outputForm, requiredString } from "./common";
import type { Session } from "../../provider/openstack";

/** One share attached to a server, as Nova lists it. */
export interface ServerShareAttachmentSummary {
  /** The Manila share id. */
  shareId: string;
  /** attaching, inactive (server stopped), active, detaching or error. */
  status: string;
  /** The virtiofs mount tag the guest sees. */
  tag: string;
}

/** One attachment in detail. `uuid` and `exportLocation` are present only for admin credentials. */
export interface ServerShareAttachmentDetail extends ServerShareAttachmentSummary {
  serverId: string;
  /** Nova's own id of the attachment (admins only). */
  uuid?: string;
  /** The export path Nova chose from Manila (admins only). */
  exportLocation?: string;
}

export interface GetServerShareAttachmentsArgs extends LookupScopeArgs {
  /** The Nova server whose attached shares to list. */
  serverId: string;
}

export interface GetServerShareAttachmentsResult {
  serverId: string;
  /** Every share attached to the server, in Nova's order. Nova's list has no admin-only fields. */
  attachments: ServerShareAttachmentSummary[];
}

export interface GetServerShareAttachmentArgs extends LookupScopeArgs {
  serverId: string;
  /** The Manila share id. */
  shareId: string;
}

/** A 404 from os-server-shares, explained: no such server, or no such attachment on it. */
async function explainNotFound(
  lookup: string,
  s: Session,
  serverId: string,
  shareId?: string,
): Promise<Error> {
  try {
    await getServer(s, serverId, `${lookup}: reading server ${serverId}`);
  } catch (err) {
    if (isNotFound(err)) {
      return new Error(
        `${lookup}: server ${serverId} does not exist, or is not visible to these credentials`,
      );
    }
    throw err;
  }
  return new Error(`${lookup}: share ${shareId} is not attached to server ${serverId}`);
}

async function prepare(lookup: string, args: LookupScopeArgs) {
  const s = lookupSession(lookup, args);
  await s.requireMicroversion(
    "compute",
    SERVER_SHARES_MICROVERSION,
    "server share attachments (os-server-shares)",
  );
  return s;
}

const summaryOf = (m: ServerShare): ServerShareAttachmentSummary => ({
  shareId: m.shareId,
  status: m.status,
  tag: m.tag,
});

/**
 * The shares attached to a server (Nova's `GET /servers/{id}/shares`, compute 2.97+).
 * Errors: an unknown server, a cloud whose compute API is older than 2.97, a policy refusal.
 */
export async function getServerShareAttachments(
  args: GetServerShareAttachmentsArgs,
): Promise<GetServerShareAttachmentsResult> {
  const lookup = "getServerShareAttachments";
  const serverId = requiredString(lookup, args, "serverId");
  const s = await prepare(lookup, args);
  try {
    const mappings = await listServerShares(
      s,
      serverId,
      `${lookup}: listing the shares of server ${serverId}`,
    );
    return { serverId, attachments: mappings.map(summaryOf) };
  } catch (err) {
    if (isNotFound(err)) throw await explainNotFound(lookup, s, serverId);
    throw err;
  }
}

/**
 * One share attachment (Nova's `GET /servers/{id}/shares/{shareId}`, compute 2.97+), with `uuid` and
 * `exportLocation` when the credentials are an admin's. Errors: unknown server, share not attached to it,
 * cloud older than 2.97, policy refusal.
 */
export async function getServerShareAttachment(
  args: GetServerShareAttachmentArgs,
): Promise<ServerShareAttachmentDetail> {
  const lookup = "getServerShareAttachment";
  const serverId = requiredString(lookup, args, "serverId");
  const shareId = requiredString(lookup, args, "shareId");
  const s = await prepare(lookup, args);
  try {
    const m = await getServerShare(
      s,
      serverId,
      shareId,
      `${lookup}: reading share ${shareId} on server ${serverId}`,
    );
    const detail: ServerShareAttachmentDetail = { serverId, ...summaryOf(m) };
    if (m.uuid !== undefined) detail.uuid = m.uuid;
    if (m.exportLocation !== undefined) detail.exportLocation = m.exportLocation;
    return detail;
  } catch (err) {
    if (isNotFound(err)) throw await explainNotFound(lookup, s, serverId, shareId);
    throw err;
  }
}

/** `getServerShareAttachments` taking Inputs, giving an Output. */
export const getServerShareAttachmentsOutput = outputForm(getServerShareAttachments);
/** `getServerShareAttachment` taking Inputs, giving an Output. */
export const getServerShareAttachmentOutput = outputForm(getServerShareAttachment);
