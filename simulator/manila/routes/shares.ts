// Shares, their actions (access rules, reset_status) and export locations.
import type { FastifyInstance } from "fastify";
import { dispatchAction, type ActionHandler } from "../../core/actions";
import { ApiFault, badRequest } from "../../core/faults";
import type { World } from "../../core/world";
import { notFound } from "../../core/faults";
import { SHARE_TYPES, pythonTruthy } from "../model";
import { accessView, exportLocationView, shareDetail, shareSummary, shareTypeView } from "../views";
import { entity, params, query, route, viewContext } from "./common";

export function register(scope: FastifyInstance, world: World): void {
  const model = world.manila;

  route(scope, "post", "/shares", {}, async (request) => {
    const share = entity(request.body, "share");
    if (!share) throw new ApiFault(422, "Unprocessable Entity");
    const created = model.createShare(request.principal, {
      shareProto: share.share_proto,
      size: share.size,
      name: share.name ?? share.display_name,
      description: share.description ?? share.display_description,
      shareNetworkId: share.share_network_id,
      availabilityZone: share.availability_zone,
      metadata: share.metadata,
      isPublic: share.is_public,
      shareType: share.share_type ?? share.volume_type,
    });
    return { share: shareDetail(viewContext(request, world), created) };
  });

  route(scope, "get", "/shares", {}, async (request) => {
    const ctx = viewContext(request, world);
    return { shares: model.listShares(request.principal, query(request)).map((s) => shareSummary(ctx, s)) };
  });
  route(scope, "get", "/shares/detail", {}, async (request) => {
    const ctx = viewContext(request, world);
    return { shares: model.listShares(request.principal, query(request)).map((s) => shareDetail(ctx, s)) };
  });
  route(scope, "get", "/shares/:share_id", {}, async (request) => ({
    share: shareDetail(
      viewContext(request, world),
      model.getShare(request.principal, params(request).share_id),
    ),
  }));
  route(scope, "delete", "/shares/:share_id", {}, async (request, reply) => {
    model.deleteShare(request.principal, params(request).share_id);
    return reply.code(202).send();
  });

  const allow: ActionHandler["handle"] = async (request, _reply, arg) => {
    const a = (arg ?? {}) as Record<string, any>;
    const mv = request.mv;
    if (a.access_type === "cephx" && !mv.atLeast("2.13")) {
      throw badRequest("Only 'ip', 'user' or 'cert' access types are supported.");
    }
    const locks = mv.atLeast("2.82");
    const rule = model.allowAccess(request.principal, params(request).share_id, {
      accessType: a.access_type,
      accessTo: a.access_to,
      accessLevel: a.access_level,
      metadata: mv.atLeast("2.45") ? a.metadata : undefined,
      lockVisibility: locks && pythonTruthy(a.lock_visibility),
      lockDeletion: locks && pythonTruthy(a.lock_deletion),
      lockReason: locks ? a.lock_reason : undefined,
    });
    return { access: accessView(viewContext(request, world), rule, false, true) };
  };
  const deny: ActionHandler["handle"] = async (request, reply, arg) => {
    const a = (arg ?? {}) as Record<string, any>;
    model.denyAccess(request.principal, params(request).share_id, a.access_id, pythonTruthy(a.unrestrict));
    return reply.code(202).send();
  };
  const resetStatus: ActionHandler["handle"] = async (request, reply, arg) => {
    model.resetShareStatus(request.principal, params(request).share_id, arg);
    return reply.code(202).send();
  };
  const accessList: ActionHandler["handle"] = async (request) => {
    const ctx = viewContext(request, world);
    const share = model.getShare(request.principal, params(request).share_id);
    return { access_list: model.rulesOf(share.id).map((r) => accessView(ctx, r, false, false)) };
  };
  route(scope, "post", "/shares/:share_id/action", {}, async (request, reply) =>
    dispatchAction(request, reply, {
      allow_access: { minVersion: "2.7", handle: allow },
      "os-allow_access": { maxVersion: "2.6", handle: allow },
      deny_access: { minVersion: "2.7", handle: deny },
      "os-deny_access": { maxVersion: "2.6", handle: deny },
      reset_status: { minVersion: "2.7", handle: resetStatus },
      "os-reset_status": { maxVersion: "2.6", handle: resetStatus },
      access_list: { minVersion: "2.7", maxVersion: "2.44", handle: accessList },
      "os-access_list": { maxVersion: "2.6", handle: accessList },
    }),
  );

  const v29 = { config: { minVersion: "2.9" } };
  route(scope, "get", "/shares/:share_id/export_locations", v29, async (request) => {
    const ctx = viewContext(request, world);
    const { share_id } = params(request);
    const locations = model.exportLocations(request.principal, share_id);
    const share = model.shares.get(share_id)!;
    return { export_locations: locations.map((e) => exportLocationView(ctx, share, e, false)) };
  });
  route(scope, "get", "/shares/:share_id/export_locations/:export_location_id", v29, async (request) => {
    const { share_id, export_location_id } = params(request);
    const e = model.exportLocation(request.principal, share_id, export_location_id);
    return {
      export_location: exportLocationView(viewContext(request, world), model.shares.get(share_id)!, e, true),
    };
  });

  // Share types (read-only: the simulator's fixed two).
  route(scope, "get", "/types", {}, async (request) => {
    const types = SHARE_TYPES.map((t) => shareTypeView(viewContext(request, world), t));
    return { share_types: types, volume_types: types };
  });
  route(scope, "get", "/types/:type_id", {}, async (request) => {
    const { type_id } = params(request);
    const type =
      type_id === "default"
        ? SHARE_TYPES.find((t) => t.isDefault)
        : SHARE_TYPES.find((t) => t.id === type_id || t.name === type_id);
    if (!type)
      throw notFound(type_id === "default" ? "Default share type not found" : "Share type not found");
    const view = shareTypeView(viewContext(request, world), type);
    return { share_type: view, volume_type: view };
  });

  const v245 = { config: { minVersion: "2.45" } };
  route(scope, "get", "/share-access-rules", v245, async (request) => {
    const ctx = viewContext(request, world);
    const rules = model.listAccessRules(request.principal, query(request));
    return { access_list: rules.map(({ rule, restricted }) => accessView(ctx, rule, restricted, false)) };
  });
  route(scope, "get", "/share-access-rules/:access_id", v245, async (request) => {
    const { rule, restricted } = model.getAccessRule(request.principal, params(request).access_id);
    return { access: accessView(viewContext(request, world), rule, restricted, true) };
  });
}
