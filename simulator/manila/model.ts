// Manila's state machines, apart from HTTP (FACTS.md §4 and, for what Nova needs from Manila, §2.7 and §2.9).
// Methods take the caller's Principal and run the checks in the order Manila's controller and share API run
// them, raising ApiFault; routes parse requests and shape the JSON (views.ts). Asynchronous halves (the
// share manager's work) run through world.transitions under the kinds listed in TRANSITIONS.
import { randomUUID } from "crypto";
import { ApiFault, badRequest, conflict, forbidden, notFound } from "../core/faults";
import type { Principal } from "../core/identity";
import type { World } from "../core/world";
import { DEFAULT_MANILA_SETTINGS, type BackendShareServer, type ManilaSettings } from "./settings";

/** Transition kinds (keys of `config.transitions`) this model schedules. */
export const TRANSITIONS = {
  shareCreate: "manila.share.create",
  shareDelete: "manila.share.delete",
  accessAllow: "manila.access.allow",
  accessDeny: "manila.access.deny",
  serverCreate: "manila.share_server.create",
  serverDelete: "manila.share_server.delete",
  serverManage: "manila.share_server.manage",
  serverUnmanage: "manila.share_server.unmanage",
  networkUpdate: "manila.share_network.update",
} as const;

/** SHARE_SERVER_STATUSES, in FACTS §4.4 order: also the reset_status whitelist. */
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
];

/** AdminActionsMixin's reset_status whitelist for shares. */
export const SHARE_RESET_STATUSES = [
  "creating",
  "available",
  "deleting",
  "error",
  "error_deleting",
  "migrating",
  "migrating_to",
  "server_migrating",
];

export const SHARE_PROTOCOLS = ["NFS", "CIFS", "GLUSTERFS", "HDFS", "CEPHFS", "MAPRFS"];

/** The filter keys `_share_server_get_all_with_filters` knows (FACTS §4.3). */
const SHARE_SERVER_FILTER_KEYS = [
  "id",
  "deleted",
  "host",
  "is_auto_deletable",
  "identifier",
  "task_state",
  "source_share_server_id",
  "status",
  "security_service_update_support",
  "network_allocation_update_support",
  "encryption_key_ref",
  "share_network_subnet_id",
  "project_id",
  "share_network",
  "share_network_id",
];

/** A share type. The simulator's two: "default" (DHSS=False) and "dhss_true". */
export interface ShareType {
  id: string;
  name: string;
  description: string | null;
  isDefault: boolean;
  extraSpecs: Record<string, string>;
}

export const SHARE_TYPES: ShareType[] = [
  {
    id: "5a5d1c3e-0d6a-4c65-9a3e-000000000001",
    name: "default",
    description: "Shares without a share network (DHSS=False)",
    isDefault: true,
    extraSpecs: { driver_handles_share_servers: "False", snapshot_support: "False" },
  },
  {
    id: "5a5d1c3e-0d6a-4c65-9a3e-000000000002",
    name: "dhss_true",
    description: "Shares on share servers in a share network (DHSS=True)",
    isDefault: false,
    extraSpecs: { driver_handles_share_servers: "True", snapshot_support: "False" },
  },
];

export interface ExportLocation {
  id: string;
  path: string;
  preferred: boolean;
  isAdminOnly: boolean;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface ResourceLock {
  id: string;
  /** lock_context: who may remove the lock ("admin" locks only admins, "service" locks admins and services). */
  context: "user" | "admin" | "service";
  userId: string;
  reason: string | null;
}

export interface AccessRule {
  id: string;
  shareId: string;
  accessType: string;
  accessTo: string;
  accessLevel: string;
  /** queued_to_apply → active | error; queued_to_deny → (deleted). */
  state: string;
  accessKey: string | null;
  metadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date | null;
  deletionLock?: ResourceLock;
  visibilityLock?: ResourceLock;
  /** The share deletion lock that goes with `deletionLock`. */
  shareLock?: ResourceLock;
}

export interface Share {
  id: string;
  /** The share's (only) share instance. */
  instanceId: string;
  name: string | null;
  description: string | null;
  size: number;
  shareProto: string;
  status: string;
  projectId: string;
  userId: string;
  isPublic: boolean;
  metadata: Record<string, string>;
  shareType: ShareType;
  availabilityZone: string | null;
  shareNetworkId: string | null;
  shareServerId: string | null;
  /** host@backend#pool once scheduled. */
  host: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  exportLocations: ExportLocation[];
  /** Share-level deletion locks (created with access-rule deletion locks). */
  locks: ResourceLock[];
  /** Simulator knobs (control API): the state the next access rule reaches, and whether a deny fails. */
  sim: { accessOutcome: "active" | "error"; denyOutcome: "deleted" | "error" | "refuse" };
}

export interface ShareNetwork {
  id: string;
  name: string | null;
  description: string | null;
  projectId: string;
  /** active | error | network_change. */
  status: string;
  createdAt: Date;
  updatedAt: Date | null;
  securityServiceUpdateSupport: boolean;
  networkAllocationUpdateSupport: boolean;
}

export interface ShareNetworkSubnet {
  id: string;
  shareNetworkId: string;
  /** null for the network's default subnet. */
  availabilityZone: string | null;
  neutronNetId: string | null;
  neutronSubnetId: string | null;
  networkType: string | null;
  segmentationId: number | null;
  cidr: string | null;
  ipVersion: number | null;
  gateway: string | null;
  mtu: number | null;
  metadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface ShareServer {
  id: string;
  host: string;
  status: string;
  identifier: string;
  isAutoDeletable: boolean;
  subnetIds: string[];
  backendDetails: Record<string, string>;
  createdAt: Date;
  updatedAt: Date | null;
  taskState: string | null;
  sourceShareServerId: string | null;
  securityServiceUpdateSupport: boolean;
  networkAllocationUpdateSupport: boolean;
  encryptionKeyRef: string | null;
  /** The backend server this row manages (returned to the backend pool on unmanage). */
  backend?: BackendShareServer;
  /** Made by a manage request: a failed one (manage_error) took no backend server over. */
  fromManage?: boolean;
}

export interface CreateShareInput {
  shareProto: string;
  size: unknown;
  name?: string | null;
  description?: string | null;
  shareNetworkId?: string | null;
  availabilityZone?: string | null;
  metadata?: Record<string, string>;
  isPublic?: boolean;
  /** Name or id; the default type when absent. */
  shareType?: string | null;
}

export interface AllowAccessInput {
  accessType: string;
  accessTo: string;
  accessLevel?: string;
  metadata?: Record<string, string>;
  lockVisibility?: boolean;
  lockDeletion?: boolean;
  lockReason?: string | null;
}

export interface ManageShareServerInput {
  host?: unknown;
  identifier?: unknown;
  shareNetworkId?: unknown;
  /** undefined below 2.51 (the controller drops it there). */
  shareNetworkSubnetId?: unknown;
  driverOptions?: unknown;
}

/** webob's HTTPBadRequest default explanation. */
const GENERIC_400 =
  "The server could not comply with the request since it is either malformed or otherwise incorrect.";

/** Manila's message for a policy failure (webob's default; FACTS §0.3). */
export const ACCESS_DENIED = "Access was denied to this resource.";

/** Policy rules whose default is admin-only (`rule:context_is_admin` / `rule:admin_api`). */
const ADMIN_ONLY_RULE = /^(share_server:|share:(reset_status|list_by_share_server_id|list_all_projects))/;

const now = () => new Date();

export class ManilaModel {
  readonly shares = new Map<string, Share>();
  readonly accessRules = new Map<string, AccessRule>();
  readonly shareNetworks = new Map<string, ShareNetwork>();
  readonly subnets = new Map<string, ShareNetworkSubnet>();
  readonly shareServers = new Map<string, ShareServer>();
  /** Unmanaged servers on the backends (manage adopts from here, unmanage returns here). */
  backendShareServers: BackendShareServer[] = [];
  private exportCounter = 0;

  constructor(readonly world: World) {
    this.reset();
  }

  /** Forgets every resource (control API reset) and re-seeds the backend servers from the config. */
  reset(): void {
    this.shares.clear();
    this.accessRules.clear();
    this.shareNetworks.clear();
    this.subnets.clear();
    this.shareServers.clear();
    this.backendShareServers = this.settings().backendShareServers.map((s) => ({ ...s }));
    this.exportCounter = 0;
  }

  settings(): ManilaSettings {
    return { ...DEFAULT_MANILA_SETTINGS, ...(this.world.config.services.manila as Partial<ManilaSettings>) };
  }

  /** `@authorize`: admin-only defaults, plus rules a customised policy denies to non-admins. */
  authorize(principal: Principal, rule: string): void {
    if (principal.isAdmin) return;
    if (ADMIN_ONLY_RULE.test(rule) || this.settings().policyDenied.includes(rule)) {
      throw forbidden(ACCESS_DENIED);
    }
  }

  private after(kind: string, objectId: string, complete: () => string | void | false): void {
    this.world.transitions.after(kind, objectId, complete);
  }

  // ---------------------------------------------------------------------------------------------- shares

  /** share_api.get: other projects' private shares do not exist for non-admins. */
  getShare(principal: Principal, id: string): Share {
    this.authorize(principal, "share:get");
    const share = this.shares.get(id);
    if (!share || !this.canSee(principal, share)) throw notFound(`Share ${id} could not be found.`);
    return share;
  }

  private canSee(principal: Principal, share: Share): boolean {
    return principal.isAdmin || share.projectId === principal.projectId || share.isPublic;
  }

  listShares(principal: Principal, query: Record<string, string>): Share[] {
    this.authorize(principal, "share:get_all");
    const q = { ...query };
    let shares = [...this.shares.values()];
    if (q.share_server_id !== undefined) {
      // Project-independent, behind its own (admin) policy.
      this.authorize(principal, "share:list_by_share_server_id");
      shares = shares.filter((s) => s.shareServerId === q.share_server_id);
    } else if (!(principal.isAdmin && isTrue(q.all_tenants ?? q.all_projects))) {
      shares = shares.filter((s) => s.projectId === principal.projectId || s.isPublic);
    }
    const eq: Record<string, (s: Share) => unknown> = {
      name: (s) => s.name,
      status: (s) => s.status,
      share_network_id: (s) => s.shareNetworkId,
      host: (s) => s.host,
      project_id: (s) => s.projectId,
    };
    for (const [key, get] of Object.entries(eq)) {
      if (q[key] !== undefined) shares = shares.filter((s) => get(s) === q[key]);
    }
    // Newest first (sort_key created_at, sort_dir desc).
    return shares.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  createShare(principal: Principal, input: CreateShareInput): Share {
    this.authorize(principal, "share:create");
    const proto = String(input.shareProto ?? "").toUpperCase();
    const azs = this.settings().availabilityZones;
    if (input.availabilityZone && !azs.includes(input.availabilityZone)) {
      throw notFound(`Availability zone ${input.availabilityZone} could not be found.`);
    }
    let subnet: ShareNetworkSubnet | undefined;
    if (input.shareNetworkId) {
      const network = this.shareNetworks.get(input.shareNetworkId);
      if (!network || !(principal.isAdmin || network.projectId === principal.projectId)) {
        throw notFound(`Share network ${input.shareNetworkId} could not be found.`);
      }
      checkNetworkActive(network);
      if (input.availabilityZone) {
        const inAz = this.subnetsOf(network.id).filter((s) => s.availabilityZone === input.availabilityZone);
        if (inAz.length === 0) {
          throw badRequest("A share network subnet was not found for the requested availability zone.");
        }
      }
    }
    const shareType = input.shareType
      ? SHARE_TYPES.find((t) => t.id === input.shareType || t.name === input.shareType)
      : SHARE_TYPES.find((t) => t.isDefault)!;
    if (!shareType) throw notFound("Share type not found.");
    if (!input.shareNetworkId && shareType.extraSpecs.driver_handles_share_servers === "True") {
      throw badRequest("Share network must be set when the driver_handles_share_servers is true.");
    }
    // share_api.create's own checks come after the controller's.
    const size = Number(input.size);
    if (!Number.isInteger(size) || size <= 0) {
      throw badRequest(`Share size '${String(input.size)}' must be an integer and greater than 0`);
    }
    if (!SHARE_PROTOCOLS.includes(proto)) throw badRequest(`Invalid share protocol provided: ${proto}`);

    const availabilityZone = input.availabilityZone || azs[0] || null;
    const backend = this.settings().backends.find((b) => b.up !== false);
    const share: Share = {
      id: randomUUID(),
      instanceId: randomUUID(),
      name: input.name ?? null,
      description: input.description ?? null,
      size,
      shareProto: proto,
      status: "creating",
      projectId: principal.projectId,
      userId: principal.userId,
      isPublic: input.isPublic === true,
      metadata: { ...(input.metadata ?? {}) },
      shareType,
      availabilityZone,
      shareNetworkId: input.shareNetworkId ?? null,
      shareServerId: null,
      host: null,
      createdAt: now(),
      updatedAt: null,
      exportLocations: [],
      locks: [],
      sim: { accessOutcome: "active", denyOutcome: "deleted" },
    };
    this.shares.set(share.id, share);

    if (share.shareNetworkId) {
      // DHSS=True: the manager reuses a server on (host, subnet) or sets one up first.
      subnet =
        this.subnetsOf(share.shareNetworkId).find((s) => s.availabilityZone === availabilityZone) ??
        this.defaultSubnet(share.shareNetworkId);
      if (!backend || !subnet) {
        this.after(TRANSITIONS.shareCreate, share.id, () => this.finishShare(share, "error"));
        return share;
      }
      const server =
        [...this.shareServers.values()].find(
          (s) =>
            s.host === backend.host &&
            s.subnetIds.includes(subnet!.id) &&
            (s.status === "active" || s.status === "creating"),
        ) ?? this.setUpShareServer(backend.host, subnet);
      share.shareServerId = server.id;
    }
    share.host = backend ? `${backend.host}#pool0` : null;
    const finish = (): string | false => {
      const server = share.shareServerId ? this.shareServers.get(share.shareServerId) : undefined;
      if (server?.status === "creating") {
        // The manager waits for the server it is setting up.
        this.after(TRANSITIONS.shareCreate, share.id, finish);
        return false;
      }
      if (!backend || (share.shareServerId && server?.status !== "active")) {
        return this.finishShare(share, "error");
      }
      share.exportLocations = this.exportPathsFor(share).map((path, i) => exportLocation(path, i === 0));
      return this.finishShare(share, "available");
    };
    this.after(TRANSITIONS.shareCreate, share.id, finish);
    return share;
  }

  private finishShare(share: Share, status: string): string | false {
    if (this.shares.get(share.id) !== share || share.status !== "creating") return false;
    share.status = status;
    share.updatedAt = now();
    return status;
  }

  /** Export paths the way NFS and CephFS drivers shape them; other protocols get a generic path. */
  private exportPathsFor(share: Share): string[] {
    const n = ++this.exportCounter;
    const host = `192.0.2.${(n % 250) + 2}`;
    switch (share.shareProto) {
      case "CEPHFS":
        return [`${host}:6789,198.51.100.7:6789:/volumes/_nogroup/${share.id}`];
      case "CIFS":
        return [`\\\\${host}\\share-${share.id}`];
      default:
        return [`${host}:/shares/share-${share.id}`, `198.51.100.${(n % 250) + 2}:/shares/share-${share.id}`];
    }
  }

  deleteShare(principal: Principal, id: string): void {
    this.authorize(principal, "share:delete");
    const share = this.getShare(principal, id);
    const allowed = ["available", "error", "inactive"];
    if (!allowed.includes(share.status)) {
      throw forbidden(`Invalid share: Share status must be one of ('available', 'error', 'inactive')`);
    }
    if (share.locks.length > 0) {
      throw forbidden(
        `Invalid share: Resource lock/s [${share.locks.map((l) => l.id).join(", ")}] prevent delete action.`,
      );
    }
    share.status = "deleting";
    share.updatedAt = now();
    this.after(TRANSITIONS.shareDelete, share.id, () => {
      if (this.shares.get(share.id) !== share || share.status !== "deleting") return false;
      this.shares.delete(share.id);
      for (const rule of this.rulesOf(share.id)) this.accessRules.delete(rule.id);
      return "deleted";
    });
  }

  /** The admin `reset_status` share action (2.7+; `os-reset_status` below). */
  resetShareStatus(principal: Principal, id: string, body: unknown): void {
    this.authorize(principal, "share:reset_status");
    const share = this.getShare(principal, id);
    share.status = validStatus(body, SHARE_RESET_STATUSES);
    share.updatedAt = now();
  }

  /** Export locations visible to the caller (admin-only ones only for admins). */
  exportLocations(principal: Principal, shareId: string): ExportLocation[] {
    this.authorize(principal, "share_export_location:index");
    return this.shareOfExports(principal, shareId).exportLocations.filter(
      (e) => principal.isAdmin || !e.isAdminOnly,
    );
  }

  exportLocation(principal: Principal, shareId: string, exportId: string): ExportLocation {
    this.authorize(principal, "share_export_location:show");
    const found = this.shareOfExports(principal, shareId).exportLocations.find((e) => e.id === exportId);
    if (!found) throw notFound(`Export location '${exportId}' not found.`);
    if (found.isAdminOnly && !principal.isAdmin) throw forbidden(ACCESS_DENIED);
    return found;
  }

  private shareOfExports(principal: Principal, shareId: string): Share {
    const share = this.shares.get(shareId);
    if (!share || !this.canSee(principal, share)) throw notFound(`Share '${shareId}' not found.`);
    return share;
  }

  // ---------------------------------------------------------------------------------------- access rules

  rulesOf(shareId: string): AccessRule[] {
    return [...this.accessRules.values()].filter((r) => r.shareId === shareId);
  }

  /** The `allow_access` share action, with 2.82 locks (what Nova's allow_share calls as admin). */
  allowAccess(principal: Principal, shareId: string, input: AllowAccessInput): AccessRule {
    this.authorize(principal, "share:allow_access");
    const share = this.getShare(principal, shareId);
    if (share.shareNetworkId) checkNetworkActive(this.shareNetworks.get(share.shareNetworkId)!);
    if (!(input.lockVisibility || input.lockDeletion) && input.lockReason) {
      throw badRequest(
        "Lock reason can only be specified when locking the visibility or the deletion of an access rule.",
      );
    }
    validateAccess(input.accessType, input.accessTo);
    const level = input.accessLevel ?? "rw";
    if (!["rw", "ro"].includes(level)) {
      throw badRequest(`Invalid access rule: Invalid share access level: ${level}.`);
    }
    if (
      this.rulesOf(shareId).some((r) => r.accessType === input.accessType && r.accessTo === input.accessTo)
    ) {
      throw badRequest(`Share access ${input.accessType}:${input.accessTo} exists.`);
    }
    if (!share.host || share.status !== "available") {
      throw badRequest(
        "Invalid share: New access rules cannot be applied while the share or any of its replicas or migration copies lacks a valid host or is in an invalid state.",
      );
    }
    const rule: AccessRule = {
      id: randomUUID(),
      shareId,
      accessType: input.accessType,
      accessTo: input.accessTo,
      accessLevel: level,
      state: "queued_to_apply",
      accessKey: null,
      metadata: { ...(input.metadata ?? {}) },
      createdAt: now(),
      updatedAt: null,
    };
    const lock = (): ResourceLock => ({
      id: randomUUID(),
      context: lockContext(principal),
      userId: principal.userId,
      reason: input.lockReason ?? null,
    });
    if (input.lockDeletion) {
      rule.deletionLock = lock();
      rule.shareLock = { ...lock(), reason: `Locked by access lock ${rule.deletionLock.id}` };
      share.locks.push(rule.shareLock);
    }
    if (input.lockVisibility) rule.visibilityLock = lock();
    this.accessRules.set(rule.id, rule);
    this.after(TRANSITIONS.accessAllow, rule.id, () => {
      if (this.accessRules.get(rule.id) !== rule || rule.state !== "queued_to_apply") return false;
      rule.state = share.sim.accessOutcome;
      if (rule.state === "active" && rule.accessType === "cephx") {
        rule.accessKey = `AQ${randomUUID().replace(/-/g, "")}==`;
      }
      rule.updatedAt = now();
      return rule.state;
    });
    return rule;
  }

  /** The `deny_access` share action: deletion locks need `unrestrict` and the right to drop them. */
  denyAccess(principal: Principal, shareId: string, accessId: string, unrestrict: boolean): void {
    this.authorize(principal, "share:deny_access");
    const rule = this.accessRules.get(accessId);
    if (rule?.deletionLock) {
      if (!unrestrict) {
        throw forbidden(
          `Cannot deny access for share '${shareId}' since it has been locked. Please remove the locks and retry the operation`,
        );
      }
      if (!canManipulateLock(principal, rule.deletionLock)) {
        throw forbidden("Unable to drop access rule restrictions that are not placed by you.");
      }
    }
    const share = this.getShare(principal, shareId);
    if (share.shareNetworkId) checkNetworkActive(this.shareNetworks.get(share.shareNetworkId)!);
    if (!rule || rule.shareId !== shareId) throw notFound(`Access rule ${accessId} could not be found.`);
    if (share.sim.denyOutcome === "refuse") {
      throw badRequest(
        `Invalid share: the simulator refuses to deny access on share ${shareId} (denyOutcome).`,
      );
    }
    rule.state = "queued_to_deny";
    rule.updatedAt = now();
    this.after(TRANSITIONS.accessDeny, rule.id, () => {
      if (this.accessRules.get(rule.id) !== rule || rule.state !== "queued_to_deny") return false;
      if (share.sim.denyOutcome === "error") {
        rule.state = "error";
        return "error";
      }
      this.accessRules.delete(rule.id);
      share.locks = share.locks.filter((l) => l !== rule.shareLock);
      return "deleted";
    });
  }

  /** GET /share-access-rules?share_id= (2.45+). Visibility-locked rules are redacted for those who may not see them. */
  listAccessRules(
    principal: Principal,
    query: Record<string, string>,
  ): { rule: AccessRule; restricted: boolean }[] {
    this.authorize(principal, "share_access_rule:index");
    if (query.share_id === undefined) throw badRequest("The field 'share_id' has to be specified.");
    if (!this.shares.has(query.share_id) || !this.canSee(principal, this.shares.get(query.share_id)!)) {
      throw badRequest(`Share ${query.share_id} not found.`);
    }
    return this.rulesOf(query.share_id)
      .filter((r) =>
        ["access_type", "access_level", "state"].every((k) => !query[k] || ruleField(r, k) === query[k]),
      )
      .map((rule) => ({ rule, restricted: this.isRestricted(principal, rule) }))
      .filter(
        ({ rule, restricted }) =>
          !(restricted && query.access_to) && (!query.access_to || rule.accessTo === query.access_to),
      );
  }

  getAccessRule(principal: Principal, id: string): { rule: AccessRule; restricted: boolean } {
    this.authorize(principal, "share_access_rule:get");
    const rule = this.accessRules.get(id);
    const share = rule && this.shares.get(rule.shareId);
    if (!rule || !share || !this.canSee(principal, share))
      throw notFound(`Share access rule ${id} not found.`);
    return { rule, restricted: this.isRestricted(principal, rule) };
  }

  private isRestricted(principal: Principal, rule: AccessRule): boolean {
    return !!rule.visibilityLock && !canManipulateLock(principal, rule.visibilityLock) && !principal.isAdmin;
  }

  // ------------------------------------------------------------------------------ share networks, subnets

  subnetsOf(networkId: string): ShareNetworkSubnet[] {
    return [...this.subnets.values()].filter((s) => s.shareNetworkId === networkId);
  }

  defaultSubnet(networkId: string): ShareNetworkSubnet | undefined {
    return this.subnetsOf(networkId).find((s) => s.availabilityZone === null);
  }

  getShareNetwork(principal: Principal, id: string): ShareNetwork {
    this.authorize(principal, "share_network:show");
    const network = this.shareNetworks.get(id);
    if (!network || !(principal.isAdmin || network.projectId === principal.projectId)) {
      throw notFound(`Share network ${id} could not be found.`);
    }
    return network;
  }

  listShareNetworks(principal: Principal, query: Record<string, string>): ShareNetwork[] {
    this.authorize(principal, "share_network:index");
    const all = principal.isAdmin && isTrue(query.all_tenants ?? query.all_projects);
    return [...this.shareNetworks.values()].filter(
      (n) =>
        (all || n.projectId === principal.projectId) &&
        (query.name === undefined || n.name === query.name) &&
        (query.project_id === undefined || n.projectId === query.project_id),
    );
  }

  /** POST /share-networks: the network gets one subnet (default, or in `availabilityZone` from 2.51). */
  createShareNetwork(
    principal: Principal,
    input: Partial<Pick<ShareNetworkSubnet, "neutronNetId" | "neutronSubnetId" | "availabilityZone">> & {
      name?: string | null;
      description?: string | null;
    },
  ): ShareNetwork {
    this.authorize(principal, "share_network:create");
    checkNetAndSubnetIds(input.neutronNetId, input.neutronSubnetId);
    if (input.availabilityZone) this.checkAvailabilityZone(input.availabilityZone);
    const network: ShareNetwork = {
      id: randomUUID(),
      name: input.name ?? null,
      description: input.description ?? null,
      projectId: principal.projectId,
      status: "active",
      createdAt: now(),
      updatedAt: null,
      securityServiceUpdateSupport: true,
      networkAllocationUpdateSupport: true,
    };
    this.shareNetworks.set(network.id, network);
    this.addSubnet(network.id, input);
    return network;
  }

  deleteShareNetwork(principal: Principal, id: string): void {
    this.authorize(principal, "share_network:delete");
    const network = this.getShareNetwork(principal, id);
    if ([...this.shares.values()].some((s) => s.shareNetworkId === id)) {
      throw conflict(
        `Invalid share network: Can not delete share network ${id}, it has shares or share groups.`,
      );
    }
    const subnetIds = this.subnetsOf(id).map((s) => s.id);
    for (const server of [...this.shareServers.values()]) {
      if (!server.subnetIds.some((s) => subnetIds.includes(s))) continue;
      if (!server.isAutoDeletable) {
        throw conflict(`Cannot delete share network ${id}. There are share servers using it.`);
      }
    }
    for (const server of [...this.shareServers.values()]) {
      if (server.subnetIds.some((s) => subnetIds.includes(s))) this.shareServers.delete(server.id);
    }
    for (const subnetId of subnetIds) this.subnets.delete(subnetId);
    this.shareNetworks.delete(network.id);
  }

  private checkAvailabilityZone(az: string): void {
    if (!this.settings().availabilityZones.includes(az)) {
      throw badRequest(`The provided availability zone ${az} does not exist.`);
    }
  }

  private addSubnet(
    networkId: string,
    input: Partial<
      Pick<ShareNetworkSubnet, "neutronNetId" | "neutronSubnetId" | "availabilityZone" | "metadata">
    >,
  ): ShareNetworkSubnet {
    const subnet: ShareNetworkSubnet = {
      id: randomUUID(),
      shareNetworkId: networkId,
      availabilityZone: input.availabilityZone || null,
      neutronNetId: input.neutronNetId ?? null,
      neutronSubnetId: input.neutronSubnetId ?? null,
      networkType: input.neutronNetId ? "vxlan" : null,
      segmentationId: input.neutronNetId ? 1000 + this.subnets.size : null,
      cidr: input.neutronSubnetId ? "10.0.0.0/24" : null,
      ipVersion: input.neutronSubnetId ? 4 : null,
      gateway: input.neutronSubnetId ? "10.0.0.1" : null,
      mtu: input.neutronNetId ? 1450 : null,
      metadata: { ...(input.metadata ?? {}) },
      createdAt: now(),
      updatedAt: null,
    };
    this.subnets.set(subnet.id, subnet);
    return subnet;
  }

  /**
   * POST /share-networks/{id}/subnets (2.51). From 2.70 a second subnet may join an AZ; if that AZ's
   * subnets have share servers, the network and those servers go through network_change and the servers
   * gain the new subnet (update_share_server_network_allocations).
   */
  createSubnet(
    principal: Principal,
    networkId: string,
    input: Partial<
      Pick<ShareNetworkSubnet, "neutronNetId" | "neutronSubnetId" | "availabilityZone" | "metadata">
    >,
    multipleSubnetSupport: boolean,
  ): ShareNetworkSubnet {
    this.authorize(principal, "share_network_subnet:create");
    checkNetAndSubnetIds(input.neutronNetId, input.neutronSubnetId);
    const network = this.getShareNetwork(principal, networkId);
    if (input.availabilityZone) this.checkAvailabilityZone(input.availabilityZone);
    const az = input.availabilityZone || null;
    const existing = this.subnetsOf(networkId).filter((s) => s.availabilityZone === az);
    if (existing.length > 0 && !multipleSubnetSupport) {
      throw conflict(
        `Another share network subnet was found in the specified availability zone. Only one share network subnet is allowed per availability zone for share network ${networkId}.`,
      );
    }
    const servers = [...this.shareServers.values()].filter((s) =>
      s.subnetIds.some((id) => existing.some((e) => e.id === id)),
    );
    if (servers.length > 0) checkNetworkActive(network);
    const subnet = this.addSubnet(networkId, input);
    if (servers.length > 0) {
      network.status = "network_change";
      for (const server of servers) server.status = "network_change";
      this.after(TRANSITIONS.networkUpdate, network.id, () => {
        if (this.shareNetworks.get(network.id) !== network) return false;
        network.status = "active";
        for (const server of servers) {
          if (this.shareServers.get(server.id) !== server) continue;
          server.subnetIds.push(subnet.id);
          if (server.status === "network_change") server.status = "active";
          server.updatedAt = now();
        }
        return "active";
      });
    }
    return subnet;
  }

  getSubnet(principal: Principal, networkId: string, subnetId: string): ShareNetworkSubnet {
    this.authorize(principal, "share_network_subnet:show");
    this.getShareNetwork(principal, networkId);
    const subnet = this.subnets.get(subnetId);
    if (!subnet || subnet.shareNetworkId !== networkId) {
      throw notFound(`Share network subnet ${subnetId} could not be found.`);
    }
    return subnet;
  }

  listSubnets(principal: Principal, networkId: string): ShareNetworkSubnet[] {
    this.authorize(principal, "share_network_subnet:index");
    this.getShareNetwork(principal, networkId);
    return this.subnetsOf(networkId);
  }

  deleteSubnet(principal: Principal, networkId: string, subnetId: string): void {
    this.authorize(principal, "share_network_subnet:delete");
    const subnet = this.getSubnet(principal, networkId, subnetId);
    const servers = [...this.shareServers.values()].filter((s) => s.subnetIds.includes(subnetId));
    if (servers.some((server) => [...this.shares.values()].some((sh) => sh.shareServerId === server.id))) {
      throw conflict(`Cannot delete share network subnet ${subnetId}, it has one or more shares.`);
    }
    if (servers.some((s) => !s.isAutoDeletable)) {
      throw conflict(
        `Cannot delete share network subnet ${subnetId}, it has one or more share servers that are not auto-deletable.`,
      );
    }
    for (const server of servers) this.shareServers.delete(server.id);
    this.subnets.delete(subnet.id);
  }

  // ----------------------------------------------------------------------------------------- share servers

  /** The share network a server belongs to (through its first subnet), if it still exists. */
  networkOf(server: ShareServer): ShareNetwork | undefined {
    const subnet = server.subnetIds.length ? this.subnets.get(server.subnetIds[0]) : undefined;
    return subnet ? this.shareNetworks.get(subnet.shareNetworkId) : undefined;
  }

  /** GET /share-servers: every query key is a DB filter; an unknown key yields an empty list (FACTS §4.3). */
  listShareServers(principal: Principal, query: Record<string, string>): ShareServer[] {
    this.authorize(principal, "share_server:index");
    if (Object.keys(query).some((k) => !SHARE_SERVER_FILTER_KEYS.includes(k))) return [];
    return [...this.shareServers.values()].filter((server) => {
      const network = this.networkOf(server);
      for (const [key, value] of Object.entries(query)) {
        switch (key) {
          // Joined filters are skipped when empty, as the DB layer tests their truthiness.
          case "project_id":
            if (value && network?.projectId !== value) return false;
            break;
          case "share_network":
            if (value && !(network && (network.id === value || network.name === value))) return false;
            break;
          case "share_network_id":
            if (value && network?.id !== value) return false;
            break;
          case "share_network_subnet_id":
            if (value && !server.subnetIds.includes(value)) return false;
            break;
          default:
            if (!columnMatches(serverColumn(server, key), value)) return false;
        }
      }
      return true;
    });
  }

  getShareServer(principal: Principal, id: string): ShareServer {
    this.authorize(principal, "share_server:show");
    const server = this.findShareServer(id);
    if (!this.networkOf(server)) {
      throw notFound("Share server could not be found. Its associated share network does not exist.");
    }
    return server;
  }

  private findShareServer(id: string): ShareServer {
    const server = this.shareServers.get(id);
    if (!server) throw notFound(`Share server ${id} could not be found.`);
    return server;
  }

  shareServerDetails(principal: Principal, id: string): Record<string, string> {
    this.authorize(principal, "share_server:details");
    return this.findShareServer(id).backendDetails;
  }

  private serverInUse(server: ShareServer): boolean {
    return [...this.shares.values()].some((s) => s.shareServerId === server.id);
  }

  deleteShareServer(principal: Principal, id: string): void {
    this.authorize(principal, "share_server:delete");
    const server = this.findShareServer(id);
    if (!["error", "active"].includes(server.status)) {
      throw forbidden(
        `Share server's actual status is ${server.status}, allowed statuses for deletion are ['error', 'active'].`,
      );
    }
    if (this.serverInUse(server)) throw conflict(`Share server ${id} is in use.`);
    // The API leaves the status alone ("There is no share_server status update here, it is intentional":
    // share/api.py delete_share_server); the manager sets `deleting` when it picks the cast up, then tears
    // the server down. Seen on real Manila 15: a server deleted from `error` still shows `error` at first.
    this.after(TRANSITIONS.serverDelete, server.id, () => {
      if (this.shareServers.get(server.id) !== server) return false;
      server.status = "deleting";
      server.updatedAt = now();
      this.after(TRANSITIONS.serverDelete, server.id, () => {
        if (this.shareServers.get(server.id) !== server || server.status !== "deleting") return false;
        this.shareServers.delete(server.id);
        return "deleted";
      });
      return "deleting";
    });
  }

  /** POST /share-servers/manage (2.49), checks in the controller's order (FACTS §4.5). */
  manageShareServer(principal: Principal, body: unknown, atLeast251: boolean): ShareServer {
    this.authorize(principal, "share_server:manage_share_server");
    const data = isObject(body) && isObject(body.share_server) ? body.share_server : undefined;
    // No body at all fails in the wsgi layer (recorded on Manila 15); a body without the key is the 422.
    if (body === undefined || body === null) throw badRequest(GENERIC_400);
    if (!data) throw new ApiFault(422, "Share Server entity not found in request body");
    for (const key of ["host", "share_network_id", "identifier"]) {
      if (!(key in data)) throw badRequest(`Required parameter ${key} not found`);
      if (!data[key]) throw badRequest(`Required parameter ${key} is empty`);
    }
    const host = String(data.host);
    const identifier = String(data.identifier);
    const shareNetworkId = String(data.share_network_id);
    const subnetId = atLeast251 ? data.share_network_subnet_id : undefined;

    let subnets: ShareNetworkSubnet[];
    if (subnetId) {
      const subnet = this.subnets.get(String(subnetId));
      if (!subnet) throw badRequest(`The share network subnet ${String(subnetId)} does not exist.`);
      subnets = this.subnetsOf(subnet.shareNetworkId).filter(
        (s) => s.availabilityZone === subnet.availabilityZone,
      );
    } else {
      subnets = this.subnetsOf(shareNetworkId).filter((s) => s.availabilityZone === null);
    }
    if (subnets.length === 0) {
      throw badRequest(
        `The share network ${shareNetworkId} does have a default subnet. Create one or use a specific subnet to manage this share server with API version >= 2.51.`,
      );
    }
    if (subnets.length > 1) {
      throw badRequest(
        `Cannot manage the share server, since the share network subnet ${String(subnetId ?? null)} has more subnets in its availability zone and share network.`,
      );
    }
    const subnet = subnets[0];
    checkNetworkActive(this.shareNetworks.get(subnet.shareNetworkId)!);
    if (host.includes("#")) throw badRequest("Host parameter should not contain pool.");
    const backend = this.settings().backends.find((b) => b.host === host);
    if (!backend) throw badRequest(`Service ${host} could not be found.`);
    if (backend.up === false) throw badRequest(`Service ${host} is down.`);
    if (!this.shareNetworks.has(shareNetworkId)) {
      throw badRequest(`Share network ${shareNetworkId} could not be found.`);
    }
    if (data.driver_options !== undefined && data.driver_options !== null && !isObject(data.driver_options)) {
      throw badRequest("Driver options must be in dictionary format.");
    }
    const matched = this.serversMatchingIdentifier(identifier);
    if (matched.length > 0) {
      throw badRequest(
        `Invalid input received: Identifier ${identifier} specified matches existing share servers: ${matched.map((s) => s.identifier).join(", ")}.`,
      );
    }

    const server = this.newShareServer(host, subnet.id, "manage_starting", identifier, false);
    server.fromManage = true;
    // Recorded on Manila 15: a managed server reports no security-service update support, and network
    // allocation update support only once the driver has taken it over.
    server.securityServiceUpdateSupport = false;
    server.networkAllocationUpdateSupport = false;
    const found = this.backendShareServers.find((b) => b.host === host && b.identifier === identifier);
    const outcome = backend.dhss === false ? "stick" : found ? (found.onManage ?? "active") : "error";
    if (outcome === "stick") return server; // the manager raises before its try block (FACTS §6.9)
    this.after(TRANSITIONS.serverManage, server.id, () => {
      if (this.shareServers.get(server.id) !== server || server.status !== "manage_starting") return false;
      if (outcome === "error" || !this.backendShareServers.includes(found!)) {
        server.status = "manage_error";
      } else {
        this.backendShareServers = this.backendShareServers.filter((b) => b !== found);
        server.backend = found;
        server.backendDetails = { ...(found!.backendDetails ?? {}) };
        server.status = "active";
        server.networkAllocationUpdateSupport = true;
      }
      server.updatedAt = now();
      return server.status;
    });
    return server;
  }

  /**
   * share_server_search_by_identifier: SQL LIKE suffix matches (with `-`/`_` swapped; `_` is LIKE's
   * one-character wildcard), then the reverse containment.
   */
  private serversMatchingIdentifier(identifier: string): ShareServer[] {
    const servers = [...this.shareServers.values()];
    const variants = [identifier, identifier.replace(/-/g, "_"), identifier.replace(/_/g, "-")];
    for (const v of variants) {
      const re = likePattern(`%${v}`);
      const hit = servers.filter((s) => re.test(s.identifier));
      if (hit.length) return hit;
    }
    for (const v of [identifier, identifier.replace(/-/g, "_")]) {
      const hit = servers.filter((s) => likePattern(`%${s.identifier}%`).test(v));
      if (hit.length) return hit;
    }
    return [];
  }

  /**
   * The `unmanage` action (2.49); `argument` is the value under "unmanage". Manila reads `force` with
   * `(body.get('unmanage') or {}).get('force', False) or False`: Python truthiness, so the string "false"
   * forces too (FACTS §4.5, §6.3), and a truthy non-object argument is an AttributeError (500).
   */
  unmanageShareServer(principal: Principal, id: string, argument: unknown): void {
    this.authorize(principal, "share_server:unmanage_share_server");
    const options = pythonTruthy(argument) ? argument : {};
    if (!isObject(options)) {
      throw new ApiFault(
        500,
        "The server has either erred or is incapable of performing the requested operation.",
      );
    }
    const forced = pythonTruthy(options.force);
    const server = this.findShareServer(id);
    if (server.subnetIds.length > 1) {
      throw badRequest("Cannot unmanage the share server containing multiple subnets.");
    }
    if (server.encryptionKeyRef) {
      throw badRequest("Cannot unmanage the share server containing encryption key reference");
    }
    const network = this.networkOf(server);
    if (!network) throw notFound(`Share network ${server.subnetIds[0]} could not be found.`);
    checkNetworkActive(network);
    const allowed = ["error", "active", "manage_error", "unmanage_error"];
    if (!allowed.includes(server.status)) {
      throw badRequest(
        `Share server's actual status is ${server.status}, allowed statuses for unmanaging are ${allowed.join(", ")}.`,
      );
    }
    if (this.serverInUse(server)) throw badRequest(`Share server ${id} is in use.`);
    server.status = "unmanage_starting";
    server.updatedAt = now();
    const backend = this.settings().backends.find((b) => server.host === b.host);
    this.after(TRANSITIONS.serverUnmanage, server.id, () => {
      if (this.shareServers.get(server.id) !== server || server.status !== "unmanage_starting") return false;
      if (backend?.supportsUnmanage === false && !forced) {
        server.status = "unmanage_error";
        server.updatedAt = now();
        return server.status;
      }
      this.shareServers.delete(server.id);
      // The server lives on in the backend, unmanaged, and can be managed again. A manage that never took a
      // backend server over (manage_error, stuck) leaves the backend as it was: nothing to return, and an
      // identifier the backend never had must not appear there.
      const onBackend: BackendShareServer | undefined =
        server.backend ??
        (server.fromManage
          ? undefined
          : { host: server.host, identifier: server.identifier, backendDetails: server.backendDetails });
      const known = this.backendShareServers.some(
        (b) => b.host === onBackend?.host && b.identifier === onBackend?.identifier,
      );
      if (onBackend && !known) this.backendShareServers.push(onBackend);
      return "unmanaged";
    });
  }

  /** The `reset_status` action (2.49): body checked before the lookup (AdminActionsMixin). */
  resetShareServerStatus(principal: Principal, id: string, body: unknown): void {
    this.authorize(principal, "share_server:reset_status");
    const status = validStatus(body, SHARE_SERVER_STATUSES);
    const server = this.shareServers.get(id);
    if (!server) throw notFound(); // AdminActionsMixin's NotFound, without the server id (recorded)
    server.status = status;
    server.updatedAt = now();
  }

  private newShareServer(
    host: string,
    subnetId: string,
    status: string,
    identifier: string | undefined,
    isAutoDeletable: boolean,
  ): ShareServer {
    const id = randomUUID();
    const server: ShareServer = {
      id,
      host,
      status,
      identifier: identifier ?? id,
      isAutoDeletable,
      subnetIds: [subnetId],
      backendDetails: {},
      createdAt: now(),
      updatedAt: null,
      taskState: null,
      sourceShareServerId: null,
      securityServiceUpdateSupport: true,
      networkAllocationUpdateSupport: true,
      encryptionKeyRef: null,
    };
    this.shareServers.set(id, server);
    return server;
  }

  /**
   * What the share manager does for the first share on a DHSS=True (host, subnet): a server in `creating`
   * that becomes `active` with the driver's backend details. Also the control API's way to make one.
   */
  setUpShareServer(
    host: string,
    subnet: ShareNetworkSubnet,
    outcome: "active" | "error" = "active",
  ): ShareServer {
    const server = this.newShareServer(host, subnet.id, "creating", undefined, true);
    this.after(TRANSITIONS.serverCreate, server.id, () => {
      if (this.shareServers.get(server.id) !== server || server.status !== "creating") return false;
      server.status = outcome;
      server.backendDetails = this.dummyDriverDetails(server.id);
      server.updatedAt = now();
      return outcome;
    });
    return server;
  }

  /**
   * Backend details as Manila's dummy driver reports them with standalone network plugins (what real Manila 15
   * answered in tests/real-openstack: every value a string, subnet_allocations a JSON string). Addresses are the
   * lowest ones no live server holds: one admin address, two member addresses per server.
   */
  private dummyDriverDetails(serverId: string): Record<string, string> {
    const taken = new Set([...this.shareServers.values()].map((s) => s.backendDetails?.service_ip));
    let slot = 0;
    while (taken.has(`203.0.113.${10 + slot}`)) slot++;
    const member = (n: number) => `198.51.100.${10 + 2 * slot + n}`;
    return {
      server_id: serverId,
      service_ip: `203.0.113.${10 + slot}`,
      // Python's json.dumps spacing
      subnet_allocations: `[{"primary_public_ip": "${member(0)}", "secondary_public_ip": "${member(1)}"}]`,
      username: "fake_username",
    };
  }
}

// ------------------------------------------------------------------------------------------------ helpers

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "yes", "on", "t", "y"].includes(v.toLowerCase());
}

/** Python truthiness of a JSON value. */
export function pythonTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

function checkNetworkActive(network: ShareNetwork): void {
  if (network.status !== "active") {
    throw badRequest(
      `The share network ${network.id} used isn't in an 'active' state. Current status is ${network.status}. The action may be retried after the share network has changed its state.`,
    );
  }
}

function checkNetAndSubnetIds(netId: unknown, subnetId: unknown): void {
  if (Boolean(netId) !== Boolean(subnetId)) {
    throw badRequest("Both networks parameters neutron_net_id and neutron_subnet_id should be specified.");
  }
}

/** AdminActionsMixin.validate_update. */
function validStatus(body: unknown, whitelist: string[]): string {
  if (!isObject(body) || !("status" in body)) throw badRequest("Must specify 'status'");
  if (!whitelist.includes(body.status))
    throw badRequest(`Invalid state. Valid states: ${whitelist.join(", ")}.`);
  return body.status;
}

function lockContext(principal: Principal): ResourceLock["context"] {
  if (principal.roles.includes("service")) return "service";
  return principal.isAdmin ? "admin" : "user";
}

/** lock API `_check_allow_lock_manipulation`. */
function canManipulateLock(principal: Principal, lock: ResourceLock): boolean {
  const by = lockContext(principal);
  return !((lock.context === "admin" && by !== "admin") || (lock.context === "service" && by === "user"));
}

function validateAccess(type: string, to: string): void {
  const ok: Record<string, (s: string) => boolean> = {
    ip: (s) => /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/.test(s) || /^[0-9a-fA-F:]+(\/\d{1,3})?$/.test(s),
    user: (s) => /^[\w.$@' -]{4,255}$/.test(s),
    cert: (s) => s.trim().length > 0 && s.length <= 64,
    cephx: (s) => /^[^\s]+$/.test(s) && s !== "admin",
  };
  if (!(type in ok)) throw badRequest("Only 'ip', 'user', 'cert' or 'cephx' access types are supported.");
  if (typeof to !== "string" || !ok[type](to)) {
    throw badRequest(`Invalid access rule: invalid access_to '${String(to)}' for access type ${type}.`);
  }
}

function ruleField(rule: AccessRule, key: string): string {
  return key === "access_type" ? rule.accessType : key === "access_level" ? rule.accessLevel : rule.state;
}

function exportLocation(path: string, preferred: boolean): ExportLocation {
  return { id: randomUUID(), path, preferred, isAdminOnly: false, createdAt: now(), updatedAt: null };
}

/** A share server column for a list filter (the DB stores `deleted` as the string "False" for live rows). */
function serverColumn(server: ShareServer, key: string): unknown {
  const columns: Record<string, unknown> = {
    id: server.id,
    deleted: "False",
    host: server.host,
    is_auto_deletable: server.isAutoDeletable,
    identifier: server.identifier,
    task_state: server.taskState,
    source_share_server_id: server.sourceShareServerId,
    status: server.status,
    security_service_update_support: server.securityServiceUpdateSupport,
    network_allocation_update_support: server.networkAllocationUpdateSupport,
    encryption_key_ref: server.encryptionKeyRef,
  };
  return columns[key];
}

/** `filter_by(column=<query string>)`: booleans compare the way the database casts the string. */
function columnMatches(column: unknown, value: string): boolean {
  if (typeof column === "boolean") {
    const v = value.toLowerCase();
    if (["true", "t", "1", "yes", "y", "on"].includes(v)) return column;
    if (["false", "f", "0", "no", "n", "off"].includes(v)) return !column;
    return false;
  }
  if (column === null) return false;
  return String(column) === value;
}

/** An SQL LIKE pattern as a RegExp (`%` any run, `_` any one character). */
function likePattern(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "s");
}
