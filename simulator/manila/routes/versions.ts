// Version documents (FACTS §0.2: the upstream samples are stale; these follow manila/api/versions.py).
import type { FastifyInstance } from "fastify";
import type { World } from "../../core/world";

function versionList(world: World) {
  const range = world.config.microversions.share;
  return {
    versions: [
      {
        id: "v2.0",
        status: "CURRENT",
        version: range.max,
        min_version: range.min,
        updated: "2015-08-27T11:33:21Z",
        links: [
          { href: "http://docs.openstack.org/", type: "text/html", rel: "describedby" },
          { href: `${world.baseUrl}/share/v2/`, rel: "self" },
        ],
        "media-types": [{ base: "application/json", type: "application/vnd.openstack.share+json;version=1" }],
      },
    ],
  };
}

export function register(scope: FastifyInstance, world: World): void {
  const open = { config: { public: true } };
  scope.get("/", open, async (_request, reply) => reply.code(300).send(versionList(world)));
  // Recorded on Manila 15: /v2 redirects to /v2/, which answers with the version echo of the default 2.0.
  scope.get("/v2", open, async (_request, reply) => reply.redirect(`${world.baseUrl}/share/v2/`, 302));
  scope.get("/v2/", open, async (_request, reply) =>
    reply
      .header("X-OpenStack-Manila-API-Version", world.config.microversions.share.min)
      .header("Vary", "X-OpenStack-Manila-API-Version")
      .send(versionList(world)),
  );
}
