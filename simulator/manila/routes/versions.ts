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
  for (const url of ["/v2", "/v2/"]) scope.get(url, open, async () => versionList(world));
}
