// os-volume_attachments at every microversion (FACTS §3).
import type { FastifyInstance } from "fastify";
import type { World } from "../../core/world";
import { attachResponse, attachmentView } from "../views";
import { params, query, route } from "./common";

export function register(scope: FastifyInstance, world: World): void {
  const volumes = world.nova.volumes;
  const base = "/servers/:server_id/os-volume_attachments";

  route(scope, "get", base, {}, async (request) => ({
    volumeAttachments: volumes
      .list(request.principal, params(request).server_id, query(request), request.mv)
      .map((b) => attachmentView(request.mv, b)),
  }));
  route(scope, "get", `${base}/:volume_id`, {}, async (request) => {
    const { server_id, volume_id } = params(request);
    return {
      volumeAttachment: attachmentView(
        request.mv,
        volumes.show(request.principal, server_id, volume_id, request.mv),
      ),
    };
  });
  route(scope, "post", base, {}, async (request, reply) => {
    const serverId = params(request).server_id;
    const { bdm, request: asked } = volumes.attach(request.principal, serverId, request.body, request.mv);
    if (!bdm) return reply.code(202).send(); // 2.101+
    return { volumeAttachment: attachResponse(request.mv, serverId, bdm, asked) };
  });
  route(scope, "put", `${base}/:volume_id`, {}, async (request, reply) => {
    const { server_id, volume_id } = params(request);
    volumes.update(request.principal, server_id, volume_id, request.body, request.mv);
    return reply.code(202).send();
  });
  route(scope, "delete", `${base}/:volume_id`, {}, async (request, reply) => {
    const { server_id, volume_id } = params(request);
    volumes.detach(request.principal, server_id, volume_id, request.mv);
    return reply.code(202).send();
  });
}
