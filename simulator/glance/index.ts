// A stand-in for Glance: only its version document, under /image. The simulator has no images, but clients
// such as openstackclient's `volume create` build an image client (and discover its versions) on every call,
// so a cloud without an image endpoint in its catalog breaks them.
import type { FastifyInstance } from "fastify";
import type { World } from "../core/world";

export function register(app: FastifyInstance, world: World): void {
  app.register(
    async (scope) => {
      // glance/api/versions.py: 300 Multiple Choices listing the v2 minor versions (newest first).
      scope.get("/", async (_request, reply) =>
        reply.code(300).send({
          versions: [
            {
              id: "v2.16",
              status: "CURRENT",
              links: [{ rel: "self", href: `${world.baseUrl}/image/v2/` }],
            },
          ],
        }),
      );
    },
    { prefix: "/image" },
  );
}
