// Nova servers, the part the attachment resources need: show, power (os-stop / os-start) and one
// metadata item (the power-restore note of serverGuard.ts). URLs, response types, one function per call.
import { Session } from "../openstack";

/** A server as the guard needs it (GET /servers/{id}). */
export interface Server {
  id: string;
  /** The API status: ACTIVE, SHUTOFF, ERROR, BUILD, REBOOT, ... (FACTS §0.5). */
  status: string;
  /** OS-EXT-STS:vm_state (active, stopped, error, building, ...), when shown. */
  vmState?: string;
  /** OS-EXT-STS:task_state: null when no task runs (powering-off, powering-on, rebooting, ...). */
  taskState: string | null;
  metadata: Record<string, string>;
  /** The last fault's message, shown while the server is in ERROR. */
  fault?: string;
}

export const serverPath = (serverId: string) => `/servers/${encodeURIComponent(serverId)}`;
const metadataItemPath = (serverId: string, key: string) =>
  `${serverPath(serverId)}/metadata/${encodeURIComponent(key)}`;

function toServer(body: any): Server {
  const s = body?.server ?? {};
  return {
    id: String(s.id),
    status: String(s.status ?? "UNKNOWN"),
    vmState: s["OS-EXT-STS:vm_state"] ?? undefined,
    taskState: s["OS-EXT-STS:task_state"] ?? null,
    metadata: s.metadata && typeof s.metadata === "object" ? s.metadata : {},
    fault: typeof s.fault?.message === "string" ? s.fault.message : undefined,
  };
}

/** GET /servers/{id}. */
export async function getServer(s: Session, serverId: string, action?: string): Promise<Server> {
  const { data } = await s.request("compute", "GET", serverPath(serverId), {
    action: action ?? `reading server ${serverId}`,
  });
  return toServer(data);
}

async function serverAction(s: Session, serverId: string, name: string, action: string): Promise<void> {
  // Not repeated by the transport: a second os-stop after a lost answer fails with a 409. The guard
  // re-reads the server after any failure instead, and sends again only what the server shows no trace of.
  await s.request("compute", "POST", `${serverPath(serverId)}/action`, { body: { [name]: null }, action });
}

/** POST /servers/{id}/action {"os-stop": null}: 202, the server then goes to SHUTOFF. */
export function stopServer(s: Session, serverId: string): Promise<void> {
  return serverAction(s, serverId, "os-stop", `stopping server ${serverId}`);
}

/** POST /servers/{id}/action {"os-start": null}: 202, the server then goes to ACTIVE. */
export function startServer(s: Session, serverId: string): Promise<void> {
  return serverAction(s, serverId, "os-start", `starting server ${serverId}`);
}

/** PUT /servers/{id}/metadata/{key} {"meta": {key: value}}: creates or replaces one item. */
export async function setServerMetadataItem(
  s: Session,
  serverId: string,
  key: string,
  value: string,
  action: string,
): Promise<void> {
  await s.request("compute", "PUT", metadataItemPath(serverId, key), {
    body: { meta: { [key]: value } },
    action,
  });
}

/** DELETE /servers/{id}/metadata/{key} (204; 404 when the item or the server does not exist). */
export async function deleteServerMetadataItem(
  s: Session,
  serverId: string,
  key: string,
  action: string,
): Promise<void> {
  await s.request("compute", "DELETE", metadataItemPath(serverId, key), { action });
}
