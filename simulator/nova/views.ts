// Nova's JSON per microversion (nova/api/openstack/compute/views/servers.py, views/server_shares.py,
// volume_attachments.py's _translate_attachment_detail_view, instance_actions.py's _format_action/_event).
import { createHash } from "crypto";
import type { Principal } from "../core/identity";
import type { Version } from "../core/microversion";
import { COMPUTE_HOST, serverStatus, type Flavor, type NovaModel, type Server } from "./model";
import type { ActionEvent, InstanceAction } from "./instanceActions";
import type { ShareMapping } from "./serverShares";
import type { AttachRequest, Bdm } from "./volumeAttachments";

export interface ViewContext {
  mv: Version;
  principal: Principal;
  baseUrl: string;
  model: NovaModel;
}

/** utils.isotime: "2013-09-03T04:01:32Z". */
export const isotime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
/** str() of a naive datetime as Nova's JSON shows it: "2013-09-23T13:37:00.880302". */
const naive = (d: Date | null) => (d ? d.toISOString().replace("Z", "000") : null);

/** utils.generate_hostid: sha224 of project id + host, "" without a host. */
const hostIdOf = (host: string | null, projectId: string) =>
  host
    ? createHash("sha224")
        .update(projectId + host)
        .digest("hex")
    : "";

function links(ctx: ViewContext, collection: string, id: string) {
  return [
    { href: `${ctx.baseUrl}/compute/v2.1/${collection}/${id}`, rel: "self" },
    { href: `${ctx.baseUrl}/compute/${collection}/${id}`, rel: "bookmark" },
  ];
}

export function serverSummary(ctx: ViewContext, server: Server) {
  return { id: server.id, links: links(ctx, "servers", server.id), name: server.name };
}

export function flavorView(ctx: ViewContext, flavor: Flavor, detail: boolean) {
  const v: Record<string, unknown> = {
    id: flavor.id,
    links: links(ctx, "flavors", flavor.id),
    name: flavor.name,
  };
  if (!detail) return v;
  Object.assign(v, {
    ram: flavor.ram,
    disk: flavor.disk,
    swap: flavor.swap === 0 ? "" : flavor.swap,
    "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral,
    "OS-FLV-DISABLED:disabled": false,
    vcpus: flavor.vcpus,
    "os-flavor-access:is_public": true,
    rxtx_factor: 1.0,
  });
  if (ctx.mv.atLeast("2.55")) v.description = null;
  if (ctx.mv.atLeast("2.61")) v.extra_specs = flavor.extraSpecs;
  return v;
}

/** The detailed server view (show, list detail): FACTS §0.5 for the status, OS-EXT-* for the states. */
export function serverDetail(ctx: ViewContext, server: Server, options: { list?: boolean } = {}) {
  const { mv, principal } = ctx;
  const status = serverStatus(server);
  const flavor = mv.atLeast("2.47")
    ? {
        vcpus: server.flavor.vcpus,
        ram: server.flavor.ram,
        disk: server.flavor.disk,
        ephemeral: server.flavor.ephemeral,
        swap: server.flavor.swap,
        original_name: server.flavor.name,
        extra_specs: server.flavor.extraSpecs,
      }
    : {
        id: server.flavor.id,
        links: [{ href: `${ctx.baseUrl}/compute/flavors/${server.flavor.id}`, rel: "bookmark" }],
      };
  const v: Record<string, unknown> = {
    accessIPv4: "",
    accessIPv6: "",
    addresses: {},
    created: isotime(server.createdAt),
    flavor,
    hostId: hostIdOf(server.host, server.projectId),
    id: server.id,
    image: server.imageId
      ? {
          id: server.imageId,
          links: [{ href: `${ctx.baseUrl}/compute/images/${server.imageId}`, rel: "bookmark" }],
        }
      : "",
    links: links(ctx, "servers", server.id),
    metadata: server.metadata,
    name: server.name,
    status,
    tenant_id: server.projectId,
    user_id: server.userId,
    updated: isotime(server.updatedAt),
    "OS-DCF:diskConfig": "MANUAL",
  };
  if (["ERROR", "DELETED"].includes(status) && server.fault) {
    v.fault = {
      code: server.fault.code,
      created: isotime(server.fault.created),
      message: server.fault.message,
    };
  }
  if (["ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"].includes(status)) v.progress = 0;
  Object.assign(v, {
    "OS-EXT-AZ:availability_zone": server.host ? "nova" : "",
    config_drive: "",
    key_name: null,
    "OS-SRV-USG:launched_at": naive(server.launchedAt),
    "OS-SRV-USG:terminated_at": null,
  });
  if (principal.isAdmin) {
    Object.assign(v, {
      "OS-EXT-SRV-ATTR:host": server.host,
      "OS-EXT-SRV-ATTR:instance_name": server.instanceName,
      "OS-EXT-SRV-ATTR:hypervisor_hostname": server.host ? `${COMPUTE_HOST}.local` : null,
    });
    if (mv.atLeast("2.3")) {
      Object.assign(v, {
        "OS-EXT-SRV-ATTR:hostname": hostname(server),
        "OS-EXT-SRV-ATTR:kernel_id": "",
        "OS-EXT-SRV-ATTR:launch_index": 0,
        "OS-EXT-SRV-ATTR:ramdisk_id": "",
        "OS-EXT-SRV-ATTR:reservation_id": `r-${server.id.slice(0, 8)}`,
        "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
        "OS-EXT-SRV-ATTR:user_data": null,
      });
    }
  }
  Object.assign(v, {
    "OS-EXT-STS:task_state": server.taskState,
    "OS-EXT-STS:vm_state": server.vmState,
    "OS-EXT-STS:power_state": server.powerState,
    "os-extended-volumes:volumes_attached": ctx.model.volumes
      .bdmsOf(server.id)
      .map((b) =>
        mv.atLeast("2.3")
          ? { id: b.volumeId, delete_on_termination: b.deleteOnTermination }
          : { id: b.volumeId },
      ),
  });
  if (mv.atLeast("2.9")) v.locked = server.lockedBy !== null;
  if (mv.atLeast("2.16") && principal.isAdmin && server.host) v.host_status = "UP";
  if (mv.atLeast("2.19")) v.description = server.description;
  if (mv.atLeast("2.26")) v.tags = server.tags;
  if (mv.atLeast("2.63")) v.trusted_image_certificates = null;
  if (mv.atLeast("2.71") && !options.list) v.server_groups = [];
  if (mv.atLeast("2.73")) v.locked_reason = server.lockedReason;
  if (mv.atLeast("2.90") && !principal.isAdmin) v["OS-EXT-SRV-ATTR:hostname"] = hostname(server);
  if (mv.atLeast("2.96")) v.pinned_availability_zone = null;
  if (mv.atLeast("2.100")) v.scheduler_hints = {};
  return v;
}

function hostname(server: Server): string {
  return (
    server.name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 63) || "server"
  );
}

/** Share mappings: the list shows share_id, status and tag; show/create add uuid and export_location for admins. */
export function shareMappingView(ctx: ViewContext, mapping: ShareMapping, list = false) {
  const v: Record<string, unknown> = { share_id: mapping.shareId, status: mapping.status, tag: mapping.tag };
  if (!list && ctx.principal.isAdmin) {
    return { uuid: mapping.uuid, ...v, export_location: mapping.exportLocation };
  }
  return v;
}

/** _translate_attachment_detail_view (list and show). */
export function attachmentView(mv: Version, bdm: Bdm) {
  const v: Record<string, unknown> = {};
  if (!mv.atLeast("2.89")) v.id = bdm.volumeId;
  Object.assign(v, { volumeId: bdm.volumeId, serverId: bdm.serverId });
  if (bdm.deviceName) v.device = bdm.deviceName;
  if (mv.atLeast("2.70")) v.tag = bdm.tag;
  if (mv.atLeast("2.79")) v.delete_on_termination = bdm.deleteOnTermination;
  if (mv.atLeast("2.89")) Object.assign(v, { attachment_id: bdm.attachmentId, bdm_uuid: bdm.uuid });
  return v;
}

/** The POST response (2.1–2.100): id always, device possibly null, the request's tag and flag as sent. */
export function attachResponse(mv: Version, serverId: string, bdm: Bdm, request: AttachRequest) {
  const v: Record<string, unknown> = {
    id: bdm.volumeId,
    serverId,
    volumeId: bdm.volumeId,
    device: bdm.deviceName,
  };
  if (mv.atLeast("2.70")) v.tag = request.tag;
  if (mv.atLeast("2.79")) v.delete_on_termination = request.deleteOnTermination;
  return v;
}

/** ACTION_KEYS (2.1), plus updated_at from 2.58. */
function actionFields(mv: Version, action: InstanceAction) {
  const v: Record<string, unknown> = {
    action: action.action,
    instance_uuid: action.instanceUuid,
    message: action.message,
    project_id: action.projectId,
    request_id: action.requestId,
    start_time: naive(action.startTime),
    user_id: action.userId,
  };
  if (mv.atLeast("2.58")) v.updated_at = naive(action.updatedAt);
  return v;
}

/** The list; from 2.58 a "next" link when the page is as long as the limit in force (CONF.api.max_limit). */
export function instanceActionsView(
  ctx: ViewContext,
  serverId: string,
  page: { actions: InstanceAction[]; limit?: number },
  query: Record<string, string>,
) {
  const v: Record<string, unknown> = { instanceActions: page.actions.map((a) => actionFields(ctx.mv, a)) };
  const last = page.actions[page.actions.length - 1];
  if (page.limit && last && page.actions.length === page.limit) {
    const params = new URLSearchParams(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : 1)));
    params.set("marker", last.requestId);
    v.links = [
      { href: `${ctx.baseUrl}/compute/v2.1/servers/${serverId}/os-instance-actions?${params}`, rel: "next" },
    ];
  }
  return v;
}

/**
 * One action. Events: below 2.51 only for callers the `events` policy (admin) allows, from 2.51 for all;
 * traceback and (2.62) host only for those, hostId (2.62) for all, details (2.84) under `events:details`.
 */
export function instanceActionView(ctx: ViewContext, action: InstanceAction, serverProjectId: string) {
  const { mv, principal, model } = ctx;
  const rule = (name: string) => `os_compute_api:os-instance-actions:${name}`;
  const admin = model.can(principal, rule("events"), serverProjectId, "admin");
  const v = actionFields(mv, action);
  if (!admin && !mv.atLeast("2.51")) return v;
  const details =
    mv.atLeast("2.84") && model.can(principal, rule("events:details"), serverProjectId, "admin");
  const eventView = (e: ActionEvent) => {
    const ev: Record<string, unknown> = {
      event: e.event,
      start_time: naive(e.startTime),
      finish_time: naive(e.finishTime),
      result: e.result,
    };
    if (admin) ev.traceback = e.traceback;
    if (admin && mv.atLeast("2.62")) ev.host = e.host;
    if (mv.atLeast("2.62")) ev.hostId = hostIdOf(e.host, action.projectId || serverProjectId);
    if (details) ev.details = e.details;
    return ev;
  };
  v.events = [...action.events].reverse().map(eventView); // newest first
  return v;
}
