// Volume routes: create, list, detail, show, delete and the volume actions Nova and admins use
// (cinder/api/v3/volumes.py, api/contrib/volume_actions.py, api/contrib/admin_actions.py).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiFault, badRequest } from "../core/faults";
import { projectPaths } from "../core/service";
import type { World } from "../core/world";
import type { Volume } from "./model";
import {
  callerOf,
  checkFilters,
  checkKeys,
  dispatchCinderAction,
  pythonRepr,
  invalidField,
  isObject,
  listOptions,
  queryOf,
  strictBool,
  wrapped,
} from "./requests";
import { volumeDetail, volumeSummary, type RequestContext } from "./views";

/** Filters a non-admin may use (etc/cinder/resource_filters.json). */
const USER_VOLUME_FILTERS = [
  "name",
  "status",
  "metadata",
  "bootable",
  "migration_status",
  "availability_zone",
  "group_id",
  "size",
  "created_at",
  "updated_at",
  "consumes_quota",
];

/** Keys the create schema knows; from 3.53 any other key is a 400. */
const CREATE_KEYS = [
  "name",
  "description",
  "display_name",
  "display_description",
  "volume_type",
  "metadata",
  "snapshot_id",
  "source_volid",
  "consistencygroup_id",
  "size",
  "availability_zone",
  "multiattach",
  "image_id",
  "imageRef",
  "group_id",
  "backup_id",
];

/** fields.VolumeStatus.ALL, for os-reset_status. */
const VOLUME_STATUSES = [
  "creating",
  "available",
  "deleting",
  "error",
  "error_deleting",
  "error_managing",
  "managing",
  "attaching",
  "in-use",
  "detaching",
  "maintenance",
  "restoring-backup",
  "error_restoring",
  "reserved",
  "awaiting-transfer",
  "backing-up",
  "error_backing-up",
  "error_extending",
  "downloading",
  "uploading",
  "retyping",
  "extending",
];

export function contextOf(world: World, request: FastifyRequest): RequestContext {
  return {
    principal: callerOf(request),
    mv: request.mv,
    serviceUrl: `${world.baseUrl}/volume`,
    projectInUrl: (request.params as Record<string, string>).project_id !== undefined,
  };
}

const paramId = (request: FastifyRequest) => (request.params as { id: string }).id;

function parseCreate(request: FastifyRequest) {
  // The scheduler hints may sit beside "volume" at the top level.
  const { "OS-SCH-HNT:scheduler_hints": _hints, ...body } = isObject(request.body) ? request.body : {};
  const volume = wrapped(isObject(request.body) ? body : request.body, "volume");
  if (request.mv.atLeast("3.53")) checkKeys(volume, "volume", CREATE_KEYS);
  const text = (key: string) => {
    const v = volume[key];
    if (v !== undefined && v !== null && typeof v !== "string")
      throw invalidField(key, v, `${pythonRepr(v)} is not of type 'string', 'null'`);
    return typeof v === "string" ? v.trim() : (v ?? undefined);
  };
  let size: number | undefined;
  if (volume.size !== undefined && volume.size !== null) {
    const raw = volume.size;
    if (!(Number.isInteger(raw) || (typeof raw === "string" && /^\d+$/.test(raw))))
      throw invalidField("size", raw, `${pythonRepr(raw)} is not of type 'integer', 'string', 'null'`);
    size = Number(raw);
    if (size < 1) throw invalidField("size", raw, `${raw} is less than the minimum of 1`);
  }
  if (volume.metadata !== undefined && volume.metadata !== null) {
    if (!isObject(volume.metadata) || Object.values(volume.metadata).some((v) => typeof v !== "string"))
      throw invalidField("metadata", volume.metadata, "metadata must be an object of strings");
  }
  if (
    volume.multiattach !== undefined &&
    volume.multiattach !== null &&
    strictBool("multiattach", volume.multiattach)
  )
    throw badRequest(
      "multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. " +
        "Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.",
    );
  return {
    volume,
    size,
    name: text("name") ?? text("display_name"),
    description: text("description") ?? text("display_description"),
  };
}

export function registerVolumeRoutes(scope: FastifyInstance, world: World): void {
  const cinder = world.cinder;

  for (const url of projectPaths("/v3", "/volumes")) {
    scope.post(url, async (request, reply) => {
      const ctx = contextOf(world, request);
      const { volume: body, size: requested, name, description } = parseCreate(request);
      // Sources this simulator has none of: snapshots, backups, groups, images.
      if (body.snapshot_id) throw new ApiFault(404, `Snapshot ${body.snapshot_id} could not be found.`);
      if (body.backup_id) throw new ApiFault(404, `Backup ${body.backup_id} could not be found.`);
      for (const key of ["group_id", "consistencygroup_id"]) {
        if (body[key]) throw new ApiFault(404, `Group ${body[key]} could not be found.`);
      }
      if (body.imageRef || body.image_id)
        throw badRequest("Invalid image identifier or unable to access requested image.");
      let size = requested;
      if (body.source_volid) {
        const source = cinder.getVolume(ctx.principal, String(body.source_volid));
        size ??= source.size;
      }
      if (size === undefined)
        throw badRequest(
          `Invalid input received: Volume size '${requested ?? "None"}' must be an integer and greater than 0`,
        );
      const volume = cinder.createVolume(ctx.principal, {
        size,
        name,
        description,
        volumeType: body.volume_type ?? undefined,
        metadata: body.metadata,
        availabilityZone: body.availability_zone ?? undefined,
      });
      return reply.code(202).send({ volume: volumeDetail(ctx, cinder, volume) });
    });

    const list = (detail: boolean) => async (request: FastifyRequest) => {
      const ctx = contextOf(world, request);
      const query = queryOf(request);
      const options = listOptions(query);
      let withCount = false;
      if (ctx.mv.atLeast("3.45") && "with_count" in query) {
        withCount = strictBool("with_count", query.with_count);
        delete query.with_count;
      }
      checkFilters(ctx.principal, ctx.mv, query, USER_VOLUME_FILTERS);
      // "name" in the API is display_name in the database, for sorting and filtering.
      options.sortKeys = options.sortKeys?.map((k) => (k === "name" ? "display_name" : k));
      if ("name" in query) {
        query.display_name = query.name;
        delete query.name;
      }
      const volumes = cinder.listVolumes(ctx.principal, { ...options, filters: query });
      const body: Record<string, unknown> = {
        volumes: volumes.map((v) => (detail ? volumeDetail(ctx, cinder, v) : volumeSummary(ctx, v))),
      };
      const nextLink = collectionNext(ctx, request, volumes, detail ? "volumes/detail" : "volumes");
      if (nextLink) body.volumes_links = [nextLink];
      if (withCount) {
        body.count = cinder.countVolumes(ctx.principal, { allTenants: options.allTenants, filters: query });
      }
      return body;
    };
    scope.get(url, list(false));
    scope.get(`${url}/detail`, list(true));
  }

  for (const url of projectPaths("/v3", "/volumes/:id")) {
    scope.get(url, async (request) => {
      const ctx = contextOf(world, request);
      return { volume: volumeDetail(ctx, cinder, cinder.getVolume(ctx.principal, paramId(request))) };
    });

    scope.delete(url, async (request, reply) => {
      const ctx = contextOf(world, request);
      const query = queryOf(request);
      const force = ctx.mv.atLeast("3.23") && "force" in query && strictBool("force", query.force);
      cinder.deleteVolume(ctx.principal, paramId(request), { force });
      return reply.code(202).send();
    });
  }

  // Volume actions answer 202 with no body, except os-set_bootable (200).
  const accepted = (run: (ctx: RequestContext, id: string, argument: unknown) => void, code = 202) => ({
    handle: (request: FastifyRequest, reply: FastifyReply, argument: unknown) => {
      run(contextOf(world, request), paramId(request), argument);
      return reply.code(code).send();
    },
  });
  const actions = {
    "os-reserve": accepted((ctx, id) => cinder.reserveVolume(ctx.principal, id)),
    "os-unreserve": accepted((ctx, id) => cinder.unreserveVolume(ctx.principal, id)),
    "os-begin_detaching": accepted((ctx, id) => cinder.beginDetaching(ctx.principal, id)),
    "os-roll_detaching": accepted((ctx, id) => cinder.rollDetaching(ctx.principal, id)),
    "os-force_delete": accepted((ctx, id) => cinder.deleteVolume(ctx.principal, id, { force: true })),
    "os-reset_status": accepted((ctx, id, argument) =>
      cinder.resetVolumeStatus(ctx.principal, id, parseResetStatus(argument)),
    ),
    "os-set_bootable": accepted((ctx, id, argument) => {
      if (!isObject(argument)) throw invalidField("os-set_bootable", argument, "is not of type 'object'");
      checkKeys(argument, "os-set_bootable", ["bootable"], ["bootable"]);
      cinder.setBootable(ctx.principal, id, strictBool("bootable", argument.bootable));
    }, 200),
  };
  for (const url of projectPaths("/v3", "/volumes/:id/action")) {
    scope.post(url, async (request, reply) => dispatchCinderAction(request, reply, actions));
  }
}

function parseResetStatus(args: unknown) {
  if (!isObject(args)) throw invalidField("os-reset_status", args, "is not of type 'object'");
  checkKeys(args, "os-reset_status", ["status", "attach_status", "migration_status"]);
  const { status, attach_status: attachStatus, migration_status: migrationStatus } = args;
  if (!status && !attachStatus && !migrationStatus)
    throw badRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.");
  if (status && !VOLUME_STATUSES.includes(String(status).toLowerCase()))
    throw badRequest(
      `Volume status: ${status} is invalid, valid statuses are: ${VOLUME_STATUSES.join(", ")}.`,
    );
  if (attachStatus && !["attached", "detached"].includes(String(attachStatus).toLowerCase()))
    throw badRequest(
      `Volume attach status: ${attachStatus} is invalid, valid statuses are: attached, detached.`,
    );
  return { status, attachStatus, migrationStatus };
}

/** The `next` link Cinder adds when a page is full (limit given and reached). */
function collectionNext(ctx: RequestContext, request: FastifyRequest, items: Volume[], collection: string) {
  const query = queryOf(request);
  if (!("limit" in query) || items.length === 0 || items.length < Number(query.limit)) return undefined;
  const params = new URLSearchParams({ ...query, marker: items[items.length - 1].id });
  const project = ctx.projectInUrl ? `/${ctx.principal.projectId}` : "";
  return { rel: "next", href: `${ctx.serviceUrl}/v3${project}/${collection}?${params}` };
}
