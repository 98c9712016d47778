// Version documents (FACTS §0.2: the upstream samples are stale; these follow manila/api/versions.py).
import type { FastifyInstance } from "fastify";
import type { World } from "../../core/world";

function entry(world: World, id: "v1.0" | "v2.0") {
  const range = world.config.microversions.share;
  const legacy = id === "v1.0";
  return {
    id,
    status: legacy ? "DEPRECATED" : "CURRENT",
    version: legacy ? "" : range.max,
    min_version: legacy ? "" : range.min,
    updated: "2015-08-27T11:33:21Z",
    links: [
      { href: "http://docs.openstack.org/", type: "text/html", rel: "describedby" },
      { href: `${world.baseUrl}/share/${legacy ? "v1" : "v2"}/`, rel: "self" },
    ],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.share+json;version=1" }],
  };
}

function versionList(world: World) {
  return { versions: [entry(world, "v2.0")] };
}

/** GET /: Manila lists the deprecated v1.0 API too until release 22 removed it (recorded on Manila 15). */
function rootList(world: World) {
  return world.config.profile === "debian-bookworm"
    ? { versions: [entry(world, "v1.0"), entry(world, "v2.0")] }
    : versionList(world);
}

export function register(scope: FastifyInstance, world: World): void {
  const open = { config: { public: true } };
  const beforeApi = { config: { public: true, requestIds: "middleware" as const } };
  scope.get("/", beforeApi, async (_request, reply) => reply.code(300).send(rootList(world)));
  // Recorded on Manila 15: /v2 redirects to /v2/, which answers with the version echo of the default 2.0.
  scope.get("/v2", beforeApi, async (_request, reply) => reply.redirect(`${world.baseUrl}/share/v2/`, 302));
  scope.get("/v2/", open, async (_request, reply) =>
    reply
      .header("X-OpenStack-Manila-API-Version", world.config.microversions.share.min)
      .header("Vary", "X-OpenStack-Manila-API-Version")
      .send(versionList(world)),
  );
}
