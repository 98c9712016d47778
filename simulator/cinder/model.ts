// Cinder's state machines, apart from HTTP (FACTS.md §5; cinder/volume/api.py, volume/manager.py, db/api.py).
//
// Public methods take the caller's Principal where Cinder applies a policy or project scoping, and throw
// ApiFault with Cinder's status and message. Nova's simulator calls them directly, as nova/volume/cinder.py
// calls Cinder at volume 3.44: getVolume, createAttachment, updateAttachment, completeAttachment,
// deleteAttachment (with asService), listAttachments, getAttachment, beginDetaching, rollDetaching,
// reserveVolume, unreserveVolume and deleteVolume.
//
// Transition kinds (config `transitions.<kind>`, milliseconds):
//   volume.create  creating -> available (or error when a backend failure is injected)
//   volume.delete  deleting -> gone
// Everything else is synchronous, as the attachment calls are in Cinder's API (RPC *calls*, not casts).
import { ApiFault, badRequest, conflict, forbidden } from "../core/faults";
import { newId, type Principal } from "../core/identity";
import { preciseNow } from "../core/transitions";
import type { World } from "../core/world";
import { BACKEND_HOST, connectionInfo, newExport, validateConnector, type IscsiExport } from "./fakeDriver";
import { paginate, type ListOptions } from "./listing";

/** fields.VolumeAttachStatus. */
export type AttachStatus =
  | "reserved"
  | "attaching"
  | "attached"
  | "detaching"
  | "detached"
  | "error_attaching"
  | "error_detaching"
  | "deleted";

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

export interface Volume {
  id: string;
  projectId: string;
  userId: string;
  name: string | null;
  description: string | null;
  /** GiB. */
  size: number;
  /** The stored status (creating, available, reserved, attaching, in-use, detaching, deleting, error...). */
  status: string;
  /** Internal (not in the volume JSON): detached, reserved, attaching, attached, detaching. */
  attachStatus: string;
  migrationStatus: string | null;
  bootable: boolean;
  /** Set at create time from the volume type's `multiattach="<is> True"` extra spec. */
  multiattach: boolean;
  volumeTypeId: string;
  availabilityZone: string;
  host: string;
  metadata: Record<string, string>;
  /** Admin metadata: `readonly` ("True") and `format` are the keys this simulator reads. */
  adminMetadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date | null;
  /** Strictly increasing creation order (the created_at sort key; Date alone ties within a millisecond). */
  createdOrder: number;
  /** The backend export with its CHAP secret (provider_location/provider_auth). */
  export: IscsiExport;
}

export interface Attachment {
  id: string;
  volumeId: string;
  instanceUuid: string | null;
  attachStatus: AttachStatus;
  /** "rw", "ro", the literal "null" (FACTS §5.2), or null before the API stored anything. */
  attachMode: string | null;
  connector: Record<string, unknown> | null;
  /** `{}` until a connector was given. Secret: holds CHAP credentials. */
  connectionInfo: Record<string, unknown>;
  attachedHost: string | null;
  mountpoint: string | null;
  attachTime: Date | null;
  detachTime: Date | null;
  createdAt: Date;
  updatedAt: Date | null;
  createdOrder: number;
}

export interface CreateVolumeRequest {
  size: number;
  name?: string | null;
  description?: string | null;
  /** Name or id of a volume type; the default type when absent. */
  volumeType?: string | null;
  metadata?: Record<string, string> | null;
  availabilityZone?: string | null;
}

export interface CreateAttachmentRequest {
  volumeId: string;
  /** The server (instance) uuid; optional for non-Nova consumers. */
  instanceUuid?: string | null;
  /** When given, the backend connection is initialized at once (attachment and volume -> attaching). */
  connector?: Record<string, unknown> | null;
  /** 3.54 `mode`; Cinder stores the literal string "null" when it is absent. */
  mode?: "rw" | "ro" | "null";
}

export interface AttachmentFilters {
  volume_id?: string;
  instance_uuid?: string;
  attach_status?: string;
  /** Any other key: Cinder's DB layer returns nothing for keys that are not attachment columns. */
  [key: string]: string | undefined;
}

export interface VolumeFilters {
  [key: string]: string | undefined;
}

/** Backend operations whose failure can be injected (control API). */
export type BackendOperation = "create_volume" | "initialize_connection";

export const DEFAULT_VOLUME_TYPE_ID = "5b6e3c1a-0d4f-4c8e-9a71-3f2b8d6e4c10";
export const MULTIATTACH_VOLUME_TYPE_ID = "9d2f7a4e-6c1b-4e3a-8f50-2a7c9e1d5b34";
export const AVAILABILITY_ZONE = "nova";

/** Volume statuses from which a delete (without force) may start (cinder/volume/api.py::delete). */
const DELETABLE = ["available", "error", "error_restoring", "error_extending", "error_managing"];

/** Cinder's build_or_str: ["a", "b"] -> "a or b". */
const orList = (items: readonly string[]) => items.join(" or ");

/** The caller marked as a service (a request carrying a service token with the service role). */
export function asService(principal: Principal): Principal {
  return principal.roles.includes("service")
    ? principal
    : { ...principal, roles: [...principal.roles, "service"] };
}

export function isService(principal: Principal): boolean {
  return principal.roles.includes("service");
}

export class CinderModel {
  readonly volumes = new Map<string, Volume>();
  readonly attachments = new Map<string, Attachment>();
  readonly volumeTypes = new Map<string, VolumeType>();
  private readonly backendFailures = new Map<BackendOperation, number>();
  private lastOrder = 0;

  constructor(readonly world: World) {
    this.seedVolumeTypes();
  }

  /** Forgets every resource and injected backend failure (control API reset); volume types stay. */
  reset(): void {
    this.volumes.clear();
    this.attachments.clear();
    this.backendFailures.clear();
    this.volumeTypes.clear();
    this.seedVolumeTypes();
  }

  private seedVolumeTypes(): void {
    this.volumeTypes.set(DEFAULT_VOLUME_TYPE_ID, {
      id: DEFAULT_VOLUME_TYPE_ID,
      name: "__DEFAULT__",
      description: "Default Volume Type",
      isPublic: true,
      extraSpecs: {},
    });
    this.volumeTypes.set(MULTIATTACH_VOLUME_TYPE_ID, {
      id: MULTIATTACH_VOLUME_TYPE_ID,
      name: "multiattach",
      description: "Volumes that can be attached to several servers",
      isPublic: true,
      extraSpecs: { multiattach: "<is> True" },
    });
  }

  /** Makes the next `count` backend calls of `operation` fail (control API). */
  injectBackendFailure(operation: BackendOperation, count = 1): void {
    this.backendFailures.set(operation, (this.backendFailures.get(operation) ?? 0) + count);
  }

  private backendFails(operation: BackendOperation): boolean {
    const left = this.backendFailures.get(operation) ?? 0;
    if (left <= 0) return false;
    this.backendFailures.set(operation, left - 1);
    return true;
  }

  private order(): number {
    this.lastOrder = Math.max(preciseNow(), this.lastOrder + 0.001);
    return this.lastOrder;
  }

  // ---------------------------------------------------------------------------------------------------
  // Policy and lookups

  /**
   * The new-default rule most Cinder write policies use: `role:admin or (role:member and
   * project_id:%(project_id)s)`. A failure is NotAuthorized: 403 "Policy doesn't allow <rule> to be performed."
   */
  private authorizeMember(principal: Principal, rule: string, projectId: string): void {
    if (principal.isAdmin) return;
    if (principal.roles.includes("member") && principal.projectId === projectId) return;
    throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
  }

  private authorizeAdmin(principal: Principal, rule: string): void {
    if (!principal.isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
  }

  private visible(principal: Principal, projectId: string): boolean {
    return principal.isAdmin || principal.projectId === projectId;
  }

  /** A volume the caller may see: admins see every project's; others get 404 for other projects. */
  getVolume(principal: Principal, volumeId: string): Volume {
    const volume = this.volumes.get(volumeId);
    if (!volume || !this.visible(principal, volume.projectId))
      throw new ApiFault(404, `Volume ${volumeId} could not be found.`);
    return volume;
  }

  /** An attachment the caller may see (the volume's project scopes it). */
  getAttachment(principal: Principal, attachmentId: string): Attachment {
    const attachment = this.attachments.get(attachmentId);
    const volume = attachment && this.volumes.get(attachment.volumeId);
    if (!attachment || !volume || !this.visible(principal, volume.projectId)) {
      throw new ApiFault(
        404,
        `Volume attachment could not be found with filter: attachment_id = ${attachmentId}.`,
      );
    }
    return attachment;
  }

  /** The volume's live attachments (soft-deleted ones are gone), oldest first. */
  attachmentsOf(volumeId: string): Attachment[] {
    return [...this.attachments.values()]
      .filter((a) => a.volumeId === volumeId)
      .sort((a, b) => a.createdOrder - b.createdOrder);
  }

  findVolumeType(nameOrId: string): VolumeType | undefined {
    return this.volumeTypes.get(nameOrId) ?? [...this.volumeTypes.values()].find((t) => t.name === nameOrId);
  }

  // ---------------------------------------------------------------------------------------------------
  // Volumes

  /**
   * POST /volumes: the volume starts `creating` and becomes `available` (or `error` when a backend failure
   * was injected) after the "volume.create" transition. Multiattach comes from the volume type, as in
   * Cinder (the old `multiattach` body flag is refused by the route).
   */
  createVolume(principal: Principal, request: CreateVolumeRequest): Volume {
    this.authorizeMember(principal, "volume:create", principal.projectId);
    const typeRef = request.volumeType ?? DEFAULT_VOLUME_TYPE_ID;
    const type = this.findVolumeType(typeRef);
    if (!type) throw new ApiFault(404, `Volume type with name ${typeRef} could not be found.`);
    const zone = request.availabilityZone ?? AVAILABILITY_ZONE;
    if (zone !== AVAILABILITY_ZONE) throw badRequest(`Availability zone '${zone}' is invalid.`);
    const id = newId();
    const now = new Date();
    const volume: Volume = {
      id,
      projectId: principal.projectId,
      userId: principal.userId,
      name: request.name ?? null,
      description: request.description ?? null,
      size: request.size,
      status: "creating",
      attachStatus: "detached",
      migrationStatus: null,
      bootable: false,
      multiattach: type.extraSpecs.multiattach === "<is> True",
      volumeTypeId: type.id,
      availabilityZone: zone,
      host: BACKEND_HOST,
      metadata: { ...(request.metadata ?? {}) },
      adminMetadata: {},
      createdAt: now,
      updatedAt: null,
      createdOrder: this.order(),
      export: newExport(id),
    };
    this.volumes.set(id, volume);
    const fail = this.backendFails("create_volume");
    this.world.transitions.after("volume.create", id, () => {
      if (this.volumes.get(id) !== volume || volume.status !== "creating") return false;
      return this.setStatus(volume, fail ? "error" : "available");
    });
    return volume;
  }

  /**
   * Volumes visible to the caller: its own project, or every project for an admin asking `allTenants`.
   * Filters use Cinder's column names (display_name, status, bootable, size, availability_zone, project_id,
   * ...); an admin filtering on an unknown key gets an empty list, as Cinder's DB layer answers.
   */
  listVolumes(
    principal: Principal,
    options: ListOptions & { allTenants?: boolean; filters?: VolumeFilters } = {},
  ): Volume[] {
    return paginate(this.matchingVolumes(principal, options), VOLUME_COLUMNS, options, (id) =>
      this.getVolume(principal, id),
    );
  }

  /** How many volumes listVolumes would return without paging (3.45 `with_count`). */
  countVolumes(
    principal: Principal,
    options: { allTenants?: boolean; filters?: VolumeFilters } = {},
  ): number {
    return this.matchingVolumes(principal, options).length;
  }

  private matchingVolumes(principal: Principal, options: { allTenants?: boolean; filters?: VolumeFilters }) {
    const allProjects = principal.isAdmin && options.allTenants;
    let volumes = [...this.volumes.values()].filter(
      (v) => allProjects || v.projectId === principal.projectId,
    );
    for (const [key, value] of Object.entries(options.filters ?? {})) {
      if (value === undefined) continue;
      if (key === "metadata") {
        // A Python dict literal, e.g. "{'tier': 'gold'}": every pair must be in the volume's metadata.
        let wanted: Record<string, unknown>;
        try {
          wanted = JSON.parse(value.replace(/'/g, '"'));
        } catch {
          throw badRequest(`Invalid input received: metadata filter ${value} is not a dictionary`);
        }
        volumes = volumes.filter((v) =>
          Object.entries(wanted).every(([k, x]) => v.metadata[k] === String(x)),
        );
        continue;
      }
      const column = VOLUME_COLUMNS[key];
      if (!column) return [];
      volumes = volumes.filter((v) => String(column(v)) === (key === "bootable" ? boolText(value) : value));
    }
    return volumes;
  }

  /**
   * DELETE /volumes/{id}: 400 unless the volume is available/error* (or `force`, admin only) and not
   * attached or migrating; then `deleting`, gone after the "volume.delete" transition.
   */
  deleteVolume(principal: Principal, volumeId: string, options: { force?: boolean } = {}): void {
    const volume = this.getVolume(principal, volumeId);
    if (options.force) this.authorizeAdmin(principal, "volume_extension:volume_admin_actions:force_delete");
    this.authorizeMember(principal, "volume:delete", volume.projectId);
    const migrating =
      volume.migrationStatus !== null && !["success", "error"].includes(volume.migrationStatus);
    if (
      volume.attachStatus === "attached" ||
      migrating ||
      (!options.force && !DELETABLE.includes(volume.status))
    ) {
      const status = options.force ? "" : `status must be ${orList(DELETABLE)} and `;
      throw badRequest(
        `Invalid volume: Volume ${status}must not be migrating, attached, belong to a group, have snapshots, ` +
          `awaiting a transfer, or be disassociated from snapshots after volume transfer.`,
      );
    }
    this.setStatus(volume, "deleting");
    this.world.transitions.after("volume.delete", volumeId, () => {
      if (this.volumes.get(volumeId) !== volume) return false;
      this.volumes.delete(volumeId);
      for (const a of this.attachmentsOf(volumeId)) this.attachments.delete(a.id);
      return "deleted";
    });
  }

  /** os-set_bootable (volume:update policy). */
  setBootable(principal: Principal, volumeId: string, bootable: boolean): void {
    const volume = this.getVolume(principal, volumeId);
    this.authorizeMember(principal, "volume:update", volume.projectId);
    volume.bootable = bootable;
    volume.updatedAt = new Date();
  }

  /**
   * os-reset_status (admin only): sets any of status, attach_status, migration_status. Refuses
   * deleting/error_deleting and in-use without attachments (400); attach_status "detached" also deletes
   * every attachment and recomputes the volume, as Cinder does.
   */
  resetVolumeStatus(
    principal: Principal,
    volumeId: string,
    update: { status?: string; attachStatus?: string; migrationStatus?: string },
  ): void {
    const volume = this.getVolume(principal, volumeId);
    this.authorizeAdmin(principal, "volume_extension:volume_admin_actions:reset_status");
    const status = update.status?.toLowerCase();
    if (status === "deleting" || status === "error_deleting")
      throw badRequest(`Cannot reset-state to ${status}`);
    if (status === "in-use" && this.attachmentsOf(volumeId).length === 0)
      throw badRequest("Cannot reset-state to in-use because volume does not have any attachments.");
    if (status) volume.status = status;
    if (update.attachStatus) volume.attachStatus = update.attachStatus.toLowerCase();
    if (update.migrationStatus) {
      const m = update.migrationStatus.toLowerCase();
      volume.migrationStatus = m === "none" ? null : m;
    }
    volume.updatedAt = new Date();
    if (volume.attachStatus === "detached" && update.attachStatus) {
      for (const a of this.attachmentsOf(volumeId)) this.finishDetach(volume, a);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Legacy volume actions (Nova's detach path and legacy BDMs)

  /** os-reserve: available (multiattach: or in-use) -> attaching; otherwise 400. */
  reserveVolume(principal: Principal, volumeId: string): void {
    const volume = this.getVolume(principal, volumeId);
    this.authorizeMember(principal, "volume_extension:volume_actions:reserve", volume.projectId);
    const expected = volume.multiattach ? ["available", "in-use"] : ["available"];
    if (!expected.includes(volume.status)) {
      throw badRequest(
        `Invalid volume: Volume status must be ${orList(expected)} to reserve, but the status is ${volume.status}.`,
      );
    }
    this.setStatus(volume, "attaching");
  }

  /** os-unreserve: attaching -> in-use when attachments remain, else available; a no-op otherwise. */
  unreserveVolume(principal: Principal, volumeId: string): void {
    const volume = this.getVolume(principal, volumeId);
    this.authorizeMember(principal, "volume_extension:volume_actions:unreserve", volume.projectId);
    if (volume.status !== "attaching") return;
    this.setStatus(volume, this.attachmentsOf(volumeId).length ? "in-use" : "available");
  }

  /**
   * os-begin_detaching: needs status in-use and attach_status attached (and no migration): -> detaching.
   * Otherwise 400 (silently accepted while the volume migrates, as Cinder hides detaching then).
   */
  beginDetaching(principal: Principal, volumeId: string): void {
    const volume = this.getVolume(principal, volumeId);
    this.authorizeMember(principal, "volume_extension:volume_actions:begin_detaching", volume.projectId);
    const migrating =
      volume.migrationStatus !== null && !["success", "error"].includes(volume.migrationStatus);
    if (volume.status === "in-use" && volume.attachStatus === "attached" && !migrating) {
      this.setStatus(volume, "detaching");
      return;
    }
    if (migrating) return;
    throw badRequest(
      "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.",
    );
  }

  /** os-roll_detaching: detaching -> in-use; a no-op in any other status. */
  rollDetaching(principal: Principal, volumeId: string): void {
    const volume = this.getVolume(principal, volumeId);
    this.authorizeMember(principal, "volume_extension:volume_actions:roll_detaching", volume.projectId);
    if (volume.status === "detaching") this.setStatus(volume, "in-use");
  }

  // ---------------------------------------------------------------------------------------------------
  // Attachments (3.27+)

  /**
   * POST /attachments: reserves the volume (-> reserved) and creates a `reserved` attachment; with a
   * connector it also initializes the connection (attachment and volume -> attaching). Errors:
   * 404 volume; 403 policy; 400 volume in an error state or not reservable; 500 when the backend fails
   * (including an invalid connector, which on this path is a 500, FACTS §5.6).
   *
   * Cinder saves `attach_mode` after the backend call, so after a POST with a connector the stored
   * attach_mode is the requested mode or the string "null" (FACTS §6.2).
   */
  createAttachment(principal: Principal, request: CreateAttachmentRequest): Attachment {
    const volume = this.getVolume(principal, request.volumeId);
    this.authorizeMember(principal, "volume:attachment_create", volume.projectId);
    if (volume.status.includes("error")) {
      throw badRequest(
        `Invalid volume: Volume attachments can not be created if the volume is in an error state. ` +
          `The Volume ${volume.id} currently has a status of: ${volume.status} `,
      );
    }
    this.reserveForAttachment(principal, volume, request.instanceUuid ?? null);
    const now = new Date();
    const attachment: Attachment = {
      id: newId(),
      volumeId: volume.id,
      instanceUuid: request.instanceUuid ?? null,
      attachStatus: "reserved",
      attachMode: null,
      connector: null,
      connectionInfo: {},
      attachedHost: null,
      mountpoint: null,
      attachTime: null,
      detachTime: null,
      createdAt: now,
      updatedAt: null,
      createdOrder: this.order(),
    };
    this.attachments.set(attachment.id, attachment);
    // An empty connector counts as none (Python truthiness; cinderclient sends {} without --connect).
    if (request.connector && Object.keys(request.connector).length > 0) {
      try {
        attachment.connectionInfo = this.connect(volume, attachment, request.connector);
      } catch (error) {
        const reason = error instanceof ApiFault ? ` (${error.message})` : "";
        throw new ApiFault(500, `Unable to create attachment for volume${reason}.`);
      }
    }
    attachment.attachMode = volume.adminMetadata.readonly === "True" ? "ro" : (request.mode ?? "null");
    return attachment;
  }

  /** _attachment_reserve: the conditional update of the volume to `reserved`, with the live-migration override. */
  private reserveForAttachment(principal: Principal, volume: Volume, instanceUuid: string | null): void {
    if (volume.multiattach && volume.status === "in-use" && volume.bootable)
      this.authorizeMember(principal, "volume:multiattach_bootable_volume", volume.projectId);
    const expected = volume.multiattach
      ? ["available", "in-use", "downloading"]
      : ["available", "downloading"];
    if (expected.includes(volume.status)) {
      this.setStatus(volume, "reserved");
      return;
    }
    // Same volume, same instance: allowed while in-use/reserved (Nova live migration, LP #1694530).
    const override =
      instanceUuid !== null &&
      ["in-use", "reserved"].includes(volume.status) &&
      this.attachmentsOf(volume.id).some((a) => a.instanceUuid === instanceUuid);
    if (!override) {
      throw badRequest(
        `Invalid volume: Volume ${volume.id} status must be ${orList(expected)} to reserve, ` +
          `but the current status is ${volume.status}.`,
      );
    }
  }

  /**
   * PUT /attachments/{id}: initializes the connection for `connector` (attachment and volume -> attaching)
   * and stores connection_info. Errors: 404; 403; 409 volume in an error state; 409 duplicate connectors
   * on a non-multiattach volume with several attachments; 400 invalid connector; 500 backend failure.
   */
  updateAttachment(
    principal: Principal,
    attachmentId: string,
    connector: Record<string, unknown>,
  ): Attachment {
    const attachment = this.getAttachment(principal, attachmentId);
    const volume = this.volumes.get(attachment.volumeId)!;
    this.authorizeMember(principal, "volume:attachment_update", volume.projectId);
    if (volume.status.includes("error")) {
      throw this.updateRefused(
        `Volume attachments can not be updated if the volume is in an error state. ` +
          `The Volume ${volume.id} currently has a status of: ${volume.status} `,
      );
    }
    const all = this.attachmentsOf(volume.id);
    if (all.length > 1 && !volume.multiattach) {
      // Several attachments to different hosts are allowed (migration) until one of them is connected.
      const connected = all.filter((a) => Object.keys(a.connectionInfo).length > 0);
      if (connected.length > 0)
        throw this.updateRefused(`duplicate connectors detected on volume ${volume.id}`);
    }
    try {
      attachment.connectionInfo = this.connect(volume, attachment, connector);
    } catch (error) {
      if (error instanceof ApiFault && error.status === 400) throw error;
      const reason = error instanceof ApiFault ? ` (${error.message})` : "";
      throw new ApiFault(500, `Unable to update attachment${reason}.`);
    }
    return attachment;
  }

  /**
   * An attachment update the volume's state refuses: 409 since Cinder answers conflicts with 409 (2025.1);
   * Cinder 21 wrapped the InvalidVolume in a 500 (recorded on Debian bookworm).
   */
  private updateRefused(reason: string): ApiFault {
    return this.world.config.profile === "debian-bookworm"
      ? new ApiFault(500, `Unable to update attachment.(Invalid volume: ${reason}).`)
      : conflict(`Resource conflict: ${reason}`);
  }

  /**
   * The volume manager's attachment_update: validate the connector, export, initialize the connection,
   * then volume_attached(mark_attached=False): attachment and volume -> attaching, with host, mountpoint,
   * attach time and mode. Returns connection_info.
   */
  private connect(volume: Volume, attachment: Attachment, connector: Record<string, unknown>) {
    // The mode the create call stored wins over the connector's (at POST time nothing is stored yet).
    const stored = { ...connector };
    let mode = (connector.mode as string | undefined) ?? "rw";
    if (attachment.attachMode !== "null") {
      mode = attachment.attachMode as string;
      stored.mode = mode;
    }
    validateConnector(connector);
    if (this.backendFails("initialize_connection"))
      throw new ApiFault(
        500,
        "Bad or unexpected response from the storage volume backend API: Driver initialize connection failed.",
      );
    const info = connectionInfo(volume.id, volume.export, {
      attachmentId: attachment.id,
      readonly: volume.adminMetadata.readonly === "True",
      connector,
    });
    const now = new Date();
    Object.assign(attachment, {
      attachStatus: "attaching",
      connector: stored,
      attachedHost: (connector.host as string | undefined) ?? "",
      mountpoint: (connector.mountpoint as string | undefined) ?? "na",
      attachTime: now,
      attachMode: mode,
      updatedAt: now,
    });
    volume.attachStatus = "attaching";
    this.setStatus(volume, "attaching");
    return info;
  }

  /**
   * os-complete (3.44): no precondition; attachment -> attached, volume -> in-use (attach_status attached).
   */
  completeAttachment(principal: Principal, attachmentId: string): void {
    const attachment = this.getAttachment(principal, attachmentId);
    const volume = this.getVolume(principal, attachment.volumeId);
    this.authorizeMember(principal, "volume:attachment_complete", volume.projectId);
    attachment.attachStatus = "attached";
    attachment.updatedAt = new Date();
    volume.attachStatus = "attached";
    this.setStatus(volume, "in-use");
  }

  /**
   * DELETE /attachments/{id}: removes the attachment and recomputes the volume's status from the remaining
   * ones (attached > attaching > detaching > reserved; none -> available). Returns the volume's remaining
   * attachments.
   *
   * Bug #2004555 guard: unless the caller is a service (see asService), an attachment with an instance and
   * connection_info that Nova still reports for that server and volume is refused with 409
   * ConflictNovaUsingAttachment.
   */
  deleteAttachment(principal: Principal, attachmentId: string): Attachment[] {
    const attachment = this.getAttachment(principal, attachmentId);
    const volume = this.volumes.get(attachment.volumeId)!;
    this.authorizeMember(principal, "volume:attachment_delete", volume.projectId);
    if (
      !isService(principal) &&
      attachment.instanceUuid &&
      Object.keys(attachment.connectionInfo).length > 0 &&
      this.world.nova.volumeAttachmentIdFor(attachment.instanceUuid, volume.id) === attachment.id
    ) {
      throw conflict(
        `ConflictNovaUsingAttachment: Detach volume from instance ${attachment.instanceUuid} using the Compute API`,
      );
    }
    this.finishDetach(volume, attachment);
    return this.attachmentsOf(volume.id);
  }

  /** db.volume_detached: soft-delete the attachment, then recompute the volume's status. */
  private finishDetach(volume: Volume, attachment: Attachment): void {
    attachment.attachStatus = "detached";
    attachment.detachTime = new Date();
    this.attachments.delete(attachment.id);
    const remaining = this.attachmentsOf(volume.id)
      .map((a) => a.attachStatus as string)
      .filter((s) => !s.startsWith("error_"))
      .sort();
    const attachStatus = remaining[0] ?? "detached";
    volume.attachStatus = attachStatus;
    const migrating =
      volume.migrationStatus !== null && !["success", "error"].includes(volume.migrationStatus);
    // Migration and upload set the status themselves later.
    if (attachStatus !== "detached" || (!migrating && volume.status !== "uploading")) {
      this.setStatus(volume, ATTACH_TO_VOLUME_STATUS[attachStatus] ?? attachStatus);
    }
  }

  /**
   * Attachments of volumes in the caller's project (every project for an admin asking `allTenants`).
   * Filters: volume_id, instance_uuid (the API's instance_id), attach_status; a key that is not an
   * attachment column (e.g. the API's `status`) matches nothing, as in Cinder's DB layer.
   */
  listAttachments(
    principal: Principal,
    options: ListOptions & { allTenants?: boolean; filters?: AttachmentFilters } = {},
  ): Attachment[] {
    const allProjects = principal.isAdmin && options.allTenants;
    let attachments = [...this.attachments.values()].filter(
      (a) => allProjects || this.volumes.get(a.volumeId)?.projectId === principal.projectId,
    );
    for (const [key, value] of Object.entries(options.filters ?? {})) {
      if (value === undefined) continue;
      const column = ATTACHMENT_COLUMNS[key];
      if (!column) return [];
      attachments = attachments.filter((a) => String(column(a)) === value);
    }
    return paginate(attachments, ATTACHMENT_COLUMNS, options, (id) => this.getAttachment(principal, id));
  }

  private setStatus(volume: Volume, status: string): string {
    volume.status = status;
    volume.updatedAt = new Date();
    return status;
  }
}

/** ATTACH_STATUS_MAP in cinder/db/api.py. */
const ATTACH_TO_VOLUME_STATUS: Record<string, string> = { attached: "in-use", detached: "available" };

const boolText = (value: string) =>
  ["true", "1", "yes", "on"].includes(value.toLowerCase()) ? "true" : "false";

/** Sortable/filterable columns of the volumes table, by Cinder's column names. */
const VOLUME_COLUMNS: Record<string, (v: Volume) => string | number | boolean | null> = {
  id: (v) => v.id,
  display_name: (v) => v.name,
  display_description: (v) => v.description,
  status: (v) => v.status,
  attach_status: (v) => v.attachStatus,
  migration_status: (v) => v.migrationStatus,
  size: (v) => v.size,
  bootable: (v) => v.bootable,
  multiattach: (v) => v.multiattach,
  availability_zone: (v) => v.availabilityZone,
  project_id: (v) => v.projectId,
  user_id: (v) => v.userId,
  volume_type_id: (v) => v.volumeTypeId,
  host: (v) => v.host,
  created_at: (v) => v.createdOrder,
  updated_at: (v) => v.updatedAt?.getTime() ?? null,
};

/** Columns of the volume_attachment table. */
const ATTACHMENT_COLUMNS: Record<string, (a: Attachment) => string | number | boolean | null> = {
  id: (a) => a.id,
  volume_id: (a) => a.volumeId,
  instance_uuid: (a) => a.instanceUuid,
  attach_status: (a) => a.attachStatus,
  attach_mode: (a) => a.attachMode,
  attached_host: (a) => a.attachedHost,
  mountpoint: (a) => a.mountpoint,
  attach_time: (a) => a.attachTime?.getTime() ?? null,
  detach_time: (a) => a.detachTime?.getTime() ?? null,
  created_at: (a) => a.createdOrder,
  updated_at: (a) => a.updatedAt?.getTime() ?? null,
};
