// Cinder's JSON views per microversion: cinder/api/v3/views/volumes.py, views/attachments.py and the
// volume extensions (os-vol-tenant-attr, os-vol-host-attr, os-vol-mig-status-attr), api/views/versions.py.
import type { Profile } from "../core/config";
import type { Principal } from "../core/identity";
import type { Version, VersionRange } from "../core/microversion";
import { cinderTime } from "./listing";
import { isService, type Attachment, type CinderModel, type Volume } from "./model";

/** How the request addressed the API: links repeat the project id only when the URL had it. */
export interface RequestContext {
  principal: Principal;
  mv: Version;
  /** http://127.0.0.1:<port>/volume */
  serviceUrl: string;
  projectInUrl: boolean;
}

/** The v3.0 entry of the version documents (GET /volume/ and GET /volume/v3/); Cinder 21 dates it 2022. */
export function versionEntry(serviceUrl: string, range: VersionRange, profile: Profile) {
  return {
    id: "v3.0",
    links: [
      { href: "https://docs.openstack.org/", rel: "describedby", type: "text/html" },
      { href: `${serviceUrl}/v3/`, rel: "self" },
    ],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.volume+json;version=3" }],
    min_version: range.min,
    status: "CURRENT",
    updated: profile === "debian-bookworm" ? "2022-08-31T00:00:00Z" : "2023-08-31T00:00:00Z",
    version: range.max,
  };
}

function links(ctx: RequestContext, collection: string, id: string) {
  const project = ctx.projectInUrl ? `/${ctx.principal.projectId}` : "";
  return [
    { rel: "self", href: `${ctx.serviceUrl}/v3${project}/${collection}/${id}` },
    { rel: "bookmark", href: `${ctx.serviceUrl}${project}/${collection}/${id}` },
  ];
}

export function volumeSummary(ctx: RequestContext, v: Volume) {
  return { id: v.id, name: v.name, links: links(ctx, "volumes", v.id) };
}

export function volumeDetail(ctx: RequestContext, cinder: CinderModel, v: Volume) {
  const admin = ctx.principal.isAdmin;
  const type = cinder.volumeTypes.get(v.volumeTypeId);
  // The API shows managing states under their public names.
  const status = { managing: "creating", error_managing: "error", error_managing_deleting: "deleting" }[
    v.status
  ];
  const body: Record<string, unknown> = {
    id: v.id,
    status: status ?? v.status,
    size: v.size,
    availability_zone: v.availabilityZone,
    created_at: cinderTime(v.createdAt),
    updated_at: cinderTime(v.updatedAt),
    name: v.name,
    description: v.description,
    volume_type: ctx.mv.atLeast("3.63") ? (type?.name ?? null) : (type?.name ?? v.volumeTypeId),
    snapshot_id: null,
    source_volid: null,
    metadata: { ...v.metadata },
    links: links(ctx, "volumes", v.id),
    user_id: v.userId,
    bootable: String(v.bootable),
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: v.multiattach,
    attachments: cinder
      .attachmentsOf(v.id)
      .filter((a) => a.attachStatus === "attached")
      .map((a) => ({
        id: v.id,
        attachment_id: a.id,
        volume_id: v.id,
        server_id: a.instanceUuid,
        host_name: admin || isService(ctx.principal) ? a.attachedHost : null,
        device: a.mountpoint,
        attached_at: cinderTime(a.attachTime),
      })),
    "os-vol-tenant-attr:tenant_id": v.projectId,
  };
  if (admin) {
    body.migration_status = v.migrationStatus;
    body["os-vol-host-attr:host"] = v.host;
    body["os-vol-mig-status-attr:migstat"] = v.migrationStatus;
    body["os-vol-mig-status-attr:name_id"] = null;
  }
  if (ctx.mv.atLeast("3.13")) body.group_id = null;
  if (admin && ctx.mv.atLeast("3.21")) body.provider_id = null;
  if (ctx.mv.atLeast("3.48")) {
    // Tri-state from 3.69; an LVM backend has shared targets.
    body.shared_targets = true;
    body.service_uuid = SERVICE_UUID;
  }
  if (admin && ctx.mv.atLeast("3.61")) body.cluster_name = null;
  if (ctx.mv.atLeast("3.63")) body.volume_type_id = v.volumeTypeId;
  if (ctx.mv.atLeast("3.65")) body.consumes_quota = true;
  return body;
}

/** The cinder-volume service's uuid (3.48 service_uuid). */
const SERVICE_UUID = "4f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098";

export function attachmentSummary(a: Attachment) {
  return { id: a.id, status: a.attachStatus, instance: a.instanceUuid, volume_id: a.volumeId };
}

export function attachmentDetail(a: Attachment) {
  return {
    ...attachmentSummary(a),
    attached_at: cinderTime(a.attachTime) ?? "",
    detached_at: cinderTime(a.detachTime) ?? "",
    attach_mode: a.attachMode,
    connection_info: a.connectionInfo,
  };
}
