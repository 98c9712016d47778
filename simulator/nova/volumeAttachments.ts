// Nova volume attachments (os-volume_attachments; FACTS §3): block device mappings (BDMs) and the Cinder
// attachment flow Nova drives through the Cinder model (reserve → attaching → in-use; begin_detaching →
// delete → available), per microversion, with the API's checks in nova-api's order.
import { randomUUID } from "crypto";
import { asService, type Volume } from "../cinder/model";
import { pythonRepr } from "../core/python";
import { ApiFault, badRequest, conflict, forbidden, notFound } from "../core/faults";
import type { Principal } from "../core/identity";
import type { Version } from "../core/microversion";
import { ACTIONS, type InstanceAction } from "./instanceActions";
import { COMPUTE_HOST, TRANSITIONS, nonNegative, pyStr, type NovaModel, type Server } from "./model";

export interface Bdm {
  uuid: string;
  serverId: string;
  volumeId: string;
  /** null for attachments made while the server was shelved-offloaded. */
  deviceName: string | null;
  tag: string | null;
  deleteOnTermination: boolean;
  /** The Cinder attachment; null until the conductor created it (FACTS §3.3: hidden at 2.89+ meanwhile). */
  attachmentId: string | null;
  isRoot: boolean;
  /** The caller whose token Nova uses toward Cinder for this BDM (marked as a service request). */
  owner: Principal;
}

/** A boot-from-volume request (block_device_mapping_v2 entry with boot_index 0). */
export interface RootMappingRequest {
  volumeId?: string;
  /** source_type image, destination_type volume: Nova creates the volume. */
  volumeSize?: number;
  deleteOnTermination: boolean;
}

/** What a POST asked for, after the schema of its microversion. */
export interface AttachRequest {
  volumeId: string;
  device: string | null;
  tag: string | null;
  /** Exactly as sent (the POST response echoes strings as strings). */
  deleteOnTermination: unknown;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const DEVICE_RE = /(^\/dev\/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$/;
const ATTACH_VM_STATES = [
  "active",
  "paused",
  "stopped",
  "resized",
  "soft-delete",
  "shelved",
  "shelved_offloaded",
];

export class VolumeAttachmentsModel {
  readonly bdms = new Map<string, Bdm>();

  constructor(readonly nova: NovaModel) {}

  reset(): void {
    this.bdms.clear();
  }

  private get cinder() {
    return this.nova.world.cinder;
  }

  bdmsOf(serverId: string): Bdm[] {
    return [...this.bdms.values()].filter((b) => b.serverId === serverId);
  }

  private bdmFor(serverId: string, volumeId: string): Bdm | undefined {
    return this.bdmsOf(serverId).find((b) => b.volumeId === volumeId);
  }

  attachmentIdFor(serverId: string, volumeId: string): string | undefined {
    return this.bdmFor(serverId, volumeId)?.attachmentId ?? undefined;
  }

  // ------------------------------------------------------------------------------- boot from volume

  /** Parses block_device_mapping_v2 for the boot volume; 400 for a volume that cannot be used. */
  rootMappingRequest(principal: Principal, mappings: unknown): RootMappingRequest | undefined {
    if (mappings === undefined) return undefined;
    if (!Array.isArray(mappings))
      throw badRequest("Invalid input for field/attribute block_device_mapping_v2.");
    const root = mappings.find((m) => String(m?.boot_index) === "0" && m?.destination_type === "volume");
    if (!root) return undefined;
    const deleteOnTermination = parseBoolean(root.delete_on_termination ?? false, "delete_on_termination");
    if (root.source_type === "image") {
      const size = Number(root.volume_size);
      if (!Number.isInteger(size) || size < 1)
        throw badRequest("Block Device Mapping is Invalid: volume_size is required.");
      return { volumeSize: size, deleteOnTermination };
    }
    if (root.source_type !== "volume")
      throw badRequest("Block Device Mapping is Invalid: unsupported source_type.");
    let volume: Volume;
    try {
      volume = this.cinder.getVolume(principal, String(root.uuid));
    } catch {
      throw badRequest(`Block Device Mapping is Invalid: failed to get volume ${pyStr(root.uuid)}.`);
    }
    if (volume.status !== "available") {
      throw badRequest(
        `Invalid volume: volume '${volume.id}' status must be 'available'. Currently in '${volume.status}'`,
      );
    }
    return { volumeId: volume.id, deleteOnTermination };
  }

  /** The build request reserves the boot volume (or, for image → volume, asks Cinder to create one). */
  addRootMapping(principal: Principal, server: Server, request: RootMappingRequest): void {
    const owner = asService(principal);
    const volumeId =
      request.volumeId ?? this.cinder.createVolume(principal, { size: request.volumeSize!, name: "" }).id;
    const bdm: Bdm = {
      uuid: randomUUID(),
      serverId: server.id,
      volumeId,
      deviceName: "/dev/vda",
      tag: null,
      deleteOnTermination: request.deleteOnTermination,
      attachmentId: null,
      isRoot: true,
      owner,
    };
    this.bdms.set(bdm.uuid, bdm);
    if (request.volumeId)
      bdm.attachmentId = this.cinder.createAttachment(owner, { volumeId, instanceUuid: server.id }).id;
  }

  /** The build waits for a volume Nova asked Cinder to create; an errored volume fails the build. */
  rootReady(server: Server): "ready" | "wait" | "error" {
    const bdm = this.bdmsOf(server.id).find((b) => b.isRoot);
    if (!bdm || bdm.attachmentId) return "ready";
    const volume = this.cinder.volumes.get(bdm.volumeId);
    if (volume?.status === "creating") return "wait";
    if (volume?.status !== "available") return "error";
    bdm.attachmentId = this.cinder.createAttachment(bdm.owner, {
      volumeId: bdm.volumeId,
      instanceUuid: server.id,
    }).id;
    return "ready";
  }

  /** At spawn the compute connects the boot volume and completes its attachment (volume in-use). */
  connectRoot(server: Server): void {
    const bdm = this.bdmsOf(server.id).find((b) => b.isRoot);
    if (!bdm?.attachmentId) return;
    this.cinder.updateAttachment(bdm.owner, bdm.attachmentId, connector(bdm.deviceName));
    this.cinder.completeAttachment(bdm.owner, bdm.attachmentId);
  }

  // ----------------------------------------------------------------------------------------- API calls

  /** GET list: limit/offset apply before the 2.89 filtering of BDMs without an attachment id. */
  list(principal: Principal, serverId: string, query: Record<string, string>, mv: Version): Bdm[] {
    const limit = nonNegative(query, "limit");
    const offset = nonNegative(query, "offset") ?? 0;
    if (mv.atLeast("2.75")) {
      const extra = Object.keys(query).find((k) => k !== "limit" && k !== "offset");
      if (extra)
        throw badRequest(
          `Invalid input for query parameters ${extra}. Value: ${query[extra]}. Additional properties are not allowed ('${extra}' was unexpected)`,
        );
    }
    const server = this.nova.getServer(principal, serverId);
    this.nova.authorize(principal, "os_compute_api:os-volumes-attachments:index", server.projectId, "reader");
    const page = this.bdmsOf(serverId).slice(offset, limit === undefined ? undefined : offset + limit);
    return page.filter((b) => !(mv.atLeast("2.89") && b.attachmentId === null));
  }

  show(principal: Principal, serverId: string, volumeId: string, mv: Version): Bdm {
    const server = this.nova.getServer(principal, serverId);
    this.nova.authorize(principal, "os_compute_api:os-volumes-attachments:show", server.projectId, "reader");
    const bdm = this.bdmFor(serverId, volumeId);
    if (!bdm || (mv.atLeast("2.89") && bdm.attachmentId === null)) {
      throw notFound(`Instance ${serverId} is not attached to volume ${volumeId}`);
    }
    return bdm;
  }

  /** The server (404), the policy (403), and 409 for a shelved server below 2.20. */
  private serverFor(
    principal: Principal,
    serverId: string,
    rule: string,
    action: string,
    mv: Version,
  ): Server {
    const server = this.nova.getServer(principal, serverId);
    this.nova.authorize(
      principal,
      `os_compute_api:os-volumes-attachments:${rule}`,
      server.projectId,
      "member",
    );
    if ((server.vmState === "shelved" || server.vmState === "shelved_offloaded") && !mv.atLeast("2.20")) {
      throw conflict(`Cannot '${action}' instance ${serverId} while it is in vm_state ${server.vmState}`);
    }
    return server;
  }

  /**
   * POST (FACTS §3.5). Below 2.101 the BDM and the Cinder attachment (volume reserved) exist when this
   * returns, with the device name; the compute then connects (attaching) and completes (in-use), one
   * "volume.attach" period each. From 2.101 all of it is asynchronous: the BDM appears after one period,
   * its attachment id after another. Returns the BDM, or undefined at 2.101+.
   */
  attach(
    principal: Principal,
    serverId: string,
    body: unknown,
    mv: Version,
  ): { bdm?: Bdm; request: AttachRequest } {
    const request = validateAttachBody(body, mv);
    const server = this.serverFor(principal, serverId, "create", "attach_volume", mv);
    this.nova.checkLock(principal, server);
    this.nova.checkState(server, "attach_volume", { vmStates: ATTACH_VM_STATES });
    const volume = this.cinder.getVolume(principal, request.volumeId);
    const existing = [...this.bdms.values()].filter((b) => b.volumeId === volume.id);
    if (existing.length > 0 && !volume.multiattach) {
      throw badRequest(
        `Invalid volume: volume ${volume.id} is already attached to instances: ${existing.map((b) => b.serverId).join(" ")}`,
      );
    }
    if (existing.some((b) => b.serverId === serverId))
      throw badRequest(`Invalid volume: volume ${volume.id} already attached`);
    const deleteOnTermination = parseBoolean(request.deleteOnTermination ?? false, "delete_on_termination");
    const owner = asService(principal);
    const newBdm = (deviceName: string | null): Bdm => {
      const bdm: Bdm = {
        uuid: randomUUID(),
        serverId,
        volumeId: volume.id,
        deviceName,
        tag: request.tag,
        deleteOnTermination,
        attachmentId: null,
        isRoot: false,
        owner,
      };
      this.bdms.set(bdm.uuid, bdm);
      return bdm;
    };

    if (server.vmState === "shelved_offloaded") {
      if (request.tag)
        throw badRequest("Tagged volume attachment is not supported for shelved-offloaded instances.");
      if (volume.multiattach) {
        throw badRequest("Attaching multiattach volumes is not supported for shelved-offloaded instances.");
      }
      // Done inline: no host, no connector; the volume is in-use at once (FACTS §3.5).
      const bdm = newBdm(null);
      try {
        const attachmentId = this.cinder.createAttachment(owner, {
          volumeId: volume.id,
          instanceUuid: serverId,
        }).id;
        bdm.attachmentId = attachmentId;
        const action = this.nova.actions.start(principal, serverId, ACTIONS.attachVolume);
        this.nova.actions.during(action, "api_attach_volume", () =>
          this.cinder.completeAttachment(owner, attachmentId),
        );
      } catch (error) {
        this.bdms.delete(bdm.uuid);
        throw error;
      }
      return { bdm: mv.atLeast("2.101") ? undefined : bdm, request };
    }

    /**
     * The conductor: device name, BDM, multiattach microversion check, Cinder reservation; then it records
     * the attach_volume action (none when the reservation failed) and casts to the compute.
     */
    const reserve = (bdm: Bdm, sync: boolean): InstanceAction | undefined => {
      if (volume.multiattach && !mv.atLeast("2.60")) {
        this.bdms.delete(bdm.uuid);
        throw badRequest("Multiattach volumes are only supported starting with compute API version 2.60.");
      }
      try {
        bdm.attachmentId = this.cinder.createAttachment(owner, {
          volumeId: volume.id,
          instanceUuid: serverId,
        }).id;
      } catch (error) {
        this.bdms.delete(bdm.uuid);
        if (sync) throw error;
        return undefined;
      }
      return this.nova.actions.start(principal, serverId, ACTIONS.attachVolume);
    };
    if (!mv.atLeast("2.101")) {
      const bdm = newBdm(this.nextDevice(serverId));
      this.scheduleConnect(server, bdm, reserve(bdm, true)!);
      return { bdm, request };
    }
    this.nova.after(TRANSITIONS.volumeAttach, volume.id, () => {
      if (this.nova.servers.get(serverId) !== server) return false;
      const bdm = newBdm(this.nextDevice(serverId));
      this.nova.after(TRANSITIONS.volumeAttach, volume.id, () => {
        if (this.bdms.get(bdm.uuid) !== bdm) return false;
        const action = reserve(bdm, false);
        if (!action) return "available";
        this.scheduleConnect(server, bdm, action);
        return "reserved";
      });
      return "bdm";
    });
    return { request };
  }

  /**
   * The compute's attach (event compute_attach_volume): connect (attaching), then complete (in-use). A
   * failure rolls back silently (the volume is available again): only the event's Error shows it.
   */
  private scheduleConnect(server: Server, bdm: Bdm, action: InstanceAction): void {
    const event = this.nova.actions.event(action, "compute_attach_volume");
    this.nova.after(TRANSITIONS.volumeAttach, bdm.volumeId, () => {
      if (this.bdms.get(bdm.uuid) !== bdm || !bdm.attachmentId) return false;
      const outcome = server.sim.volumeAttachOutcome ?? this.nova.settings().volumeAttachOutcome;
      try {
        if (outcome === "fail") throw new ApiFault(500, "simulated attach failure");
        this.cinder.updateAttachment(bdm.owner, bdm.attachmentId, connector(bdm.deviceName));
      } catch (error) {
        // The compute's cleanup: delete the Cinder attachment (volume back to available) and the BDM.
        if (this.cinder.attachments.has(bdm.attachmentId))
          this.cinder.deleteAttachment(bdm.owner, bdm.attachmentId);
        this.bdms.delete(bdm.uuid);
        event.finish(`Volume ${bdm.volumeId} could not be attached. Reason: ${(error as Error).message}`);
        return "available";
      }
      this.nova.after(TRANSITIONS.volumeAttach, bdm.volumeId, () => {
        if (
          this.bdms.get(bdm.uuid) !== bdm ||
          !bdm.attachmentId ||
          !this.cinder.attachments.has(bdm.attachmentId)
        ) {
          return false;
        }
        this.cinder.completeAttachment(bdm.owner, bdm.attachmentId);
        event.finish();
        return "in-use";
      });
      return "attaching";
    });
  }

  /** libvirt picks the next free /dev/vdX whatever the request asked for. */
  private nextDevice(serverId: string): string {
    const used = new Set(this.bdmsOf(serverId).map((b) => b.deviceName));
    const server = this.nova.servers.get(serverId);
    if (server?.imageId) used.add("/dev/vda"); // the local root disk
    for (let c = "a".charCodeAt(0); c <= "z".charCodeAt(0); c++) {
      const name = `/dev/vd${String.fromCharCode(c)}`;
      if (!used.has(name)) return name;
    }
    throw forbidden(
      "The maximum allowed number of disk devices (26) to attach to a single instance has been exceeded.",
    );
  }

  /** DELETE (FACTS §3.6). */
  detach(principal: Principal, serverId: string, volumeId: string, mv: Version): void {
    const server = this.serverFor(principal, serverId, "delete", "detach_volume", mv);
    const volume = this.cinder.getVolume(principal, volumeId);
    const bdm = this.bdmFor(serverId, volume.id);
    if (!bdm) throw notFound(`Instance ${serverId} is not attached to volume ${volumeId}`);
    if (bdm.isRoot) throw badRequest("Cannot detach a root device volume");
    this.nova.checkLock(principal, server);
    this.nova.checkState(server, "detach_volume", { vmStates: ATTACH_VM_STATES });
    const owner = asService(principal);

    if (server.vmState === "shelved_offloaded") {
      if (!bdm.attachmentId) this.cinder.beginDetaching(principal, volume.id);
      const action = this.nova.actions.start(principal, serverId, ACTIONS.detachVolume);
      this.nova.actions.during(action, "api_detach_volume", () => this.cleanUp(bdm, true));
      return;
    }
    this.cinder.beginDetaching(principal, volume.id); // 400 unless in-use and attached
    const action = this.nova.actions.start(principal, serverId, ACTIONS.detachVolume);
    const event = this.nova.actions.event(action, "compute_detach_volume");
    this.nova.after(TRANSITIONS.volumeDetach, volume.id, () => {
      if (this.bdms.get(bdm.uuid) !== bdm) return false;
      if (bdm.attachmentId && this.cinder.attachments.has(bdm.attachmentId)) {
        this.cinder.deleteAttachment(owner, bdm.attachmentId);
      }
      this.bdms.delete(bdm.uuid);
      event.finish();
      return this.cinder.volumes.get(volume.id)?.status ?? "deleted";
    });
  }

  /** _local_cleanup_bdm_volumes: delete the attachment and the BDM, and the volume if asked. */
  private cleanUp(bdm: Bdm, deleteVolume: boolean): void {
    if (bdm.attachmentId && this.cinder.attachments.has(bdm.attachmentId)) {
      this.cinder.deleteAttachment(bdm.owner, bdm.attachmentId);
    }
    this.bdms.delete(bdm.uuid);
    if (deleteVolume && bdm.deleteOnTermination && this.cinder.volumes.has(bdm.volumeId)) {
      try {
        this.cinder.deleteVolume(bdm.owner, bdm.volumeId);
      } catch {
        // Nova logs and carries on.
      }
    }
  }

  /**
   * PUT (FACTS §3.7): below 2.85 always a swap; from 2.85 a regular update of delete_on_termination, then
   * a swap when volumeId differs. Swaps need admin (403) and a migrating old volume (409); the swap itself
   * is not simulated (501).
   */
  update(principal: Principal, serverId: string, volumeId: string, body: unknown, mv: Version): void {
    const att = validateUpdateBody(body, mv);
    const server = this.nova.getServer(principal, serverId);
    const onlySwap = !mv.atLeast("2.85");
    if (onlySwap || att.volumeId !== volumeId) {
      this.nova.authorize(principal, "os_compute_api:os-volumes-attachments:swap", server.projectId, "admin");
    } else {
      this.nova.authorize(
        principal,
        "os_compute_api:os-volumes-attachments:update",
        server.projectId,
        "member",
      );
    }
    if (!onlySwap) {
      const bdm = this.bdmFor(serverId, volumeId);
      if (!bdm) throw notFound(`No volume Block Device Mapping with id ${volumeId}.`);
      const immutable: [string, unknown][] = [
        ["id", volumeId],
        ["serverId", serverId],
        ["device", bdm.deviceName],
        ["tag", bdm.tag],
      ];
      for (const [field, current] of immutable) {
        if (field in att && att[field] !== current) throw badRequest(`The ${field} property is not mutable`);
      }
      if ("delete_on_termination" in att) {
        bdm.deleteOnTermination = parseBoolean(att.delete_on_termination, "delete_on_termination");
      }
      if (att.volumeId === volumeId) return;
    }
    const old = this.cinder.getVolume(principal, volumeId);
    if (this.nova.world.config.profile === "debian-bookworm") {
      // Nova 26 checked the new volume before the migration (recorded: a PUT below 2.85 naming the attached
      // volume itself); newer releases ask whether the old volume migrates first.
      const next = this.cinder.volumes.get(String(att.volumeId));
      if (next?.attachStatus === "attached")
        throw badRequest("Invalid volume: New volume must be detached in order to swap.");
    }
    if (!old.migrationStatus) {
      throw conflict(`volume ${volumeId} is not migrating; this API should only be called by Cinder`);
    }
    try {
      this.cinder.getVolume(principal, String(att.volumeId));
    } catch (error) {
      if (error instanceof ApiFault && error.status === 404) throw badRequest(error.message);
      throw error;
    }
    throw new ApiFault(501, "The simulator does not model volume swap.");
  }

  /** Server delete: detach every volume (as a service) and delete those marked delete_on_termination. */
  shutdown(server: Server): void {
    for (const bdm of this.bdmsOf(server.id)) this.cleanUp(bdm, true);
  }
}

function connector(mountpoint: string | null): Record<string, unknown> {
  return {
    platform: "x86_64",
    os_type: "linux",
    ip: "192.0.2.10",
    host: COMPUTE_HOST,
    multipath: false,
    initiator: `iqn.1994-05.com.redhat:${COMPUTE_HOST}`,
    do_local_attach: false,
    mountpoint: mountpoint ?? "",
  };
}

/**
 * parameter_types.boolean: a JSON boolean or one of these strings, exactly (jsonschema's enum; its message
 * recorded on Nova 26), then strutils.bool_from_string.
 */
const BOOLEAN_ENUM: unknown[] = [
  ...[true, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"],
  ...[false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"],
];
function parseBoolean(v: unknown, field: string): boolean {
  if (!BOOLEAN_ENUM.includes(v)) {
    throw badRequest(
      `Invalid input for field/attribute ${field}. Value: ${pyStr(v)}. ${pythonRepr(v)} is not one of [${BOOLEAN_ENUM.map(pythonRepr).join(", ")}]`,
    );
  }
  return BOOLEAN_ENUM.indexOf(v) < BOOLEAN_ENUM.length / 2;
}

type Fields = Record<string, unknown>;

/** The volumeAttachment object of a POST/PUT with the keys its microversion's schema allows. */
function attachmentObject(body: unknown, allowed: string[]): Fields {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("volumeAttachment" in body)) {
    throw badRequest(
      "Invalid input for field/attribute volumeAttachment. Value: None. 'volumeAttachment' is a required property",
    );
  }
  const extraTop = Object.keys(body).find((k) => k !== "volumeAttachment");
  if (extraTop) throw badRequest(`Additional properties are not allowed ('${extraTop}' was unexpected)`);
  const att = (body as Fields).volumeAttachment;
  if (typeof att !== "object" || att === null || Array.isArray(att)) {
    throw badRequest(
      `Invalid input for field/attribute volumeAttachment. Value: ${pyStr(att)}. ${pyStr(att)} is not of type 'object'`,
    );
  }
  const invalid = (reason: string) =>
    badRequest(
      `Invalid input for field/attribute volumeAttachment. Value: ${JSON.stringify(att)}. ${reason}`,
    );
  const fields = att as Fields;
  const extra = Object.keys(fields).find((k) => !allowed.includes(k));
  if (extra) throw invalid(`Additional properties are not allowed ('${extra}' was unexpected)`);
  if (!("volumeId" in fields)) throw invalid("'volumeId' is a required property");
  for (const key of ["volumeId", "serverId", "id"]) {
    if (key in fields && (typeof fields[key] !== "string" || !UUID_RE.test(fields[key] as string))) {
      throw badRequest(
        `Invalid input for field/attribute ${key}. Value: ${pyStr(fields[key])}. ${pyStr(fields[key])} is not a 'uuid'`,
      );
    }
  }
  if (
    "device" in fields &&
    fields.device !== null &&
    (typeof fields.device !== "string" || !DEVICE_RE.test(fields.device))
  ) {
    throw badRequest(
      `Invalid input for field/attribute device. Value: ${pyStr(fields.device)}. ${pyStr(fields.device)} does not match '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'`,
    );
  }
  if ("tag" in fields) {
    // parameter_types.tag: a string of 1-60 characters without "/" or "," (jsonschema's messages)
    const t = fields.tag;
    const why =
      typeof t !== "string"
        ? "is not of type 'string'"
        : t.length < 1
          ? "is too short"
          : t.length > 60
            ? "is too long"
            : /[,/]/.test(t)
              ? "does not match '^[^,/]*$'"
              : undefined;
    if (why)
      throw badRequest(`Invalid input for field/attribute tag. Value: ${pyStr(t)}. ${pythonRepr(t)} ${why}`);
  }
  if ("delete_on_termination" in fields) parseBoolean(fields.delete_on_termination, "delete_on_termination");
  return fields;
}

function validateAttachBody(body: unknown, mv: Version): AttachRequest {
  const allowed = ["volumeId", "device"];
  if (mv.atLeast("2.49")) allowed.push("tag");
  if (mv.atLeast("2.79")) allowed.push("delete_on_termination");
  const f = attachmentObject(body, allowed);
  return {
    volumeId: f.volumeId as string,
    device: (f.device as string | null | undefined) ?? null,
    tag: (f.tag as string | undefined) ?? null,
    deleteOnTermination: "delete_on_termination" in f ? f.delete_on_termination : false,
  };
}

function validateUpdateBody(body: unknown, mv: Version): Fields {
  const allowed = mv.atLeast("2.85")
    ? ["volumeId", "device", "tag", "delete_on_termination", "serverId", "id"]
    : ["volumeId"];
  return attachmentObject(body, allowed);
}
