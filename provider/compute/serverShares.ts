// Nova server share attachments (os-server-shares, compute 2.97+; FACTS §2). `{shareId}` in the URLs is
// the Manila share id, not the mapping's own uuid.
import { Session } from "../openstack";
import { serverPath } from "./servers";

/** The lowest compute microversion with os-server-shares; below it every call is a 404. */
export const SERVER_SHARES_MICROVERSION = "2.97";

/** The statuses of a share mapping (FACTS §2.7). */
export type ServerShareStatus = "attaching" | "inactive" | "active" | "detaching" | "error";

/** A share mapping. List items carry only shareId, status and tag; show and create add the admin fields. */
export interface ServerShare {
  shareId: string;
  status: ServerShareStatus | string;
  /** The virtiofs mount tag (Nova defaults it to the share id). */
  tag: string;
  /** The mapping's own uuid: only shown to admins. */
  uuid?: string;
  /** The export path Nova chose from Manila: only shown to admins. */
  exportLocation?: string;
}

/** A mapping in `attaching` or `detaching`: starting (or stopping) the server now would put it in ERROR. */
export const isInFlight = (status: string) => status === "attaching" || status === "detaching";

export const serverSharesPath = (serverId: string) => `${serverPath(serverId)}/shares`;
export const serverSharePath = (serverId: string, shareId: string) =>
  `${serverSharesPath(serverId)}/${encodeURIComponent(shareId)}`;

function toServerShare(item: any): ServerShare {
  const share: ServerShare = {
    shareId: String(item?.share_id),
    status: String(item?.status),
    tag: String(item?.tag),
  };
  if (typeof item?.uuid === "string") share.uuid = item.uuid;
  if (typeof item?.export_location === "string") share.exportLocation = item.export_location;
  return share;
}

/** GET /servers/{id}/shares. */
export async function listServerShares(
  s: Session,
  serverId: string,
  action?: string,
): Promise<ServerShare[]> {
  const { data } = await s.request("compute", "GET", serverSharesPath(serverId), {
    microversion: SERVER_SHARES_MICROVERSION,
    action: action ?? `listing the shares attached to server ${serverId}`,
  });
  return ((data?.shares as unknown[]) ?? []).map(toServerShare);
}

/** GET /servers/{id}/shares/{shareId}: 404 when the mapping (or the server) does not exist. */
export async function getServerShare(
  s: Session,
  serverId: string,
  shareId: string,
  action?: string,
): Promise<ServerShare> {
  const { data } = await s.request("compute", "GET", serverSharePath(serverId, shareId), {
    microversion: SERVER_SHARES_MICROVERSION,
    action: action ?? `reading the attachment of share ${shareId} to server ${serverId}`,
  });
  return toServerShare(data?.share);
}

/** POST /servers/{id}/shares: 201 with status `attaching`; the compute host finishes asynchronously. */
export async function createServerShare(
  s: Session,
  serverId: string,
  request: { shareId: string; tag?: string },
  action: string,
): Promise<ServerShare> {
  const share: Record<string, string> = { share_id: request.shareId };
  if (request.tag !== undefined) share.tag = request.tag;
  const { data } = await s.request("compute", "POST", serverSharesPath(serverId), {
    body: { share },
    microversion: SERVER_SHARES_MICROVERSION,
    action,
  });
  return toServerShare(data?.share);
}

/** DELETE /servers/{id}/shares/{shareId}: 200; the mapping goes `detaching`, then disappears (404). */
export async function deleteServerShare(
  s: Session,
  serverId: string,
  shareId: string,
  action: string,
): Promise<void> {
  await s.request("compute", "DELETE", serverSharePath(serverId, shareId), {
    microversion: SERVER_SHARES_MICROVERSION,
    action,
  });
}
