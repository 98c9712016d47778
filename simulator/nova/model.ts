// Nova's state machines, apart from HTTP: servers (build, power, lock, metadata, delete) here; share
// mappings (FACTS §2) in serverShares.ts, volume attachments (FACTS §3) in volumeAttachments.ts and the
// instance actions every operation records in instanceActions.ts.
// Methods take the caller's Principal and run checks in the order nova-api runs them, raising ApiFault.
// The compute service's asynchronous half runs through world.transitions under the kinds in TRANSITIONS.
import { randomUUID } from "crypto";
import { ApiFault, badRequest, conflict, forbidden, notFound } from "../core/faults";
import type { Principal } from "../core/identity";
import { pythonRepr } from "../core/python";
import type { World } from "../core/world";
import { ACTIONS, InstanceActionsModel } from "./instanceActions";
import { DEFAULT_NOVA_SETTINGS, type NovaSettings, type SharesSupport } from "./settings";
import { ServerSharesModel } from "./serverShares";
import { VolumeAttachmentsModel } from "./volumeAttachments";

/** Transition kinds (keys of `config.transitions`) Nova schedules. */
export const TRANSITIONS = {
  build: "server.build",
  stop: "server.stop",
  start: "server.start",
  delete: "server.delete",
  shareAttach: "share.attach",
  shareDetach: "share.detach",
  volumeAttach: "volume.attach",
  volumeDetach: "volume.detach",
} as const;

/** The one compute host (the hostId, hypervisor and NFS access rule are per host). */
export const COMPUTE_HOST = "simcompute";

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  extraSpecs: Record<string, string>;
}

export const FLAVORS: Flavor[] = [
  { id: "1", name: "m1.tiny", vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, extraSpecs: {} },
  { id: "2", name: "m1.small", vcpus: 1, ram: 2048, disk: 20, ephemeral: 0, swap: 0, extraSpecs: {} },
  {
    id: "42",
    name: "m1.virtiofs",
    vcpus: 2,
    ram: 2048,
    disk: 10,
    ephemeral: 0,
    swap: 0,
    extraSpecs: { "hw:mem_page_size": "large" },
  },
];

export interface Server {
  id: string;
  name: string;
  description: string | null;
  projectId: string;
  userId: string;
  /** building, active, stopped, error, shelved_offloaded, suspended, ... (FACTS §0.5). */
  vmState: string;
  taskState: string | null;
  /** 0 NOSTATE, 1 RUNNING, 4 SHUTDOWN. */
  powerState: number;
  lockedBy: "owner" | "admin" | null;
  lockedReason: string | null;
  launchedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  flavor: Flavor;
  imageId: string | null;
  metadata: Record<string, string>;
  tags: string[];
  host: string | null;
  instanceName: string;
  /** The last fault, shown while the server is in ERROR. */
  fault: { code: number; message: string; created: Date } | null;
  /** Simulator knobs (control API). */
  sim: { sharesSupport?: SharesSupport; volumeAttachOutcome?: "attached" | "fail" };
}

export interface CreateServerInput {
  name?: unknown;
  flavorRef?: unknown;
  imageRef?: unknown;
  description?: unknown;
  metadata?: unknown;
  blockDeviceMappings?: unknown;
}

/** The caller Nova's services act as toward Manila and Cinder (the service user with admin). */
export const NOVA_SERVICE: Principal = {
  userId: "nova",
  userName: "nova",
  projectId: "service",
  projectName: "service",
  roles: ["admin", "service"],
  isAdmin: true,
};

/** `check_instance_state` arguments. */
export interface StateRule {
  vmStates?: string[];
  /** Allowed task states (default: none running); "any" skips the check. */
  taskStates?: (string | null)[] | "any";
  mustHaveLaunched?: boolean;
}

let instanceCounter = 0;

export class NovaModel {
  readonly servers = new Map<string, Server>();
  readonly shares: ServerSharesModel;
  readonly volumes: VolumeAttachmentsModel;
  readonly actions: InstanceActionsModel;

  constructor(readonly world: World) {
    this.shares = new ServerSharesModel(this);
    this.volumes = new VolumeAttachmentsModel(this);
    this.actions = new InstanceActionsModel(this);
  }

  /** Forgets every resource (control API reset). */
  reset(): void {
    this.servers.clear();
    this.shares.reset();
    this.volumes.reset();
    this.actions.reset();
  }

  settings(): NovaSettings {
    return { ...DEFAULT_NOVA_SETTINGS, ...(this.world.config.services.nova as Partial<NovaSettings>) };
  }

  after(kind: string, objectId: string, complete: () => string | void | false): void {
    this.world.transitions.after(kind, objectId, complete);
  }

  /**
   * The Cinder attachment id Nova records for this server's attachment of `volumeId` (what
   * `GET /servers/{id}/os-volume_attachments/{volume_id}` reports as attachment_id), or undefined.
   * Cinder's ConflictNovaUsingAttachment guard asks this (FACTS §5.6 DELETE).
   */
  volumeAttachmentIdFor(serverId: string, volumeId: string): string | undefined {
    return this.volumes.attachmentIdFor(serverId, volumeId);
  }

  // ------------------------------------------------------------------------------------- policy, lookups

  /**
   * Nova's default policies: "reader" = project_reader_or_admin, "member" = project_member_or_admin,
   * "admin" = admin only. A failure is 403 "Policy doesn't allow <rule> to be performed."
   */
  authorize(
    principal: Principal,
    rule: string,
    projectId: string,
    level: "reader" | "member" | "admin",
  ): void {
    if (!this.can(principal, rule, projectId, level)) {
      throw new ApiFault(403, `Policy doesn't allow ${rule} to be performed.`);
    }
  }

  /** `context.can(..., fatal=False)`: the same rules as `authorize`, as a yes or no. */
  can(principal: Principal, rule: string, projectId: string, level: "reader" | "member" | "admin"): boolean {
    if (principal.isAdmin) return true;
    if (level === "admin" || this.settings().policyDenied.includes(rule)) return false;
    return principal.projectId === projectId && principal.roles.includes(level);
  }

  /** common.get_instance: other projects' servers do not exist for non-admins. */
  getServer(principal: Principal, id: string): Server {
    const server = this.servers.get(id);
    if (!server || !(principal.isAdmin || server.projectId === principal.projectId)) {
      throw notFound(`Instance ${id} could not be found.`);
    }
    return server;
  }

  /** The instance mapping (any project): 404 "has no mapping to a cell" when the server never existed. */
  mappedServer(id: string): Server {
    const server = this.servers.get(id);
    if (!server) throw notFound(`Instance ${id} has no mapping to a cell.`);
    return server;
  }

  /** `@check_instance_lock`: a locked server refuses non-admins (409). */
  checkLock(principal: Principal, server: Server): void {
    if (server.lockedBy && !principal.isAdmin) throw conflict(`Instance ${server.id} is locked`);
  }

  /**
   * `@check_instance_state` + raise_http_conflict_for_instance_invalid_state:
   * 409 "Cannot '<action>' instance <id> while it is in <attr> <state>".
   */
  checkState(server: Server, action: string, rule: StateRule): void {
    const refuse = (attr: string, state: unknown) =>
      conflict(`Cannot '${action}' instance ${server.id} while it is in ${attr} ${pyStr(state)}`);
    if (rule.vmStates && !rule.vmStates.includes(server.vmState)) throw refuse("vm_state", server.vmState);
    const tasks = rule.taskStates ?? [null];
    if (tasks !== "any" && !tasks.includes(server.taskState)) throw refuse("task_state", server.taskState);
    if (rule.mustHaveLaunched !== false && !server.launchedAt) throw refuse("launched_at", null);
  }

  flavor(ref: unknown): Flavor | undefined {
    const id = String(ref ?? "")
      .split("/")
      .pop();
    return FLAVORS.find((f) => f.id === id);
  }

  // -------------------------------------------------------------------------------------------- servers

  /**
   * POST /servers (minimal): building/scheduling, then active after "server.build". Boot from volume
   * (block_device_mapping_v2 with source volume, or image → volume) attaches the root volume through
   * Cinder when the build completes.
   */
  createServer(principal: Principal, input: CreateServerInput): Server {
    this.authorize(principal, "os_compute_api:servers:create", principal.projectId, "member");
    if (typeof input.name !== "string" || input.name.trim() === "" || input.name.length > 255) {
      throw badRequest(`Invalid input for field/attribute name. Value: ${pyStr(input.name)}.`);
    }
    const flavor = this.flavor(input.flavorRef);
    if (!flavor) throw badRequest(`Flavor ${pyStr(input.flavorRef)} could not be found.`);
    const metadata = validateMetadata(input.metadata ?? {});
    const rootBdm = this.volumes.rootMappingRequest(principal, input.blockDeviceMappings);
    if (!rootBdm && (typeof input.imageRef !== "string" || !input.imageRef)) {
      throw badRequest("Missing imageRef attribute");
    }
    const now = new Date();
    const server: Server = {
      id: randomUUID(),
      name: input.name,
      description: typeof input.description === "string" ? input.description : null,
      projectId: principal.projectId,
      userId: principal.userId,
      vmState: "building",
      taskState: "scheduling",
      powerState: 0,
      lockedBy: null,
      lockedReason: null,
      launchedAt: null,
      createdAt: now,
      updatedAt: now,
      flavor,
      imageId: rootBdm ? null : (input.imageRef as string),
      metadata,
      tags: [],
      host: null,
      instanceName: `instance-${(++instanceCounter).toString(16).padStart(8, "0")}`,
      fault: null,
      sim: {},
    };
    this.servers.set(server.id, server);
    if (rootBdm) this.volumes.addRootMapping(principal, server, rootBdm);
    const built = this.actions.event(
      this.actions.start(principal, server.id, ACTIONS.create),
      "compute__do_build_and_run_instance",
    );
    const build = (): string | false => {
      if (this.servers.get(server.id) !== server || server.vmState !== "building") return false;
      const root = this.volumes.rootReady(server);
      if (root === "wait") {
        this.after(TRANSITIONS.build, server.id, build);
        return false;
      }
      if (root === "error") {
        const message = `Build of instance ${server.id} aborted: the boot volume could not be created.`;
        this.setError(server, message);
        built.finish(message);
        return "error";
      }
      this.volumes.connectRoot(server);
      Object.assign(server, { host: COMPUTE_HOST, vmState: "active", taskState: null, powerState: 1 });
      server.launchedAt = server.updatedAt = new Date();
      built.finish();
      return "active";
    };
    this.after(TRANSITIONS.build, server.id, build);
    return server;
  }

  listServers(principal: Principal, query: Record<string, string>): Server[] {
    this.authorize(principal, "os_compute_api:servers:index", principal.projectId, "reader");
    const all = principal.isAdmin && ["1", "true", "True"].includes(query.all_tenants ?? "");
    return [...this.servers.values()]
      .filter((s) => all || s.projectId === principal.projectId)
      .filter((s) => !query.name || new RegExp(query.name).test(s.name))
      .filter((s) => !query.status || serverStatus(s) === query.status.toUpperCase())
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** DELETE /servers/{id}: task_state deleting; after "server.delete" shares are denied and volumes detached. */
  deleteServer(principal: Principal, id: string): void {
    const server = this.getServer(principal, id);
    this.authorize(principal, "os_compute_api:servers:delete", server.projectId, "member");
    this.checkLock(principal, server);
    this.touch(server, { taskState: "deleting" });
    this.after(TRANSITIONS.delete, server.id, () => {
      if (this.servers.get(server.id) !== server) return false;
      this.shares.shutdown(server);
      this.volumes.shutdown(server);
      this.servers.delete(server.id);
      return "deleted";
    });
  }

  touch(server: Server, changes: Partial<Server>): void {
    Object.assign(server, changes);
    server.updatedAt = new Date();
  }

  /**
   * os-stop / os-start: the API sets task_state powering-off / powering-on; after "server.stop" /
   * "server.start" the server is stopped / active with every share mapping inactive / active, or in ERROR
   * when a mapping is still attaching or detaching (FACTS §2.7).
   */
  power(principal: Principal, id: string, action: "stop" | "start"): void {
    const step = POWER_ACTIONS[action];
    const server = this.getServer(principal, id);
    this.authorize(principal, `os_compute_api:servers:${action}`, server.projectId, "member");
    this.checkLock(principal, server);
    this.checkHost(server, action);
    this.checkState(server, action, { vmStates: step.from });
    this.touch(server, { taskState: step.task });
    const event = this.actions.event(this.actions.start(principal, server.id, action), step.event);
    this.after(step.kind, server.id, () => {
      if (this.servers.get(server.id) !== server || server.taskState !== step.task) return false;
      if (!this.shares.power(server, action)) {
        event.finish(server.fault?.message ?? "power action failed");
        return server.vmState;
      }
      this.touch(server, { ...step.to, taskState: null });
      event.finish();
      return step.to.vmState;
    });
  }

  /** `@check_instance_host`: a server never scheduled has no host (InstanceNotReady, 409). */
  private checkHost(server: Server, action: string): void {
    if (!server.host) {
      throw conflict(`Cannot '${action}' instance ${server.id} while it is in vm_state ${server.vmState}`);
    }
  }

  /** The instance goes to ERROR (a failed compute operation), with a fault shown in the server view. */
  setError(server: Server, message: string): void {
    this.touch(server, {
      vmState: "error",
      taskState: null,
      fault: { code: 500, message, created: new Date() },
    });
  }

  /**
   * lock (2.73: optional locked_reason): an owner lock, or an admin lock when an admin locks another's
   * server. The owner locking a locked server is a no-op (no action recorded).
   */
  lock(principal: Principal, id: string, reason: string | null): void {
    const server = this.getServer(principal, id);
    this.authorize(principal, "os_compute_api:os-lock-server:lock", server.projectId, "member");
    const isOwner = principal.projectId === server.projectId;
    if (server.lockedBy && isOwner) return;
    this.actions.during(this.actions.start(principal, id, ACTIONS.lock), "api_lock", () => {
      if (!server.lockedBy) {
        this.touch(server, { lockedBy: isOwner ? "owner" : "admin", lockedReason: reason });
      }
    });
  }

  unlock(principal: Principal, id: string): void {
    const server = this.getServer(principal, id);
    this.authorize(principal, "os_compute_api:os-lock-server:unlock", server.projectId, "member");
    if (server.lockedBy === "admin" && principal.projectId === server.projectId && !principal.isAdmin) {
      this.authorize(
        principal,
        "os_compute_api:os-lock-server:unlock:unlock_override",
        server.projectId,
        "admin",
      );
    }
    this.actions.during(this.actions.start(principal, id, ACTIONS.unlock), "api_unlock", () =>
      this.touch(server, { lockedBy: null, lockedReason: null }),
    );
  }

  /** os-resetState (admin): vm_state active or error, task_state cleared. */
  resetState(principal: Principal, id: string, state: unknown): void {
    const server = this.getServer(principal, id);
    this.authorize(principal, "os_compute_api:os-admin-actions:reset_state", server.projectId, "admin");
    if (state !== "active" && state !== "error") {
      throw badRequest(
        `Invalid input for field/attribute state. Value: ${pyStr(state)}. '${pyStr(state)}' is not one of ['active', 'error']`,
      );
    }
    this.actions.start(principal, id, ACTIONS.resetState); // no event: the API sets the state itself
    this.touch(server, { vmState: state, taskState: null });
  }

  /**
   * Actions Nova refuses while the server has share mappings (`@block_shares_not_supported`, FACTS §2.7);
   * without mappings the simulator does not model them (501).
   */
  blockedWithShares(principal: Principal, id: string, action: string): never {
    const server = this.getServer(principal, id);
    this.authorize(principal, `os_compute_api:servers:${action}`, server.projectId, "member");
    this.checkLock(principal, server);
    if (this.shares.mappingsOf(server.id).length > 0) {
      throw conflict("Feature not supported with instances that have shares.");
    }
    throw new ApiFault(501, `The simulator does not model the ${action} action.`);
  }

  // ------------------------------------------------------------------------------------------- metadata

  metadata(principal: Principal, id: string, rule: "index" | "show"): Record<string, string> {
    const server = this.getServer(principal, id);
    this.authorize(principal, `os_compute_api:server-metadata:${rule}`, server.projectId, "reader");
    return server.metadata;
  }

  /**
   * POST (merge), PUT (replace all: `replace`) and PUT /{key} (`uriKey`): update_instance_metadata's lock
   * and state checks (active, paused, suspended or stopped; no task; launched), then 403 over the quota.
   */
  updateMetadata(
    principal: Principal,
    id: string,
    rule: "create" | "update" | "update_all",
    metadata: unknown,
    options: { replace?: boolean; uriKey?: string } = {},
  ): Record<string, string> {
    const items = validateMetadata(metadata); // the request schema runs before the controller
    const server = this.getServer(principal, id);
    this.authorize(principal, `os_compute_api:server-metadata:${rule}`, server.projectId, "member");
    if (options.uriKey !== undefined && !(options.uriKey in items))
      throw badRequest("Request body and URI mismatch");
    this.checkLock(principal, server);
    this.checkState(server, "update metadata", { vmStates: METADATA_VM_STATES });
    const merged = options.replace ? items : { ...server.metadata, ...items };
    if (Object.keys(merged).length > 128) {
      throw forbidden(
        "Quota exceeded for metadata_items: Requested 1, but already used 128 of 128 metadata_items",
      );
    }
    this.touch(server, { metadata: merged });
    return merged;
  }

  deleteMetadata(principal: Principal, id: string, key: string): void {
    const server = this.getServer(principal, id);
    this.authorize(principal, "os_compute_api:server-metadata:delete", server.projectId, "member");
    if (!(key in server.metadata)) throw notFound("Metadata item was not found");
    this.checkLock(principal, server);
    this.checkState(server, "delete metadata", { vmStates: METADATA_VM_STATES });
    const { [key]: _gone, ...rest } = server.metadata;
    this.touch(server, { metadata: rest });
  }
}

const METADATA_VM_STATES = ["active", "paused", "suspended", "stopped"];

const POWER_ACTIONS = {
  stop: {
    from: ["active", "error"],
    task: "powering-off",
    kind: TRANSITIONS.stop,
    event: "compute_stop_instance",
    to: { vmState: "stopped", powerState: 4 },
  },
  start: {
    from: ["stopped"],
    task: "powering-on",
    kind: TRANSITIONS.start,
    event: "compute_start_instance",
    to: { vmState: "active", powerState: 1 },
  },
};

/** The API status of a server (nova/api/openstack/common.py::_STATE_MAP, the parts the simulator reaches). */
export function serverStatus(server: Server): string {
  const byTask: Record<string, Record<string, string>> = {
    active: { rebooting: "REBOOT", rebuilding: "REBUILD", migrating: "MIGRATING", resize_prep: "RESIZE" },
    stopped: { resize_prep: "RESIZE", rebuilding: "REBUILD" },
  };
  const task = server.taskState ? byTask[server.vmState]?.[server.taskState] : undefined;
  if (task) return task;
  const byVm: Record<string, string> = {
    active: "ACTIVE",
    building: "BUILD",
    stopped: "SHUTOFF",
    resized: "VERIFY_RESIZE",
    paused: "PAUSED",
    suspended: "SUSPENDED",
    rescued: "RESCUE",
    error: "ERROR",
    deleted: "DELETED",
    "soft-delete": "SOFT_DELETED",
    shelved: "SHELVED",
    shelved_offloaded: "SHELVED_OFFLOADED",
  };
  return byVm[server.vmState] ?? "UNKNOWN";
}

/** A `non_negative_integer` query parameter, or undefined when absent (Nova's schema message otherwise). */
export function nonNegative(query: Record<string, string>, key: string): number | undefined {
  if (query[key] === undefined) return undefined;
  if (!/^\d+$/.test(query[key])) {
    throw badRequest(
      `Invalid input for query parameters ${key}. Value: ${query[key]}. '${query[key]}' does not match '^[0-9]*$'`,
    );
  }
  return Number(query[key]);
}

/** Python's str() of a value in a message (None for null). */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * parameter_types.metadata: keys matching ^[a-zA-Z0-9-_:. ]{1,255}$ (others are additional properties),
 * values strings of at most 255 characters; jsonschema names the key as the field of a bad value (recorded
 * on Nova 26: "Invalid input for field/attribute e. Value: 5. 5 is not of type 'string'").
 */
function validateMetadata(metadata: unknown): Record<string, string> {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw badRequest(
      `Invalid input for field/attribute metadata. Value: ${pyStr(metadata)}. ${pythonRepr(metadata)} is not of type 'object'`,
    );
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (!/^[a-zA-Z0-9-_:. ]{1,255}$/.test(k)) {
      throw badRequest(
        `Invalid input for field/attribute metadata. Value: ${pythonRepr(metadata)}. Additional properties are not allowed ('${k}' was unexpected)`,
      );
    }
    const why =
      typeof v !== "string" ? "is not of type 'string'" : v.length > 255 ? "is too long" : undefined;
    if (why)
      throw badRequest(`Invalid input for field/attribute ${k}. Value: ${pyStr(v)}. ${pythonRepr(v)} ${why}`);
  }
  return { ...(metadata as Record<string, string>) };
}
