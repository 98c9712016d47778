// Manila share servers (FACTS §4): list, show, details, manage, unmanage, reset_status, delete, and the
// shares that still use a server. Every share-server policy defaults to admin-only (§4.6): a policy 403
// becomes an `AdminRoleRequiredError` that says so instead of Manila's bare "Access was denied".
import { isForbidden, isNotFound, OpenStackError, Session } from "../openstack";

const SFS = "shared-file-system";

/** The newest share API version whose share-server behaviour FACTS.md describes; we ask for it or the cloud's max. */
export const SHARE_SERVER_MICROVERSION = "2.99";
/** manage, unmanage and reset_status (and `identifier`, `is_auto_deletable` in the view) need 2.49. */
export const MANAGE_MICROVERSION = "2.49";
/** `share_network_subnet_id` on manage: below 2.51 Manila drops it silently (FACTS §4.5). */
export const SUBNET_MICROVERSION = "2.51";

/** A share service host as Manila names it: `host@backend`, without `#pool` (manage refuses pools). */
export const MANILA_HOST = /^[^\s@#]+@[^\s@#]+$/;

/** SHARE_SERVER_STATUSES (FACTS §4.4): what Manila reports, and the reset_status whitelist. */
export const SHARE_SERVER_STATUSES = [
  "active",
  "error",
  "deleting",
  "creating",
  "manage_starting",
  "unmanage_starting",
  "unmanage_error",
  "manage_error",
  "inactive",
  "server_migrating",
  "server_migrating_to",
  "network_change",
] as const;
export type ShareServerStatus = (typeof SHARE_SERVER_STATUSES)[number];

/** A share server as Manila reports it; fields a microversion or view does not carry are absent. */
export interface ShareServer {
  id: string;
  status: string;
  /** The manila-share service host, `host@backend`. */
  host: string;
  /** Project of the server's share network ("" when the network is gone). */
  projectId: string;
  shareNetworkId: string;
  /** The share network's name, or its id when it has none. */
  shareNetworkName: string;
  updatedAt: string | null;
  /** Show and manage only (not in lists). */
  createdAt?: string | null;
  /** Show and manage only (not in lists). Use `getShareServerDetails` for a listed server's. */
  backendDetails?: Record<string, string>;
  /** 2.49+: the backend's identifier (the driver may have replaced the one given to manage). */
  identifier?: string;
  /** 2.49+ */
  isAutoDeletable?: boolean;
  /** 2.51+: the subnet ids (2.51-2.69 report one, 2.70+ a sorted list). */
  shareNetworkSubnetIds?: string[];
  /** 2.57+: migration task state, usually null. */
  taskState?: string | null;
  /** 2.57+ */
  sourceShareServerId?: string | null;
  /** 2.63+ */
  securityServiceUpdateSupport?: boolean;
  /** 2.70+ */
  networkAllocationUpdateSupport?: boolean;
  /** 2.90+ */
  encryptionKeyRef?: string | null;
}

/** A share on a share server (what blocks unmanage and delete). */
export interface ShareOnServer {
  id: string;
  name: string | null;
  status: string;
  projectId: string;
}

/** List filters (FACTS §4.3); every one is an exact match. */
export interface ShareServerFilters {
  host?: string;
  status?: string;
  shareNetworkId?: string;
  projectId?: string;
  identifier?: string;
  id?: string;
}

/** What `manageShareServer` sends. */
export interface ManageShareServerRequest {
  host: string;
  identifier: string;
  shareNetworkId: string;
  shareNetworkSubnetId?: string;
  driverOptions?: Record<string, string>;
}

/** The credentials lack the admin role that Manila's share-server API needs. `cause` is Manila's 403. */
export class AdminRoleRequiredError extends Error {
  readonly status = 403;
  constructor(message: string, cause: OpenStackError) {
    super(message, { cause });
    this.name = "AdminRoleRequiredError";
  }
}

export const shareServersPath = "/share-servers";
export const shareServerPath = (id: string) => `${shareServersPath}/${encodeURIComponent(id)}`;

/** The microversion every share-server call sends: 2.99, or the cloud's newest below it. */
export function shareServerMicroversion(s: Session): Promise<string> {
  return s.microversion(SFS, SHARE_SERVER_MICROVERSION);
}

// A 403 on this API is a policy refusal, except DELETE's status rule (FACTS §4.5), whose message says so.
const STATUS_RULE = /actual status is/i;

/** Runs one share-server call, turning a policy 403 into an `AdminRoleRequiredError`. */
async function adminCall<T>(s: Session, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isForbidden(err) && !STATUS_RULE.test(err.serviceMessage)) {
      throw new AdminRoleRequiredError(
        `${err.message}. This needs the admin role: Manila's share-server API is admin-only ` +
          `(every share_server policy defaults to role:admin), and the credentials from ${s.source} do not have it`,
        err,
      );
    }
    throw err;
  }
}

function optionalString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Manila's JSON (list, show or manage view at any microversion) to a `ShareServer`. */
export function toShareServer(json: any): ShareServer {
  const server: ShareServer = {
    id: String(json?.id),
    status: String(json?.status),
    host: String(json?.host ?? ""),
    projectId: String(json?.project_id ?? ""),
    shareNetworkId: String(json?.share_network_id ?? ""),
    shareNetworkName: String(json?.share_network_name ?? ""),
    updatedAt: optionalString(json?.updated_at),
  };
  if ("created_at" in json) server.createdAt = optionalString(json.created_at);
  if (json.backend_details && typeof json.backend_details === "object") {
    server.backendDetails = stringMap(json.backend_details);
  }
  if ("identifier" in json) server.identifier = String(json.identifier ?? "");
  if ("is_auto_deletable" in json) server.isAutoDeletable = json.is_auto_deletable === true;
  if (Array.isArray(json.share_network_subnet_ids)) {
    server.shareNetworkSubnetIds = json.share_network_subnet_ids.map(String);
  } else if ("share_network_subnet_id" in json) {
    server.shareNetworkSubnetIds = json.share_network_subnet_id ? [String(json.share_network_subnet_id)] : [];
  }
  if ("task_state" in json) server.taskState = optionalString(json.task_state);
  if ("source_share_server_id" in json)
    server.sourceShareServerId = optionalString(json.source_share_server_id);
  if ("security_service_update_support" in json) {
    server.securityServiceUpdateSupport = json.security_service_update_support === true;
  }
  if ("network_allocation_update_support" in json) {
    server.networkAllocationUpdateSupport = json.network_allocation_update_support === true;
  }
  if ("encryption_key_ref" in json) server.encryptionKeyRef = optionalString(json.encryption_key_ref);
  return server;
}

function stringMap(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/** GET /share-servers with exact-match filters (Manila does not paginate this list). */
export async function listShareServers(
  s: Session,
  filters: ShareServerFilters = {},
  action = "listing share servers",
): Promise<ShareServer[]> {
  const microversion = await shareServerMicroversion(s);
  const { data } = await adminCall(s, () =>
    s.request(SFS, "GET", shareServersPath, {
      microversion,
      action,
      query: {
        id: filters.id,
        host: filters.host,
        status: filters.status,
        share_network_id: filters.shareNetworkId,
        project_id: filters.projectId,
        identifier: filters.identifier,
      },
    }),
  );
  return ((data?.share_servers as unknown[]) ?? []).map(toShareServer);
}

/** GET /share-servers/{id} (detailed view). 404 when it does not exist, or when its share network is gone. */
export async function getShareServer(
  s: Session,
  id: string,
  action = `reading share server ${id}`,
): Promise<ShareServer> {
  const microversion = await shareServerMicroversion(s);
  const { data } = await adminCall(s, () =>
    s.request(SFS, "GET", shareServerPath(id), { microversion, action }),
  );
  return toShareServer(data?.share_server ?? {});
}

/**
 * The share server `id`, or undefined when Manila has none. Show 404s also when the server's share network
 * is gone (FACTS §4.5), so a 404 is confirmed with the list (which has no such check, nor backend details:
 * those then come from /details). Whether "none" means gone depends on the scope: see `Session.assertScope`.
 */
export async function findShareServer(s: Session, id: string): Promise<ShareServer | undefined> {
  try {
    return await getShareServer(s, id);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const [listed] = await listShareServers(s, { id }, `looking for share server ${id} in the list`);
  if (!listed) return undefined;
  try {
    listed.backendDetails = await getShareServerDetails(s, id);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return undefined; // gone between the two calls
  }
  return listed;
}

/** GET /share-servers/{id}/details: the backend details (no share-network check, unlike show). */
export async function getShareServerDetails(
  s: Session,
  id: string,
  action = `reading the backend details of share server ${id}`,
): Promise<Record<string, string>> {
  const microversion = await shareServerMicroversion(s);
  const { data } = await adminCall(s, () =>
    s.request(SFS, "GET", `${shareServerPath(id)}/details`, { microversion, action }),
  );
  return stringMap(data?.details ?? {});
}

/**
 * POST /share-servers/manage (2.49+; a subnet needs 2.51+: both checked first, so an old cloud fails before
 * any mutation). Not repeated on a lost connection: the caller lists to find out what happened.
 */
export async function manageShareServer(
  s: Session,
  request: ManageShareServerRequest,
  action = `managing backend share server "${request.identifier}" on ${request.host}`,
): Promise<ShareServer> {
  await s.requireMicroversion(SFS, MANAGE_MICROVERSION, "managing share servers");
  if (request.shareNetworkSubnetId !== undefined) {
    await s.requireMicroversion(
      SFS,
      SUBNET_MICROVERSION,
      "the shareNetworkSubnetId input (below it Manila would silently ignore the subnet)",
    );
  }
  const microversion = await shareServerMicroversion(s);
  const body: Record<string, unknown> = {
    host: request.host,
    identifier: request.identifier,
    share_network_id: request.shareNetworkId,
  };
  if (request.shareNetworkSubnetId !== undefined) body.share_network_subnet_id = request.shareNetworkSubnetId;
  if (request.driverOptions !== undefined) body.driver_options = request.driverOptions;
  const { data } = await adminCall(s, () =>
    s.request(SFS, "POST", `${shareServersPath}/manage`, {
      microversion,
      action,
      body: { share_server: body },
      idempotent: false,
    }),
  );
  return toShareServer(data?.share_server ?? {});
}

// `idempotent`: whether a lost connection may be retried blindly (reset_status yes; unmanage no: a repeat
// would fail on the status the first one set, so the caller reads the server instead).
async function serverAction(
  s: Session,
  id: string,
  body: unknown,
  feature: string,
  action: string,
  idempotent: boolean,
) {
  await s.requireMicroversion(SFS, MANAGE_MICROVERSION, feature);
  const microversion = await shareServerMicroversion(s);
  await adminCall(s, () =>
    s.request(SFS, "POST", `${shareServerPath(id)}/action`, { microversion, action, body, idempotent }),
  );
}

/**
 * The unmanage action (2.49+). `force` is sent only when true: Manila reads it by truthiness, so even the
 * string "false" would force (FACTS §4.5).
 */
export function unmanageShareServer(
  s: Session,
  id: string,
  force: boolean,
  action = `unmanaging share server ${id}`,
): Promise<void> {
  return serverAction(
    s,
    id,
    { unmanage: force ? { force: true } : {} },
    "unmanaging share servers",
    action,
    false,
  );
}

/** The reset_status action (2.49+): Manila writes the status at once. */
export function resetShareServerStatus(
  s: Session,
  id: string,
  status: string,
  action = `resetting the status of share server ${id} to ${status}`,
): Promise<void> {
  return serverAction(s, id, { reset_status: { status } }, "resetting share server status", action, true);
}

/** DELETE /share-servers/{id}: 202, asynchronous (FACTS §4.5 for its 403 and 409 rules). */
export async function deleteShareServer(
  s: Session,
  id: string,
  action = `deleting share server ${id}`,
): Promise<void> {
  const microversion = await shareServerMicroversion(s);
  await adminCall(s, () => s.request(SFS, "DELETE", shareServerPath(id), { microversion, action }));
}

/** GET /shares/detail?share_server_id=: every project's shares on the server (admin-only policy). */
export async function listSharesOnShareServer(
  s: Session,
  id: string,
  action = `listing the shares on share server ${id}`,
): Promise<ShareOnServer[]> {
  const microversion = await shareServerMicroversion(s);
  const { data } = await adminCall(s, () =>
    s.request(SFS, "GET", "/shares/detail", { microversion, action, query: { share_server_id: id } }),
  );
  return ((data?.shares as any[]) ?? []).map((share) => ({
    id: String(share.id),
    name: share.name ?? null,
    status: String(share.status),
    projectId: String(share.project_id ?? ""),
  }));
}
