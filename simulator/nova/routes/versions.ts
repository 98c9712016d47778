// Version documents (nova/api/openstack/compute/versions.py; samples/nova/versions).
import type { FastifyInstance } from "fastify";
import { echoHeaders, negotiate } from "../../core/microversion";
import type { World } from "../../core/world";

function entry(world: World, id: "v2.0" | "v2.1") {
  const range = world.config.microversions.compute;
  const legacy = id === "v2.0";
  const bookworm = world.config.profile === "debian-bookworm";
  return {
    id,
    links: [{ href: `${world.baseUrl}/compute/${legacy ? "v2" : "v2.1"}/`, rel: "self" }],
    // Nova 26 still called the legacy v2.0 API SUPPORTED (recorded); newer releases deprecate it.
    status: legacy ? (bookworm ? "SUPPORTED" : "DEPRECATED") : "CURRENT",
    version: legacy ? "" : range.max,
    min_version: legacy ? "" : range.min,
    updated: legacy ? (bookworm ? "2011-01-21T11:33:21Z" : "2025-07-04T12:00:00Z") : "2013-07-23T11:33:21Z",
  };
}

/** The single-version document adds describedby and media-types. */
function versionDocument(world: World, id: "v2.0" | "v2.1") {
  const e = entry(world, id);
  return {
    version: {
      ...e,
      links: [...e.links, { href: "http://docs.openstack.org/", rel: "describedby", type: "text/html" }],
      "media-types": [
        {
          base: "application/json",
          type: `application/vnd.openstack.compute+json;version=${id === "v2.0" ? "2" : "2.1"}`,
        },
      ],
    },
  };
}

export function register(scope: FastifyInstance, world: World): void {
  const open = { config: { public: true } };
  // GET / is Nova's versions app, outside the request-id middlewares (recorded: no request id)
  scope.get("/", { config: { public: true, requestIds: "none" } }, async () => ({
    versions: [entry(world, "v2.0"), entry(world, "v2.1")],
  }));
  // The v2.1 document comes from the microversioned API: it echoes the negotiated version (recorded).
  for (const url of ["/v2.1", "/v2.1/"]) {
    scope.get(url, open, async (request, reply) => {
      const mv = negotiate(
        "compute",
        world.config.microversions.compute,
        request.headers,
        world.config.profile,
      );
      return reply.headers(echoHeaders("compute", mv)).send(versionDocument(world, "v2.1"));
    });
  }
  for (const url of ["/v2", "/v2/"]) scope.get(url, open, async () => versionDocument(world, "v2.0"));
}
