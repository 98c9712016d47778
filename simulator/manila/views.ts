// Manila's JSON per microversion, after manila/api/views/*.py (FACTS §4.2 for share servers).
import type { Principal } from "../core/identity";
import type { Version } from "../core/microversion";
import type {
  AccessRule,
  ExportLocation,
  ManilaModel,
  Share,
  ShareNetwork,
  ShareNetworkSubnet,
  ShareServer,
  ShareType,
} from "./model";

/** Manila's timestamps: "2015-09-07T08:52:15.000000" (naive UTC, microseconds), or null. */
export function manilaTime(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace("Z", "000") : null;
}

/** What every view needs to know about the request. */
export interface ViewContext {
  mv: Version;
  principal: Principal;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  model: ManilaModel;
}

function links(ctx: ViewContext, collection: string, id: string) {
  const project = ctx.principal.projectId;
  return [
    { href: `${ctx.baseUrl}/share/v2/${project}/${collection}/${id}`, rel: "self" },
    { href: `${ctx.baseUrl}/share/${project}/${collection}/${id}`, rel: "bookmark" },
  ];
}

/** The share instance's access_rules_status, from its rules' states. */
function accessRulesStatus(ctx: ViewContext, share: Share): string {
  const rules = ctx.model.rulesOf(share.id);
  if (rules.some((r) => r.state === "error")) return "error";
  if (rules.some((r) => r.state.startsWith("queued_to_"))) return "syncing";
  return "active";
}

export function shareSummary(ctx: ViewContext, share: Share) {
  return { id: share.id, name: share.name, links: links(ctx, "shares", share.id) };
}

export function shareDetail(ctx: ViewContext, share: Share) {
  const { mv } = ctx;
  const v: Record<string, unknown> = {
    id: share.id,
    size: share.size,
    availability_zone: share.availabilityZone,
    created_at: manilaTime(share.createdAt),
    status: share.status,
    name: share.name,
    description: share.description,
    project_id: share.projectId,
    snapshot_id: null,
    share_network_id: share.shareNetworkId,
    share_proto: share.shareProto,
    export_location: share.exportLocations[0]?.path ?? null,
    metadata: share.metadata,
    share_type: share.shareType.name,
    volume_type: share.shareType.name,
    links: links(ctx, "shares", share.id),
    is_public: share.isPublic,
    // All paths (admin-only ones too), and only while the instance is available (models.Share).
    export_locations: share.status === "available" ? share.exportLocations.map((e) => e.path) : [],
  };
  if (mv.atLeast("2.2")) v.snapshot_support = false;
  if (mv.atLeast("2.5")) v.task_state = null;
  if (mv.atLeast("2.6"))
    Object.assign(v, { share_type_name: share.shareType.name, share_type: share.shareType.id });
  if (mv.atLeast("2.9")) {
    delete v.export_location;
    delete v.export_locations;
  }
  if (mv.atLeast("2.10")) {
    const status = accessRulesStatus(ctx, share);
    v.access_rules_status = status === "syncing" && !mv.atLeast("2.28") ? "out_of_sync" : status;
  }
  if (mv.atLeast("2.11")) Object.assign(v, { replication_type: null, has_replicas: false });
  if (mv.atLeast("2.16")) v.user_id = share.userId;
  if (mv.atLeast("2.24")) v.create_share_from_snapshot_support = false;
  if (mv.atLeast("2.27")) v.revert_to_snapshot_support = false;
  if (mv.atLeast("2.31"))
    Object.assign(v, { share_group_id: null, source_share_group_snapshot_member_id: null });
  if (mv.atLeast("2.32")) v.mount_snapshot_support = false;
  if (mv.atLeast("2.54")) v.progress = share.status === "available" ? "100%" : "0%";
  if (mv.atLeast("2.69")) Object.assign(v, { is_soft_deleted: false, scheduled_to_be_deleted_at: null });
  if (mv.atLeast("2.80")) v.source_backup_id = null;
  if (mv.atLeast("2.90")) v.encryption_key_ref = null;
  if (mv.atLeast("2.99")) v.snapshot_inherit_share_access_support = false;
  if (ctx.principal.isAdmin) Object.assign(v, { share_server_id: share.shareServerId, host: share.host });
  return v;
}

/** `show(brief=True)`: the trimmed share type. */
export function shareTypeView(ctx: ViewContext, type: ShareType) {
  const v: Record<string, unknown> = {
    id: type.id,
    name: type.name,
    extra_specs: { ...type.extraSpecs },
    required_extra_specs: { driver_handles_share_servers: type.extraSpecs.driver_handles_share_servers },
  };
  v[ctx.mv.atLeast("2.7") ? "share_type_access:is_public" : "os-share-type-access:is_public"] = true;
  if (ctx.mv.atLeast("2.41")) v.description = type.description;
  if (ctx.mv.atLeast("2.46")) v.is_default = type.isDefault;
  return v;
}

export function exportLocationView(ctx: ViewContext, share: Share, e: ExportLocation, detail: boolean) {
  const v: Record<string, unknown> = { id: e.id, path: e.path };
  if (ctx.mv.atLeast("2.14")) v.preferred = e.preferred;
  if (ctx.mv.atLeast("2.87")) v.metadata = {};
  if (ctx.principal.isAdmin)
    Object.assign(v, { share_instance_id: share.instanceId, is_admin_only: e.isAdminOnly });
  if (detail) Object.assign(v, { created_at: manilaTime(e.createdAt), updated_at: manilaTime(e.updatedAt) });
  return v;
}

/** The allow_access response and GET /share-access-rules/{id} (`view`); the list drops share_id (`summary_view`). */
export function accessView(ctx: ViewContext, rule: AccessRule, restricted: boolean, withShareId: boolean) {
  const { mv } = ctx;
  const v: Record<string, unknown> = { id: rule.id };
  if (withShareId) v.share_id = rule.shareId;
  Object.assign(v, {
    access_level: rule.accessLevel,
    access_to: rule.accessTo,
    access_type: rule.accessType,
    state: rule.state,
  });
  if (mv.atLeast("2.21")) v.access_key = rule.accessKey;
  if (!mv.atLeast("2.28")) {
    // Before 2.28 a rule shows its share instance's access_rules_status ("new" while syncing).
    const share = ctx.model.shares.get(rule.shareId);
    const status = share ? accessRulesStatus(ctx, share) : "active";
    v.state = status === "syncing" ? "new" : status;
  }
  if (mv.atLeast("2.33"))
    Object.assign(v, { created_at: manilaTime(rule.createdAt), updated_at: manilaTime(rule.updatedAt) });
  if (mv.atLeast("2.45")) v.metadata = rule.metadata;
  if (restricted) Object.assign(v, { access_key: "******", access_to: "******" });
  return v;
}

function subnetFields(s: ShareNetworkSubnet) {
  return {
    id: s.id,
    availability_zone: s.availabilityZone,
    created_at: manilaTime(s.createdAt),
    updated_at: manilaTime(s.updatedAt),
    segmentation_id: s.segmentationId,
    neutron_net_id: s.neutronNetId,
    neutron_subnet_id: s.neutronSubnetId,
    ip_version: s.ipVersion,
    cidr: s.cidr,
    network_type: s.networkType,
    mtu: s.mtu,
    gateway: s.gateway,
  };
}

/** Only admins see network_type and segmentation_id (policy share_network:show_network_details). */
function redact<T extends Record<string, unknown>>(ctx: ViewContext, v: T): T {
  if (!ctx.principal.isAdmin) Object.assign(v, { network_type: null, segmentation_id: null });
  return v;
}

export function shareNetworkView(ctx: ViewContext, n: ShareNetwork, detail = true) {
  const { mv } = ctx;
  const v: Record<string, unknown> = { id: n.id, name: n.name };
  if (!detail) return v;
  const subnets = ctx.model.subnetsOf(n.id);
  const def = subnets.find((s) => s.availabilityZone === null);
  Object.assign(v, {
    project_id: n.projectId,
    created_at: manilaTime(n.createdAt),
    updated_at: manilaTime(n.updatedAt),
    neutron_net_id: def?.neutronNetId ?? null,
    neutron_subnet_id: def?.neutronSubnetId ?? null,
    network_type: def?.networkType ?? null,
    segmentation_id: def?.segmentationId ?? null,
    cidr: def?.cidr ?? null,
    ip_version: def?.ipVersion ?? null,
    description: n.description,
  });
  redact(ctx, v);
  if (mv.atLeast("2.18")) v.gateway = def?.gateway ?? null;
  if (mv.atLeast("2.20")) v.mtu = def?.mtu ?? null;
  if (!mv.atLeast("2.26")) v.nova_net_id = null;
  if (mv.atLeast("2.51")) {
    for (const k of ["neutron_net_id", "neutron_subnet_id", "network_type", "segmentation_id", "cidr"])
      delete v[k];
    for (const k of ["ip_version", "gateway", "mtu"]) delete v[k];
    v.share_network_subnets = subnets.map((s) => {
      const sv: Record<string, unknown> = redact(ctx, subnetFields(s));
      if (mv.atLeast("2.78")) sv.metadata = s.metadata;
      return sv;
    });
  }
  if (mv.atLeast("2.63")) {
    Object.assign(v, { status: n.status, security_service_update_support: n.securityServiceUpdateSupport });
  }
  if (mv.atLeast("2.70")) v.network_allocation_update_support = n.networkAllocationUpdateSupport;
  return v;
}

export function subnetView(ctx: ViewContext, s: ShareNetworkSubnet) {
  const network = ctx.model.shareNetworks.get(s.shareNetworkId);
  const { id, availability_zone, created_at, updated_at, ...rest } = subnetFields(s);
  const v: Record<string, unknown> = redact(ctx, {
    id,
    availability_zone,
    share_network_id: s.shareNetworkId,
    share_network_name: network?.name ?? null,
    created_at,
    updated_at,
    ...rest,
  });
  if (ctx.mv.atLeast("2.78")) v.metadata = s.metadata;
  return v;
}

/** `_build_share_server_view`: list items are not detailed; show and manage are (FACTS §4.2). */
export function shareServerView(ctx: ViewContext, server: ShareServer, detailed: boolean) {
  const { mv } = ctx;
  const network = ctx.model.networkOf(server);
  const v: Record<string, unknown> = {
    id: server.id,
    project_id: network?.projectId ?? "",
    updated_at: manilaTime(server.updatedAt),
    status: server.status,
    host: server.host,
    share_network_name: network ? network.name || network.id : "",
    share_network_id: network?.id ?? "",
  };
  if (detailed)
    Object.assign(v, { created_at: manilaTime(server.createdAt), backend_details: server.backendDetails });
  if (mv.atLeast("2.49"))
    Object.assign(v, { is_auto_deletable: server.isAutoDeletable, identifier: server.identifier });
  if (mv.atLeast("2.51") && !mv.atLeast("2.70")) v.share_network_subnet_id = server.subnetIds[0] ?? null;
  if (mv.atLeast("2.57")) {
    Object.assign(v, { task_state: server.taskState, source_share_server_id: server.sourceShareServerId });
  }
  if (mv.atLeast("2.63")) v.security_service_update_support = server.securityServiceUpdateSupport;
  if (mv.atLeast("2.70")) {
    Object.assign(v, {
      share_network_subnet_ids: [...server.subnetIds].sort(),
      network_allocation_update_support: server.networkAllocationUpdateSupport,
    });
  }
  if (mv.atLeast("2.90")) v.encryption_key_ref = server.encryptionKeyRef;
  return v;
}
