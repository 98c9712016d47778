// os-server-shares (2.97+; FACTS §2.1).
import type { FastifyInstance } from "fastify";
import type { World } from "../../core/world";
import { shareMappingView } from "../views";
import { params, route, viewContext } from "./common";

export function register(scope: FastifyInstance, world: World): void {
  const shares = world.nova.shares;
  const v297 = { config: { minVersion: "2.97" } };

  route(scope, "get", "/servers/:server_id/shares", v297, async (request) => {
    const ctx = viewContext(request, world);
    const mappings = shares.list(
      request.principal,
      params(request).server_id,
      request.query as Record<string, unknown>,
    );
    return { shares: mappings.map((m) => shareMappingView(ctx, m, true)) };
  });
  route(scope, "post", "/servers/:server_id/shares", v297, async (request, reply) => {
    const mapping = shares.create(request.principal, params(request).server_id, request.body);
    return reply.code(201).send({ share: shareMappingView(viewContext(request, world), mapping) });
  });
  route(scope, "get", "/servers/:server_id/shares/:share_id", v297, async (request) => {
    const { server_id, share_id } = params(request);
    const mapping = shares.show(
      request.principal,
      server_id,
      share_id,
      request.query as Record<string, unknown>,
    );
    return { share: shareMappingView(viewContext(request, world), mapping) };
  });
  route(scope, "delete", "/servers/:server_id/shares/:share_id", v297, async (request, reply) => {
    const { server_id, share_id } = params(request);
    shares.delete(request.principal, server_id, share_id);
    return reply.code(200).send();
  });
}
