// Servers (minimal create, show, list, delete), their actions and metadata; flavors.
import type { FastifyInstance } from "fastify";
import { dispatchAction, type ActionHandler } from "../../core/actions";
import { badRequest, notFound } from "../../core/faults";
import type { World } from "../../core/world";
import { FLAVORS } from "../model";
import { flavorView, serverDetail, serverSummary } from "../views";
import { params, query, route, viewContext } from "./common";

/** Actions refused while a server has shares (FACTS §2.7), keyed by their action names. */
const BLOCKED_WITH_SHARES: Record<string, string> = {
  resize: "resize",
  rebuild: "rebuild",
  shelve: "shelve",
  suspend: "suspend",
  migrate: "migrate",
  "os-migrateLive": "migrate_live",
  evacuate: "evacuate",
};

export function register(scope: FastifyInstance, world: World): void {
  const model = world.nova;

  route(scope, "get", "/flavors", {}, async (request) => ({
    flavors: FLAVORS.map((f) => flavorView(viewContext(request, world), f, false)),
  }));
  route(scope, "get", "/flavors/detail", {}, async (request) => ({
    flavors: FLAVORS.map((f) => flavorView(viewContext(request, world), f, true)),
  }));
  route(scope, "get", "/flavors/:flavor_id", {}, async (request) => {
    const flavor = model.flavor(params(request).flavor_id);
    if (!flavor) throw notFound(`Flavor ${params(request).flavor_id} could not be found.`);
    return { flavor: flavorView(viewContext(request, world), flavor, true) };
  });

  route(scope, "get", "/flavors/:flavor_id/os-extra_specs", {}, async (request) => {
    const flavor = model.flavor(params(request).flavor_id);
    if (!flavor) throw notFound(`Flavor ${params(request).flavor_id} could not be found.`);
    return { extra_specs: flavor.extraSpecs };
  });

  route(scope, "post", "/servers", {}, async (request, reply) => {
    const body = request.body as Record<string, any> | undefined;
    const s = body?.server;
    if (typeof s !== "object" || s === null) {
      throw badRequest(
        "Invalid input for field/attribute server. Value: None. 'server' is a required property",
      );
    }
    const server = model.createServer(request.principal, {
      name: s.name,
      flavorRef: s.flavorRef,
      imageRef: s.imageRef,
      description: request.mv.atLeast("2.19") ? s.description : undefined,
      metadata: s.metadata,
      blockDeviceMappings: s.block_device_mapping_v2,
    });
    return reply.code(202).send({
      server: {
        id: server.id,
        links: serverSummary(viewContext(request, world), server).links,
        "OS-DCF:diskConfig": "MANUAL",
        security_groups: [{ name: "default" }],
        adminPass: "simulator-admin-pass",
      },
    });
  });
  route(scope, "get", "/servers", {}, async (request) => ({
    servers: model
      .listServers(request.principal, query(request))
      .map((s) => serverSummary(viewContext(request, world), s)),
  }));
  route(scope, "get", "/servers/detail", {}, async (request) => ({
    servers: model
      .listServers(request.principal, query(request))
      .map((s) => serverDetail(viewContext(request, world), s, { list: true })),
  }));
  route(scope, "get", "/servers/:server_id", {}, async (request) => {
    const server = model.getServer(request.principal, params(request).server_id);
    model.authorize(request.principal, "os_compute_api:servers:show", server.projectId, "reader");
    return { server: serverDetail(viewContext(request, world), server) };
  });
  route(scope, "delete", "/servers/:server_id", {}, async (request, reply) => {
    model.deleteServer(request.principal, params(request).server_id);
    return reply.code(204).send();
  });

  const accepted =
    (run: (request: any, argument: unknown) => void): ActionHandler["handle"] =>
    async (request, reply, argument) => {
      run(request, argument);
      return reply.code(202).send();
    };
  const id = (request: any) => params(request).server_id;
  const actions: Record<string, ActionHandler> = {
    "os-stop": { handle: accepted((r) => model.power(r.principal, id(r), "stop")) },
    "os-start": { handle: accepted((r) => model.power(r.principal, id(r), "start")) },
    lock: {
      handle: accepted((r, arg) => {
        const reason =
          r.mv.atLeast("2.73") && arg && typeof arg === "object" ? (arg as any).locked_reason : null;
        if (reason !== undefined && reason !== null && (typeof reason !== "string" || reason.length > 255)) {
          throw badRequest(`Invalid input for field/attribute locked_reason. Value: ${String(reason)}.`);
        }
        model.lock(r.principal, id(r), reason ?? null);
      }),
    },
    unlock: { handle: accepted((r) => model.unlock(r.principal, id(r))) },
    "os-resetState": {
      handle: accepted((r, arg) =>
        model.resetState(r.principal, id(r), (arg as { state?: unknown } | null)?.state),
      ),
    },
  };
  for (const [name, policy] of Object.entries(BLOCKED_WITH_SHARES)) {
    actions[name] = { handle: async (r) => model.blockedWithShares(r.principal, id(r), policy) };
  }
  route(scope, "post", "/servers/:server_id/action", {}, async (request, reply) =>
    dispatchAction(request, reply, actions),
  );

  // Server metadata (server_metadata.py).
  const metaBody = (body: unknown, key: "metadata" | "meta") => {
    const value = (body as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) {
      throw badRequest(
        `Invalid input for field/attribute ${key}. Value: None. '${key}' is a required property`,
      );
    }
    return value;
  };
  route(scope, "get", "/servers/:server_id/metadata", {}, async (request) => ({
    metadata: model.metadata(request.principal, params(request).server_id, "index"),
  }));
  // POST merges, PUT replaces all.
  for (const [method, rule, replace] of [
    ["post", "create", false],
    ["put", "update_all", true],
  ] as const) {
    route(scope, method, "/servers/:server_id/metadata", {}, async (request) => ({
      metadata: model.updateMetadata(
        request.principal,
        params(request).server_id,
        rule,
        metaBody(request.body, "metadata"),
        { replace },
      ),
    }));
  }
  route(scope, "get", "/servers/:server_id/metadata/:key", {}, async (request) => {
    const { server_id, key } = params(request);
    const metadata = model.metadata(request.principal, server_id, "show");
    if (!(key in metadata)) throw notFound("Metadata item was not found");
    return { meta: { [key]: metadata[key] } };
  });
  route(scope, "put", "/servers/:server_id/metadata/:key", {}, async (request) => {
    const { server_id, key } = params(request);
    const meta = metaBody(request.body, "meta");
    if (typeof meta !== "object" || meta === null || Array.isArray(meta) || Object.keys(meta).length !== 1) {
      throw badRequest(
        `Invalid input for field/attribute meta. Value: ${JSON.stringify(meta)}. It must hold exactly one item`,
      );
    }
    model.updateMetadata(request.principal, server_id, "update", meta, { uriKey: key });
    return { meta };
  });
  route(scope, "delete", "/servers/:server_id/metadata/:key", {}, async (request, reply) => {
    const { server_id, key } = params(request);
    model.deleteMetadata(request.principal, server_id, key);
    return reply.code(204).send();
  });
}
