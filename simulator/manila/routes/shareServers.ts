// Share servers (FACTS §4): list with DB filters, show, details, delete, manage, unmanage, reset_status.
import type { FastifyInstance } from "fastify";
import { dispatchAction, type ActionHandler } from "../../core/actions";
import { ApiFault } from "../../core/faults";
import type { World } from "../../core/world";
import { shareServerView } from "../views";
import { params, query, route, viewContext } from "./common";

/** Migration actions are experimental (2.57+) and not simulated (out of scope; FACTS §4.1). */
const MIGRATION_ACTIONS = [
  "migration_check",
  "migration_start",
  "migration_complete",
  "migration_cancel",
  "migration_get_progress",
  "reset_task_state",
];

export function register(scope: FastifyInstance, world: World): void {
  const model = world.manila;

  route(scope, "get", "/share-servers", {}, async (request) => {
    const ctx = viewContext(request, world);
    const servers = model.listShareServers(request.principal, query(request));
    return { share_servers: servers.map((s) => shareServerView(ctx, s, false)) };
  });
  route(scope, "get", "/share-servers/:server_id", {}, async (request) => ({
    share_server: shareServerView(
      viewContext(request, world),
      model.getShareServer(request.principal, params(request).server_id),
      true,
    ),
  }));
  route(scope, "get", "/share-servers/:server_id/details", {}, async (request) => ({
    details: model.shareServerDetails(request.principal, params(request).server_id),
  }));
  route(scope, "delete", "/share-servers/:server_id", {}, async (request, reply) => {
    model.deleteShareServer(request.principal, params(request).server_id);
    return reply.code(202).send();
  });

  route(
    scope,
    "post",
    "/share-servers/manage",
    { config: { minVersion: "2.49" } },
    async (request, reply) => {
      const server = model.manageShareServer(request.principal, request.body, request.mv.atLeast("2.51"));
      return reply
        .code(202)
        .send({ share_server: shareServerView(viewContext(request, world), server, true) });
    },
  );

  const actions: Record<string, ActionHandler> = {
    reset_status: {
      minVersion: "2.49",
      handle: async (request, reply, arg) => {
        model.resetShareServerStatus(request.principal, params(request).server_id, arg);
        return reply.code(202).send();
      },
    },
    unmanage: {
      minVersion: "2.49",
      handle: async (request, reply, arg) => {
        model.unmanageShareServer(request.principal, params(request).server_id, arg);
        return reply.code(202).send();
      },
    },
  };
  for (const name of MIGRATION_ACTIONS) {
    actions[name] = {
      minVersion: "2.57",
      handle: async (request) => {
        if (String(request.headers["x-openstack-manila-api-experimental"]).toLowerCase() !== "true") {
          throw new ApiFault(404, "The resource could not be found.");
        }
        model.authorize(request.principal, `share_server:share_server_${name}`);
        throw new ApiFault(501, "Share server migration is not simulated.");
      },
    };
  }
  route(scope, "post", "/share-servers/:server_id/action", {}, async (request, reply) =>
    dispatchAction(request, reply, actions),
  );
}
