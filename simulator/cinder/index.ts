// Cinder v3 on the simulator, under /volume: version documents, volume types (read-only), volumes and
// their actions, attachments; control endpoints under /_sim/cinder. The state lives in model.ts.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { registerServiceControl } from "../control/routes";
import { ApiFault } from "../core/faults";
import { echoHeaders, negotiate } from "../core/microversion";
import { projectPaths, registerService } from "../core/service";
import type { World } from "../core/world";
import { registerAttachmentRoutes } from "./attachments";
import { register as registerControl } from "./control";
import type { VolumeType } from "./model";
import { callerOf } from "./requests";
import { versionEntry } from "./views";
import { registerVolumeRoutes } from "./volumes";

export function register(app: FastifyInstance, world: World): void {
  registerService(app, world, "volume", (scope) => {
    const versions = () => ({
      versions: [
        versionEntry(`${world.baseUrl}/volume`, world.config.microversions.volume, world.config.profile),
      ],
    });
    // GET / is 300 Multiple Choices without auth, and negotiates a version like any Cinder call (recorded on
    // real Cinder); GET /v3 redirects to /v3/, which sits behind auth in Cinder's v3 pipeline.
    scope.get("/", { config: { public: true } }, async (request, reply) => {
      const mv = negotiate(
        "volume",
        world.config.microversions.volume,
        request.headers,
        world.config.profile,
      );
      return reply.code(300).headers(echoHeaders("volume", mv)).send(versions());
    });
    scope.get("/v3", { config: { public: true, requestIds: "middleware" } }, async (_request, reply) =>
      reply.code(302).header("Location", `${world.baseUrl}/volume/v3/`).send(),
    );
    scope.get("/v3/", async () => versions());

    const typeView = (request: FastifyRequest, t: VolumeType) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      is_public: t.isPublic,
      "os-volume-type-access:is_public": t.isPublic,
      ...(callerOf(request).isAdmin ? { extra_specs: { ...t.extraSpecs }, qos_specs_id: null } : {}),
    });
    for (const url of projectPaths("/v3", "/types")) {
      scope.get(url, async (request) => ({
        volume_types: [...world.cinder.volumeTypes.values()].map((t) => typeView(request, t)),
      }));
      scope.get(`${url}/:id`, async (request) => {
        const id = (request.params as { id: string }).id;
        const type = world.cinder.findVolumeType(id);
        if (!type) throw new ApiFault(404, `Volume type ${id} could not be found.`);
        return { volume_type: typeView(request, type) };
      });
    }

    registerVolumeRoutes(scope, world);
    registerAttachmentRoutes(scope, world);
  });
  registerServiceControl(app, "cinder", (scope) => registerControl(scope, world));
}
