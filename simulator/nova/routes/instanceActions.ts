// os-instance-actions (list and show; nova/api/openstack/compute/instance_actions.py).
import type { FastifyInstance } from "fastify";
import type { World } from "../../core/world";
import { instanceActionView, instanceActionsView } from "../views";
import { params, query, route, viewContext } from "./common";

export function register(scope: FastifyInstance, world: World): void {
  const actions = world.nova.actions;
  const base = "/servers/:server_id/os-instance-actions";

  route(scope, "get", base, {}, async (request) => {
    const serverId = params(request).server_id;
    const page = actions.list(request.principal, serverId, query(request), request.mv);
    return instanceActionsView(viewContext(request, world), serverId, page, query(request));
  });
  route(scope, "get", `${base}/:request_id`, {}, async (request) => {
    const { server_id, request_id } = params(request);
    const { action, server } = actions.show(
      request.principal,
      server_id,
      request_id,
      query(request),
      request.mv,
    );
    return { instanceAction: instanceActionView(viewContext(request, world), action, server.projectId) };
  });
}
