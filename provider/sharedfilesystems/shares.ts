// Manila shares, read-only: what Nova checks before attaching a share to a server (FACTS §2.5 steps 6-9),
// asked the same way Nova asks (as the user, at share API 2.82 or the cloud's newest below it).
import { Session } from "../openstack";

/** The share API version Nova uses for its checks; export locations need 2.9, `preferred` 2.14. */
const SHARE_MICROVERSION = "2.82";

export interface Share {
  id: string;
  name?: string;
  /** available, creating, error, extending, ... */
  status: string;
  /** NFS, CEPHFS, CIFS, ... (upper case as Manila reports it). */
  shareProto: string;
}

export interface ShareExportLocation {
  path: string;
  preferred: boolean;
}

export const sharePath = (shareId: string) => `/shares/${encodeURIComponent(shareId)}`;

/** GET /v2/shares/{id}: 404 when it does not exist (or is not visible to the caller). */
export async function getShare(s: Session, shareId: string, action?: string): Promise<Share> {
  const { data } = await s.request("shared-file-system", "GET", sharePath(shareId), {
    microversion: await s.microversion("shared-file-system", SHARE_MICROVERSION),
    action: action ?? `reading share ${shareId}`,
  });
  const share = data?.share ?? {};
  return {
    id: String(share.id),
    name: share.name ?? undefined,
    status: String(share.status),
    shareProto: String(share.share_proto ?? "").toUpperCase(),
  };
}

/** GET /v2/shares/{id}/export_locations (share API 2.9+). */
export async function listShareExportLocations(
  s: Session,
  shareId: string,
  action?: string,
): Promise<ShareExportLocation[]> {
  const { data } = await s.request("shared-file-system", "GET", `${sharePath(shareId)}/export_locations`, {
    microversion: await s.microversion("shared-file-system", SHARE_MICROVERSION),
    action: action ?? `reading the export locations of share ${shareId}`,
  });
  return ((data?.export_locations as any[]) ?? []).map((e) => ({
    path: String(e.path),
    preferred: e.preferred === true,
  }));
}
