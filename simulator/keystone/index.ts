// Keystone v3 on the simulator, under /identity: version documents, /v3/auth/tokens (issue, validate,
// revoke) and /v3/auth/catalog. Users, projects, application credentials and tokens live in core/identity.ts.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiFault } from "../core/faults";
import { registerService } from "../core/service";
import type { World } from "../core/world";
import { authenticate } from "./auth";
import { catalog, tokenBody, v3Version } from "./views";

const wantsCatalog = (request: FastifyRequest) =>
  !("nocatalog" in (request.query as Record<string, unknown>));

export function register(app: FastifyInstance, world: World): void {
  registerService(app, world, "identity", (scope) => {
    const publicRoute = { config: { public: true } };

    // 300 Multiple Choices with the preferred version in Location (keystone/api/discovery.py).
    scope.get("/", publicRoute, async (_request, reply) => {
      const v3 = v3Version(world);
      return reply
        .code(300)
        .header("Location", v3.links[0].href)
        .send({ versions: { values: [v3] } });
    });
    for (const url of ["/v3", "/v3/"]) {
      scope.get(url, publicRoute, async () => ({ version: v3Version(world) }));
    }

    scope.post("/v3/auth/tokens", publicRoute, async (request, reply) => {
      const token = authenticate(world.identity, request.body);
      return reply
        .code(201)
        .header("X-Subject-Token", token.id)
        .header("Vary", "X-Auth-Token")
        .send(tokenBody(world, token, wantsCatalog(request)));
    });

    scope.get("/v3/auth/catalog", async (request) => {
      const token = world.identity.validate(request.headers["x-auth-token"] as string | undefined);
      if (!token || token.unscoped)
        throw new ApiFault(403, "A project-scoped token is required to produce a service catalog.");
      return {
        catalog: catalog(world, token.principal.projectId),
        links: { self: `${world.baseUrl}/identity/v3/auth/catalog` },
      };
    });

    /** The token named by X-Subject-Token (the caller's own X-Auth-Token was validated by the frame). */
    const subjectToken = (request: FastifyRequest) => {
      const id = request.headers["x-subject-token"] as string | undefined;
      if (!id)
        throw new ApiFault(
          400,
          "Expecting to find X-Subject-Token in request headers. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
        );
      const token = world.identity.validate(id);
      if (!token) throw new ApiFault(404, `Could not find token: ${id}.`);
      return token;
    };

    scope.get("/v3/auth/tokens", async (request, reply) => {
      const token = subjectToken(request);
      return reply.header("X-Subject-Token", token.id).send(tokenBody(world, token, wantsCatalog(request)));
    });

    scope.delete("/v3/auth/tokens", async (request, reply) => {
      world.identity.revoke(subjectToken(request).id);
      return reply.code(204).send();
    });
  });
}
